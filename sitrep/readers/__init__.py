"""Readers: every input format becomes a stream of RawDocuments (or Rejects).

`read_inputs` is the one entry point: it expands paths (files, folders, globs,
'-' for stdin), detects each file's format, and yields documents in a stable
order.  A file that cannot be read yields a Reject with the reason; the stream
goes on.
"""
from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import Errors, InputError
from ..records import RawDocument, Reject
from .archive import is_zip, zip_members
from .decode import MAX_BYTES, decode_bytes
from .dump import split_dump
from .feeds import read_feed
from .html import read_html
from .names import clean_name, normalise
from .tabular import read_csv, read_json_array, read_jsonl

__all__ = ["read_inputs", "read_text", "expand_paths", "clean_name"]

PathArg = str | bytes | os.PathLike[Any]

INPUT_SUFFIXES = {".txt", ".text", ".md", ".jsonl", ".ndjson", ".json", ".csv", ".html", ".htm",
                  ".xhtml", ".xml", ".rss", ".atom", ".gz", ".zip"}


def read_inputs(paths: Iterable[PathArg], *, fetch: bool = False,
                max_bytes: int = MAX_BYTES) -> Iterator[RawDocument | Reject]:
    """Yield the documents of every input, in order; unreadable inputs become Rejects.

    Paths may be text or bytes; every name, id and text in what is yielded is in its one stored
    form (`names.normalise`), whichever reader made it."""
    for item in _read_inputs(paths, fetch=fetch, max_bytes=max_bytes):
        yield normalise(item)


def _read_inputs(paths: Iterable[PathArg], *, fetch: bool, max_bytes: int) -> Iterator[RawDocument | Reject]:
    for path in expand_paths(paths):
        if isinstance(path, Reject):
            yield path
            continue
        try:
            data = sys.stdin.buffer.read(max_bytes + 1) if path == "-" else _read_file(path, max_bytes)
        except InputError as exc:
            yield Reject(path, exc.reason, exc.code, exc.line)
            continue
        stem = "stdin" if path == "-" else _stem(Path(path))
        if is_zip(data):
            yield from _read_zip(data, source=path, stem=stem, fetch=fetch, max_bytes=max_bytes)
        else:
            yield from _read_bytes(data, source=path, stem=stem, fetch=fetch, max_bytes=max_bytes)


def _read_bytes(data: bytes, *, source: str, stem: str, fetch: bool, max_bytes: int) -> Iterator[RawDocument | Reject]:
    try:
        decoded = decode_bytes(data, source=source, limit=max_bytes)
    except InputError as exc:
        yield Reject(source, exc.reason, exc.code, exc.line)
        return
    yield from read_text(decoded.text, source=source, stem=stem, fetch=fetch)
    if decoded.trailing:
        yield Reject(source, Errors.E011.format(
            detail=f"{decoded.trailing} bytes after the end of the gzip data are not gzip and were not read "
                   "(the articles before them were)"), "E011")


def _read_zip(data: bytes, *, source: str, stem: str, fetch: bool, max_bytes: int) -> Iterator[RawDocument | Reject]:
    try:
        for member in zip_members(data, source=source, limit=max_bytes):
            if isinstance(member, Reject):
                yield member
            else:
                yield from _read_bytes(member.data, source=member.name, stem=f"{stem}/{member.stem}", fetch=fetch,
                                       max_bytes=max_bytes)
    except InputError as exc:
        yield Reject(source, exc.reason, exc.code, exc.line)


def read_text(text: str, *, source: str, stem: str, fetch: bool = False) -> Iterator[RawDocument | Reject]:
    """Documents from one decoded input; the format is told by its suffix, else by sniffing."""
    kind = detect_format(source, text)
    try:
        if kind == "jsonl":
            yield from read_jsonl(text, source=source, stem=stem)
        elif kind == "json":
            yield from read_json_array(text, source=source, stem=stem)
        elif kind == "csv":
            yield from read_csv(text, source=source, stem=stem)
        elif kind == "feed":
            yield from read_feed(text, source=source, stem=stem, fetch=fetch)
        elif kind == "html":
            yield read_html(text, source=source, doc_id=stem)
        else:
            yield from _read_dump(text, source=source, stem=stem)
    except InputError as exc:
        yield Reject(exc.source or source, exc.reason, exc.code, exc.line)


def detect_format(source: str, text: str) -> str:
    suffixes = [s.lower() for s in Path(source).suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    by_suffix = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
                 ".html": "html", ".htm": "html", ".xhtml": "html", ".rss": "feed", ".atom": "feed"}
    if suffix in by_suffix:
        kind = by_suffix[suffix]
        if kind == "json" and text.lstrip().startswith("{") and "\n{" in text.strip():
            return "jsonl"
        return kind
    head = text.lstrip()[:1000].lower()
    if head.startswith("<?xml") or head.startswith("<rss") or head.startswith("<feed") or "<rss" in head or "<feed" in head:
        return "html" if "<html" in head else "feed"
    if head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head:
        return "html"
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("["):
        return "json"
    return "text"


def _read_dump(text: str, *, source: str, stem: str) -> Iterator[RawDocument]:
    blocks = split_dump(text)
    many = len(blocks) > 1
    for n, block in enumerate(blocks, 1):
        yield RawDocument(doc_id=f"{stem}#{n}" if many else stem, text=block.text, source=source,
                          line_offset=block.first_line)


def expand_paths(paths: Iterable[PathArg]) -> Iterator[str | Reject]:
    """Files as given, folders recursively (sorted, hidden files skipped, no links out), globs.

    Paths come out as the operating system's text form (undecodable bytes as surrogates), to open;
    `clean_name` gives the form to store and show. Nothing is skipped in silence: a folder's
    entries that are not read (hidden, an unknown suffix, not a regular file) come out as Rejects."""
    for given in paths:
        raw = given if isinstance(given, str) else os.fsdecode(given)
        if raw == "-":
            yield "-"
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield str(path)
        elif any(ch in raw for ch in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield Reject(raw, "no file matches this pattern", "E001")
            for m in matches:  # a folder the pattern matches is not walked: the pattern chose files
                if Path(m).is_file():
                    yield m
                elif not Path(m).is_dir():
                    yield _not_regular(Path(m))
        elif path.exists():
            yield _not_regular(path)
        else:
            yield Reject(raw, "File not found.", "E001")


def _walk(root: Path) -> Iterator[str | Reject]:
    base = root.resolve()
    hidden: list[str] = []  # the top-most hidden entries, reported once for the folder
    for path in sorted(root.rglob("*")):  # rglob does not descend into linked folders
        parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in parts):
            if parts[-1].startswith(".") and not any(p.startswith(".") for p in parts[:-1]):
                hidden.append(path.relative_to(root).as_posix())
            continue
        if not path.resolve().is_relative_to(base):  # a link (to a file or a folder) out of the folder
            yield Reject(str(path), f"Path escapes the folder being ingested (symlink or '..'): it points to "
                         f"{clean_name(path.resolve())}, outside {clean_name(base)}. Copy the file in, or name "
                         "it on the command line.", "E014")
            continue
        if path.is_dir():
            continue
        if not path.is_file():
            yield _not_regular(path)
        elif is_input_name(path.name):
            yield str(path)
        else:
            yield Reject(str(path), Errors.E011.format(
                detail=f"files ending '{path.suffix}' are not read from a folder (sitrep reads "
                       f"{', '.join(sorted(INPUT_SUFFIXES))}, no suffix, or a numeric one like '.01'). "
                       "Rename it, or name it on the command line, to read it."), "E011")
    if hidden:
        shown = ", ".join(clean_name(h) for h in hidden[:5]) + (", ..." if len(hidden) > 5 else "")
        yield Reject(str(root), Errors.E011.format(
            detail=f"{len(hidden)} hidden entr{'y' if len(hidden) == 1 else 'ies'} (names starting with '.') "
                   f"not read: {shown}. Name a hidden file on the command line to read it."), "E011")


def is_input_name(name: str) -> bool:
    """Whether a file met in a folder is read: a known suffix, none, or a numeric one ('news.2024.05.01')."""
    suffix = Path(name).suffix.lower()
    return suffix in INPUT_SUFFIXES or not suffix or suffix[1:].isdigit()


def _not_regular(path: Path) -> Reject:
    return Reject(str(path), Errors.E011.format(detail="not a regular file (a pipe, socket or device); "
                                                "it was not read"), "E011")


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError("E001", source=path) from exc
    except OSError as exc:
        raise InputError("E011", source=path, detail=str(exc)) from exc
    if len(data) > max_bytes:
        raise InputError("E005", source=path, size=f"more than {max_bytes}", limit=max_bytes)
    return data


def _stem(path: Path) -> str:
    name = path.name
    for suffix in reversed(path.suffixes):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            if suffix.lower() != ".gz":
                break
    return name
