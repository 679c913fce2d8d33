"""Bytes to text: size limits, binary detection, encoding detection."""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from charset_normalizer import from_bytes

from ..errors import InputError

MAX_BYTES = 64 * 1024 * 1024  # one input file; a larger one is rejected, not truncated
MAX_GZIP_RATIO = 100  # decompression-bomb guard


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    trailing: int = 0  # bytes after the end of gzip data that were not read (not gzip)


def gunzip_capped(data: bytes, *, source: str, limit: int = MAX_BYTES) -> bytes:
    """Decompress gzip data, refusing to expand past `limit` bytes."""
    return gunzip_members(data, source=source, limit=limit)[0]


def gunzip_members(data: bytes, *, source: str, limit: int = MAX_BYTES) -> tuple[bytes, int]:
    """Decompress gzip data, refusing to expand past `limit` bytes: (the bytes, how many trailing bytes
    after the last gzip member were left unread). Every member of a multi-member file is read; bytes
    after them that are not gzip are left, as `gzip -d` does (it warns), instead of losing the file
    (issue 16, F15). NUL padding (tape and block devices) is not counted."""
    cap = min(limit, max(len(data) * MAX_GZIP_RATIO, 1024 * 1024))
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, cap + 1 - len(out))
        except zlib.error as exc:
            if out:  # not gzip after a whole member: trailing bytes
                break
            raise InputError("E011", source=source, detail=f"broken gzip data ({exc})") from exc
        if len(out) > cap:
            raise InputError("E005", source=source, size=f"more than {cap} decompressed", limit=cap)
        if not inflater.eof:
            raise InputError("E011", source=source, detail="broken gzip data (it ends before the end of its "
                             "compressed stream: the file is cut short)")
        rest = inflater.unused_data
        if not rest.startswith(b"\x1f\x8b"):
            break
    trailing = len(rest.rstrip(b"\x00")) if rest else 0
    return bytes(out), trailing


def decode_bytes(data: bytes, *, source: str, limit: int = MAX_BYTES) -> DecodedText:
    """Decode input bytes to text, or raise an InputError that says why not."""
    if len(data) > limit:
        raise InputError("E005", source=source, size=len(data), limit=limit)
    trailing = 0
    if data[:2] == b"\x1f\x8b":
        data, trailing = gunzip_members(data, source=source, limit=limit)
    if not data.strip():
        raise InputError("E002", source=source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    bom = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2])
    try:
        if bom:
            text, encoding = data[2:].decode(bom), bom
        elif b"\x00" in data[:4096] and _looks_utf16(data):  # UTF-16 without a BOM is valid UTF-8 with NULs
            text, encoding = _utf16(data, source=source)
        else:
            text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if bom:
            raise InputError("E004", source=source) from exc
        text, encoding = _decode_mixed(data) or _detect(data, source=source)
    if "\x00" in text or _control_share(text) > 0.05:
        raise InputError("E003", source=source)
    if not text.strip():
        raise InputError("E002", source=source)
    return DecodedText(text, encoding, trailing)


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Text whose lines mix UTF-8 and a legacy 8-bit encoding (files concatenated from several
    scrapers): each line decoded on its own, UTF-8 first, else Windows-1252 (Latin-1 for its 5 holes).
    None unless some non-ASCII line really is UTF-8: a file all in one legacy encoding goes to detection."""
    if b"\x00" in data[:4096]:
        return None
    lines = data.split(b"\n")
    utf8_lines = 0
    out: list[str] = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                out.append(line.decode("latin-1"))
    if not utf8_lines:
        return None
    return "\n".join(out), "utf-8+cp1252"


def _detect(data: bytes, *, source: str) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        if not _looks_utf16(data):
            raise InputError("E003", source=source)
        return _utf16(data, source=source)
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError("E004", source=source)
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError("E004", source=source) from exc


def _utf16(data: bytes, *, source: str) -> tuple[str, str]:
    """UTF-16 without a BOM: the byte order is told by which half of the bytes holds the zeros."""
    sample = data[:4096]
    encoding = "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
    try:
        return data[: len(data) // 2 * 2].decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise InputError("E004", source=source) from exc


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    return sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4


def _control_share(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    return bad / len(sample)
