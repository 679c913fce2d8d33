"""Readers: every input format, and bad input that is rejected with a reason while the batch goes on."""
from __future__ import annotations

import gzip
import io
import json
import sys

import pytest

from sitrep.readers import read_inputs
from sitrep.records import RawDocument, Reject

from .conftest import DEV_ARTICLES, SAMPLE, dev_records, needs_shared


def docs_and_rejects(paths):
    items = list(read_inputs([str(p) for p in paths]))
    return [i for i in items if isinstance(i, RawDocument)], [i for i in items if isinstance(i, Reject)]


@needs_shared
def test_dump_file_splits_into_numbered_articles():
    docs, rejects = docs_and_rejects([SAMPLE])
    assert [d.doc_id for d in docs] == ["000_88aa7ddcd16cc528#1", "000_88aa7ddcd16cc528#2"]
    assert not rejects
    assert docs[0].text.startswith("Iraq Collaborates With NATO")
    assert docs[1].text.startswith("Israeli Army Reaches Outskirts")
    assert docs[1].line_offset > docs[0].line_offset


@needs_shared
def test_jsonl_export_keeps_ids_and_metadata():
    docs, rejects = docs_and_rejects([DEV_ARTICLES])
    records = dev_records()
    assert [d.doc_id for d in docs] == list(records)
    assert not rejects
    tahrir = next(d for d in docs if d.doc_id == "iq-tahrir-protest-2019-10-01")
    assert tahrir.published.isoformat() == "2019-10-01"
    assert tahrir.outlet == records["iq-tahrir-protest-2019-10-01"]["outlet"]


def test_bad_jsonl_line_is_rejected_with_its_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "batch.jsonl"
    good = {"id": "a", "url": None, "outlet": "X", "published": "2024-01-02", "text": "Gunmen attacked a village."}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "id": "b"}) + "\n" +
                    json.dumps({"id": "c"}) + "\n", encoding="utf-8")
    docs, rejects = docs_and_rejects([path])
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert [(r.line, r.code) for r in rejects] == [(2, "E006"), (4, "E007")]
    assert all(r.source == str(path) for r in rejects)


def test_csv_export(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text('id,url,outlet,published,text\nx1,https://example.org/2024/03/05/a,Ex,,"Protesters rallied in Basra.\n\nPolice fired tear gas."\n',
                    encoding="utf-8")
    docs, rejects = docs_and_rejects([path])
    assert not rejects
    assert docs[0].doc_id == "x1" and "tear gas" in docs[0].text


@pytest.mark.parametrize("content, code", [
    (b"", "E002"),
    (b"   \n\n\t ", "E002"),
    (b"\x00\x01\x02binary\x00\xff\xfe\x00" * 50, "E003"),
])
def test_unreadable_files_are_rejected_with_a_reason(tmp_path, content, code):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Gunmen killed three villagers in an attack on a market on Monday, police said.\n", encoding="utf-8")
    docs, rejects = docs_and_rejects([bad, good])
    assert [r.code for r in rejects] == [code]
    assert rejects[0].source == str(bad)
    assert [d.doc_id for d in docs] == ["good"]


def test_other_encodings_are_detected(tmp_path):
    text = "Manifestantes en Bogotá: la policía dispersó a los manifestantes con gases lacrimógenos en la plaza central.\n" * 3
    latin = tmp_path / "latin.txt"
    latin.write_bytes(text.encode("latin-1"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16"))
    docs, rejects = docs_and_rejects([latin, utf16])
    assert not rejects
    assert all("Bogotá" in d.text for d in docs)


def test_oversized_file_is_rejected_not_truncated(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    items = list(read_inputs([str(big)], max_bytes=1000))
    assert len(items) == 1 and isinstance(items[0], Reject) and items[0].code == "E005"


def test_gzip_input_and_folder_walk(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.txt.gz").write_bytes(gzip.compress(b"Rebels shelled the town of Goma on Friday, officials said.\n"))
    (tmp_path / ".hidden.txt").write_text("ignored text that is hidden", encoding="utf-8")
    docs, rejects = docs_and_rejects([tmp_path])
    assert [d.doc_id for d in docs] == ["one"]
    assert [(r.code, r.source) for r in rejects] == [("E011", str(tmp_path))]  # one line for the folder's hidden files
    assert ".hidden.txt" in rejects[0].reason


def test_missing_path_is_a_reject(tmp_path):
    docs, rejects = docs_and_rejects([tmp_path / "nope.txt"])
    assert not docs and rejects[0].code == "E001"


HTML = """<!doctype html><html><head><title>Rebels shell Goma - Example News</title>
<meta property="article:published_time" content="2024-02-03T10:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rebels shell Goma</h1>
<figure><img src="x.jpg"><figcaption>Smoke rises over Goma after the shelling on Friday (Reuters)</figcaption></figure>
<p>GOMA, Congo (Reuters) - Rebels fired mortar rounds into the eastern Congolese city of Goma on Friday, killing two people, a hospital official said.</p>
<p>The army said it had pushed the fighters back from the airport road after several hours of fighting near the lake shore.</p>
<p>Residents said they sheltered in churches and schools as the shells fell on the northern districts of the city.</p>
</article><footer>Share this article. Copyright 2024 Example News.</footer></body></html>"""


def test_html_page_through_trafilatura(tmp_path):
    page = tmp_path / "goma.html"
    page.write_text(HTML, encoding="utf-8")
    docs, rejects = docs_and_rejects([page])
    assert not rejects
    doc = docs[0]
    assert "mortar rounds" in doc.text and "Copyright" not in doc.text
    assert doc.published.isoformat() == "2024-02-03"
    assert doc.captions == ["Smoke rises over Goma after the shelling on Friday (Reuters)"]


def test_broken_html_is_rejected_with_reason(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><div><<<</div>", encoding="utf-8")
    docs, rejects = docs_and_rejects([page])
    assert not docs and rejects[0].code == "E008" and rejects[0].source == str(page)


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
<item><title>Clashes in Tripoli</title><link>https://example.org/2023/08/15/clashes</link>
<pubDate>Tue, 15 Aug 2023 08:00:00 GMT</pubDate>
<description>&lt;p&gt;Rival militias clashed in Tripoli overnight, killing at least 27 people, officials said.&lt;/p&gt;</description></item>
<item><title>Empty</title><link>https://example.org/empty</link><description></description></item>
</channel></rss>"""


def test_rss_feed_entries_become_documents(tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_text(FEED, encoding="utf-8")
    docs, rejects = docs_and_rejects([feed])
    assert len(docs) == 1 and docs[0].outlet == "Example Wire"
    assert docs[0].published.isoformat() == "2023-08-15"
    assert "<p>" not in docs[0].text and "27 people" in docs[0].text
    assert len(rejects) == 1 and "entry 2" in rejects[0].reason


@pytest.mark.parametrize("kind", ["path", "file-url", "http-url"])
def test_a_feed_naming_a_file_or_url_is_only_text(tmp_path, kind):
    """feedparser opens a string that names a file and fetches one that looks like a URL: a feed whose
    text is such a name must be parsed as text (a reject), never read from disk or the network."""
    secret = tmp_path / "secret.rss"
    secret.write_text(FEED, encoding="utf-8")  # a readable feed: reading it would yield its entry
    text = {"path": str(secret), "file-url": secret.as_uri(), "http-url": "http://127.0.0.1:9/feed.rss"}[kind]
    feed = tmp_path / "pointer.rss"
    feed.write_text(text, encoding="utf-8")
    docs, rejects = docs_and_rejects([feed])
    assert docs == [] and [r.code for r in rejects] == ["E009"]


def test_stdin_is_read(monkeypatch):
    data = b"Police arrested twelve protesters in Algiers on Friday, witnesses said.\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    docs = [d for d in read_inputs(["-"]) if isinstance(d, RawDocument)]
    assert docs[0].doc_id == "stdin" and "Algiers" in docs[0].text
