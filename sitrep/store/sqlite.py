"""SQLite store: one file, WAL, recorded migrations, FTS5, one transaction per batch."""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import StoreError
from ..records import Article, Event, Extraction, PlaceMention, Reject
from .fused import Sql, count_events, rebuild, refuse
from .migrations import MIGRATIONS
from .reads import SQLITE, StoreReads
from .reviews import ReviewWrites
from .schema import EVENT_COLUMNS, EventQuery, event_values, fts_phrase

if TYPE_CHECKING:
    from ..dedup import DuplicateIndex

__all__ = ["EVENT_COLUMNS", "EventQuery", "Store", "event_values", "fts_phrase"]

log = logging.getLogger(__name__)
T = TypeVar("T")

class Store(StoreReads, ReviewWrites):
    """The one writer of a sitrep SQLite database."""

    dialect = SQLITE

    def __init__(self, path: str | Path, *, create: bool = True):
        """Open (and migrate) the store at `path`; with `create`, an empty or new file becomes one.

        A SQLite database that is not a sitrep store (another application's file) is refused with
        E013 before anything is written to it: no table, no WAL switch."""
        self.path = str(path)
        if not create and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError("E013", source=self.path, detail="no such store; run `sitrep ingest PATH --db` first")
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self._refuse_foreign(create=create)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.migrate()
        except sqlite3.OperationalError as exc:
            self.conn = self._read_only_or_raise(exc)
        except sqlite3.DatabaseError as exc:
            raise StoreError("E013", source=self.path, detail=str(exc)) from exc

    def _refuse_foreign(self, *, create: bool) -> None:
        """Raise E013 unless the database is a sitrep store, or empty and `create` is set (reads only)."""
        tables = sorted(r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"))
        if not tables:
            if create:
                return
            self.conn.close()
            raise StoreError("E013", source=self.path,
                             detail="the file holds no sitrep store (it is empty); run `sitrep ingest` into it first")
        if "schema_migrations" in tables:
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(schema_migrations)")}
            names = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")} if "name" in columns else None
            # A store killed while its very first migration ran holds the record table alone.
            if names is not None and (MIGRATIONS[0][0] in names or tables == ["schema_migrations"]):
                return
        self.conn.close()
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        raise StoreError("E013", source=self.path,
                         detail=f"this SQLite database is not a sitrep store (it holds {shown}); it was left"
                                " unchanged: give --db a sitrep store or a new file")

    def _read_only_or_raise(self, exc: sqlite3.OperationalError) -> sqlite3.Connection:
        """A current store on read-only media still serves reads (queries, export, serve); writing
        to it is then a clear E013. Anything else that stops the open is raised as E013."""
        from .queries import connect_readonly, schema_is_current  # (queries imports this module)

        if self.path == ":memory:" or not schema_is_current(self.path):
            raise self._error(exc) from exc
        log.info("%s: opened read-only (%s)", self.path, exc)
        return connect_readonly(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ schema
    def migrate(self) -> list[str]:
        """Apply pending migrations, each with its record in one transaction."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
            "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
        )
        done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
            applied.append(name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; the store's environment failing (disk full, read-only, I/O) is a StoreError E013."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from exc
        try:
            yield self.conn
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise self._error(exc) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise self._error(exc) from exc

    def _rollback(self) -> None:
        """Roll back if a transaction is still open; a failing rollback is logged, the first error is kept."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            log.warning("%s: rollback failed after an error: %s", self.path, exc)

    def _error(self, exc: sqlite3.OperationalError) -> StoreError:
        message = str(exc)
        hint = ""
        if "full" in message:
            hint = "; free disk space and run the same command again (the failed batch was not written)"
        elif "readonly" in message or "read-only" in message:
            hint = "; the store file or its folder is read-only: use a writable --db"
        elif "unable to open" in message:
            hint = "; check that its folder exists and is writable"
        return StoreError("E013", source=self.path, detail=message + hint)

    # ------------------------------------------------------------ writes
    def known_doc_ids(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """doc_id -> content hash of those already stored."""
        ids = list(doc_ids)
        out: dict[str, str] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT doc_id, content_hash FROM articles WHERE doc_id IN ({marks})", chunk):
                out[row[0]] = row[1]
        return out

    def write_batch(self, extractions: Sequence[Extraction], rejects: Sequence[Reject] = (),
                    duplicates: dict[str, tuple[str, float]] | None = None,
                    minhashes: dict[str, bytes] | None = None, *, dedup: DuplicateIndex | None = None) -> int:
        """Write a batch in one transaction; articles already stored are skipped. Returns how many were new."""
        return len(self.write_articles(extractions, rejects, duplicates, minhashes, dedup=dedup))

    def write_articles(self, extractions: Sequence[Extraction], rejects: Sequence[Reject] = (),
                       duplicates: dict[str, tuple[str, float]] | None = None,
                       minhashes: dict[str, bytes] | None = None, *,
                       dedup: DuplicateIndex | None = None) -> list[str]:
        """Write a batch in one transaction; the doc_ids it added (those already stored are skipped).

        With `dedup`, near-duplicates are linked here, under the write lock, against every article
        stored so far, by this process or any other (`duplicates` and `minhashes` are then ignored)."""
        added: list[str] = []
        new_events: list[str] = []
        indexed: list[str] = []
        try:
            with self.transaction():
                for reject in rejects:
                    self._add_reject(reject)
                fresh = [ex for ex in extractions if self._article_id(ex.article.doc_id) is None]
                if dedup is not None:
                    dedup.catch_up(self.minhash_rows(dedup.last_row))
                    duplicates, minhashes, indexed = dedup.link((ex.article.doc_id, ex.article.text) for ex in fresh)
                for ex in fresh:
                    if ex.article.doc_id in added:  # the same article twice in one batch (a short list)
                        continue
                    new_events += self._add_extraction(ex, (duplicates or {}).get(ex.article.doc_id),
                                                       (minhashes or {}).get(ex.article.doc_id))
                    added.append(ex.article.doc_id)
                count_events(self._sql, new_events)
                refuse(self._sql, new_events)
        except BaseException:
            if dedup is not None:
                dedup.forget(indexed)
            raise
        return added

    def _add_extraction(self, ex: Extraction, dup: tuple[str, float] | None, minhash: bytes | None) -> list[str]:
        """One new article with its places, events, explanation and quotes; its event ids."""
        article_id = self._add_article(ex.article, dup, minhash)
        self._add_places(article_id, ex.places)
        for event in ex.events:
            self._add_event(article_id, ex.article, event)
        if ex.explanation is not None:
            self.conn.execute("INSERT INTO explanations(article_id, body) VALUES (?, ?)",
                              (article_id, json.dumps(ex.explanation, ensure_ascii=False)))
        for quote in ex.quotes:
            self.conn.execute(
                'INSERT INTO quotes(article_id, text, start, "end", speaker, speaker_role) VALUES (?,?,?,?,?,?)',
                (article_id, quote.text, quote.start, quote.end, quote.speaker, quote.speaker_role),
            )
        return [event.event_id for event in ex.events]

    def _sql(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, list(params))]

    _read = _sql

    _hit_tables = False

    def _build_hits(self, text: str, *, fused: bool) -> None:
        """A search's hits, for the statements of one request (reads.py `Dialect.hits`): the matching articles'
        ids, or (`fused`) the integer keys (lead_id) of the matching fused events, from their own full-text index
        (`fused_fts`, migration 0014: its rows of one event are adjacent, so the keys come in order, each once
        kept). Temporary tables: this connection's own, never the store's file, so a read-only store builds them
        too."""
        if not self._hit_tables and not self.conn.in_transaction:  # in memory; a change of temp_store drops
            self.conn.execute("PRAGMA temp_store = MEMORY")  # temporary tables and is refused in a transaction
            self._hit_tables = True
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS article_hits(id INTEGER PRIMARY KEY)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS fused_hits(id INTEGER PRIMARY KEY)")
        self._clear_hits()
        if fused:
            self.conn.execute(f"INSERT OR IGNORE INTO temp.fused_hits {self.dialect.fused_fts_ids}", [text])
        else:
            self.conn.execute(f"INSERT INTO temp.article_hits {self.dialect.fts_ids}", [text])

    def _clear_hits(self) -> None:
        self.conn.execute("DELETE FROM temp.article_hits")
        self.conn.execute("DELETE FROM temp.fused_hits")

    def _write(self, action: Callable[[Sql], T]) -> T:
        """Run `action` on this store's SQL in one write transaction."""
        with self.transaction():
            return action(self._sql)

    def refuse_all(self) -> int:
        """Fuse the whole store again (the result equals incremental fusion)."""
        with self.transaction():
            return rebuild(self._sql)

    def add_rejects(self, rejects: Sequence[Reject]) -> None:
        with self.transaction():
            for reject in rejects:
                self._add_reject(reject)

    def _add_reject(self, reject: Reject) -> None:
        """One row per rejected record; the same record rejected again (a re-run) adds none. The key
        is migration 0009's; only a duplicate is ignored (OR IGNORE would drop a NULL reason silently)."""
        self.conn.execute(
            "INSERT INTO rejects(source, line, code, reason) VALUES (?,?,?,?)"
            " ON CONFLICT (source, line, code, reason) DO NOTHING",
            (reject.source, reject.line or 0, reject.code, reject.reason),
        )

    def _article_id(self, doc_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        return int(row[0]) if row else None

    def _add_article(self, a: Article, dup: tuple[str, float] | None, minhash: bytes | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO articles(doc_id, content_hash, source, url, outlet, published, published_from, title,"
            " byline, dateline_place, text, minhash, duplicate_of, duplicate_similarity)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.doc_id, a.content_hash, a.source, a.url, a.outlet, a.published.isoformat() if a.published else None,
             a.published_from, a.title, a.byline, a.dateline_place, a.text, minhash,
             dup[0] if dup else None, dup[1] if dup else None),
        )
        article_id = int(cur.lastrowid or 0)
        self.conn.executemany(
            'INSERT INTO pieces(article_id, seq, kind, start, "end", source_line) VALUES (?,?,?,?,?,?)',
            [(article_id, i, p.kind, p.start, p.end, p.source_line) for i, p in enumerate(a.pieces)],
        )
        return article_id

    def _place_id(self, m: PlaceMention) -> int | None:
        if m.name is None:
            return None
        key = f"{m.geonameid}" if m.geonameid else f"{m.name}|{m.country}|{m.admin1}"
        self.conn.execute(
            "INSERT OR IGNORE INTO places(place_key, name, geonameid, latitude, longitude, country, country_code,"
            " admin1, admin2, feature_class, feature_code) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (key, m.name, m.geonameid, m.latitude, m.longitude, m.country, m.country_code, m.admin1, m.admin2,
             m.feature_class, m.feature_code),
        )
        row = self.conn.execute("SELECT id FROM places WHERE place_key = ?", (key,)).fetchone()
        return int(row[0])

    def _add_places(self, article_id: int, mentions: Sequence[PlaceMention]) -> None:
        for m in mentions:
            self.conn.execute(
                'INSERT INTO place_mentions(article_id, place_id, text, start, "end", geo_precision, role, recognised_by)'
                " VALUES (?,?,?,?,?,?,?,?)",
                (article_id, self._place_id(m), m.text, m.start, m.end, m.geo_precision, m.role, m.source),
            )

    def _actor_id(self, name: str | None, inter: int | None, country: str | None) -> int | None:
        if not name:
            return None
        self.conn.execute("INSERT OR IGNORE INTO actors(name, inter, country) VALUES (?,?,?)", (name, inter, country))
        return int(self.conn.execute("SELECT id FROM actors WHERE name = ?", (name,)).fetchone()[0])

    def _add_event(self, article_id: int, article: Article, e: Event) -> None:
        values = event_values(e)
        a1 = self._actor_id(e.actor1, e.inter1, e.country)
        a2 = self._actor_id(e.actor2, e.inter2, e.country)
        self.conn.execute(
            f"INSERT OR IGNORE INTO events(article_id, actor1_id, actor2_id, {', '.join(EVENT_COLUMNS)})"
            f" VALUES (?,?,?,{','.join('?' * len(EVENT_COLUMNS))})",
            (article_id, a1, a2, *values),
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO event_sources(event_id, article_id, doc_id, outlet, url, reported_by, evidence,"
            " evidence_start, evidence_end) VALUES (?,?,?,?,?,?,?,?,?)",
            (e.event_id, article_id, article.doc_id, article.outlet, article.url, e.reported_by, e.evidence,
             e.evidence_start, e.evidence_end),
        )

    # ------------------------------------------------------------ reads
    def counts(self) -> dict[str, int]:
        tables = ("articles", "pieces", "places", "place_mentions", "actors", "events", "event_sources",
                  "quotes", "rejects", "reviews")
        return {t: int(self.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        for _, doc_id, data in self.minhash_rows():
            yield doc_id, data

    def minhash_rows(self, after: int = 0) -> Iterator[tuple[int, str, bytes]]:
        """(row id, doc_id, signature) of the stored articles after row `after`, in the order stored."""
        rows = self.conn.execute("SELECT id, doc_id, minhash FROM articles WHERE minhash IS NOT NULL AND id > ?"
                                 " ORDER BY id", (after,)).fetchall()
        for row in rows:
            yield int(row[0]), row[1], row[2]

    def rejects(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM rejects ORDER BY id")]

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    out, buf = [], []
    for line in sql.strip().splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and (not joined.upper().startswith("CREATE TRIGGER") or joined.upper().endswith("END;")):
            out.append(joined)
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf))
    return out


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
