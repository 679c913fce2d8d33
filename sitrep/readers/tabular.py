"""JSONL and CSV exports: one article a record with id, url, outlet, published, text."""
from __future__ import annotations

import csv
import io
import json
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
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Reject(source, Errors.E006.format(detail=exc.msg), "E006", exc.lineno)
        return
    except (ValueError, RecursionError) as exc:  # a number over 4300 digits, nesting too deep
        yield Reject(source, Errors.E006.format(detail=_json_limit(exc)), "E006", None)
        return
    records = value if isinstance(value, list) else [value]
    for n, record in enumerate(records, 1):
        if not isinstance(record, dict):
            yield Reject(source, "item is not a JSON object", "E006", None)
            continue
        try:
            yield record_to_document(record, source=source, line=None, fallback_id=f"{stem}:{n}")
        except InputError as exc:
            yield Reject(source, exc.reason, exc.code, None)


def read_csv(text: str, *, source: str, stem: str) -> Iterator[RawDocument | Reject]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
        yield Reject(source, "CSV header lacks a 'text' column (needs id, url, outlet, published, text)", "E010")
        return
    try:
        for n, row in enumerate(reader, 2):
            clean = {(k or "").strip().lower(): v for k, v in row.items()}
            try:
                yield record_to_document(clean, source=source, line=n, fallback_id=f"{stem}:{n}")
            except InputError as exc:
                yield Reject(source, exc.reason, exc.code, n)
    except csv.Error as exc:
        yield Reject(source, f"CSV row could not be read: {exc}", "E010", reader.line_num)


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
