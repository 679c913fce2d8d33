"""JSONL and CSV exports: one article a record with id, url, outlet, published, text."""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from ..errors import Errors, InputError
from ..records import RawDocument, Reject
from .dates import parse_iso_date

csv.field_size_limit(64 * 1024 * 1024)


def read_jsonl(text: str, *, source: str, stem: str) -> Iterator[RawDocument | Reject]:
    """One document per JSON line; a bad line becomes a Reject and the rest go on."""
    for n, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise InputError("E006", source=source, line=n, detail="a JSON value that is not an object")
            yield record_to_document(record, source=source, line=n, fallback_id=f"{stem}:{n}")
        except json.JSONDecodeError as exc:
            yield Reject(source, Errors.E006.format(detail=exc.msg), "E006", n)
        except (ValueError, RecursionError) as exc:  # a number over 4300 digits, nesting too deep
            yield Reject(source, Errors.E006.format(detail=_json_limit(exc)), "E006", n)
        except InputError as exc:
            yield Reject(source, exc.reason, exc.code, n)


def _lines(text: str) -> Iterator[str]:
    """Lines split on '\\n' only, one at a time: no list of every line, and a raw U+2028 in a JSON
    string (legal JSON) does not break its record the way str.splitlines would."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


def read_json_array(text: str, *, source: str, stem: str) -> Iterator[RawDocument | Reject]:
    """A JSON array of records, read one record at a time: a bad record is a Reject naming its index and
    line, and an array cut short keeps the records before the break (issue 16, F15)."""
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        yield from _read_json_value(text, source=source, stem=stem)
        return
    decoder = json.JSONDecoder()
    lines = _LineCounter(text)
    pos = _skip_space(text, pos + 1)
    n = 0
    while not (n == 0 and text.startswith("]", pos)):  # an empty array has no record
        n += 1
        line = lines.at(pos)
        try:
            record, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Reject(source, _array_broken(n, f"{exc.msg}: line {exc.lineno} column {exc.colno}"), "E006", line)
            return
        except (ValueError, RecursionError) as exc:  # a number over 4300 digits, nesting too deep
            yield Reject(source, _array_broken(n, _json_limit(exc)), "E006", line)
            return
        yield _array_record(record, n, source=source, stem=stem, line=line)
        pos = _skip_space(text, pos)
        if text.startswith("]", pos):
            break
        if not text.startswith(",", pos):
            yield Reject(source, _array_broken(n + 1, "',' or ']' expected after the record before it"), "E006",
                         lines.at(pos))
            return
        pos = _skip_space(text, pos + 1)
    pos = _skip_space(text, pos + 1)
    if pos < len(text):
        yield Reject(source, Errors.E006.format(detail="data after the end of the JSON array was not read"), "E006",
                     lines.at(pos))


def _read_json_value(text: str, *, source: str, stem: str) -> Iterator[RawDocument | Reject]:
    """A .json file that is not an array: one record."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Reject(source, Errors.E006.format(detail=exc.msg), "E006", exc.lineno)
        return
    except (ValueError, RecursionError) as exc:  # a number over 4300 digits, nesting too deep
        yield Reject(source, Errors.E006.format(detail=_json_limit(exc)), "E006", None)
        return
    yield _array_record(value, 1, source=source, stem=stem, line=1)


def _array_record(record: Any, n: int, *, source: str, stem: str, line: int) -> RawDocument | Reject:
    if not isinstance(record, dict):
        return Reject(source, f"record {n}: a JSON value that is not an object", "E006", line)
    try:
        return record_to_document(record, source=source, line=line, fallback_id=f"{stem}:{n}")
    except InputError as exc:
        return Reject(source, f"record {n}: {exc.reason}", exc.code, line)


def _array_broken(n: int, detail: str) -> str:
    read = f"the {n - 1} record{'s' * (n != 2)} before it were read" if n > 1 else "no record was read"
    return f"JSON array broken at record {n} ({detail}); {read}, the rest of the file was not."


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


class _LineCounter:
    """1-based line of an offset, for offsets asked in increasing order (linear in all)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos > self.pos:
            self.line += self.text.count("\n", self.pos, pos)
            self.pos = pos
        return self.line


def read_csv(text: str, *, source: str, stem: str) -> Iterator[RawDocument | Reject]:
    """One document per CSV row. Quotes are parsed strictly: a row whose quote is not closed where a
    field ends is a Reject (E010) naming its first line, and reading goes on at the line after it,
    so a stray quote costs its own row, not the rows after it (issue 16, F10)."""
    lines = _CsvLines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        yield Reject(source, Errors.E010.format(detail=f"the header: {exc}"), "E010", 1)
        return
    names = [h.strip().lower() for h in header]
    if "text" not in names:
        yield Reject(source, "CSV header lacks a 'text' column (needs id, url, outlet, published, text)", "E010")
        return
    n = 1  # records so far, the header included: a row's fallback id is f"{stem}:{n}", as it always was
    while True:
        start, first_line = lines.pos, lines.line + 1
        try:
            row = next(reader)
        except StopIteration:
            if lines.allowance < 0:
                yield Reject(source, Errors.E010.format(
                    detail=f"too many broken quotes: the rows from line {first_line} on were not read"),
                    "E010", first_line)
            return
        except csv.Error as exc:
            n += 1
            yield Reject(source, Errors.E010.format(
                detail=f"{exc} in the row starting on this line: a quote not closed, or a quote inside a quoted "
                       "field not doubled (\"\"); the row was not read, reading went on at the next line"),
                "E010", first_line)
            if not lines.restart_after(start, first_line):
                yield Reject(source, Errors.E010.format(
                    detail=f"too many broken quotes: the rows from line {first_line + 1} on were not read"),
                    "E010", first_line + 1)
                return
            continue
        if not row:
            continue
        n += 1
        yield _csv_row(row, names, n, source=source, stem=stem, line=first_line)


def _csv_row(row: list[str], names: list[str], n: int, *, source: str, stem: str, line: int) -> RawDocument | Reject:
    if len(row) > len(names) or len(row) <= names.index("text"):
        return Reject(source, Errors.E010.format(detail=f"the row has {len(row)} fields, the header {len(names)}"),
                      "E010", line)
    try:
        return record_to_document(dict(zip(names, row)), source=source, line=line, fallback_id=f"{stem}:{n}")
    except InputError as exc:
        return Reject(source, exc.reason, exc.code, line)


class _CsvLines:
    """The lines of a CSV text for `csv.reader`, which can be restarted at the line after a broken row.
    Restarts re-read text, so what is read in all is capped (4 times the text): a file of stray quotes
    that each run to its end cannot take quadratic time."""

    _LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 0
        self.allowance = 4 * len(text) + 1_000_000

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.text) or self.allowance < 0:
            raise StopIteration
        match = self._LINE.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()
        self.line += 1
        self.allowance -= len(match.group())
        return match.group()

    def restart_after(self, pos: int, line: int) -> bool:
        """Go on at the line after `line`, which starts at `pos`; False once the allowance is spent."""
        if self.allowance < 0:
            return False
        self.pos, self.line = pos, line - 1
        next(self, "")
        return True


def record_to_document(record: dict[str, Any], *, source: str, line: int | None, fallback_id: str) -> RawDocument:
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("E007", source=source, line=line)
    if not text.strip():
        raise InputError("E002", source=source, line=line)
    published = _published(record.get("published") or record.get("date"))
    doc_id = record.get("id")
    return RawDocument(
        doc_id=str(doc_id) if doc_id not in (None, "") else fallback_id,
        text=text,
        source=source,
        url=_str_or_none(record.get("url")),
        outlet=_str_or_none(record.get("outlet") or record.get("source")),
        published=published,
        title=_str_or_none(record.get("title")),
        line_offset=(line or 1) - 1,
    )


def _json_limit(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    return f"JSON value over a parser limit ({exc})"


def _published(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return parse_iso_date(str(value))


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
