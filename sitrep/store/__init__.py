"""The store: articles, pieces, places, actors, events, sources, quotes, rejects and reviews.

SQLite (a file path, the default) or PostgreSQL (a `postgresql://` URL); both
offer the same methods (writes in sqlite.py and postgres.py, every read in
reads.py, reviews in reviews.py).  `open_store` chooses by the target's form;
`open_reader` opens one for reading, with a time limit per query.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from .sqlite import Store

if TYPE_CHECKING:
    from .postgres import PostgresStore

AnyStore = Union[Store, "PostgresStore"]
URL_PREFIXES = ("postgresql://", "postgres://")

__all__ = ["AnyStore", "Store", "is_postgres_url", "open_reader", "open_store"]


def is_postgres_url(target: str | Path) -> bool:
    return str(target).startswith(URL_PREFIXES)


def open_store(target: str | Path, *, create: bool = True) -> AnyStore:
    """A PostgreSQL store for a `postgresql://` URL, else the SQLite store file at `target`.

    Without `create` (commands that only read, or rework what is stored) the target must already be
    a sitrep store; either way, a database of another application is refused (E013), unchanged."""
    if is_postgres_url(target):
        from .postgres import PostgresStore  # psycopg is needed only for PostgreSQL

        return PostgresStore(str(target), create=create)
    return Store(target, create=create)


def open_reader(target: str | Path, *, timeout_ms: int | None = None) -> AnyStore:
    """The store at `target` for reading, each query stopped after `timeout_ms`; it must be current
    (`open_store` migrates it): a file is opened read-only, a database is not migrated."""
    if is_postgres_url(target):
        from .postgres import PostgresStore

        return PostgresStore(str(target), statement_timeout_ms=timeout_ms, migrate=False)
    from .queries import ReadOnlyStore

    return ReadOnlyStore(target, timeout_ms=timeout_ms)
