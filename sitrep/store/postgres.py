"""PostgreSQL store: the same schema, migrations and public methods as the SQLite `Store`.

Several processes may ingest into one database at once.  Nothing is duplicated
or lost because every natural key is UNIQUE and written with
`INSERT ... ON CONFLICT DO NOTHING`, each batch is one transaction, and batch
writes take a transaction-scoped advisory lock, so writers never deadlock on
each other's places and actors.  A dropped connection (or a deadlock or
serialisation failure) is retried on a fresh connection: a batch that rolled
back is simply written again, and one that had committed adds nothing.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, Self, TypeVar

import psycopg
from psycopg.rows import dict_row

from ..errors import StoreError
from ..records import Article, Event, Extraction, PlaceMention, Reject
from .dialect import postgres_migrations, split_statements
from .fused import Sql, count_events, rebuild, refuse
from .migrations import MIGRATIONS
from .reads import POSTGRES, StoreReads
from .reviews import ReviewWrites
from .schema import EVENT_COLUMNS, event_values

if TYPE_CHECKING:
    from ..dedup import DuplicateIndex

log = logging.getLogger(__name__)

T = TypeVar("T")
# Keys of pg_advisory_*lock: one for migrations, one for batch writes (any two fixed bigints).
MIGRATE_LOCK = 0x5173_0001
WRITE_LOCK = 0x5173_0002
RETRIES = 5
MIGRATION_NAMES = [name for name, _ in MIGRATIONS]
TABLES = ("articles", "pieces", "places", "place_mentions", "actors", "events", "event_sources", "quotes", "rejects",
          "reviews")


class PostgresStore(StoreReads, ReviewWrites):
    """A sitrep store in a PostgreSQL database; safe for several writing processes."""

    dialect = POSTGRES

    def __init__(self, url: str, *, retries: int = RETRIES, connect_timeout: int = 10,
                 statement_timeout_ms: int | None = None, migrate: bool = True, create: bool = True):
        self.url = url
        self.retries = retries
        self.connect_timeout = connect_timeout
        self.statement_timeout_ms = statement_timeout_ms  # None: statements may run as long as they need
        self.conn = self._connect()
        if migrate:  # a reader of a store known to be current skips it
            self._refuse_foreign(create=create)
            self.migrate()

    def _connect(self) -> psycopg.Connection[Any]:
        limit: dict[str, Any] = {}
        if self.statement_timeout_ms:
            limit["options"] = f"-c statement_timeout={int(self.statement_timeout_ms)}"
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout, **limit)
        except psycopg.Error as exc:
            raise StoreError("E013", source=_redact(self.url), detail=str(exc).strip()) from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ resilience
    def _retrying(self, what: str, action: Callable[[], T]) -> T:
        """Run `action`; on a dropped connection, deadlock or serialisation failure, reconnect and retry."""
        for attempt in range(1, self.retries + 1):
            try:
                return action()
            except psycopg.OperationalError as exc:
                if attempt == self.retries:
                    raise StoreError("E013", source=_redact(self.url),
                                     detail=f"{what} failed {attempt} times: {str(exc).strip()}") from exc
                log.warning("%s: %s; retrying (%d/%d)", what, str(exc).strip(), attempt, self.retries)
                time.sleep(min(0.1 * 2 ** attempt, 2.0))
                if self.conn.closed or self.conn.broken:
                    self.conn = self._connect()
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ schema
    def _refuse_foreign(self, *, create: bool) -> None:
        """Raise E013, before anything is written, unless the database holds a sitrep store, or holds no
        table at all and `create` is set."""
        def look() -> tuple[list[str], set[str]]:
            tables = sorted(r[0] for r in self.conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))
            done: set[str] = set()
            if "schema_migrations" in tables:
                columns = {r[0] for r in self.conn.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = 'schema_migrations'")}
                if "name" in columns:
                    done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
                    done.add("")  # the record table is sitrep's, even before its first migration commits
            return tables, done

        tables, done = self._retrying("open", look)
        if (not tables and create) or done and (MIGRATION_NAMES[0] in done or tables == ["schema_migrations"]):
            return
        self.conn.close()
        what = "holds no sitrep store" if not tables else f"is not a sitrep store (it holds {', '.join(tables[:5])})"
        raise StoreError("E013", source=_redact(self.url),
                         detail=f"the database {what}; it was left unchanged: give --db a sitrep store"
                                + (" or a new database" if tables else ", or run `sitrep ingest` into it first"))

    def migrate(self) -> list[str]:
        """Apply pending migrations, each with its record in one transaction; one process at a time."""
        return self._retrying("migrate", self._migrate)

    def _migrate(self) -> list[str]:
        applied: list[str] = []
        self.conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                "applied_at TEXT NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))"
            )
            done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
            for name, sql in postgres_migrations():
                if name in done:
                    continue
                with self.conn.transaction():
                    for statement in split_statements(sql):
                        self.conn.execute(statement)
                    self.conn.execute("INSERT INTO schema_migrations(name) VALUES (%s)", (name,))
                applied.append(name)
        finally:
            if not self.conn.broken:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
        return applied

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        with self.conn.transaction():
            yield self.conn

    # ------------------------------------------------------------ writes
    def known_doc_ids(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """doc_id -> content hash of those already stored."""
        ids = list(doc_ids)

        def query() -> dict[str, str]:
            rows = self.conn.execute("SELECT doc_id, content_hash FROM articles WHERE doc_id = ANY(%s)", (ids,))
            return {r[0]: r[1] for r in rows}

        return self._retrying("known_doc_ids", query) if ids else {}

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

        With `dedup`, near-duplicates are linked under the write lock against every article stored
        so far, by any process (`duplicates` and `minhashes` are then ignored)."""
        return self._retrying(
            "write_batch", lambda: self._write_batch(extractions, rejects, duplicates or {}, minhashes or {}, dedup))

    def _write_batch(self, extractions: Sequence[Extraction], rejects: Sequence[Reject],
                     duplicates: dict[str, tuple[str, float]], minhashes: dict[str, bytes],
                     dedup: DuplicateIndex | None) -> list[str]:
        added: list[str] = []
        new_events: list[str] = []
        indexed: list[str] = []
        try:
            with self.conn.transaction():
                # One writer at a time: no deadlocks on shared places and actors, fusion sees every event,
                # and near-duplicates are linked against everything committed before this batch.
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                for reject in rejects:
                    self._add_reject(reject)
                if dedup is not None:
                    stored = self._stored_ids([ex.article.doc_id for ex in extractions])
                    fresh = [ex for ex in extractions if ex.article.doc_id not in stored]
                    dedup.catch_up(self.minhash_rows(dedup.last_row))
                    duplicates, minhashes, indexed = dedup.link((ex.article.doc_id, ex.article.text) for ex in fresh)
                for ex in extractions:
                    doc_id = ex.article.doc_id
                    article_id = self._add_article(ex.article, duplicates.get(doc_id), minhashes.get(doc_id))
                    if article_id is None:  # already stored, by this process or another
                        continue
                    self._add_places(article_id, ex.places)
                    for event in ex.events:
                        self._add_event(article_id, ex.article, event)
                        new_events.append(event.event_id)
                    self._add_quotes(article_id, ex)
                    added.append(doc_id)
                count_events(self._sql, new_events)
                refuse(self._sql, new_events)
        except BaseException:
            if dedup is not None:  # a retry links this batch afresh
                dedup.forget(indexed)
            raise
        return added

    def _stored_ids(self, doc_ids: list[str]) -> set[str]:
        rows = self.conn.execute("SELECT doc_id FROM articles WHERE doc_id = ANY(%s)", (doc_ids,)).fetchall()
        return {r[0] for r in rows}

    def refuse_all(self) -> int:
        """Fuse the whole store again (the result equals incremental fusion)."""
        def run() -> int:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                return rebuild(self._sql)

        return self._retrying("refuse_all", run)

    def _sql(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Run shared SQL written with '?' placeholders (see store/fused.py); rows as dicts."""
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql.replace("%", "%%").replace("?", "%s"), list(params))
            return list(cur.fetchall()) if cur.description else []

    def _read(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """A read of the shared SQL (store/reads.py); retried on a dropped connection outside a transaction."""
        if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return self._sql(sql, params)
        return self._retrying("read", lambda: self._sql(sql, params))

    def _write(self, action: Callable[[Sql], T]) -> T:
        """Run `action` on this store's SQL in one write transaction, one writer at a time."""
        def run() -> T:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                return action(self._sql)

        return self._retrying("write", run)

    def add_rejects(self, rejects: Sequence[Reject]) -> None:
        def write() -> None:
            with self.conn.transaction():
                for reject in rejects:
                    self._add_reject(reject)

        self._retrying("add_rejects", write)

    def _add_reject(self, reject: Reject) -> None:
        """One row per rejected record; the same record rejected again (a re-run) adds none
        (the key is migration 0009's unique index, on the digests of source and reason)."""
        self.conn.execute(
            "INSERT INTO rejects(source, line, code, reason) VALUES (%s,%s,%s,%s)"
            " ON CONFLICT (md5(source), line, code, md5(reason)) DO NOTHING",
            (reject.source, reject.line or 0, reject.code, reject.reason),
        )

    def _add_article(self, a: Article, dup: tuple[str, float] | None, minhash: bytes | None) -> int | None:
        row = self.conn.execute(
            "INSERT INTO articles(doc_id, content_hash, source, url, outlet, published, published_from, title,"
            " byline, dateline_place, text, minhash, duplicate_of, duplicate_similarity)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (doc_id) DO NOTHING RETURNING id",
            (a.doc_id, a.content_hash, a.source, a.url, a.outlet, a.published.isoformat() if a.published else None,
             a.published_from, a.title, a.byline, a.dateline_place, a.text, minhash,
             dup[0] if dup else None, dup[1] if dup else None),
        ).fetchone()
        if row is None:
            return None
        article_id = int(row[0])
        with self.conn.cursor() as cur:
            cur.executemany(
                'INSERT INTO pieces(article_id, seq, kind, start, "end", source_line) VALUES (%s,%s,%s,%s,%s,%s)',
                [(article_id, i, p.kind, p.start, p.end, p.source_line) for i, p in enumerate(a.pieces)],
            )
        return article_id

    def _place_id(self, m: PlaceMention) -> int | None:
        if m.name is None:
            return None
        key = f"{m.geonameid}" if m.geonameid else f"{m.name}|{m.country}|{m.admin1}"
        self.conn.execute(
            "INSERT INTO places(place_key, name, geonameid, latitude, longitude, country, country_code,"
            " admin1, admin2, feature_class, feature_code) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            " ON CONFLICT (place_key) DO NOTHING",
            (key, m.name, m.geonameid, m.latitude, m.longitude, m.country, m.country_code, m.admin1, m.admin2,
             m.feature_class, m.feature_code),
        )
        return _one_id(self.conn.execute("SELECT id FROM places WHERE place_key = %s", (key,)).fetchone(), key)

    def _add_places(self, article_id: int, mentions: Sequence[PlaceMention]) -> None:
        for m in mentions:
            self.conn.execute(
                'INSERT INTO place_mentions(article_id, place_id, text, start, "end", geo_precision, role,'
                " recognised_by) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                (article_id, self._place_id(m), m.text, m.start, m.end, m.geo_precision, m.role, m.source),
            )

    def _actor_id(self, name: str | None, inter: int | None, country: str | None) -> int | None:
        if not name:
            return None
        self.conn.execute("INSERT INTO actors(name, inter, country) VALUES (%s,%s,%s) ON CONFLICT (name) DO NOTHING",
                          (name, inter, country))
        return _one_id(self.conn.execute("SELECT id FROM actors WHERE name = %s", (name,)).fetchone(), name)

    def _add_event(self, article_id: int, article: Article, e: Event) -> None:
        values = event_values(e)
        a1 = self._actor_id(e.actor1, e.inter1, e.country)
        a2 = self._actor_id(e.actor2, e.inter2, e.country)
        self.conn.execute(
            f"INSERT INTO events(article_id, actor1_id, actor2_id, {', '.join(EVENT_COLUMNS)})"
            f" VALUES (%s,%s,%s,{','.join(['%s'] * len(EVENT_COLUMNS))}) ON CONFLICT (event_id) DO NOTHING",
            (article_id, a1, a2, *values),
        )
        self.conn.execute(
            "INSERT INTO event_sources(event_id, article_id, doc_id, outlet, url, reported_by, evidence,"
            " evidence_start, evidence_end) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
            (e.event_id, article_id, article.doc_id, article.outlet, article.url, e.reported_by, e.evidence,
             e.evidence_start, e.evidence_end),
        )

    def _add_quotes(self, article_id: int, ex: Extraction) -> None:
        if ex.explanation is not None:
            self.conn.execute("INSERT INTO explanations(article_id, body) VALUES (%s, %s)",
                              (article_id, json.dumps(ex.explanation, ensure_ascii=False)))
        if not ex.quotes:
            return
        with self.conn.cursor() as cur:
            cur.executemany(
                'INSERT INTO quotes(article_id, text, start, "end", speaker, speaker_role) VALUES (%s,%s,%s,%s,%s,%s)',
                [(article_id, q.text, q.start, q.end, q.speaker, q.speaker_role) for q in ex.quotes],
            )

    # ------------------------------------------------------------ reads
    def counts(self) -> dict[str, int]:
        def query() -> dict[str, int]:
            return {t: int(_first(self.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone())) for t in TABLES}

        return self._retrying("counts", query)

    def minhashes(self, page: int = 1000) -> Iterator[tuple[str, bytes]]:
        """Every stored signature in insertion order, fetched a page at a time."""
        for _, doc_id, data in self.minhash_rows(0, page):
            yield doc_id, data

    def minhash_rows(self, after: int = 0, page: int = 1000) -> Iterator[tuple[int, str, bytes]]:
        """(row id, doc_id, signature) of the stored articles after row `after`, in insertion order.

        Inside a transaction (the write lock held) the pages are read on that transaction, unretried."""
        in_transaction = self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        last = after
        while True:
            fetch = partial(self._minhash_page, last, page)
            rows = fetch() if in_transaction else self._retrying("minhashes", fetch)
            for row_id, doc_id, data in rows:
                yield int(row_id), doc_id, bytes(data)
            if len(rows) < page:
                return
            last = rows[-1][0]

    def _minhash_page(self, after: int, page: int) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            "SELECT id, doc_id, minhash FROM articles WHERE minhash IS NOT NULL AND id > %s ORDER BY id LIMIT %s",
            (after, page)).fetchall()

    def rejects(self) -> list[dict[str, Any]]:
        return self._retrying("rejects", lambda: self._dict_rows("SELECT * FROM rejects ORDER BY id", ()))

    def integrity_check(self) -> str:
        """'ok' when every migration is applied and the schema answers; else what is wrong."""
        done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
        missing = [name for name, _ in postgres_migrations() if name not in done]
        if missing:
            return f"migrations not applied: {', '.join(missing)}"
        self.counts()
        return "ok"

    def _dict_rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(sql, params).fetchall())


def _first(row: tuple[Any, ...] | None) -> Any:
    if row is None:
        raise StoreError("E013", detail="a query that always returns a row returned none")
    return row[0]


def _one_id(row: tuple[Any, ...] | None, key: str) -> int:
    if row is None:
        raise StoreError("E013", detail=f"row {key!r} vanished right after it was written")
    return int(row[0])


def _redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    host, db, user = (str(info.get(key, "")) for key in ("host", "dbname", "user"))
    return f"postgresql://{user + '@' if user else ''}{host}/{db}"
