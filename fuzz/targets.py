"""One fuzz target per reader or normaliser: bytes in, an invariant checked, nothing raised.

Each target takes the fuzzer's bytes, feeds them to one stage and checks what comes back:
readers yield documents or Rejects that carry a code and a reason; parsers return their type
or None. Any other exception is a crash. The same functions are used by atheris (`fuzz/fuzz.py`),
by the Hypothesis properties and by the replay of kept crashing inputs
(`tests/test_fuzz_regressions.py`), so a fixture fails the way the fuzzer saw it fail.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from sitrep.clean import clean
from sitrep.errors import Errors, InputError
from sitrep.fatalities import parse_number
from sitrep.gazetteer.names import exact_form, fold_key
from sitrep.readers import read_text
from sitrep.readers.dates import (
    date_from_url,
    find_written_date,
    month_day,
    parse_iso_date,
)
from sitrep.readers.decode import decode_bytes, gunzip_capped
from sitrep.readers.dump import split_dump
from sitrep.readers.feeds import read_feed
from sitrep.readers.html import read_html
from sitrep.readers.tabular import read_csv, read_json_array, read_jsonl
from sitrep.records import Article, RawDocument, Reject
from sitrep.timeexpr import resolve_event_date

Target = Callable[[bytes], None]
FUZZ_LIMIT = 1024 * 1024  # decode limit used by the targets: bombs and big inputs hit it fast
_CODE = re.compile(r"E\d{3}")


class InvariantError(AssertionError):
    """A stage returned something it must never return."""


def text_of(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def check_input_error(exc: InputError) -> None:
    if not hasattr(Errors, exc.code) or not exc.reason.strip():
        raise InvariantError(f"InputError without a catalogued code or a reason: {exc!r}")


def check_stream(items: Iterable[RawDocument | Reject]) -> list[RawDocument | Reject]:
    out = list(items)
    for item in out:
        if isinstance(item, Reject):
            if not _CODE.fullmatch(item.code) or not item.reason.strip() or not item.source:
                raise InvariantError(f"Reject without a code, reason or source: {item!r}")
        elif isinstance(item, RawDocument):
            if not isinstance(item.text, str) or not item.text.strip() or not item.doc_id:
                raise InvariantError(f"document without text or id: {item.doc_id!r}")
        else:
            raise InvariantError(f"reader yielded {type(item).__name__}")
    return out


def fuzz_decode(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, source="fuzz", limit=FUZZ_LIMIT)
    except InputError as exc:
        check_input_error(exc)
        return
    if not decoded.text.strip() or "\x00" in decoded.text:
        raise InvariantError("decode_bytes returned empty text or NUL bytes")


def fuzz_gzip(data: bytes) -> None:
    try:
        out = gunzip_capped(b"\x1f\x8b" + data, source="fuzz", limit=FUZZ_LIMIT)
    except InputError as exc:
        check_input_error(exc)
        return
    if len(out) > FUZZ_LIMIT:
        raise InvariantError(f"gunzip_capped returned {len(out)} bytes, over its cap")


def fuzz_dump(data: bytes) -> None:
    text = text_of(data)
    blocks = split_dump(text)
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    if "".join(normal.split()) != "".join("".join(b.text for b in blocks).split()):
        raise InvariantError("split_dump lost or invented text")
    lines = normal.count("\n") + 1
    if any(not b.text.strip() or not 0 <= b.first_line < lines for b in blocks):
        raise InvariantError("a block is empty or starts outside the input")


def fuzz_clean(data: bytes) -> None:
    raw = RawDocument(doc_id="fuzz", text=text_of(data), source="fuzz", url="https://example.org/2024/08/05/x")
    try:
        article = clean(raw)
    except InputError as exc:
        check_input_error(exc)
        return
    check_article(article)


def check_article(article: Article) -> None:
    for piece in article.pieces:
        if article.text[piece.start:piece.end] != piece.text:
            raise InvariantError(f"piece offsets {piece.start}:{piece.end} do not point at its text")
    if article.dateline_span:
        start, end = article.dateline_span
        if not 0 <= start <= end <= len(article.text):
            raise InvariantError("dateline span outside the text")


def fuzz_html(data: bytes) -> None:
    try:
        doc = read_html(text_of(data), source="fuzz.html", doc_id="fuzz")
    except InputError as exc:
        check_input_error(exc)
        return
    check_stream([doc])


def fuzz_feed(data: bytes) -> None:
    check_stream(read_feed(text_of(data), source="fuzz.rss", stem="fuzz"))


def fuzz_tabular(data: bytes) -> None:
    text = text_of(data)
    check_stream(read_jsonl(text, source="fuzz.jsonl", stem="fuzz"))
    check_stream(read_json_array(text, source="fuzz.json", stem="fuzz"))
    check_stream(read_csv(text, source="fuzz.csv", stem="fuzz"))


def fuzz_read_text(data: bytes) -> None:
    """The format sniffer and whichever reader it picks, then the cleaner on every document."""
    for item in check_stream(read_text(text_of(data), source="fuzz", stem="fuzz")):
        if isinstance(item, RawDocument):
            try:
                check_article(clean(item))
            except InputError as exc:
                check_input_error(exc)


def fuzz_dates(data: bytes) -> None:
    text = text_of(data)
    for value in (parse_iso_date(text), date_from_url(text), find_written_date(text)):
        if value is not None and not isinstance(value, date):
            raise InvariantError(f"date parser returned {value!r}")
    md = month_day(text)
    if md is not None and not 1 <= md[0] <= 12:
        raise InvariantError(f"month_day returned {md!r}")


def fuzz_timeexpr(data: bytes) -> None:
    published = date(2000 + data[0] % 40, 1 + data[1] % 12, 1 + data[2] % 28) if len(data) >= 3 else None
    ref = resolve_event_date(text_of(data[3:]), published)
    if ref is not None and ref.date is not None and not isinstance(ref.date, date):
        raise InvariantError(f"resolve_event_date returned {ref!r}")


def fuzz_numbers(data: bytes) -> None:
    value = parse_number(text_of(data))
    if value is not None and (not isinstance(value, int) or value < 0):
        raise InvariantError(f"parse_number returned {value!r}")


def fuzz_names(data: bytes) -> None:
    text = text_of(data)
    for key in (fold_key(text), exact_form(text)):
        if not isinstance(key, str):
            raise InvariantError(f"place-name key {key!r} is not a string")


TARGETS: dict[str, Target] = {
    "decode": fuzz_decode, "gzip": fuzz_gzip, "dump": fuzz_dump, "clean": fuzz_clean, "html": fuzz_html,
    "feed": fuzz_feed, "tabular": fuzz_tabular, "read_text": fuzz_read_text, "dates": fuzz_dates,
    "timeexpr": fuzz_timeexpr, "numbers": fuzz_numbers, "names": fuzz_names,
}
