"""The bad-input matrix: every row is an input an analyst's scraper could produce, and what sitrep
must make of it: documents, or a Reject whose code and file say why. Readers and cleaner only
(fast); a few rows at the end go through the whole pipeline (spaCy) into a store.

The article texts are written for these tests.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitrep.clean import MAX_ARTICLE_CHARS
from sitrep.ingest import ingest_items, ingest_paths
from sitrep.pipeline import clean_documents
from sitrep.readers import read_inputs
from sitrep.records import Article, Extraction, Reject
from sitrep.store import Store

from .conftest import ROOT

ART = ("Gunmen killed at least 12 villagers in an attack on a market near Garoua on Tuesday, officials said. "
       "The army sent reinforcements to the area after the attack, a local chief told reporters.")
ART2 = ("Police fired tear gas at hundreds of protesters in the capital on Friday, witnesses said, and "
        "dozens of people were arrested during the demonstration over fuel prices.")
MARKER = "MARKER-7f3a9c-xxe"  # the content of a local file that an external entity points at


@dataclass(frozen=True)
class Expect:
    docs: int = 0  # articles out of the cleaner
    codes: tuple[str, ...] = ()  # reject codes, in order
    has: tuple[str, ...] = ()  # strings every article's text (and nothing else) must show
    lacks: tuple[str, ...] = ()  # strings that must appear nowhere in the output
    seconds: float = 10.0  # bound on reading and cleaning this input


def outcome(paths: Iterable[Path]) -> list[Article | Reject]:
    return list(clean_documents(read_inputs([str(p) for p in paths])))


# ---------------------------------------------------------------- builders: each writes its input


def write(name: str, data: bytes | str) -> Callable[[Path], list[Path]]:
    def build(tmp: Path) -> list[Path]:
        path = tmp / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return [path]
    return build


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _corrupt_zip() -> bytes:
    """Two members; the first one's deflate stream garbled (its header and the directory intact)."""
    data = bytearray(_zip({"a.txt": (ART * 20).encode(), "b.txt": ART2.encode()}))
    start = 30 + len("a.txt")  # the first local header is 30 bytes and the name
    data[start + 2:start + 40] = bytes(range(7, 45))
    return bytes(data)


def _binary() -> bytes:
    rng = random.Random(8)
    return bytes(rng.randrange(256) for _ in range(20_000)) + b"\x00\x00"


def _nested_html(depth: int) -> str:
    return f"<html><body>{'<div>' * depth}<p>{ART}</p>{'</div>' * depth}</body></html>"


SCRIPTS_HTML = (f"<html><head><script>window.pwned = 'INJECTED-HEAD'</script></head><body>"
                f"<iframe src=\"javascript:alert('INJECTED-IFRAME')\"></iframe><article><p>{ART}</p><p>{ART2}</p>"
                f"</article><script>document.write('INJECTED-BODY')</script><noscript>INJECTED-NOSCRIPT</noscript>"
                f"</body></html>")


def xxe_feed(kind: str) -> Callable[[Path], list[Path]]:
    """A feed whose DTD points an external entity at a local file holding MARKER."""
    def build(tmp: Path) -> list[Path]:
        secret = tmp / "secret.txt"
        secret.write_text(MARKER, encoding="utf-8")
        uri = secret.resolve().as_uri()
        if kind == "general":
            dtd, ref = f'<!ENTITY xxe SYSTEM "{uri}">', "&xxe;"
        else:  # a parameter entity, expanded inside the DTD itself
            dtd, ref = f'<!ENTITY % p SYSTEM "{uri}"> %p;', ""
        feed = (f'<?xml version="1.0"?><!DOCTYPE rss [{dtd}]><rss version="2.0"><channel><title>Wire {ref}</title>'
                f"<item><title>Attack {ref}</title><link>https://example.org/2024/08/06/a</link>"
                f"<description>{ART} {ref}</description></item></channel></rss>")
        path = tmp / f"xxe-{kind}.rss"
        path.write_text(feed, encoding="utf-8")
        return [path]
    return build


def xxe_xhtml(tmp: Path) -> list[Path]:
    """An XHTML page whose DTD points an external entity at a local file holding MARKER."""
    secret = tmp / "secret.txt"
    secret.write_text(MARKER, encoding="utf-8")
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Attack &xxe;</title></head><body><article>'
            f"<p>{ART} &xxe;</p><p>{ART2}</p></article></body></html>")
    path = tmp / "xxe.xhtml"
    path.write_text(page, encoding="utf-8")
    return [path]


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + f']><rss version="2.0"><channel><title>W</title><item><title>T</title><description>{ART} &lol9;'
                  "</description></item></channel></rss>")


def folder_with_links(tmp: Path) -> list[Path]:
    """A folder to ingest: one article, a link to a file outside it, a link to a folder outside it,
    a link back up to its parent (a loop), and a hidden file."""
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(ART2, encoding="utf-8")
    folder = tmp / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "story.txt").write_text(ART, encoding="utf-8")
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    (folder / "sub" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "loop").symlink_to(tmp, target_is_directory=True)
    (folder / ".hidden.txt").write_text(ART2, encoding="utf-8")
    return [folder]


def bad_jsonl(tmp: Path) -> list[Path]:
    lines = [json.dumps({"id": "ok", "text": ART}), "{oops", "[1, 2]", json.dumps({"id": "no-text"}),
             json.dumps({"id": "blank", "text": "   "}), '{"id": "big", "n": ' + "9" * 5000 + ', "text": "x"}',
             "[" * 100_000, json.dumps({"id": "sep", "text": ART2 + "\u2028" + ART2})]
    path = tmp / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


ROWS: dict[str, tuple[Callable[[Path], list[Path]], Expect]] = {
    "empty": (write("empty.txt", b""), Expect(codes=("E002",))),
    "whitespace only": (write("blank.txt", " \n\t\r\n \f \n"), Expect(codes=("E002",))),
    "binary": (write("photo.txt", _binary()), Expect(codes=("E003",))),
    "NUL bytes in text": (write("nul.txt", ART.encode() + b"\x00\x00" + ART2.encode()), Expect(codes=("E003",))),
    "control characters": (write("ctrl.txt", "\x01\x02\x03\x04" * 500 + ART), Expect(codes=("E003",))),
    "UTF-16 with BOM": (write("u16.txt", b"\xff\xfe" + ART.encode("utf-16-le")), Expect(docs=1, has=("Garoua",))),
    "UTF-16LE without BOM": (write("u16le.txt", ART.encode("utf-16-le")), Expect(docs=1, has=("Garoua",))),
    "UTF-16BE without BOM": (write("u16be.txt", ART.encode("utf-16-be")), Expect(docs=1, has=("Garoua",))),
    "UTF-8 BOM": (write("bom8.txt", b"\xef\xbb\xbf" + ART.encode()), Expect(docs=1, has=("Gunmen",))),
    "Latin-1": (write("latin1.txt", ("Café owners near Garoua said: " + ART).encode("latin-1")),
                Expect(docs=1, has=("Café",))),
    "Windows-1252 quotes": (write("cp1252.txt", ("“Twelve dead,” a chief said. " + ART).encode("cp1252")),
                            Expect(docs=1, has=("“Twelve dead,”",))),
    "mixed UTF-8 and Latin-1 lines": (
        write("mixed.txt", ("Café owners said. " + ART).encode() + b"\n\n" + ("Résumé of events. " + ART2).encode("latin-1")),
        Expect(docs=1, has=("Café owners", "Résumé of events"))),
    "50 MB single line": (write("huge-line.txt", ("word " * 10_000_000).encode()), Expect(codes=("E019",), seconds=20)),
    "1M parentheses in one line": (write("parens.txt", "(" * (MAX_ARTICLE_CHARS - 10)), Expect(seconds=20, codes=("E012",))),
    "1M-char paragraph of repeats": (write("repeat.txt", "By Photo (AP " * (MAX_ARTICLE_CHARS // 14)),
                                     Expect(docs=1, seconds=20)),
    "over 64 MB": (write("too-big.txt", b"a" * (64 * 1024 * 1024 + 1)), Expect(codes=("E005",))),
    "deeply nested HTML (100,000 divs)": (write("deep.html", _nested_html(100_000)), Expect(codes=("E008",))),
    "22 MB HTML page": (write("huge.html", "<html><body>" + f"<p>{ART}</p>\n" * 120_000 + "</body></html>"),
                        Expect(codes=("E008",), seconds=5)),
    "nested HTML (200 divs)": (write("nested.html", _nested_html(200)), Expect(docs=1, has=("Garoua",))),
    "HTML with scripts and iframes": (write("scripts.html", SCRIPTS_HTML),
                                      Expect(docs=1, has=("Garoua",), lacks=("INJECTED", "pwned", "javascript:"))),
    "HTML without markup": (write("plain.html", ART), Expect(codes=("E008",))),
    "feed with an external entity": (xxe_feed("general"), Expect(docs=1, has=("Garoua",), lacks=(MARKER,))),
    "feed with an external parameter entity": (xxe_feed("parameter"), Expect(docs=1, has=("Garoua",), lacks=(MARKER,))),
    "XHTML with an external entity": (xxe_xhtml, Expect(docs=1, has=("Garoua",), lacks=(MARKER,))),
    "feed with a billion laughs": (write("laughs.rss", BILLION_LAUGHS), Expect(docs=1, has=("Garoua",), lacks=("lollollol",))),
    "truncated feed": (write("broken.rss", "<rss><channel><item><descr"), Expect(codes=("E002",))),
    "feed that is not XML": (write("junk.rss", "<rss " + "\"" * 50 + "&&&<<<"), Expect(codes=("E009",))),
    "gzip": (write("story.txt.gz", gzip.compress(ART.encode())), Expect(docs=1, has=("Garoua",))),
    "gzip bomb (200 MB of zeros)": (write("bomb.txt.gz", gzip.compress(b"0" * 200_000_000, 9)), Expect(codes=("E005",))),
    "broken gzip": (write("broken.txt.gz", gzip.compress(ART.encode())[:40]), Expect(codes=("E011",))),
    "zip of two articles": (write("two.zip", _zip({"a/one.txt": ART.encode(), "b/two.jsonl":
                                                   json.dumps({"id": "j2", "text": ART2}).encode()})),
                            Expect(docs=2, has=())),
    "zip bomb (300 MB member)": (write("bomb.zip", _zip({"big.txt": b"0" * 300_000_000, "z.txt": ART.encode()})),
                                 Expect(docs=1, codes=("E005",), has=("Garoua",))),  # the member after it is read (F4)
    "zip member with '..'": (write("evil.zip", _zip({"../evil.txt": ART2.encode(), "ok.txt": ART.encode()})),
                             Expect(docs=1, codes=("E014",), has=("Garoua",))),
    "zip with a garbled member": (write("garbled.zip", _corrupt_zip()), Expect(docs=1, codes=("E018",), has=("tear gas",))),
    "broken zip": (write("broken.zip", b"PK\x03\x04" + b"junk" * 100), Expect(codes=("E011",))),
    "symlinks and a loop in folder ingest": (folder_with_links, Expect(docs=1, codes=("E014", "E014", "E014", "E011"),
                                                                      has=("Garoua",), lacks=("tear gas",))),
    "JSONL with bad lines": (bad_jsonl, Expect(docs=2, codes=("E006", "E006", "E007", "E002", "E006", "E006"))),
    "CSV without a text column": (write("nocol.csv", "id,body\n1,hello\n"), Expect(codes=("E010",))),
    # both rows' quotes are unclosed: each row is an E010 (it used to be one article ending in "2,x", F10)
    "CSV with a broken quote": (write("quote.csv", f'id,text\n1,"{ART}\n2,"x'), Expect(codes=("E010", "E010"))),
}


@pytest.mark.parametrize("row", list(ROWS), ids=list(ROWS))
def test_bad_input(row: str, tmp_path: Path) -> None:
    build, expect = ROWS[row]
    paths = build(tmp_path)
    started = time.monotonic()
    out = outcome(paths)
    elapsed = time.monotonic() - started
    articles = [o for o in out if isinstance(o, Article)]
    rejects = [o for o in out if isinstance(o, Reject)]
    assert elapsed < expect.seconds, f"{row}: took {elapsed:.1f}s"
    assert [r.code for r in rejects] == list(expect.codes), [str(r) for r in rejects]
    assert len(articles) == expect.docs, [a.doc_id for a in articles]
    names = [p.name for p in paths]
    for reject in rejects:
        assert reject.reason.strip() and any(name in reject.source for name in names), str(reject)
    for article in articles:
        for needle in expect.has:
            assert needle in article.text
    everything = repr(out)
    for needle in expect.lacks:
        assert needle not in everything


def test_100k_tiny_articles_stream_in_bounded_memory(tmp_path: Path) -> None:
    """100,000 JSONL articles through the readers and cleaner: memory grows with the file, not the count
    (a list of the cleaned articles alone takes ~100 MB; the stream, with the file read, ~35 MB)."""
    path = tmp_path / "many.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"id": f"t{i}", "published": "2024-08-05",
                                 "text": f"Gunmen killed {i % 50} people in village {i} on Tuesday, police said."}) + "\n" for i in range(100_000))
    script = ("import resource, sys\n"
              "from sitrep.pipeline import clean_documents\nfrom sitrep.readers import read_inputs\n"
              "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "n = sum(1 for _ in clean_documents(read_inputs([sys.argv[1]])))\n"
              "print(n, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                          cwd=ROOT, timeout=120)
    count, grown_mb = map(int, done.stdout.split())
    assert count == 100_000
    assert grown_mb < 64, f"memory grew by {grown_mb} MB for a {path.stat().st_size >> 20} MB file"


class NoNlp:
    """An extractor without spaCy: each article becomes an Extraction with no events."""

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        for item in items:
            yield item if isinstance(item, Reject) else Extraction(item)

    def run(self, paths: Iterable[str]) -> Iterator[Extraction | Reject]:
        return self.extract(clean_documents(read_inputs(paths)))


def test_duplicate_ids_with_other_text_keep_the_first(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps({"id": "dup-1", "text": ART}) + "\n" + json.dumps({"id": "dup-1", "text": ART2}) + "\n"
                     + json.dumps({"id": "dup-1", "text": ART}) + "\n", encoding="utf-8")
    second.write_text(json.dumps({"id": "dup-1", "text": ART2 + " Later."}) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        report = ingest_items(clean_documents(read_inputs([str(first)])), store, NoNlp())
        again = ingest_items(clean_documents(read_inputs([str(second)])), store, NoNlp())
        texts = [r[0] for r in store.conn.execute("SELECT text FROM articles WHERE doc_id = 'dup-1'")]
        rejects = store.rejects()
    assert texts == [ART] and report.added == 1 and again.added == 0
    assert [(r["code"], Path(r["source"]).name) for r in rejects] == [("E016", "first.jsonl"), ("E016", "second.jsonl")]
    assert all("dup-1" in r["reason"] for r in rejects)


@pytest.mark.parametrize("row", ["binary", "UTF-16LE without BOM", "mixed UTF-8 and Latin-1 lines",
                                 "HTML with scripts and iframes", "feed with an external entity", "zip of two articles"])
def test_full_pipeline_rows(row: str, tmp_path: Path, pipeline: object) -> None:
    """A handful of rows through spaCy into a store: the rejects are recorded, the rest stored."""
    build, expect = ROWS[row]
    paths = build(tmp_path)
    with Store(tmp_path / "s.db") as store:
        report = ingest_paths([str(p) for p in paths], store, pipeline)  # type: ignore[arg-type]
        counts = store.counts()
        text = " ".join(r[0] for r in store.conn.execute("SELECT text FROM articles"))
    assert report.added == counts["articles"] == expect.docs
    assert counts["rejects"] == len(expect.codes)
    for needle in expect.lacks:
        assert needle not in text


def test_a_5000_digit_toll_does_not_stop_the_batch(tmp_path: Path, pipeline: object) -> None:
    path = tmp_path / "digits.txt"
    path.write_text(f"Gunmen killed {'1' * 5000} villagers near Garoua on Tuesday, officials said.\n\n\n\n{ART}\n",
                    encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        report = ingest_paths([str(path)], store, pipeline)  # type: ignore[arg-type]
    assert report.added + len(report.rejected) >= 1


def test_folder_ingest_never_reads_outside(tmp_path: Path) -> None:
    """Links out of the folder are rejected by name; the file behind them is not read."""
    out = outcome(folder_with_links(tmp_path))
    sources = sorted(Path(o.source).name for o in out if isinstance(o, Reject) and o.code == "E014")
    assert sources == ["elsewhere", "leak.txt", "loop"]
    assert all("outside" in o.reason for o in out if isinstance(o, Reject) and o.code == "E014")
    assert os.path.exists(tmp_path / "outside" / "secret.txt")
