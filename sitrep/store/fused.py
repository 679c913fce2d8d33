"""Fused events in the store: incremental refusion of the clusters new reports touch.

Written against a small `Sql` callable (SQL with '?' placeholders -> rows as dicts) so the
SQLite and PostgreSQL stores share it.  The analysts' merges and splits, and the ids their
reviews pin, are applied to fusion's clusters before they are written (store/decisions.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..fusion import FusedEvent, Report, affected, cluster, fuse
from .decisions import Sql, anchors_of, apply_decisions, load_reviews, pinned_ids, refresh
from .schema import TEXT_KEY_BITS

__all__ = ["Sql", "count_events", "index_texts", "rebuild", "refuse"]

REPORT_SELECT = (
    "SELECT e.event_id, a.doc_id, a.duplicate_of, a.outlet, a.url, a.published, s.evidence, e.event_type,"
    " e.sub_event_type, e.actor1, e.actor2, e.inter1, e.inter2, e.country, e.admin1, e.admin2, e.location,"
    " e.location_text, e.latitude, e.longitude, e.geo_precision, e.event_date, e.time_precision, e.fatalities,"
    " e.toll_update FROM events e JOIN articles a ON a.id = e.article_id"
    " LEFT JOIN event_sources s ON s.event_id = e.event_id AND s.article_id = e.article_id"
)
FUSED_COLUMNS = ("event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country", "admin1",
                 "admin2", "location", "location_text", "latitude", "longitude", "geo_precision", "event_date",
                 "time_precision", "fatalities")


def _in(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def reports_by_id(sql: Sql, event_ids: Sequence[str]) -> list[Report]:
    out: list[Report] = []
    ids = list(event_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out += [Report.from_row(r) for r in sql(f"{REPORT_SELECT} WHERE e.event_id IN ({_in(chunk)})", chunk)]
    return out


def candidates_for(sql: Sql, new: Sequence[Report]) -> list[Report]:
    """Stored reports of the same types in the same countries (the relation's necessary conditions)."""
    types = sorted({r.event_type for r in new})
    countries = sorted({r.country for r in new if r.country})
    if not types:
        return []
    where = f"e.event_type IN ({_in(types)})"
    params: list[Any] = list(types)
    if countries:
        where += f" AND (e.country IN ({_in(countries)}) OR e.country IS NULL)"
        params += countries
    return [Report.from_row(r) for r in sql(f"{REPORT_SELECT} WHERE {where}", params)]


def refuse(sql: Sql, event_ids: Sequence[str]) -> int:
    """Re-fuse the clusters the given reports are in or could join (new reports, or those a merge or
    split decided on); returns how many fused events were written."""
    if not event_ids:
        return 0
    new = reports_by_id(sql, event_ids)
    near = affected(new, candidates_for(sql, new))
    touched_ids = sorted({r.event_id for r in near} | {r.event_id for r in new})
    clusters: set[str] = set()
    for i in range(0, len(touched_ids), 500):
        chunk = touched_ids[i:i + 500]
        clusters |= {r["fused_id"] for r in sql(f"SELECT fused_id FROM fused_members WHERE event_id IN ({_in(chunk)})", chunk)}
    members = sorted(clusters)
    member_ids = [r["event_id"] for r in sql(f"SELECT event_id FROM fused_members WHERE fused_id IN ({_in(members)})",
                                             members)] if members else []
    everything = {r.event_id: r for r in [*reports_by_id(sql, member_ids), *near, *new]}
    if members:
        sql(f"DELETE FROM fused_texts WHERE fused_id IN ({_in(members)})", members)  # (its trigger: their words)
        sql(f"DELETE FROM fused_members WHERE fused_id IN ({_in(members)})", members)
        sql(f"DELETE FROM fused_events WHERE fused_id IN ({_in(members)})", members)
    return _write_clusters(sql, list(everything.values()), incremental=True)


def rebuild(sql: Sql) -> int:
    """Fuse the whole store again from its per-article events."""
    sql("DELETE FROM fused_texts", [])
    sql("DELETE FROM fused_members", [])
    sql("DELETE FROM fused_events", [])
    return _write_clusters(sql, [Report.from_row(r) for r in sql(REPORT_SELECT, [])], incremental=False)


def _write_clusters(sql: Sql, reports: Sequence[Report], *, incremental: bool) -> int:
    """Cluster the reports, apply the analysts' decisions, write the fused events, refresh the reviewed ones."""
    reviews = load_reviews(sql)
    anchors = anchors_of(reviews)
    groups = apply_decisions(cluster(reports), reviews, anchors)
    fused = [fuse(group) for group in groups]
    taken: set[str] = set()
    if reviews and incremental:  # ids of the fused events this refusion leaves alone
        wanted = sorted({r.event_id for r in reviews})
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            taken |= {r["fused_id"] for r in sql(f"SELECT fused_id FROM fused_events WHERE fused_id IN ({_in(chunk)})",
                                                  chunk)}
    written = [pinned or f.fused_id for f, pinned in zip(fused, pinned_ids(groups, reviews, anchors, taken))]
    for f, fused_id in zip(fused, written):
        write_fused(sql, f, fused_id)
    summarise(sql, written)
    if reviews:
        refresh(sql)
    return len(fused)


def write_fused(sql: Sql, f: FusedEvent, pinned_id: str | None = None) -> None:
    """Write one fused event under its own id, or under the id a review pinned it to."""
    fused_id = pinned_id or f.fused_id
    values = [f.fields[c] for c in FUSED_COLUMNS]
    sql(f"INSERT INTO fused_events(fused_id, {', '.join(FUSED_COLUMNS)}, source_count)"
        f" VALUES (?, {_in(FUSED_COLUMNS)}, ?)", [fused_id, *values, f.source_count])
    for m in f.members:
        sql("INSERT INTO fused_members(fused_id, event_id, article_id) SELECT ?, event_id, article_id FROM events"
            " WHERE event_id = ?", [fused_id, m.event_id])


# What a fused event's reports say of it, kept as its own columns (migration 0010_fused_confidence, which
# backfills them with this same SQL): its confidence, its surest report's, and its lead report (the surest,
# then the first by event id; unknown confidence last), whose article and evidence stand for it.
_MEMBERS = "FROM fused_members m JOIN events c ON c.event_id = m.event_id WHERE m.fused_id = fused_events.fused_id"
SUMMARY = (f"UPDATE fused_events SET confidence = (SELECT MAX(c.confidence) {_MEMBERS}),"
           f" lead_id = (SELECT c.id {_MEMBERS} ORDER BY c.confidence IS NULL, c.confidence DESC, c.event_id LIMIT 1)"
           " WHERE fused_id IN ({ids})")
# Then the keys a search reads (migration 0011_search_keys, the same SQL): the lead report's article, and on each
# member the fused event's integer key (its lead report's row id) and that article.
LEAD_ARTICLE = ("UPDATE fused_events SET lead_article = (SELECT c.article_id FROM events c WHERE c.id = fused_events.lead_id)"
                " WHERE fused_id IN ({ids})")
_FUSED = "FROM fused_events f WHERE f.fused_id = fused_members.fused_id"
MEMBER_KEYS = (f"UPDATE fused_members SET lead_id = (SELECT f.lead_id {_FUSED}), lead_article = (SELECT f.lead_article"
               f" {_FUSED}) WHERE fused_id IN ({{ids}})")


# And, for each article of their reports, what a fused search sums (migration 0012_article_fused_counts, the same
# SQL): the fused events it leads (its reports stand for them).
ARTICLE_FUSED = ("UPDATE article_event_counts SET"
                 " leads = (SELECT COUNT(*) FROM fused_events f WHERE f.lead_article = article_event_counts.article_id)"
                 " WHERE article_id IN (SELECT article_id FROM fused_members WHERE fused_id IN ({ids}))")

# And their full-text index (migration 0014_fused_fts, the same SQL): a row of `fused_texts` per article of their
# reports, keyed by the fused event's integer key (lead_id) times 2^20 plus the article's rank in it, whose words
# the store's triggers index (SQLite: `fused_fts`; PostgreSQL: the row's tsvector). A fused search reads it alone.
FUSED_TEXTS = (f"INSERT INTO fused_texts(id, fused_id, article_id) SELECT f.lead_id * {1 << TEXT_KEY_BITS}"
               " + ROW_NUMBER() OVER (PARTITION BY m.fused_id ORDER BY m.article_id) - 1, m.fused_id, m.article_id"
               " FROM (SELECT DISTINCT fused_id, article_id FROM fused_members WHERE fused_id IN ({ids})) m"
               " JOIN fused_events f ON f.fused_id = m.fused_id")
TEXTS = ("DELETE FROM fused_texts WHERE fused_id IN ({ids})", FUSED_TEXTS)  # (the delete trigger unindexes the words)


def summarise(sql: Sql, fused_ids: Sequence[str]) -> None:
    """Write the confidence, lead report, search keys and full-text rows of the fused events just written (after
    their members), then their articles' counts of fused events led (once every key is written: they may span
    chunks). Every article whose fused events were deleted has reports among those written (refusion rewrites whole
    clusters), so its counts are written again too. Run in the transaction that wrote the fused events, so the
    index never holds another state than theirs."""
    chunks = [list(fused_ids[i:i + 500]) for i in range(0, len(fused_ids), 500)]
    for chunk in chunks:
        for statement in (SUMMARY, LEAD_ARTICLE, MEMBER_KEYS, *TEXTS):
            sql(statement.format(ids=_in(chunk)), chunk)
    for chunk in chunks:
        sql(ARTICLE_FUSED.format(ids=_in(chunk)), chunk)


def count_events(sql: Sql, event_ids: Sequence[str]) -> None:
    """Keep `article_event_counts` (how many events each article has; a search's total sums them) for the
    articles of the events just written: counted again from `events`, so writing one twice changes nothing.
    Their counts of fused events led (`leads`) are written by `summarise` when the events are fused."""
    for i in range(0, len(event_ids), 500):
        chunk = list(event_ids[i:i + 500])
        sql("INSERT INTO article_event_counts(article_id, events) SELECT e.article_id, COUNT(*) FROM events e"
            f" WHERE e.article_id IN (SELECT article_id FROM events WHERE event_id IN ({_in(chunk)}))"
            " GROUP BY e.article_id ON CONFLICT (article_id) DO UPDATE SET events = excluded.events", chunk)


def index_texts(sql: Sql, fused_ids: Sequence[str]) -> None:
    """(Re)write the full-text rows of fused events whose members and lead report are already stored (a store
    written straight into its tables, as bench/query_load.py builds one)."""
    for i in range(0, len(fused_ids), 500):
        chunk = list(fused_ids[i:i + 500])
        for statement in TEXTS:
            sql(statement.format(ids=_in(chunk)), chunk)
