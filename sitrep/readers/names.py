"""Names and text from outside, in the one form sitrep stores and shows.

A file name on Linux is bytes, and Python hands the bytes that are not UTF-8 over as lone
surrogates (U+DC80-U+DCFF, 'surrogateescape'); a JSON string's "\\ud800" escape gives a lone
surrogate too. Neither can be written to the store (UTF-8 has no surrogates) nor printed, so one
such name used to crash the ingest of its whole folder (issue 16, F1).

Every document and reject that `read_inputs` yields passes through `normalise`, whatever reader
made it, so no reader can forget:

- `clean_name` for paths, ids, sources, URLs and outlets: each byte that is not UTF-8 becomes the
  four characters `\\xNN`, each other lone surrogate `\\uNNNN`, and so do control characters,
  line and paragraph separators and the bidi embedding, override and isolate controls (which can
  make a name display as another, 'Trojan Source'). The result is valid UTF-8, one line, and
  shows what the name's bytes were; two different names stay different. Printable text,
  including every script and combining mark, is kept as it is (no NFC: an id given by a user
  stays the id they gave).
- `clean_text` for article text, titles, captions and reasons: each lone surrogate becomes
  U+FFFD, the replacement character; line breaks and the rest are kept.
"""
from __future__ import annotations

import os
import re
from typing import Any

from ..records import RawDocument, Reject

_NAME_ESCAPES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_name(value: str | bytes | os.PathLike[Any]) -> str:
    """A path, id or name from outside as valid, printable, one-line text (see the module's notes)."""
    text = value if isinstance(value, str) else os.fsdecode(value)
    return _NAME_ESCAPES.sub(_escape, text)


def clean_text(value: str) -> str:
    """Text from outside with its lone surrogates replaced by U+FFFD, so it can be stored."""
    return _SURROGATES.sub("\ufffd", value)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def normalise(item: RawDocument | Reject) -> RawDocument | Reject:
    """The document or reject with every name and text field in its one stored form."""
    if isinstance(item, Reject):
        return Reject(clean_name(item.source), clean_text(item.reason), item.code, item.line)
    item.doc_id = clean_name(item.doc_id)
    item.source = clean_name(item.source)
    item.url = clean_name(item.url) if item.url is not None else None
    item.outlet = clean_name(item.outlet) if item.outlet is not None else None
    item.text = clean_text(item.text)
    item.title = clean_text(item.title) if item.title is not None else None
    item.captions = [clean_text(c) for c in item.captions]
    item.meta = {k: clean_text(v) if isinstance(v, str) else v for k, v in item.meta.items()}
    return item
