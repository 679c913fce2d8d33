"""Issue 16, input handling: regression tests for the attack report's F1, F4, F10, F11 and F15
(../shared/reports/attack-2026-12.md), and for their class: every name from outside is stored and
shown in one form without crashing, and every input a reader does not read is a Reject naming it.

Readers and a store only, no spaCy: `NoNlp` turns each article into an Extraction without events.
The article texts are generated here.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.ingest import ingest_paths
from sitrep.pipeline import clean_documents
from sitrep.readers import read_inputs
from sitrep.records import Article, Extraction, RawDocument, Reject
from sitrep.store import Store


def article(n: int) -> str:
    """A made-up article, different for each n."""
    return (f"Gunmen killed {n + 3} villagers in an attack on a market near Garoua on Tuesday, officials said. "
            f"The army sent {n + 20} soldiers to the area after the attack, a local chief told reporters.\n\n"
            f"Residents of the village said the attackers arrived on {n % 7 + 2} motorcycles at dawn.")


class NoNlp:
    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        for item in items:
            yield item if isinstance(item, Reject) else Extraction(item)


def read(paths: Iterable[str | bytes | Path]) -> tuple[list[RawDocument], list[Reject]]:
    items = list(read_inputs(paths))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, RawDocument)], [i for i in items if isinstance(i, Reject)]


def ingest(paths: list[str], db: Path) -> tuple[int, list[dict[str, object]], list[tuple[str, str]]]:
    with Store(db) as store:
        report = ingest_paths(paths, store, NoNlp())  # type: ignore[arg-type]
        rows = [(r[0], r[1]) for r in store.conn.execute("SELECT doc_id, source FROM articles ORDER BY doc_id")]
        return report.added, store.rejects(), rows


# ---------------------------------------------------------------- F1: names that are not UTF-8


def latin1_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "uni2"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(article(i), encoding="utf-8")
    with open(os.fsencode(folder) + b"/zz\xe9t\xe9.txt", "wb") as fh:  # a Latin-1 name
        fh.write(article(6).encode())
    return folder


def test_f1_a_latin1_file_name_does_not_stop_its_folder(tmp_path: Path) -> None:
    """F1: one non-UTF-8 name crashed the folder's ingest in known_doc_ids, nothing stored, every re-run too."""
    folder = latin1_folder(tmp_path)
    added, rejects, rows = ingest([str(folder)], tmp_path / "s.db")
    assert added == 4 and not rejects
    assert ("zz\\xe9t\\xe9", f"{folder}/zz\\xe9t\\xe9.txt") in rows  # the name's bytes shown, valid UTF-8
    again, _, _ = ingest([str(folder)], tmp_path / "s.db")
    assert again == 0


@pytest.mark.parametrize("how", ["text", "bytes"])
def test_f1_a_latin1_file_named_directly(tmp_path: Path, how: str) -> None:
    folder = latin1_folder(tmp_path)
    raw = os.fsencode(folder) + b"/zz\xe9t\xe9.txt"
    docs, rejects = read([raw if how == "bytes" else os.fsdecode(raw)])
    assert not rejects and [d.doc_id for d in docs] == ["zz\\xe9t\\xe9"]
    assert docs[0].source.endswith("/zz\\xe9t\\xe9.txt")


def test_f1_lone_surrogates_in_json_ids_and_text_are_stored(tmp_path: Path) -> None:
    """The same class through JSON: a "\\ud800" escape in an id or a text crashed the store the same way."""
    path = tmp_path / "sur.jsonl"
    lines = [json.dumps({"id": "sur-\ud800x", "text": article(1)}),
             json.dumps({"id": "t2", "title": "Title \udce9", "outlet": "Wire\udfff", "text": article(2) + " \udfff end"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # json.dumps writes the escapes as ASCII
    added, rejects, rows = ingest([str(path)], tmp_path / "s.db")
    assert added == 2 and not rejects
    assert [r[0] for r in rows] == ["sur-\\ud800x", "t2"]
    with Store(tmp_path / "s.db") as store:
        text, title, outlet = store.conn.execute("SELECT text, title, outlet FROM articles WHERE doc_id = 't2'").fetchone()
    assert text.endswith("\ufffd end") and "\ufffd" in title and outlet == "Wire\\udfff"


@pytest.mark.parametrize("name, shown", [
    (b"zz\xe9t\xe9.txt", "zz\\xe9t\\xe9.txt"),
    (b"new\nline.txt", "new\\x0aline.txt"),
    ("rtl\u202etxt.exe".encode(), "rtl\\u202etxt.exe"),
    ("北京 news.txt".encode(), "北京 news.txt"),  # printable text of any script is kept as it is
    ("cafe\u0301.txt".encode(), "cafe\u0301.txt"),  # no NFC: an id stays the id it was given
    (b"tab\there\x7f.txt", "tab\\x09here\\x7f.txt"),
])
def test_clean_name_is_valid_one_line_text(name: bytes, shown: str) -> None:
    from sitrep.readers.names import clean_name
    assert clean_name(name) == shown == clean_name(os.fsdecode(name))


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=40))
def test_clean_name_never_fails_on_any_bytes(name: bytes) -> None:
    from sitrep.readers.names import clean_name
    shown = clean_name(name)
    shown.encode("utf-8")  # storable
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF or c in "\u2028\u2029"
                   for c in shown)  # one printable line
    assert clean_name(shown) == shown  # already clean: a second pass changes nothing


# ---------------------------------------------------------------- F4: zip members after a big one


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_f4_members_after_an_over_cap_member_are_read(tmp_path: Path) -> None:
    """F4: the over-cap member ended the archive; the members after it were lost with no reject."""
    path = tmp_path / "bundle.zip"
    path.write_bytes(zip_bytes({"a_good.txt": article(0).encode(), "m_big.txt": b" " * (20 * 1024 * 1024),
                                "z_good1.txt": article(1).encode(), "z_good2.txt": article(2).encode()}))
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["bundle/a_good", "bundle/z_good1", "bundle/z_good2"]
    assert [(r.source, r.code) for r in rejects] == [(f"{path}!m_big.txt", "E005")]


def test_f4_every_member_is_read_or_rejected_by_name(tmp_path: Path) -> None:
    """Members that the archive's expansion budget cannot hold are each a Reject, as are hidden members."""
    members = {f"m{i}.txt": (article(i) + " " * 600_000).encode() for i in range(4)}
    members["__MACOSX/._m0.txt"] = b"resource fork"
    path = tmp_path / "many.zip"
    path.write_bytes(zip_bytes(members))
    docs, rejects = read([path])
    read_names = {d.source.split("!", 1)[1] for d in docs}
    rejected = {r.source.split("!", 1)[1] for r in rejects if "!" in r.source}
    assert read_names and rejected  # the budget (1 MB here) holds some members, not all
    assert read_names | rejected == {n for n in members if not n.startswith("__MACOSX")}
    assert all(r.code == "E005" for r in rejects if "!" in r.source)
    hidden = [r for r in rejects if r.source == str(path)]
    assert len(hidden) == 1 and "__MACOSX/._m0.txt" in hidden[0].reason


# ---------------------------------------------------------------- F10: a stray quote in a CSV


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def test_f10_a_stray_quote_costs_its_row_only(tmp_path: Path) -> None:
    """F10: the rows after a stray quote became junk articles (ids that were sentence fragments), no E010."""
    path = tmp_path / "uq.csv"
    path.write_text("id,text\n" + f"uq-1,{quoted(article(1))}\n" + 'uq-2,"unclosed quote here\n'
                    + f"uq-3,{quoted(article(3))}\n" + f"uq-4,{quoted(article(4))}\n", encoding="utf-8")
    docs, rejects = read([path])
    uq2_line = 1 + article(1).count("\n") + 2
    assert [d.doc_id for d in docs] == ["uq-1", "uq-3", "uq-4"]
    assert [d.text for d in docs] == [article(1), article(3), article(4)]
    assert [(r.code, r.line) for r in rejects] == [("E010", uq2_line)]


def test_f10_an_undoubled_inner_quote_is_an_e010_and_the_next_row_is_read(tmp_path: Path) -> None:
    path = tmp_path / "inner.csv"
    path.write_text('id,text\nq1,"He said "hi" there, then left."\n' + f"q2,{quoted(article(2))}\n", encoding="utf-8")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["q2"]
    assert [(r.code, r.line) for r in rejects] == [("E010", 2)]


def test_f10_a_row_with_more_fields_than_the_header_is_an_e010(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(f"id,text\nw1,{quoted(article(1))},extra\nw2,{quoted(article(2))}\n", encoding="utf-8")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["w2"] and [(r.code, r.line) for r in rejects] == [("E010", 2)]


def test_f10_many_stray_quotes_stay_linear(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text("id,text\n" + "".join(f'r{i},"stray {i}\n' if i % 2 else f"r{i},plain text {i}\n"
                                          for i in range(20_000)), encoding="utf-8")
    started = time.monotonic()
    docs, rejects = read([path])
    assert time.monotonic() - started < 10
    assert rejects and all(r.code == "E010" for r in rejects)


# ---------------------------------------------------------------- F11: unknown suffixes in a folder


def test_f11_nothing_in_a_folder_is_skipped_in_silence(tmp_path: Path) -> None:
    """F11: news.2024.05.01 and notes.log were neither read nor rejected."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "news.2024.05.01").write_text(article(1), encoding="utf-8")  # a dated scraper file: read
    (folder / "notes.log").write_text(article(2), encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "ok.txt").write_text(article(3), encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    os.mkfifo(folder / "pipe")  # never opened: reading it would block
    docs, rejects = read([folder])
    assert sorted(Path(d.source).name for d in docs) == ["news.2024.05.01", "ok.txt"]
    assert sorted((Path(r.source).name, r.code) for r in rejects) == [
        ("mixed", "E011"), ("notes.log", "E011"), ("pipe", "E011"), ("report.pdf", "E011")]
    by_name = {Path(r.source).name: r.reason for r in rejects}
    assert "'.log'" in by_name["notes.log"] and "name it on the command line" in by_name["notes.log"]
    assert ".DS_Store" in by_name["mixed"] and "regular file" in by_name["pipe"]


def test_f11_a_file_named_directly_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "notes.log"
    path.write_text(article(2), encoding="utf-8")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["notes"] and not rejects


# ---------------------------------------------------------------- F15: gzip tails, JSON records


def test_f15_gzip_with_trailing_bytes_keeps_its_articles(tmp_path: Path) -> None:
    """F15: a valid gzip member followed by junk was one E011 for the file; gzip -d reads it."""
    path = tmp_path / "trail.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps({"id": "trail-1", "text": article(5)}) + "\n").encode())
                     + b"GARBAGE trailing bytes")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["trail-1"]
    assert [r.code for r in rejects] == ["E011"] and "22 bytes after the end of the gzip data" in rejects[0].reason


def test_f15_multi_member_and_padded_gzip(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps({"id": "g1", "text": article(1)}) + "\n").encode())
                     + gzip.compress((json.dumps({"id": "g2", "text": article(2)}) + "\n").encode()) + b"\x00" * 512)
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["g1", "g2"] and not rejects
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(article(1).encode())[:-12])
    assert [r.code for r in read([cut])[1]] == ["E011"]


@pytest.mark.parametrize("indent", [None, 1])
def test_f15_json_array_rejects_name_their_record(tmp_path: Path, indent: int | None) -> None:
    """F15: two bad records of a JSON array gave the same reject, with no index or line."""
    path = tmp_path / "arr.json"
    path.write_text(json.dumps([{"id": "arr-1", "text": article(1)}, {"id": "arr-2"}, {"id": "arr-3", "text": article(3)},
                                {"id": "arr-4", "body": "x"}, 7], indent=indent), encoding="utf-8")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["arr-1", "arr-3"]
    assert [r.code for r in rejects] == ["E007", "E007", "E006"]
    assert [r.reason.split(":")[0] for r in rejects] == ["record 2", "record 4", "record 5"]
    if indent:  # one record a few lines: each reject's line is where its record starts
        text = path.read_text(encoding="utf-8").split("\n")
        assert all(text[r.line - 1].strip() in ("{", "7") for r in rejects)
        assert len({r.line for r in rejects}) == 3


def test_f15_a_json_array_cut_short_keeps_its_whole_records(tmp_path: Path) -> None:
    path = tmp_path / "arr_broken.json"
    whole = json.dumps([{"id": f"ab-{i}", "text": article(i)} for i in range(1, 4)], indent=1)
    path.write_text(whole[: len(whole) * 5 // 6], encoding="utf-8")
    docs, rejects = read([path])
    assert [d.doc_id for d in docs] == ["ab-1", "ab-2"]
    assert [r.code for r in rejects] == ["E006"]
    assert "JSON array broken at record 3" in rejects[0].reason and "on this line" not in rejects[0].reason


def test_f15_e016_for_a_jsonl_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text(json.dumps({"id": 123, "text": article(8)}) + "\n" + json.dumps({"id": "123", "text": article(9)})
                    + "\n", encoding="utf-8")
    added, rejects, _ = ingest([str(path)], tmp_path / "s.db")
    assert added == 1 and [(r["code"], r["line"]) for r in rejects] == [("E016", 2)]


def test_article_lines_survive_cleaning(tmp_path: Path) -> None:
    """The E016 line is the article's first source line: a record's line, through the cleaner."""
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"l{i}", "text": article(i)}) for i in range(3)) + "\n",
                    encoding="utf-8")
    articles = [a for a in clean_documents(read_inputs([str(path)])) if isinstance(a, Article)]
    assert [min(p.source_line or 0 for p in a.pieces) for a in articles] == [1, 2, 3]
