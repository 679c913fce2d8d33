"""Every read of the store, written once for both back ends: events (per report or fused), their
sources, articles and their spans, places, summaries for reports, and the analysts' corrections.

`StoreReads` is mixed into the SQLite `Store` and the `PostgresStore`; it needs only their
`_read(sql, params)` (SQL with '?' placeholders -> rows as dicts) and their `dialect`, which holds
the few differences: case-insensitive LIKE, null-safe equality and full-text search.

Reviewed values come first: every event row is the machine's reading overlaid with the analysts'
corrections (`reviewed_events`, kept by store/decisions.py), and rejected events leave every output
unless a query asks for them (`EventQuery(rejected=True)`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from .common_words import SQLITE_ROW_MATCH, RowMatch, is_common
from .decisions import REVIEW_FIELDS
from .schema import EVENT_COLUMNS, TEXT_KEY_BITS, EventQuery, fts_phrase

EVENT_FIELDS = EVENT_COLUMNS
FUSED_FIELDS = ("event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country", "admin1", "admin2",
                "location", "location_text", "latitude", "longitude", "geo_precision", "event_date", "time_precision",
                "fatalities")
REVIEW_COLUMNS = ("review_status", "reviewed_by", "reviewed_at", "review_stale")
# The review queue: events without a verdict (or whose machine reading changed since), least confident
# first; or those reviewed, or rejected, latest first.
QUEUE = {
    "unreviewed": ("(e.review_status IS NULL OR e.review_status IN ('merged', 'split') OR"
                   " (e.review_stale = 1 AND e.review_status <> 'rejected'))",
                   "e.confidence, e.event_date IS NULL, e.event_date DESC, e.event_id"),
    "reviewed": ("e.review_status IN ('confirmed', 'corrected')", "e.reviewed_at DESC, e.event_id"),
    "rejected": ("e.review_status = 'rejected'", "e.reviewed_at DESC, e.event_id"),
}
ALL_EVENTS = EventQuery()


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite and PostgreSQL in the shared read SQL."""

    name: str
    like: str  # a case-insensitive LIKE
    null_safe_equal: str  # '{a} ... {b}': true when both are NULL or equal
    fts_ids: str  # a subquery of article ids whose text matches one bound value
    # a subquery of the integer keys (lead_id) of the fused events one of whose reports' articles matches one bound
    # value (migration 0014_fused_fts: their own full-text rows; a key once per matching article)
    fused_fts_ids: str
    fts_value: Callable[[str], str]
    fused_key: str  # a key of fused_events every index holds (SQLite's rowid)
    no_index: str  # put before a column, keeps the planner from reading it by an index ('+' in SQLite)
    # Where GET /events' reads find a search's hits, built once per request (StoreReads.searching): the
    # articles' ids, and (a fused search) the integer keys (lead_id) of the matching fused events; None: each
    # statement matches the text itself.
    hits: tuple[str, str] | None = None
    # A search of a very common word (store/common_words.py): its statements test each machine row against the
    # full-text index and match the reviewed rows through theirs; None: not such a search.
    row_match: RowMatch | None = None
    # The reviewed reports' machine keys (event_id, id, article_id; migration 0015_reviewed_fts), which a search's
    # reviewed rows read instead of seeking each into `events`; None: they read `events`.
    reviewed_keys: str | None = None

    def same(self, a: str, b: str) -> str:
        return self.null_safe_equal.format(a=a, b=b)


def plain_text(text: str) -> str:
    """User text without control characters (a NUL ends an FTS5 string early; PostgreSQL text cannot hold one)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def like_escape(text: str) -> str:
    """Escape LIKE's wildcards so user text matches only itself (use with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SQLITE = Dialect("sqlite", "LIKE", "{a} IS {b}", "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                 f"SELECT rowid >> {TEXT_KEY_BITS} FROM fused_fts WHERE fused_fts MATCH ?",
                 lambda text: fts_phrase(plain_text(text)), "rowid", "+",
                 ("SELECT id FROM temp.article_hits", "SELECT id FROM temp.fused_hits"), reviewed_keys="reviewed_articles")
# plainto_tsquery reads the user's text as plain words ANDed together, never as query syntax.
POSTGRES = Dialect("postgresql", "ILIKE", "{a} IS NOT DISTINCT FROM {b}",
                   "SELECT id FROM articles WHERE fts @@ plainto_tsquery('simple', ?)",
                   f"SELECT id >> {TEXT_KEY_BITS} FROM fused_texts WHERE fts @@ plainto_tsquery('simple', ?)",
                   plain_text, "fused_id", "")


# ---------------------------------------------------------------- the event sources
def _overlay(column: str, machine: str) -> str:
    """A reviewed column: the reviewed value where the event was reviewed, else the machine's."""
    return f"CASE WHEN r.event_id IS NULL THEN {machine}.{column} ELSE r.{column} END AS {column}"


_REVIEW_SELECT = ("r.status AS review_status, r.reviewed_by, r.reviewed_at,"
                  " CASE WHEN r.machine_changed = 1 THEN 1 ELSE 0 END AS review_stale")


def reports_source() -> str:
    """Per-article events (reports), reviewed values over the machine's."""
    columns = ", ".join(_overlay(c, "x") if c in REVIEW_FIELDS else f"x.{c}" for c in EVENT_FIELDS)
    return (f"(SELECT x.id, x.article_id, {columns}, {_REVIEW_SELECT} FROM events x"
            " LEFT JOIN reviewed_events r ON r.kind = 'report' AND r.event_id = x.event_id)")


def fused_source() -> str:
    """Fused events (`fused_id`, the fused fields, `source_count`, `confidence`, `lead_id`), reviewed values over
    the machine's; the confidence and lead report are stored with each fused event (store/fused.py `summarise`)."""
    columns = ", ".join(_overlay(c, "x") if c in REVIEW_FIELDS else f"x.{c}" for c in FUSED_FIELDS)
    return (f"(SELECT x.fused_id, x.source_count, {columns}, r.geonameid AS reviewed_geonameid, {_REVIEW_SELECT},"
            " x.confidence, x.lead_id"
            " FROM fused_events x LEFT JOIN reviewed_events r ON r.kind = 'fused' AND r.event_id = x.fused_id)")


def _fused_as_events(dialect: Dialect) -> str:
    """A fused event as an events row: the fused fields over those of its lead report (the most confident),
    whose article, evidence and words stand for it; `lead_event_id` joins that report's evidence."""
    def column(c: str) -> str:
        if c in FUSED_FIELDS:
            return f"f.{c}"
        if c == "event_id":
            return "f.fused_id AS event_id"
        if c == "geonameid":
            return (f"CASE WHEN f.reviewed_geonameid IS NOT NULL THEN f.reviewed_geonameid"
                    f" WHEN {dialect.same('ev.location', 'f.location')} THEN ev.geonameid END AS geonameid")
        return f"ev.{c}"

    return ("(SELECT ev.id, ev.article_id, ev.event_id AS lead_event_id, f.source_count, "
            + ", ".join(column(c) for c in EVENT_FIELDS) + ", "
            + ", ".join(f"f.{c}" for c in REVIEW_COLUMNS)
            + f" FROM {fused_source()} f JOIN events ev ON ev.id = f.lead_id)")


def events_from(query: EventQuery, dialect: Dialect) -> str:
    """The FROM clause of an event query: per-report events `e` with their article `a`, or fused events."""
    table = _fused_as_events(dialect) if query.fused else reports_source()
    return f" FROM {table} e JOIN articles a ON a.id = e.article_id"


def _event_select(query: EventQuery, dialect: Dialect) -> str:
    lead = "e.lead_event_id" if query.fused else "e.event_id"
    extra = ", e.source_count, e.lead_event_id" if query.fused else ""
    return ("SELECT " + ", ".join(f"e.{c}" for c in (*EVENT_FIELDS, *REVIEW_COLUMNS)) + extra
            + ", a.doc_id, a.outlet AS source, a.url AS source_url, s.evidence, s.evidence_start, s.evidence_end,"
            f" s.reported_by{events_from(query, dialect)}"
            f" LEFT JOIN event_sources s ON s.event_id = {lead} AND s.article_id = e.article_id")


def review_filter(query: EventQuery, alias: str = "e") -> str:
    """Rejected events leave every output; `rejected=True` lists only them."""
    if query.rejected:
        return f"{alias}.review_status = 'rejected'"
    return f"({alias}.review_status IS NULL OR {alias}.review_status <> 'rejected')"


def _field_filters(q: EventQuery, dialect: Dialect, alias: str) -> tuple[list[str], list[Any]]:
    """The filters events and fused events share, on the rows `alias`."""
    where: list[str] = [review_filter(q, alias)]
    params: list[Any] = []
    for column, value in (("country", q.country), ("admin1", q.admin1), ("event_type", q.event_type),
                          ("sub_event_type", q.sub_event_type)):
        if value:
            where.append(f"lower({alias}.{column}) = lower(?)")
            params.append(value)
    if q.actor:
        where.append(f"({alias}.actor1 {dialect.like} ? ESCAPE '\\' OR {alias}.actor2 {dialect.like} ? ESCAPE '\\')")
        params += [f"%{like_escape(q.actor)}%"] * 2
    if q.since:
        where.append(f"{alias}.event_date >= ?")
        params.append(q.since)
    if q.until:
        where.append(f"{alias}.event_date <= ?")
        params.append(q.until)
    if q.min_confidence is not None:  # a fused event is as sure as its surest report; an analyst's verdict is sure
        where.append(f"({alias}.review_status IN ('confirmed', 'corrected') OR {alias}.confidence >= ?)")
        params.append(q.min_confidence)
    return where, params


def event_filters(q: EventQuery, dialect: Dialect) -> tuple[list[str], list[Any]]:
    """SQL conditions (on events `e`) and their bound values for an EventQuery."""
    where, params = _field_filters(q, dialect, "e")
    if q.bbox:
        where.append("e.longitude BETWEEN ? AND ? AND e.latitude BETWEEN ? AND ?")
        params += [q.bbox[0], q.bbox[2], q.bbox[1], q.bbox[3]]
    if q.q and not plain_text(q.q).strip():
        where.append("1 = 0")  # text of no words at all (control characters) matches nothing
    elif q.q:
        if q.fused:  # any of its reports' articles
            where.append("e.event_id IN (SELECT m.fused_id FROM fused_members m JOIN events ev ON ev.event_id = m.event_id"
                         f" WHERE ev.article_id IN ({dialect.fts_ids}))")
        else:
            where.append(f"e.article_id IN ({dialect.fts_ids})")
        params.append(dialect.fts_value(q.q))
    return where, params


def fused_filters(q: EventQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """WHERE clause on fused events `f` (fused_source) for an EventQuery."""
    where, params = _field_filters(q, dialect, "f")
    return " WHERE " + " AND ".join(where), params


# ---------------------------------------------------------------- GET /events: indexed arms
# The overlay above (a CASE of reviewed over machine values) hides every filtered column from the indexes.
# The listings GET /events makes (a page, its total, how many reviewed) therefore read two arms instead:
# the machine's rows that no review touches, filtered on their own (indexed) columns, and the reviewed rows
# (few), filtered on the analysts' values; together exactly the overlay's rows, the reviewed values winning.
_TABLE = {False: "events", True: "fused_events"}
_KEY = {False: "event_id", True: "fused_id"}
_KIND = {False: "report", True: "fused"}
# A fused event's lead report's row id, stored with it (GET /events' tie-break among one day's fused events).
_LEAD_ID = "x.lead_id"
# A page of events whose filters match fewer rows than this is read through the filters' indexes and sorted;
# one of more (the rows it wants are then frequent) is read in date order, stopping once the page is full.
SPARSE = 5000


@dataclass(frozen=True)
class Arm:
    """One part of an event listing: `FROM ... WHERE ...` over the machine's rows `x` (and the reviewed `r`)."""

    sql: str
    params: list[Any]
    date: str  # the event date
    tiebreak: str  # the row id GET /events orders the events of one day by


def _machine_filters(q: EventQuery, dialect: Dialect, *, reviewed: bool = False, by_date: bool = False,
                     joined: bool = False) -> tuple[list[str], list[Any]]:
    """The query's filters on the machine's row `x` or (`reviewed`) on the analysts' values in `r`. With
    `by_date`, only the event date is left to an index; `joined` (x joined to the few reviewed rows), none
    (SQLite: `+column` is no index's column)."""
    def value(column: str) -> str:
        if reviewed and column in REVIEW_FIELDS:
            return f"r.{column}"
        unindexed = reviewed or joined or (by_date and column != "event_date")
        return f"{dialect.no_index if unindexed else ''}x.{column}"

    where: list[str] = []
    params: list[Any] = []
    for column, wanted in (("country", q.country), ("admin1", q.admin1), ("event_type", q.event_type),
                           ("sub_event_type", q.sub_event_type)):
        if wanted:
            where.append(f"lower({value(column)}) = lower(?)")
            params.append(wanted)
    if q.actor:
        pattern = f"%{like_escape(q.actor)}%"
        if reviewed:
            where.append(f"(r.actor1 {dialect.like} ? ESCAPE '\\' OR r.actor2 {dialect.like} ? ESCAPE '\\')")
        else:  # every stored actor's name is in `actors` (both stores' writers add it), so match the few names
            names = f"SELECT a.name FROM actors a WHERE a.name {dialect.like} ? ESCAPE '\\'"
            where.append(f"({value('actor1')} IN ({names}) OR {value('actor2')} IN ({names}))")
        params += [pattern, pattern]
    if q.since:
        where.append(f"{value('event_date')} >= ?")
        params.append(q.since)
    if q.until:
        where.append(f"{value('event_date')} <= ?")
        params.append(q.until)
    if q.min_confidence is not None:  # a fused event is as sure as its surest report; an analyst's verdict is sure
        sure = f"{value('confidence')} >= ?"  # a fused event's is stored with it
        where.append(f"(r.status IN ('confirmed', 'corrected') OR {sure})" if reviewed else sure)
        params.append(q.min_confidence)
    if q.bbox:
        where.append(f"{value('longitude')} BETWEEN ? AND ? AND {value('latitude')} BETWEEN ? AND ?")
        params += [q.bbox[0], q.bbox[2], q.bbox[1], q.bbox[3]]
    if q.q and not plain_text(q.q).strip():
        where.append("1 = 0")  # text of no words at all (control characters) matches nothing
    elif q.q and dialect.row_match:  # a very common word: no hit list (store/common_words.py)
        if reviewed or joined:
            where.append(f"{value('article_id')} IN ({dialect.row_match.reviewed_articles})")
        else:
            where.append(dialect.row_match.row_test.format(article=value("article_id")))
        params.append(dialect.fts_value(q.q))
    elif q.q and dialect.hits:  # the hits the request built once (StoreReads.searching), read by their keys
        articles, fused = dialect.hits
        if q.fused:  # one of its reports' articles matches (the fused events' own index: its key is a hit)
            where.append(f"{value('lead_id')} IN ({fused})")
        else:
            where.append(f"{value('article_id')} IN ({articles})")
    elif q.q:
        if q.fused:  # any of its reports' articles, by the fused events' own index
            where.append(f"{value('lead_id')} IN ({dialect.fused_fts_ids})")
        else:
            where.append(f"{value('article_id')} IN ({dialect.fts_ids})")
        params.append(dialect.fts_value(q.q))
    return where, params


def _where(conditions: Sequence[str], keyword: str = " WHERE ") -> str:
    return keyword + " AND ".join(conditions) if conditions else ""


def _reviewed_join(q: EventQuery, dialect: Dialect) -> str:
    """The reviewed rows `r` joined to the machine's `x`; a search of reports by its words alone (which reads only a
    report's keys: its row id and article) joins their own small table of keys instead (`Dialect.reviewed_keys`)."""
    keys_only = dialect.reviewed_keys and not q.fused and _search_only(q, dialect)
    table = dialect.reviewed_keys if keys_only else _TABLE[q.fused]
    # CROSS JOIN: SQLite reads the (few) reviewed rows first, never the machine's rows by a filter's index
    return (f" FROM reviewed_events r CROSS JOIN {table} x WHERE x.{_KEY[q.fused]} = r.event_id"
            f" AND r.kind = '{_KIND[q.fused]}'")


def _unreviewed(q: EventQuery, dialect: Dialect, *, by_date: bool = False) -> Arm:
    """The machine's rows no review touches, filtered on their own columns."""
    key = dialect.fused_key if q.fused else "id"  # a key every index of the table holds
    where, params = _machine_filters(q, dialect, by_date=by_date)
    touched = f"x.{key} NOT IN (SELECT x.{key}{_reviewed_join(q, dialect)})"
    return Arm(f" FROM {_TABLE[q.fused]} x{_where([touched, *where])}", params, "x.event_date",
               _LEAD_ID if q.fused else "x.id")


def _reviewed(q: EventQuery, dialect: Dialect) -> Arm:
    """The reviewed rows (rejected ones only when the query asks for them), filtered on the analysts' values."""
    where, params = _machine_filters(q, dialect, reviewed=True)
    status = "r.status = 'rejected'" if q.rejected else "r.status <> 'rejected'"
    return Arm(_reviewed_join(q, dialect) + _where([status, *where], " AND "), params, "r.event_date",
               _LEAD_ID if q.fused else "x.id")


def arms(q: EventQuery, dialect: Dialect, *, by_date: bool = False) -> list[Arm]:
    """The parts an event listing reads: the unreviewed rows (unless it lists the rejected), the reviewed."""
    return ([] if q.rejected else [_unreviewed(q, dialect, by_date=by_date)]) + [_reviewed(q, dialect)]


def count_sql(q: EventQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """How many events the query selects: the machine's rows matching it (an index's count), less those of
    them that are reviewed, plus the reviewed rows whose corrected values match it."""
    reviewed = _reviewed(q, dialect)
    corrected = f"(SELECT COUNT(*){reviewed.sql})"
    if q.rejected:
        return f"SELECT {corrected} AS n", reviewed.params
    if _search_only(q, dialect) and (dialect.hits or dialect.row_match):
        return _search_count_sql(q, dialect)
    where, params = _machine_filters(q, dialect)
    machine = f"(SELECT COUNT(*) FROM {_TABLE[q.fused]} x{_where(where)})"
    joined = _machine_filters(q, dialect, joined=True)[0]
    machine_reviewed = f"(SELECT COUNT(*){_reviewed_join(q, dialect)}{_where(joined, ' AND ')})"
    return f"SELECT {machine} - {machine_reviewed} + {corrected} AS n", [*params, *params, *reviewed.params]


def _search_count_sql(q: EventQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """A search's count (no other filter of the machine's rows), from its hits: a sum of the matching articles'
    events (`article_event_counts`), or the fused hits themselves (one key per matching fused event); less the
    rejected among them. A search reads only the machine's keys of a row (its article, its lead report), which no
    review changes, so a reviewed row matches as it did before its review: only the rejected leave the count.
    A very common word (`dialect.row_match`) sums over FTS5's postings instead of a hit list."""
    machine_params: list[Any] = []
    if dialect.row_match:
        machine = f"({dialect.row_match.events})"
        machine_params.append(dialect.fts_value(q.q or ""))
    elif dialect.hits and q.fused:
        machine = f"(SELECT COUNT(*) FROM ({dialect.hits[1]}) o)"
    elif dialect.hits:
        machine = ("(SELECT COALESCE(SUM(c.events), 0) FROM article_event_counts c"
                   f" WHERE c.article_id IN ({dialect.hits[0]}))")
    else:
        raise ValueError("a search's count from its hits needs a dialect with hits or a row match")
    where, params = _machine_filters(q, dialect, joined=True)
    rejected = f"(SELECT COUNT(*){_reviewed_join(q, dialect)} AND r.status = 'rejected'{_where(where, ' AND ')})"
    return f"SELECT {machine} - {rejected} AS n", [*machine_params, *params]


def _search_only(q: EventQuery, dialect: Dialect) -> bool:
    """The query filters the machine's rows by its words only (with hits to read: then its count is a sum)."""
    return bool(q.q and plain_text(q.q).strip()) and not _machine_filters(replace(q, q=None), dialect)[0]


def probe_sql(q: EventQuery, dialect: Dialect) -> tuple[str, list[Any]] | None:
    """SQL that counts the machine's rows matching the query's filters, up to SPARSE (None: no filters but
    the date range, which the date index serves in order anyway)."""
    where, params = _machine_filters(q, dialect)
    if not where or not (q.actor or q.q or q.bbox or q.min_confidence is not None):
        return None  # none, or equality filters: their (value, date) indexes serve filter and order at once
    return (f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {_TABLE[q.fused]} x{_where(where)} LIMIT {SPARSE}) hits",
            params)


def page_keys(q: EventQuery, dialect: Dialect, *, by_date: bool = False) -> tuple[str, list[Any]]:
    """The ids of one page of events, newest first (undated last), each day's in row id order."""
    parts = arms(q, dialect, by_date=by_date)
    key = f"x.{_KEY[q.fused]}"
    sql = " UNION ALL ".join(f"SELECT {key} AS key, {a.date} AS day, {a.tiebreak} AS tiebreak{a.sql}" for a in parts)
    return (sql + " ORDER BY day DESC NULLS LAST, tiebreak LIMIT ? OFFSET ?",
            [*(v for a in parts for v in a.params), q.limit, q.offset])


_REPORT_OF_FUSED = (
    "SELECT e.event_id, a.doc_id, a.duplicate_of, a.outlet, a.url, a.published, s.evidence FROM events e"
    " JOIN articles a ON a.id = e.article_id"
    " LEFT JOIN event_sources s ON s.event_id = e.event_id AND s.article_id = e.article_id"
    " JOIN fused_members m ON m.event_id = e.event_id WHERE m.fused_id = ? ORDER BY a.doc_id"
)


class StoreReads:
    """The read methods both stores share (see the module's docstring)."""

    dialect: Dialect

    def _read(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _where(self, query: EventQuery) -> tuple[str, list[Any]]:
        where, params = event_filters(query, self.dialect)
        return " WHERE " + " AND ".join(where), params

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        rows = self._read(sql, params)
        return next(iter(rows[0].values())) if rows else None

    # ------------------------------------------------------------ events
    _searched: tuple[str, bool] | None = None  # the search whose hits are built (StoreReads.searching)

    def _build_hits(self, text: str, *, fused: bool) -> None:
        """Put the articles (and, `fused`, the fused events) matching `text` where `dialect.hits` reads them."""
        raise NotImplementedError

    def _clear_hits(self) -> None:
        raise NotImplementedError

    @contextmanager
    def searching(self, query: EventQuery) -> Iterator[None]:
        """Within it, the query's full-text hits are built once, for every statement that reads them (a
        listing's count, reviewed count, probe and page); without `dialect.hits` each statement matches."""
        wanted = (self.dialect.fts_value(query.q), query.fused) if query.q and plain_text(query.q).strip() else None
        if wanted is None or self.dialect.hits is None or wanted == self._searched:
            yield
            return
        before = self._searched
        self._build_hits(wanted[0], fused=wanted[1])
        self._searched = wanted
        try:
            yield
        finally:
            self._searched = before
            if before is None:
                self._clear_hits()
            else:
                self._build_hits(before[0], fused=before[1])

    def listing(self, query: EventQuery) -> tuple[int, int, list[dict[str, Any]]]:
        """GET /events' reads: how many events the query selects, how many of them are reviewed, and its page."""
        common = self._common_word(query)
        if common is not None:  # no hit list: the total over FTS5's postings, the page tested row by row
            return (int(self._one(*count_sql(query, common)) or 0), self._count_reviewed(query, common),
                    self._events(query, common, by_date=True))
        with self.searching(query):
            return self.count_events(query), self.count_reviewed(query), self.events(query)

    def _common_word(self, query: EventQuery) -> Dialect | None:
        """The dialect a listing of a very common word reads with (store/common_words.py), or None: a search of
        reports by its words alone, on a store whose reviewed reports have their own full-text index (SQLite)."""
        if (self.dialect.hits is None or query.fused or query.rejected or not query.q
                or not _search_only(query, self.dialect)):
            return None
        text = self.dialect.fts_value(query.q)
        if not is_common(self._read, text, rows=query.offset + query.limit):
            return None
        return replace(self.dialect, hits=None, row_match=SQLITE_ROW_MATCH)

    def events(self, query: EventQuery = ALL_EVENTS) -> list[dict[str, Any]]:
        """A page of events (with their first source's evidence), newest first (undated last)."""
        with self.searching(query):
            return self._events(query, self.dialect)

    def _events(self, query: EventQuery, dialect: Dialect, *, by_date: bool | None = None) -> list[dict[str, Any]]:
        if by_date is None:
            probe = probe_sql(query, dialect)
            by_date = probe is not None and int(self._one(*probe) or 0) >= SPARSE
        keys, params = page_keys(query, dialect, by_date=by_date)
        sql = (f"{_event_select(query, dialect)} WHERE e.event_id IN (SELECT key FROM ({keys}) page)"
               " ORDER BY e.event_date IS NULL, e.event_date DESC, e.id")
        return self._read(sql, params)

    def count_events(self, query: EventQuery) -> int:
        with self.searching(query):
            return int(self._one(*count_sql(query, self.dialect)) or 0)

    def count_reviewed(self, query: EventQuery) -> int:
        """How many of the events the query selects an analyst has confirmed or corrected."""
        with self.searching(query):
            return self._count_reviewed(query, self.dialect)

    def _count_reviewed(self, query: EventQuery, dialect: Dialect) -> int:
        reviewed = arms(query, dialect)[-1]
        sql = f"SELECT COUNT(*) AS n{reviewed.sql} AND r.status IN ('confirmed', 'corrected')"
        return int(self._one(sql, reviewed.params) or 0)

    def event(self, event_id: str, *, fused: bool = False) -> dict[str, Any] | None:
        """One event by id (rejected ones too): a report's event, or (with `fused`) a fused event."""
        rows = self._read(f"{_event_select(EventQuery(fused=fused), self.dialect)} WHERE e.event_id = ?", [event_id])
        return rows[0] if rows else None

    def event_sources(self, event_id: str, *, fused: bool = False) -> list[dict[str, Any]]:
        """Every article that reports the event (with `fused`, each report of the fused event), with the
        sentence that says so."""
        which = "IN (SELECT event_id FROM fused_members WHERE fused_id = ?)" if fused else "= ?"
        sql = (
            "SELECT s.event_id, s.doc_id, s.outlet, s.url, s.reported_by, s.evidence, s.evidence_start,"
            " s.evidence_end, a.title, a.published FROM event_sources s JOIN articles a ON a.id = s.article_id"
            f" WHERE s.event_id {which} ORDER BY a.published IS NULL, a.published, a.id"
        )
        return self._read(sql, [event_id])

    def fused_events(self, query: EventQuery = ALL_EVENTS) -> list[dict[str, Any]]:
        """Fused events, one per real-world event, each with its sources, newest first."""
        where, params = fused_filters(query, self.dialect)
        rows = self._read(f"SELECT f.* FROM {fused_source()} f {where} ORDER BY f.event_date IS NULL,"
                          " f.event_date DESC, f.fused_id LIMIT ? OFFSET ?", [*params, query.limit, query.offset])
        for row in rows:
            row.pop("reviewed_geonameid", None)
            row.pop("lead_id", None)
            sources = self._read(_REPORT_OF_FUSED, [row["fused_id"]])
            row["sources"] = [{"doc_id": s["doc_id"], "outlet": s["outlet"], "url": s["url"], "evidence": s["evidence"],
                               "event_id": s["event_id"], "copy_of": s["duplicate_of"]} for s in sources]
        return rows

    def review_queue(self, status: str = "unreviewed", *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Fused events to review, least confident first (or those reviewed, or rejected, latest first)."""
        where, order = QUEUE[status]
        sql = f"{_event_select(EventQuery(fused=True), self.dialect)} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return self._read(sql, [limit, offset])

    def count_queue(self, status: str = "unreviewed") -> int:
        where, _ = QUEUE[status]
        return int(self._one(f"SELECT COUNT(*) AS n{events_from(EventQuery(fused=True), self.dialect)}"
                             f" WHERE {where}", []) or 0)

    # ------------------------------------------------------------ articles
    def article(self, doc_id: str) -> dict[str, Any] | None:
        rows = self._read(
            "SELECT id, doc_id, title, url, outlet, published, byline, dateline_place, text, duplicate_of"
            " FROM articles WHERE doc_id = ?", [doc_id])
        return rows[0] if rows else None

    def explanation(self, event_id: str) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """The event (a report, or a fused event by its lead report) and its article's record of why it was
        coded (None when the rules coded it); None when there is no such event."""
        fused = event_id.startswith("f")
        event = self.event(event_id, fused=fused)
        if event is None:
            return None
        report_id = event.get("lead_event_id") or event["event_id"]
        rows = self._read("SELECT x.body FROM explanations x JOIN events e ON e.article_id = x.article_id"
                          " WHERE e.event_id = ?", [report_id])
        return {**event, "report_id": report_id}, (json.loads(rows[0]["body"]) if rows else None)

    def article_pieces(self, article_id: int) -> list[dict[str, Any]]:
        return self._read('SELECT kind, start, "end" FROM pieces WHERE article_id = ? ORDER BY seq', [article_id])

    def place_spans(self, article_id: int) -> list[dict[str, Any]]:
        sql = (
            'SELECT m.start, m."end", m.text, m.role, m.geo_precision, p.name, p.country, p.admin1,'
            " p.latitude, p.longitude, p.geonameid FROM place_mentions m LEFT JOIN places p ON p.id = m.place_id"
            " WHERE m.article_id = ? ORDER BY m.start, m.id"
        )
        return [{"kind": "place", "start": r["start"], "end": r["end"], "text": r["text"],
                 "label": r["name"] or r["text"], "ref": str(r["geonameid"]) if r["geonameid"] else None,
                 "detail": {"country": r["country"], "admin1": r["admin1"], "role": r["role"],
                            "latitude": r["latitude"], "longitude": r["longitude"],
                            "geo_precision": r["geo_precision"]}}
                for r in self._read(sql, [article_id])]

    def evidence_spans(self, article_id: int) -> list[dict[str, Any]]:
        sql = (
            "SELECT s.event_id, s.evidence, s.evidence_start, s.evidence_end, e.event_type, e.sub_event_type"
            " FROM event_sources s JOIN events e ON e.event_id = s.event_id WHERE s.article_id = ?"
            " ORDER BY s.evidence_start, s.event_id"
        )
        return [{"kind": "evidence", "start": r["evidence_start"], "end": r["evidence_end"], "text": r["evidence"],
                 "label": f"{r['event_type']}: {r['sub_event_type']}", "ref": r["event_id"], "detail": None}
                for r in self._read(sql, [article_id])]

    def actor_spans(self, article_id: int, text: str) -> list[dict[str, Any]]:
        """Where the article names the actors of its events.

        The store keeps actors by canonical name only, so this finds the name (less any
        parenthesised qualifier such as a year range) in the text, case-insensitively.
        """
        sql = ("SELECT DISTINCT name FROM (SELECT actor1 AS name FROM events WHERE article_id = ?"
               " UNION SELECT actor2 FROM events WHERE article_id = ?) names WHERE name IS NOT NULL ORDER BY name")
        spans = []
        for row in self._read(sql, [article_id, article_id]):
            name = row["name"]
            needle = re.sub(r"\s*\([^)]*\)", "", name).strip()
            if len(needle) < 3:
                continue
            for match in re.finditer(r"\b" + re.escape(needle) + r"\b", text, flags=re.IGNORECASE):
                spans.append({"kind": "actor", "start": match.start(), "end": match.end(), "text": match.group(0),
                              "label": name, "ref": None, "detail": None})
        return spans

    def article_event_ids(self, article_id: int) -> list[str]:
        sql = "SELECT event_id FROM event_sources WHERE article_id = ? ORDER BY evidence_start, event_id"
        return [r["event_id"] for r in self._read(sql, [article_id])]

    def article_event_count(self, doc_id: str) -> int | None:
        """How many events the stored article has; None when it is not stored."""
        rows = self._read("SELECT a.id, (SELECT COUNT(*) FROM event_sources s WHERE s.article_id = a.id) AS n"
                          " FROM articles a WHERE a.doc_id = ?", [doc_id])
        return int(rows[0]["n"]) if rows else None

    # ------------------------------------------------------------ places
    def _place_filters(self, country: str | None, q: str | None) -> tuple[str, list[Any]]:
        where, params = [], []
        if country:
            where.append("(lower(p.country) = lower(?) OR upper(p.country_code) = upper(?))")
            params += [country, country]
        if q:
            where.append(f"p.name {self.dialect.like} ? ESCAPE '\\'")
            params.append(like_escape(q) + "%")
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def count_places(self, *, country: str | None = None, q: str | None = None) -> int:
        where, params = self._place_filters(country, q)
        return int(self._one(f"SELECT COUNT(*) AS n FROM places p{where}", params) or 0)

    def list_places(self, *, country: str | None = None, q: str | None = None, limit: int = 100,
                    offset: int = 0) -> list[dict[str, Any]]:
        """Resolved places with how often articles name them, most named first."""
        where, params = self._place_filters(country, q)
        sql = (
            "SELECT p.name, p.geonameid, p.latitude, p.longitude, p.country, p.country_code, p.admin1, p.admin2,"
            " p.feature_class, p.feature_code, (SELECT COUNT(*) FROM place_mentions m WHERE m.place_id = p.id)"
            " AS mentions, (SELECT COUNT(DISTINCT m.article_id) FROM place_mentions m WHERE m.place_id = p.id)"
            f" AS articles FROM places p{where} ORDER BY mentions DESC, p.name, p.id LIMIT ? OFFSET ?"
        )
        return self._read(sql, [*params, limit, offset])

    # ------------------------------------------------------------ summaries
    def table_counts(self) -> dict[str, int]:
        tables = ("articles", "events", "places", "actors", "rejects", "reviews")
        return {t: int(self._one(f'SELECT COUNT(*) AS n FROM "{t}"', []) or 0) for t in tables}

    def totals_by(self, query: EventQuery, column: str) -> list[tuple[str, int, int]]:
        """(value, events, fatalities) grouped by one event column, largest first."""
        if column not in EVENT_FIELDS:
            raise ValueError(f"cannot group events by {column!r}; use one of {', '.join(EVENT_FIELDS)}")
        where, params = self._where(query)
        sql = (f'SELECT COALESCE(e."{column}", \'(unknown)\') AS value, COUNT(*) AS n, SUM(e.fatalities) AS f'
               f"{events_from(query, self.dialect)}{where} GROUP BY COALESCE(e.\"{column}\", '(unknown)')"
               " ORDER BY n DESC, value")
        return [(r["value"], int(r["n"]), int(r["f"] or 0)) for r in self._read(sql, params)]

    def events_per_day(self, query: EventQuery) -> list[tuple[str, int, int]]:
        """(date, events, fatalities) for each day that has events, in date order."""
        where, params = self._where(query)
        sql = (f"SELECT e.event_date AS day, COUNT(*) AS n, SUM(e.fatalities) AS f"
               f"{events_from(query, self.dialect)}{where} AND e.event_date IS NOT NULL"
               " GROUP BY e.event_date ORDER BY e.event_date")
        return [(r["day"], int(r["n"]), int(r["f"] or 0)) for r in self._read(sql, params)]

    def top_actors(self, query: EventQuery, limit: int = 10) -> list[tuple[str, int, int]]:
        """(actor, events, fatalities) for actors on either side of the events, most active first."""
        where, params = self._where(query)
        sql = (
            f"WITH picked AS (SELECT e.actor1, e.actor2, e.fatalities{events_from(query, self.dialect)}{where}),"
            " sides AS (SELECT actor1 AS actor, fatalities FROM picked WHERE actor1 IS NOT NULL"
            " UNION ALL SELECT actor2, fatalities FROM picked WHERE actor2 IS NOT NULL)"
            " SELECT actor, COUNT(*) AS n, SUM(fatalities) AS f FROM sides GROUP BY actor"
            " ORDER BY n DESC, f DESC, actor LIMIT ?"
        )
        return [(r["actor"], int(r["n"]), int(r["f"] or 0)) for r in self._read(sql, [*params, limit])]

    def key_events(self, query: EventQuery, limit: int = 10) -> list[dict[str, Any]]:
        """The deadliest, then most confident events, with their first source's evidence."""
        where, params = self._where(query)
        sql = (f"{_event_select(query, self.dialect)}{where}"
               " ORDER BY e.fatalities DESC, e.confidence DESC, e.event_date, e.id LIMIT ?")
        return self._read(sql, [*params, limit])

    def article_count(self, query: EventQuery) -> int:
        """Articles that report the events the query selects."""
        where, params = self._where(query)
        reports = ("JOIN fused_members m ON m.fused_id = e.event_id JOIN event_sources s ON s.event_id = m.event_id"
                   if query.fused else "JOIN event_sources s ON s.event_id = e.event_id")
        sql = f"SELECT COUNT(DISTINCT s.article_id) AS n{events_from(query, self.dialect)} {reports}{where}"
        return int(self._one(sql, params) or 0)

    def data_as_of(self) -> str | None:
        """When the newest article was stored."""
        value = self._one("SELECT MAX(ingested_at) AS t FROM articles", [])
        return str(value) if value else None
