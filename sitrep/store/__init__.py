"""The store: articles, pieces, places, actors, events, sources, quotes and rejects.

SQLite (a file path, the default) or PostgreSQL (a `postgresql://` URL); both
offer the same methods.  `open_store` chooses by the target's form.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from .sqlite import Store

if TYPE_CHECKING:
    from .postgres import PostgresStore

AnyStore = Union[Store, "PostgresStore"]
URL_PREFIXES = ("postgresql://", "postgres://")

__all__ = ["AnyStore", "Store", "is_postgres_url", "open_store"]


def is_postgres_url(target: str | Path) -> bool:
    return str(target).startswith(URL_PREFIXES)


def open_store(target: str | Path) -> AnyStore:
    """A PostgreSQL store for a `postgresql://` URL, else the SQLite store file at `target`."""
    if is_postgres_url(target):
        from .postgres import PostgresStore  # psycopg is needed only for PostgreSQL

        return PostgresStore(str(target))
    return Store(target)
