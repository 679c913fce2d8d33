"""Issue 16, F15 in the store: a reject is one record, not one line.

The readers name the record in each reject's reason ("record 3: ...", "feed entry 2 ...",
"<doc_id>: ..."), but `rejects` was `UNIQUE (source, line, code)` and written with INSERT OR
IGNORE, so of several rejects on one line (a minified JSON array's records, a feed's entries, an
array's E016s) only the first was kept. Migration 0009_reject_records puts the reason in the key;
a re-run still adds no row. Each test runs on SQLite and on PostgreSQL (skipped without a server:
tests/conftest.py `store_target`, `pg_url`).

Readers and a store only, no spaCy: `NoNlp` turns each article into an Extraction without events.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sitrep.ingest import ingest_paths
from sitrep.records import Article, Extraction, Reject
from sitrep.store import open_store
from sitrep.store.dialect import postgres_migrations, split_statements
from sitrep.store.migrations import MIGRATIONS
from sitrep.store.sqlite import _statements

MIGRATION = "0009_reject_records"


def article(n: int) -> str:
    """A made-up article, different for each n."""
    return (f"Gunmen killed {n + 3} villagers in an attack on a market near Garoua on Tuesday, officials said. "
            f"The army sent {n + 20} soldiers to the area after the attack, a local chief told reporters.")


class NoNlp:
    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        for item in items:
            yield item if isinstance(item, Reject) else Extraction(item)


def ingest(path: Path, target: str) -> list[tuple[int, str, str]]:
    """Ingest `path` into the store at `target`; the store's rejects as (line, code, reason)."""
    with open_store(target) as store:
        ingest_paths([str(path)], store, NoNlp())  # type: ignore[arg-type]
        return [(r["line"], r["code"], r["reason"]) for r in store.rejects()]


def minified(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, separators=(",", ":")), encoding="utf-8")  # one line
    return path


def test_f15_two_bad_records_of_a_minified_array_are_two_rejects(tmp_path: Path, store_target: str) -> None:
    """F15: both records were rejected, but the second reject (same file, line 1, E007) was dropped."""
    path = minified(tmp_path / "arr.json", [{"id": "m-1", "text": article(1)}, {"id": "m-2"}, {"id": "m-3", "body": "x"}])
    first = ingest(path, store_target)
    assert [(line, code, reason.split(":")[0]) for line, code, reason in first] == [
        (1, "E007", "record 2"), (1, "E007", "record 3")]
    assert ingest(path, store_target) == first  # the same input again adds no reject row


def test_f15_e016s_inside_one_minified_array_are_each_kept(tmp_path: Path, store_target: str) -> None:
    """Two stored articles of one minified array that come back changed: an E016 each, both on line 1."""
    path = tmp_path / "changed.json"
    ingest(minified(path, [{"id": "c-1", "text": article(1)}, {"id": "c-2", "text": article(2)}]), store_target)
    minified(path, [{"id": "c-1", "text": article(11)}, {"id": "c-2", "text": article(12)}])
    first = ingest(path, store_target)
    assert [(line, code, reason.split(":")[0]) for line, code, reason in first] == [(1, "E016", "c-1"), (1, "E016", "c-2")]
    assert ingest(path, store_target) == first


def test_f15_feed_entries_without_text_are_each_kept(tmp_path: Path, store_target: str) -> None:
    path = tmp_path / "empty.rss"
    items = "".join(f"<item><title>t{n}</title><link>https://example.org/{n}</link></item>" for n in (1, 2))
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>',
                    encoding="utf-8")
    first = ingest(path, store_target)
    assert [(code, reason) for _, code, reason in first] == [
        ("E002", "feed entry 1 has no text"), ("E002", "feed entry 2 has no text")]
    assert ingest(path, store_target) == first


def test_a_long_reason_is_one_reject(store_target: str) -> None:
    """A reason longer than a PostgreSQL index entry (an E016 names the article's id, which may be long)."""
    doc_id = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(300))  # 19,200 characters
    long = Reject("api", f"{doc_id}: changed", "E016", 0)  # (not all 'x': PostgreSQL would compress that)
    with open_store(store_target) as store:
        store.add_rejects([long, long])
        store.add_rejects([long])
        assert [r["reason"] for r in store.rejects()] == [long.reason]


# ---------------------------------------------------------------- a store made before 0009

OLD_ROWS = [(1, "old.jsonl", 3, "E006", "Not a JSON object on this line (x).", "2026-01-02T03:04:05Z"),
            (2, "arr.json", 1, "E007", "JSON record lacks a 'text' field.", "2026-01-02T03:04:06Z")]


def sqlite_before(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT '')")
    for name, sql in MIGRATIONS:
        if name != MIGRATION:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
    conn.executemany("INSERT INTO rejects(id, source, line, code, reason, at) VALUES (?,?,?,?,?,?)", OLD_ROWS)
    conn.close()
    return str(path)


def postgres_before(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT '')")
        for name, sql in postgres_migrations():
            if name != MIGRATION:
                for statement in split_statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations(name) VALUES (%s)", (name,))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO rejects(id, source, line, code, reason, at) VALUES (%s,%s,%s,%s,%s,%s)",
                            OLD_ROWS)
        # identity columns do not see explicit ids; move it on as a store that wrote these rows would have
        conn.execute("SELECT setval(pg_get_serial_sequence('rejects', 'id'), 2)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_before(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store with every migration but 0009 applied, holding OLD_ROWS."""
    if request.param == "sqlite":
        return sqlite_before(tmp_path / "old.sqlite")
    return postgres_before(request.getfixturevalue("pg_url"))


def test_a_store_made_before_0009_upgrades_with_its_rejects_kept(tmp_path: Path, store_before: str) -> None:
    with open_store(store_before) as store:
        assert store.migrate() == []  # opening it applied 0009, once
        assert MIGRATION in {r["name"] for r in store._sql("SELECT name FROM schema_migrations", ())}
        assert [tuple(r.values()) for r in store.rejects()] == OLD_ROWS
        assert store.integrity_check() == "ok"
        store.add_rejects([Reject("arr.json", "record 2: JSON record lacks a 'text' field.", "E007", 1),
                           Reject("arr.json", "record 3: JSON record lacks a 'text' field.", "E007", 1),
                           Reject("old.jsonl", OLD_ROWS[0][4], "E006", 3)])  # the last one is stored already
        assert [(r["id"], r["line"], r["reason"][:8]) for r in store.rejects()] == [
            (1, 3, "Not a JS"), (2, 1, "JSON rec"), (3, 1, "record 2"), (4, 1, "record 3")]
    path = minified(tmp_path / "arr.json", [{"id": "u-1"}, {"id": "u-2"}])
    after = ingest(path, store_before)
    assert len(after) == 6 and ingest(path, store_before) == after
