"""A search of a very common word (GET /events?q=, SQLite) read without a hit list (issue 16, sixth pass).

A search's hits are built once a request (store/reads.py `StoreReads.searching`): the ids of the matching articles in
a temporary table, one B-tree insert each. For a word of most articles that list is the request's largest cost (the
89% word of the 1-million-event bench store: 447,000 inserts, 90 ms). Such a word needs no list:

- its total is the sum, over FTS5's postings joined to `article_event_counts`, of each matching article's events,
  less the rejected events among them (a search reads only a row's article, which no review changes);
- its page is read in date order (`events_day_desc`) with a test per row (is its article one of FTS5's matches?),
  stopping once the page is full: a common word fills it in about (offset + limit) / its density rows;
- the reviewed rows are read with their machine keys from `reviewed_articles` (migration 0015_reviewed_fts: a
  reviewed report's event id, row id and article; a few thousand rows, not a seek each into the million of
  `events`) and matched through `reviewed_fts`, the full-text index of those articles, so neither the reviewed
  count, nor the rejected rows, nor the page's reviewed arm test each reviewed row against the whole index.

Which words are common is measured per search, on the FTS5 index: the share of the newest SAMPLE articles that match
(cheap: a range of FTS5's postings); then, for those, the share of the first HEAD events in GET /events' order whose
article matches (a test each), which says how many rows the page will test: a word of the newest articles whose
events are old (an archive ingested last) would test the whole table, and keeps the hit list. The results are those
of the hit-list path (tests/test_query_plans.py); only the plan differs.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

SAMPLE = 2000  # articles, the newest: the sample a word's share is measured on
COMMON_SHARE = 0.3  # a word of at least this share of the sample is read without a hit list
HEAD = 100  # events, the first in GET /events' order: how densely a common word's matches fill its page
# The page is read in date order, a test per row (about 20-45 µs each on the bench store: an FTS5 seek in each of
# its segments): a page this far into the listing would test about (offset + limit) / density rows; further pages
# use the hit list.
MAX_TESTED_ROWS = 2000

# How many of the newest SAMPLE articles there are, and how many of them match the bound text (FTS5 reads its
# postings from the sample's lowest article id on, not the whole list).
SAMPLE_SQL = (
    f"WITH low AS (SELECT COALESCE((SELECT id FROM articles ORDER BY id DESC LIMIT 1 OFFSET {SAMPLE - 1}), 0) AS id)"
    " SELECT (SELECT COUNT(*) FROM articles WHERE id >= (SELECT id FROM low)) AS sampled,"
    " (SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= (SELECT id FROM low)) AS matched"
)

# How many of the first HEAD (bound) events in GET /events' order there are, and how many of their articles match.
HEAD_SQL = (
    "SELECT COUNT(*) AS head, COALESCE(SUM(EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?"
    " AND articles_fts.rowid = h.article_id)), 0) AS matched"
    " FROM (SELECT x.article_id FROM events x ORDER BY x.event_date DESC, x.id LIMIT ?) h"
)


@dataclass(frozen=True)
class RowMatch:
    """How the statements of a common word's listing match its text (each binds the FTS5 text once)."""

    row_test: str  # true when the machine row's article (`{article}`) matches: one FTS5 seek
    reviewed_articles: str  # a subquery of the reviewed reports' articles that match (reviewed_fts)
    events: str  # the matching articles' events, a sum over FTS5's postings


SQLITE_ROW_MATCH = RowMatch(
    "EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND articles_fts.rowid = {article})",
    "SELECT rowid FROM reviewed_fts WHERE reviewed_fts MATCH ?",
    "SELECT COALESCE(SUM(c.events), 0) FROM articles_fts f CROSS JOIN article_event_counts c"
    " ON c.article_id = f.rowid WHERE articles_fts MATCH ?",
)


def is_common(read: Callable[[str, Sequence[Any]], list[dict[str, Any]]], text: str, *, rows: int) -> bool:
    """Whether FTS5 text `text` matches at least COMMON_SHARE of the newest SAMPLE articles, and a page reaching
    `rows` into the listing is cheap to read by testing rows in date order (by the matches among the first HEAD)."""
    sample = read(SAMPLE_SQL, [text])
    sampled, matched = (int(sample[0]["sampled"]), int(sample[0]["matched"])) if sample else (0, 0)
    if not sampled or matched < COMMON_SHARE * sampled:
        return False
    head = read(HEAD_SQL, [text, HEAD])
    first, dense = (int(head[0]["head"]), int(head[0]["matched"])) if head else (0, 0)
    return dense > 0 and rows * first <= MAX_TESTED_ROWS * dense
