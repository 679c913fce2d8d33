"""Read-only SQLite connections: for the API's requests (with a time limit per query) and for a
store on read-only media.  The reads themselves are written once, for both back ends, in
store/reads.py; `ReadOnlyStore` runs them over such a connection.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from .sqlite import Store


def connect_readonly(path: str | Path, *, timeout_ms: int | None = None) -> sqlite3.Connection:
    """Open a store file for reading only; with `timeout_ms`, a query running longer is interrupted.

    A store on read-only media (an archive, a read-only mount) cannot make the shared-memory file a
    WAL database needs: it is then opened as immutable (no locks; nobody may write it meanwhile).
    """
    base = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(base, uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn = sqlite3.connect(base + "&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.isolation_level = None  # autocommit: its only writes are a search's hits, in its own temporary tables
    if timeout_ms is not None:
        set_time_limit(conn, timeout_ms)
    return conn


def schema_is_current(path: str | Path) -> bool:
    """The store exists and has every migration applied (so readers need not open it for writing)."""
    from .migrations import MIGRATIONS

    if not Path(path).is_file():
        return False
    try:
        conn = connect_readonly(path)
        try:
            done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return all(name in done for name, _ in MIGRATIONS)


def set_time_limit(conn: sqlite3.Connection, timeout_ms: int) -> None:
    """Interrupt any statement on `conn` that runs past `timeout_ms` (raises sqlite3.OperationalError)."""
    state = {"deadline": 0.0}

    def trace(_statement: str) -> None:
        state["deadline"] = time.monotonic() + timeout_ms / 1000

    def check() -> int:
        return 1 if state["deadline"] and time.monotonic() > state["deadline"] else 0

    conn.set_trace_callback(trace)
    conn.set_progress_handler(check, 10_000)


class ReadOnlyStore(Store):
    """A store file opened for reading only (every read of `Store`; a write is a clear E013), optionally
    with a time limit per query."""

    def __init__(self, path: str | Path, *, timeout_ms: int | None = None):
        self.path = str(path)
        self.conn = connect_readonly(path, timeout_ms=timeout_ms)
