"""Read-only queries for the API, the web page and situation reports.

Every function takes an open `sqlite3.Connection` (rows as `sqlite3.Row`) and
uses parameterised SQL only; user text reaches SQLite as a bound value, and
full-text queries go through `fts_phrase`, which quotes it as plain words.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .sqlite import EVENT_COLUMNS, EventQuery, fts_phrase

EVENT_FIELDS = EVENT_COLUMNS
SOURCE_FIELDS = ("doc_id", "outlet", "url", "reported_by", "evidence", "evidence_start", "evidence_end")

FUSED_FIELDS = ("event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country", "admin1", "admin2",
                "location", "location_text", "latitude", "longitude", "geo_precision", "event_date", "time_precision",
                "fatalities")
# A fused event as an events row: the fused fields over those of its lead report (the most confident),
# whose article, evidence and words stand for it; `lead_event_id` joins that report's evidence.
_FUSED_AS_EVENTS = (
    "(SELECT ev.id, ev.article_id, ev.event_id AS lead_event_id, f.source_count, "
    + ", ".join(f"f.{c}" if c in FUSED_FIELDS else ("f.fused_id AS event_id" if c == "event_id" else
                                                    "CASE WHEN ev.location IS f.location THEN ev.geonameid END AS geonameid"
                                                    if c == "geonameid" else f"ev.{c}") for c in EVENT_FIELDS)
    + " FROM fused_events f JOIN events ev ON ev.event_id = (SELECT m.event_id FROM fused_members m"
    " JOIN events e2 ON e2.event_id = m.event_id WHERE m.fused_id = f.fused_id"
    " ORDER BY e2.confidence DESC, e2.event_id LIMIT 1))"
)


def events_from(query: EventQuery) -> str:
    """The FROM clause of an event query: per-report events `e` with their article `a`, or fused events."""
    table = f"{_FUSED_AS_EVENTS} e" if query.fused else "events e"
    return f" FROM {table} JOIN articles a ON a.id = e.article_id"


def _event_select(query: EventQuery) -> str:
    lead = "e.lead_event_id" if query.fused else "e.event_id"
    extra = ", e.source_count, e.lead_event_id" if query.fused else ""
    return ("SELECT " + ", ".join(f"e.{c}" for c in EVENT_FIELDS) + extra
            + ", a.doc_id, a.outlet AS source, a.url AS source_url, s.evidence, s.evidence_start, s.evidence_end,"
            f" s.reported_by{events_from(query)}"
            f" LEFT JOIN event_sources s ON s.event_id = {lead} AND s.article_id = e.article_id")




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


# ---------------------------------------------------------------- events
def like_escape(text: str) -> str:
    """Escape LIKE's wildcards so user text matches only itself (use with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def plain_text(text: str) -> str:
    """User text without control characters (a NUL ends an FTS5 string early)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def event_filters(q: EventQuery) -> tuple[list[str], list[Any]]:
    """SQL conditions (on events `e`) and their bound values for an EventQuery."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("e.country", q.country), ("e.admin1", q.admin1), ("e.event_type", q.event_type),
                          ("e.sub_event_type", q.sub_event_type)):
        if value:
            where.append(f"lower({column}) = lower(?)")
            params.append(value)
    if q.actor:
        where.append("(e.actor1 LIKE ? ESCAPE '\\' OR e.actor2 LIKE ? ESCAPE '\\')")
        params += [f"%{like_escape(q.actor)}%"] * 2
    if q.since:
        where.append("e.event_date >= ?")
        params.append(q.since)
    if q.until:
        where.append("e.event_date <= ?")
        params.append(q.until)
    if q.bbox:
        where.append("e.longitude BETWEEN ? AND ? AND e.latitude BETWEEN ? AND ?")
        params += [q.bbox[0], q.bbox[2], q.bbox[1], q.bbox[3]]
    if q.q and plain_text(q.q).strip():
        matching = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        if q.fused:  # any of its reports' articles
            where.append("e.event_id IN (SELECT m.fused_id FROM fused_members m JOIN events ev ON ev.event_id = m.event_id"
                         f" WHERE ev.article_id IN ({matching}))")
        else:
            where.append(f"e.article_id IN ({matching})")
        params.append(fts_phrase(plain_text(q.q)))
    return where, params


def _where(query: EventQuery) -> tuple[str, list[Any]]:
    where, params = event_filters(query)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def count_events(conn: sqlite3.Connection, query: EventQuery) -> int:
    where, params = _where(query)
    sql = f"SELECT COUNT(*){events_from(query)}{where}"
    return int(conn.execute(sql, params).fetchone()[0])


def list_events(conn: sqlite3.Connection, query: EventQuery) -> list[dict[str, Any]]:
    """A page of events (with their first source's evidence), newest first."""
    where, params = _where(query)
    sql = (f"{_event_select(query)}{where}"
           " ORDER BY e.event_date IS NULL, e.event_date DESC, e.id LIMIT ? OFFSET ?")
    return [dict(r) for r in conn.execute(sql, (*params, query.limit, query.offset))]


def get_event(conn: sqlite3.Connection, event_id: str, *, fused: bool = False) -> dict[str, Any] | None:
    """One event by id: a report's event, or (with `fused`) a fused event."""
    row = conn.execute(f"{_event_select(EventQuery(fused=fused))} WHERE e.event_id = ?", (event_id,)).fetchone()
    return dict(row) if row else None


def event_sources(conn: sqlite3.Connection, event_id: str, *, fused: bool = False) -> list[dict[str, Any]]:
    """Every article that reports the event (with `fused`, each report of the fused event), with the
    sentence that says so."""
    which = "IN (SELECT event_id FROM fused_members WHERE fused_id = ?)" if fused else "= ?"
    sql = (
        "SELECT s.doc_id, s.outlet, s.url, s.reported_by, s.evidence, s.evidence_start, s.evidence_end,"
        " a.title, a.published FROM event_sources s JOIN articles a ON a.id = s.article_id"
        f" WHERE s.event_id {which} ORDER BY a.published IS NULL, a.published, a.id"
    )
    return [dict(r) for r in conn.execute(sql, (event_id,))]


# ---------------------------------------------------------------- articles
def get_article(conn: sqlite3.Connection, doc_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT id, doc_id, title, url, outlet, published, byline, dateline_place, text, duplicate_of"
        " FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
    return dict(row) if row else None


def article_pieces(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    sql = 'SELECT kind, start, "end" FROM pieces WHERE article_id = ? ORDER BY seq'
    return [dict(r) for r in conn.execute(sql, (article_id,))]


def place_spans(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    sql = (
        'SELECT m.start, m."end", m.text, m.role, m.geo_precision, p.name, p.country, p.admin1,'
        " p.latitude, p.longitude, p.geonameid FROM place_mentions m LEFT JOIN places p ON p.id = m.place_id"
        " WHERE m.article_id = ? ORDER BY m.start"
    )
    spans = []
    for r in conn.execute(sql, (article_id,)):
        spans.append({"kind": "place", "start": r["start"], "end": r["end"], "text": r["text"],
                      "label": r["name"] or r["text"], "ref": str(r["geonameid"]) if r["geonameid"] else None,
                      "detail": {"country": r["country"], "admin1": r["admin1"], "role": r["role"],
                                 "latitude": r["latitude"], "longitude": r["longitude"],
                                 "geo_precision": r["geo_precision"]}})
    return spans


def evidence_spans(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    sql = (
        "SELECT s.event_id, s.evidence, s.evidence_start, s.evidence_end, e.event_type, e.sub_event_type"
        " FROM event_sources s JOIN events e ON e.event_id = s.event_id WHERE s.article_id = ?"
        " ORDER BY s.evidence_start"
    )
    return [{"kind": "evidence", "start": r["evidence_start"], "end": r["evidence_end"], "text": r["evidence"],
             "label": f"{r['event_type']}: {r['sub_event_type']}", "ref": r["event_id"], "detail": None}
            for r in conn.execute(sql, (article_id,))]


def actor_spans(conn: sqlite3.Connection, article_id: int, text: str) -> list[dict[str, Any]]:
    """Where the article names the actors of its events.

    The store keeps actors by canonical name only, so this finds the name (less any
    parenthesised qualifier such as a year range) in the text, case-insensitively.
    """
    sql = ("SELECT DISTINCT name FROM (SELECT actor1 AS name FROM events WHERE article_id = ?"
           " UNION SELECT actor2 FROM events WHERE article_id = ?) WHERE name IS NOT NULL")
    spans = []
    for (name,) in conn.execute(sql, (article_id, article_id)):
        needle = re.sub(r"\s*\([^)]*\)", "", name).strip()
        if len(needle) < 3:
            continue
        for match in re.finditer(r"\b" + re.escape(needle) + r"\b", text, flags=re.IGNORECASE):
            spans.append({"kind": "actor", "start": match.start(), "end": match.end(), "text": match.group(0),
                          "label": name, "ref": None, "detail": None})
    return spans


def article_event_ids(conn: sqlite3.Connection, article_id: int) -> list[str]:
    sql = "SELECT event_id FROM event_sources WHERE article_id = ? ORDER BY evidence_start"
    return [r[0] for r in conn.execute(sql, (article_id,))]


# ---------------------------------------------------------------- places
def _place_filters(country: str | None, q: str | None) -> tuple[str, list[Any]]:
    where, params = [], []
    if country:
        where.append("(lower(p.country) = lower(?) OR upper(p.country_code) = upper(?))")
        params += [country, country]
    if q:
        where.append("p.name LIKE ? ESCAPE '\\'")
        params.append(like_escape(q) + "%")
    return (" WHERE " + " AND ".join(where)) if where else "", params


def count_places(conn: sqlite3.Connection, *, country: str | None = None, q: str | None = None) -> int:
    where, params = _place_filters(country, q)
    return int(conn.execute(f"SELECT COUNT(*) FROM places p{where}", params).fetchone()[0])


def list_places(conn: sqlite3.Connection, *, country: str | None = None, q: str | None = None,
                limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Resolved places with how often articles name them, most named first."""
    where, params = _place_filters(country, q)
    sql = (
        "SELECT p.name, p.geonameid, p.latitude, p.longitude, p.country, p.country_code, p.admin1, p.admin2,"
        " p.feature_class, p.feature_code, (SELECT COUNT(*) FROM place_mentions m WHERE m.place_id = p.id)"
        " AS mentions, (SELECT COUNT(DISTINCT m.article_id) FROM place_mentions m WHERE m.place_id = p.id)"
        f" AS articles FROM places p{where} ORDER BY mentions DESC, p.name, p.id LIMIT ? OFFSET ?"
    )
    return [dict(r) for r in conn.execute(sql, (*params, limit, offset))]


# ---------------------------------------------------------------- summaries
def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("articles", "events", "places", "actors", "rejects")
    return {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}


def totals_by(conn: sqlite3.Connection, query: EventQuery, column: str) -> list[tuple[str, int, int]]:
    """(value, events, fatalities) grouped by one event column, largest first."""
    if column not in EVENT_FIELDS:
        raise ValueError(f"cannot group events by {column!r}; use one of {', '.join(EVENT_FIELDS)}")
    where, params = _where(query)
    sql = (f'SELECT COALESCE(e."{column}", \'(unknown)\') AS value, COUNT(*) AS n, SUM(e.fatalities) AS f'
           f"{events_from(query)}{where} GROUP BY value ORDER BY n DESC, value")
    return [(r["value"], int(r["n"]), int(r["f"] or 0)) for r in conn.execute(sql, params)]


def events_per_day(conn: sqlite3.Connection, query: EventQuery) -> list[tuple[str, int, int]]:
    """(date, events, fatalities) for each day that has events, in date order."""
    where, params = _where(query)
    extra = " AND " if where else " WHERE "
    sql = (f"SELECT e.event_date AS day, COUNT(*) AS n, SUM(e.fatalities) AS f"
           f"{events_from(query)}{where}{extra}e.event_date IS NOT NULL"
           " GROUP BY day ORDER BY day")
    return [(r["day"], int(r["n"]), int(r["f"] or 0)) for r in conn.execute(sql, params)]


def top_actors(conn: sqlite3.Connection, query: EventQuery, limit: int = 10) -> list[tuple[str, int, int]]:
    """(actor, events, fatalities) for actors on either side of the events, most active first."""
    where, params = _where(query)
    sql = (
        f"WITH picked AS (SELECT e.actor1, e.actor2, e.fatalities{events_from(query)}{where}),"
        " sides AS (SELECT actor1 AS actor, fatalities FROM picked WHERE actor1 IS NOT NULL"
        " UNION ALL SELECT actor2, fatalities FROM picked WHERE actor2 IS NOT NULL)"
        " SELECT actor, COUNT(*) AS n, SUM(fatalities) AS f FROM sides GROUP BY actor"
        " ORDER BY n DESC, f DESC, actor LIMIT ?"
    )
    return [(r["actor"], int(r["n"]), int(r["f"] or 0)) for r in conn.execute(sql, (*params, limit))]


def key_events(conn: sqlite3.Connection, query: EventQuery, limit: int = 10) -> list[dict[str, Any]]:
    """The deadliest, then most confident events, with their first source's evidence."""
    where, params = _where(query)
    sql = (f"{_event_select(query)}{where} ORDER BY e.fatalities DESC, e.confidence DESC, e.event_date, e.id LIMIT ?")
    return [dict(r) for r in conn.execute(sql, (*params, limit))]
