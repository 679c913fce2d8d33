"""Zip archives: each member read as its own input, with caps on members and expansion (no bombs).

Members are read from the archive in memory, never extracted to disk, so a member named
'../../etc/passwd' is only a name. Each member's decompressed size is capped while it is read
(the size the archive declares is not trusted).
"""
from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import InputError
from ..records import Reject

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 10_000
MAX_ZIP_RATIO = 100  # decompressed bytes per compressed byte, for the whole archive


@dataclass(frozen=True)
class Member:
    name: str  # 'archive.zip!folder/file.txt'
    stem: str  # the member's path without suffixes: 'folder/story'
    data: bytes


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def zip_members(data: bytes, *, source: str, limit: int) -> Iterator[Member | Reject]:
    """The archive's files in name order, each capped at `limit` bytes; every member not read is a Reject.

    The archive's expansion budget (what its members may expand to, all together) bounds the bytes
    kept; a member over its cap is rejected and does not spend the budget, so the members after it
    are still read (issue 16, F4). The bytes decompressed, kept or not, are bounded too (twice the
    budget): once that is spent, each member left is rejected by name, never dropped in silence.
    Hidden members (a name part starting with '.', like '__MACOSX/._a.txt') are one Reject for the archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InputError("E011", source=source, detail=f"broken zip archive ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise InputError("E011", source=source, detail=f"zip archive of {len(infos)} files, over {MAX_MEMBERS}")
    budget = min(max(len(data) * MAX_ZIP_RATIO, 1024 * 1024), limit * 4)
    work = 2 * budget  # bytes that may be decompressed, the rejected members' included
    hidden: list[str] = []
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        name = f"{source}!{info.filename}"
        if ".." in parts or info.filename.startswith("/"):
            yield Reject(name, "Archive member's path leaves the archive ('..' or absolute); it was not read.",
                         "E014")
            continue
        if any(p.startswith(".") for p in parts):
            hidden.append(info.filename)
            continue
        cap = min(limit, budget, work)
        if cap <= 0:
            yield Reject(name, "Archive member not read: the members before it used up this archive's expansion "
                         f"budget ({2 * budget} bytes decompressed). Unzip it and ingest the folder.", "E005")
            continue
        if info.file_size > cap:  # declared too big: refused without decompressing (a small declared size is not trusted)
            yield _over_cap(name, cap)
            continue
        try:
            with archive.open(info) as fh:
                content = fh.read(cap + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, OSError, EOFError,
                zlib.error) as exc:
            yield Reject(name, f"Archive member could not be read: {exc}", "E018")
            continue
        work -= len(content)
        if len(content) > cap:
            yield _over_cap(name, cap)
            continue
        budget -= len(content)
        yield Member(name, _member_stem(info.filename), content)
    if hidden:
        shown = ", ".join(hidden[:5]) + (", ..." if len(hidden) > 5 else "")
        yield Reject(source, f"{len(hidden)} hidden archive member{'s' * (len(hidden) != 1)} (a name part "
                     f"starting with '.') not read: {shown}.", "E011")


def _over_cap(name: str, cap: int) -> Reject:
    return Reject(name, f"Archive member expands past {cap} bytes (the cap for this archive); it was not read.",
                  "E005")


def _member_stem(filename: str) -> str:
    """'folder/story.txt.gz' -> 'folder/story': the member's path without its suffixes."""
    path = PurePosixPath(filename)
    return str(path.parent / path.name.split(".")[0]) if path.name.split(".")[0] else filename
