"""GET /events' reads on a store with reviews: every filter reads `events` (or `fused_events`) by an index, never
by a full scan, and gives exactly what the overlay of reviewed over machine values gives (issue 16)."""
from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from sitrep.records import Extraction
from sitrep.store import AnyStore, Store, common_words, open_store
from sitrep.store.reads import _event_select
from sitrep.store.schema import TEXT_KEY_BITS, EventQuery

from .conftest import ROOT
from .storefixtures import synthetic_store
from .test_review import fused_at, fused_by_id, tyre_again

_SPEC = importlib.util.spec_from_file_location("query_load", ROOT / "bench" / "query_load.py")
assert _SPEC and _SPEC.loader
query_load = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(query_load)

FILTERS = [
    {}, {"country": "sudan"}, {"admin1": "Nigeria Region 1"}, {"event_type": "Battles"},
    {"sub_event_type": "Armed clash"}, {"actor": "military"}, {"actor": "Arakan"}, {"actor": "50%_"},
    {"since": "2023-01-01", "until": "2023-06-30"}, {"until": "2020-06-01"}, {"bbox": (30.0, 10.0, 60.0, 40.0)},
    {"q": "w20"}, {"q": "w5 w40"}, {"min_confidence": 0.8}, {"rejected": True}, {"offset": 150}, {"limit": 7},
    {"country": "Nigeria", "event_type": "Battles", "since": "2022-01-01"},
    {"country": "Somalia", "min_confidence": 0.6}, {"actor": "Police", "q": "w3"},
    # searches: a word in most articles, a rare one, and a search with each kind of other filter (a search alone
    # is counted as a sum over its hits; with others, through the filters' indexes)
    {"q": "w3"}, {"q": "w2500"}, {"q": "w20", "offset": 40, "limit": 30}, {"q": "w20", "country": "sudan"},
    {"q": "w20", "min_confidence": 0.8}, {"q": "w20", "rejected": True}, {"q": "w20", "since": "2023-01-01"},
    {"q": "w20", "bbox": (30.0, 10.0, 60.0, 40.0)}, {"q": "w20 w5"}, {"q": "\x01"},
]
QUERIES = [EventQuery(**f) for f in FILTERS] + [EventQuery(fused=True, **f) for f in FILTERS]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("plans") / "s.db"
    query_load.build(path, 4000, reviewed_one_in=8)
    return Store(path)


def overlay(store: AnyStore, q: EventQuery) -> tuple[list[dict[str, Any]], int, int]:
    """The reference: the page, total and reviewed count read through the overlay (reviewed values win)."""
    where, params = store._where(q)
    rows = store._read(f"{_event_select(q, store.dialect)}{where}"
                       " ORDER BY e.event_date IS NULL, e.event_date DESC, e.id LIMIT ? OFFSET ?",
                       [*params, q.limit, q.offset])
    frm = f"SELECT COUNT(*) AS n FROM ({_event_select(q, store.dialect)}{where}) t"
    total = store._one(frm, params)
    reviewed = store._one(f"{frm} WHERE t.review_status IN ('confirmed', 'corrected')", params)
    return rows, total, reviewed


def statements(store: Store, q: EventQuery) -> list[tuple[str, Sequence[Any]]]:
    seen: list[tuple[str, Sequence[Any]]] = []
    original = store._read

    def record(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        seen.append((sql, params))
        return original(sql, params)

    store._read = record  # type: ignore[method-assign]
    try:
        store.count_events(q), store.count_reviewed(q), store.events(q)
    finally:
        del store._read
    return seen


def test_the_store_has_corrections_that_move_events_between_filters(store: Store) -> None:
    moved = store._one("SELECT COUNT(*) FROM reviewed_events r JOIN events x ON x.event_id = r.event_id"
                       " WHERE r.kind = 'report' AND r.country IS NOT x.country", [])
    assert moved and store._one("SELECT COUNT(*) FROM reviewed_events WHERE status = 'rejected'", [])


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_each_filter_gives_what_the_overlay_gives(store: Store, q: EventQuery) -> None:
    rows, total, reviewed = overlay(store, q)
    assert store.count_events(q) == total
    assert store.count_reviewed(q) == reviewed
    assert store.events(q) == rows


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_each_filter_reads_events_by_an_index(store: Store, q: EventQuery) -> None:
    for sql, params in statements(store, q):
        plan = [r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(params))]
        scans = [step for step in plan if step in ("SCAN x", "SCAN e", "SCAN f", "SCAN c", "SCAN ev")]
        assert not scans, f"a full scan of events in {plan} for {sql}"


def test_the_page_is_read_in_date_order_when_the_filter_matches_many(store: Store) -> None:
    common = EventQuery(min_confidence=0.1)  # nearly every event
    sql, params = statements(store, common)[-1]
    plan = " ".join(r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(params)))
    assert "SCAN x USING INDEX events_day_desc" in plan  # in GET /events' order: no sort of each day's rows


@pytest.mark.parametrize("q", [EventQuery(min_confidence=0.1), EventQuery(q="w3"), EventQuery(fused=True),
                               EventQuery(fused=True, q="w3")],
                         ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_a_page_read_in_date_order_reads_the_reviewed_rows_in_date_order_too(store: Store, q: EventQuery) -> None:
    sql, params = statements(store, q)[-1]
    plan = [r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(params))]
    assert any("reviewed_events_day" in step for step in plan), plan  # not every reviewed row, then a sort


# ---------------------------------------------------------------- a fused event's stored confidence and lead report
def expected_summary(store: AnyStore) -> dict[str, tuple[float | None, int]]:
    """Each fused event's confidence (its surest report's) and lead report (the surest, then the first by id),
    worked out here from its reports."""
    members: dict[str, list[dict[str, Any]]] = {}
    for r in store._sql("SELECT m.fused_id, c.id, c.event_id, c.confidence FROM fused_members m"
                        " JOIN events c ON c.event_id = m.event_id", []):
        members.setdefault(r["fused_id"], []).append(r)
    out = {}
    for fused_id, reports in members.items():
        known = [r["confidence"] for r in reports if r["confidence"] is not None]
        lead = min(reports, key=lambda r: (r["confidence"] is None, -(r["confidence"] or 0), r["event_id"]))
        out[fused_id] = (max(known) if known else None, lead["id"])
    return out


def stored_summary(store: AnyStore) -> dict[str, tuple[float | None, int]]:
    """The stored confidence and lead report (and each member's article, which must be its report's; and the
    search keys: the lead report's article, on the fused event and each member, the lead report's row id on
    each member, and each article's count of events)."""
    assert not store._sql("SELECT m.event_id FROM fused_members m JOIN events c ON c.event_id = m.event_id"
                          " WHERE m.article_id IS NULL OR m.article_id <> c.article_id", [])
    assert not store._sql("SELECT f.fused_id FROM fused_events f LEFT JOIN events c ON c.id = f.lead_id"
                          " WHERE f.lead_article IS NULL OR f.lead_article <> c.article_id", [])
    assert not store._sql("SELECT m.event_id FROM fused_members m JOIN fused_events f ON f.fused_id = m.fused_id"
                          " WHERE m.lead_id IS NULL OR m.lead_id <> f.lead_id OR m.lead_article IS NULL"
                          " OR m.lead_article <> f.lead_article", [])
    assert {r["article_id"]: r["n"] for r in store._sql("SELECT article_id, events AS n FROM article_event_counts", [])} \
        == {r["article_id"]: r["n"] for r in store._sql("SELECT article_id, COUNT(*) AS n FROM events GROUP BY article_id", [])}
    assert stored_fused_counts(store) == expected_fused_counts(store)
    return {r["fused_id"]: (r["confidence"], r["lead_id"])
            for r in store._sql("SELECT fused_id, confidence, lead_id FROM fused_events", [])}


def expected_fused_counts(store: AnyStore) -> dict[int, int]:
    """Each article's fused events led (its report is their lead), worked out here from the reports (the surest
    of each fused event leads it)."""
    members: dict[str, list[dict[str, Any]]] = {}
    for r in store._sql("SELECT m.fused_id, c.article_id, c.event_id, c.confidence FROM fused_members m"
                        " JOIN events c ON c.event_id = m.event_id", []):
        members.setdefault(r["fused_id"], []).append(r)
    leads: dict[int, int] = {}
    for reports in members.values():
        lead = min(reports, key=lambda r: (r["confidence"] is None, -(r["confidence"] or 0), r["event_id"]))
        leads[lead["article_id"]] = leads.get(lead["article_id"], 0) + 1
    articles = {r["article_id"] for r in store._sql("SELECT DISTINCT article_id FROM events", [])}
    return {a: leads.get(a, 0) for a in articles}


def stored_fused_counts(store: AnyStore) -> dict[int, int]:
    return {r["article_id"]: r["leads"] for r in store._sql("SELECT article_id, leads FROM article_event_counts", [])}


def undo_0012(store: AnyStore) -> None:
    """Take migration 0012_article_fused_counts out of a store (inside a transaction), as a store made before it."""
    store._sql("ALTER TABLE article_event_counts DROP COLUMN leads", [])
    store._sql("DELETE FROM schema_migrations WHERE name = '0012_article_fused_counts'", [])


def undo_0011(store: AnyStore) -> None:
    """Take migrations 0012 and 0011_search_keys out of a store (inside a transaction), as a store made before them."""
    undo_0012(store)
    for index in ("fused_events_lead", "fused_events_lead_article", "fused_members_other_articles"):
        store._sql(f"DROP INDEX {index}", [])
    store._sql("DROP TABLE article_event_counts", [])
    store._sql("ALTER TABLE fused_members DROP COLUMN lead_article", [])
    store._sql("ALTER TABLE fused_members DROP COLUMN lead_id", [])
    store._sql("ALTER TABLE fused_events DROP COLUMN lead_article", [])
    store._sql("DELETE FROM schema_migrations WHERE name = '0011_search_keys'", [])


def surer_tyre_report() -> Extraction:
    """Another report of the Tyre strike, surer than the first (0.8): it becomes the fused event's lead."""
    ex = tyre_again("lb-tyre-sure")
    return replace(ex, events=[replace(ex.events[0], confidence=0.97)])


def test_a_fused_event_keeps_its_reports_confidence_through_ingest_fusion_and_review(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        assert stored_summary(store) == expected_summary(store)  # ingest
        tyre, nabatieh = fused_at(store, "Tyre")["fused_id"], fused_at(store, "Nabatieh")["fused_id"]
        store.review(tyre, reviewer="Ana", action="correct", changes={"fatalities": 4})  # pins its id
        assert stored_summary(store) == expected_summary(store)
        store.write_batch([tyre_again(), surer_tyre_report()])  # new reports join: one less sure, one surer
        assert fused_by_id(store, tyre)["confidence"] == 0.97
        steps = [lambda: store.merge_events([tyre, nabatieh], reviewer="Ana"),
                 store.refuse_all,
                 lambda: store.split_event(tyre, ["lb-tyre-sure"], reviewer="Ben")]
        for step in steps:
            assert stored_summary(store) == expected_summary(store)
            step()
        assert stored_summary(store) == expected_summary(store)
        store.review(tyre, reviewer="Ben", action="confirm")
        assert stored_summary(store) == expected_summary(store)
        assert fused_by_id(store, tyre)["confidence"] == 0.8  # the surer report was split off
        shown = store.event(tyre, fused=True)
        assert shown is not None and shown["doc_id"] == "lb-tyre-1" and shown["confidence"] == 0.8


def test_a_store_fused_before_0010_gets_its_confidence_backfilled(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again(), surer_tyre_report()])
        want = expected_summary(store)
        with store.transaction():  # undo 0011 and 0010, as a store made before them
            undo_0011(store)
            for index in ("fused_events_confidence", "fused_events_country_confidence", "events_country_type_day",
                          "events_country_confidence", "fused_members_article"):
                store._sql(f"DROP INDEX {index}", [])
            store._sql("ALTER TABLE fused_members DROP COLUMN article_id", [])
            store._sql("ALTER TABLE fused_events DROP COLUMN confidence", [])
            store._sql("ALTER TABLE fused_events DROP COLUMN lead_id", [])
            store._sql("DELETE FROM schema_migrations WHERE name = '0010_fused_confidence'", [])
    with open_store(store_target) as store:  # opening it applies 0010
        assert store.migrate() == []
        assert stored_summary(store) == want
        assert any(confidence == 0.97 for confidence, _ in want.values())


def test_a_store_made_before_0011_gets_its_search_keys_backfilled(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again(), surer_tyre_report()])
        tyre = fused_at(store, "Tyre")["fused_id"]
        store.split_event(tyre, ["lb-tyre-sure"], reviewer="Ben")
        want = stored_summary(store)
        with store.transaction():
            undo_0011(store)
    with open_store(store_target) as store:  # opening it applies 0011
        assert store.migrate() == []
        assert stored_summary(store) == want  # and the search keys agree with the reports (stored_summary's asserts)
        assert store._one("SELECT COUNT(*) AS n FROM fused_members WHERE article_id <> lead_article", [])


def test_a_store_made_before_0012_gets_its_articles_fused_counts_backfilled(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again(), surer_tyre_report()])
        tyre = fused_at(store, "Tyre")["fused_id"]
        store.merge_events([tyre, fused_at(store, "Nabatieh")["fused_id"]], reviewer="Ana")
        want = expected_fused_counts(store)
        with store.transaction():
            undo_0012(store)
    with open_store(store_target) as store:  # opening it applies 0012
        assert store.migrate() == []
        assert stored_fused_counts(store) == want
        assert any(leads == 0 for leads in want.values()) and any(leads for leads in want.values())


# ---------------------------------------------------------------- a search's hits, built once a request
SEARCHES = [q for q in QUERIES if q.q and q.q.isprintable()]  # (text of no words matches nothing, unmatched)


@pytest.mark.parametrize("q", SEARCHES, ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_a_listing_matches_the_text_once_and_gives_what_the_overlay_gives(store: Store, q: EventQuery) -> None:
    matched: list[str] = []
    store.conn.set_trace_callback(lambda sql: matched.append(sql) if "MATCH" in sql else None)
    try:
        total, reviewed, rows = store.listing(q)
    finally:
        store.conn.set_trace_callback(None)
    built = [sql for sql in matched if sql.startswith("INSERT") and " INTO temp." in sql]
    searches = [sql for sql in matched if "AS matched" not in sql]  # (not the measure of a word's share)
    if store._common_word(q) is None:
        assert len(searches) == len(built) == 1, matched  # the hit list, built once
    else:
        assert not built and len(searches) == 3, matched  # a very common word: none (store/common_words.py)
    assert (rows, total, reviewed) == overlay(store, q)
    assert store._one("SELECT COUNT(*) FROM temp.article_hits", []) == 0  # the hits go with the request


def test_a_read_only_store_builds_its_hits_too(store: Store) -> None:
    from sitrep.store.queries import ReadOnlyStore

    reader = ReadOnlyStore(store.path, timeout_ms=5000)
    try:
        for q in SEARCHES:
            total, reviewed, rows = reader.listing(q)
            assert (rows, total, reviewed) == overlay(store, q)
            assert not reader.conn.in_transaction
    finally:
        reader.close()


def test_a_search_inside_a_write_transaction_reads_its_hits(tmp_path: Any) -> None:
    synthetic_store(str(tmp_path / "w.db"))
    with Store(tmp_path / "w.db") as writer, writer.transaction():
        total, _, rows = writer.listing(EventQuery(q="Tyre", fused=True))
        assert total == len(rows) == 1 and rows[0]["location"] == "Tyre"


def test_a_fused_search_finds_the_events_whose_only_matching_report_is_not_their_lead(store: Store) -> None:
    """A fused event matches when any of its reports' articles does, its lead report's or another's: the fused
    events' own index (0014_fused_fts) gives every one of them, each once, with no members' pass."""
    q = EventQuery(q="w20", fused=True, limit=10_000)
    with store.searching(q):
        hits = store._one("SELECT COUNT(*) AS n FROM temp.fused_hits", [])
        rows, total, reviewed = overlay(store, q)
        assert (store.count_events(q), store.count_reviewed(q), store.events(q)) == (total, reviewed, rows)
        others = store._one("SELECT COUNT(*) AS n FROM fused_events f WHERE f.lead_id IN (SELECT id FROM temp.fused_hits)"
                            " AND f.lead_article NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'w20')",
                            [])
    rejected = store._one("SELECT COUNT(*) FROM reviewed_events WHERE kind = 'fused' AND status = 'rejected'", [])
    assert others and total == len(rows) and total <= hits <= total + rejected
    assert not store._one("SELECT COUNT(*) AS n FROM temp.fused_hits", [])  # the hits go with the request


# ---------------------------------------------------------------- the fused events' own full-text index (0014)
def expected_texts(store: AnyStore) -> set[tuple[int, str, int]]:
    """The full-text rows each fused event should have, worked out here from its members: one per article of its
    reports, keyed by its lead report's row id and the article's rank among them."""
    articles: dict[str, set[int]] = {}
    for r in store._sql("SELECT fused_id, article_id FROM fused_members", []):
        articles.setdefault(r["fused_id"], set()).add(r["article_id"])
    leads = {r["fused_id"]: r["lead_id"] for r in store._sql("SELECT fused_id, lead_id FROM fused_events", [])}
    return {((leads[f] << TEXT_KEY_BITS) + rank, f, a) for f, ids in articles.items() for rank, a in enumerate(sorted(ids))}


def fts_words(store: AnyStore, name: str) -> dict[int, set[tuple[str, str, int]]]:
    """Every word, column and position of each row of the SQLite full-text index `name`, by fts5vocab."""
    store._sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{name}_words USING fts5vocab(main, {name}, instance)", [])
    out: dict[int, set[tuple[str, str, int]]] = {}
    for r in store._sql(f'SELECT term, doc, col, "offset" FROM temp.{name}_words', []):
        out.setdefault(r["doc"], set()).add((r["term"], r["col"], r["offset"]))
    return out


def stored_texts(store: AnyStore) -> set[tuple[int, str, int]]:
    """The stored full-text rows, once the index is checked to hold exactly their articles' words: on SQLite every
    word, column and position of each `fused_fts` row is its article's in `articles_fts`, and it has no other row
    (a deleted row's words are gone); on PostgreSQL each row's tsvector is its article's."""
    rows = {(r["id"], r["fused_id"], r["article_id"]) for r in store._sql("SELECT id, fused_id, article_id FROM fused_texts", [])}
    if store.dialect.name == "sqlite":
        articles = fts_words(store, "articles_fts")
        assert fts_words(store, "fused_fts") == {key: articles[article] for key, _, article in rows if article in articles}
        store._sql("INSERT INTO fused_fts(fused_fts, rank) VALUES ('integrity-check', 0)", [])
    else:
        assert not store._sql("SELECT t.id FROM fused_texts t JOIN articles a ON a.id = t.article_id"
                              " WHERE t.fts IS DISTINCT FROM a.fts", [])
    return rows


def searched(store: AnyStore, text: str) -> tuple[int, list[str]]:
    """A fused search's total and its events' ids (GET /events' reads), checked against the overlay's."""
    q = EventQuery(q=text, fused=True)
    total, reviewed, rows = store.listing(q)
    assert (rows, total, reviewed) == overlay(store, q)
    return total, [r["event_id"] for r in rows]


def test_the_bench_store_has_its_fused_events_full_text_index(store: Store) -> None:
    assert stored_texts(store) == expected_texts(store)
    assert store._one("SELECT COUNT(*) FROM fused_texts", []) > store._one("SELECT COUNT(*) FROM fused_events", [])


def test_a_fused_search_finds_a_word_of_a_report_that_is_not_the_lead_through_every_rewrite(store_target: str) -> None:
    """'security' is only in the second Tyre report's article (lb-tyre-2, 0.6 sure, and later its copy), never its
    lead's (lb-tyre-1, 0.8): the fused event is found, counted once, and the index follows it through re-ingest, review, merge,
    refusion, a new lead, a split and a reject; a fused event rewritten under another id leaves it."""
    synthetic_store(store_target)
    with open_store(store_target) as store:
        first = fused_at(store, "Tyre")["fused_id"]
        assert searched(store, "security") == (0, [])
        store.write_batch([tyre_again()])  # joins the Tyre event: its id (a hash of its reports) changes
        tyre = fused_at(store, "Tyre")["fused_id"]
        assert tyre != first and first not in {f for _, f, _ in stored_texts(store)}
        assert stored_texts(store) == expected_texts(store)
        assert searched(store, "security") == (1, [tyre])
        shown = store.event(tyre, fused=True)
        assert shown is not None and shown["doc_id"] == "lb-tyre-1"  # its lead's article stands for it
        assert searched(store, "Tyre") == (1, [tyre])  # both its articles match: once
        assert searched(store, "security Hezbollah") == (0, [])  # each word in one of its articles, none has both
        steps = [lambda: store.write_batch([tyre_again()]),  # re-ingest: nothing new
                 lambda: store.review(tyre, reviewer="Ana", action="correct", changes={"fatalities": 4}),
                 lambda: store.merge_events([tyre, fused_at(store, "Nabatieh")["fused_id"]], reviewer="Ana"),
                 store.refuse_all,
                 lambda: store.write_batch([surer_tyre_report()])]  # a new lead report: new keys
        for step in steps:
            step()
            assert stored_texts(store) == expected_texts(store)
            assert searched(store, "security") == (1, [tyre])  # the id the review pinned
        assert searched(store, "Nabatieh") == (1, [tyre])  # merged
        assert searched(store, "Aleppo")[0] == 1
        _, moved = store.split_event(tyre, ["lb-tyre-2", "lb-tyre-sure"], reviewer="Ben")  # both say 'security'
        assert stored_texts(store) == expected_texts(store)
        assert searched(store, "security") == (1, [moved])
        assert searched(store, "Hezbollah") == (1, [tyre])
        store.review(moved, reviewer="Ben", action="reject")
        assert stored_texts(store) == expected_texts(store)
        assert searched(store, "security") == (0, [])
        assert store.listing(EventQuery(q="security", fused=True, rejected=True))[0] == 1


def test_a_deleted_fused_event_takes_its_full_text_rows_with_it(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        aleppo = fused_at(store, "Aleppo")["fused_id"]
        with store.transaction():
            store._sql("DELETE FROM fused_members WHERE fused_id = ?", [aleppo])
            store._sql("DELETE FROM fused_events WHERE fused_id = ?", [aleppo])  # (its rows: ON DELETE CASCADE)
        assert stored_texts(store) == expected_texts(store)
        assert aleppo not in {f for _, f, _ in stored_texts(store)}
        assert searched(store, "Aleppo") == (0, [])


def test_a_failed_refusion_leaves_the_index_as_it_was(store_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full-text rows are written in the transaction of the fused events they index: a write that fails after
    them (here: the reviewed rows' refresh) rolls both back."""
    import sitrep.store.fused as fused

    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.review(fused_at(store, "Tyre")["fused_id"], reviewer="Ana", action="confirm")  # so refusion refreshes
        before = stored_texts(store)

        def killed(_sql: Any) -> None:
            raise RuntimeError("killed mid-refresh")

        monkeypatch.setattr(fused, "refresh", killed)
        with pytest.raises(RuntimeError, match="killed"):
            store.write_batch([tyre_again()])
        assert stored_texts(store) == before == expected_texts(store)
        assert searched(store, "security") == (0, [])
        monkeypatch.undo()
        store.write_batch([tyre_again()])
        assert stored_texts(store) == expected_texts(store) != before
        assert searched(store, "security")[0] == 1


def undo_0014(store: AnyStore) -> None:
    """Take migration 0014_fused_fts out of a store (inside a transaction), as a store made before it."""
    if store.dialect.name == "sqlite":
        for trigger in ("fused_texts_insert", "fused_texts_delete"):
            store._sql(f"DROP TRIGGER {trigger}", [])
        store._sql("DROP TABLE fused_fts", [])
    store._sql("DROP TABLE fused_texts", [])
    if store.dialect.name != "sqlite":
        store._sql("DROP FUNCTION fused_texts_fts()", [])
    store._sql("DELETE FROM schema_migrations WHERE name = '0014_fused_fts'", [])


def test_a_store_made_before_0014_gets_its_fused_full_text_index_backfilled(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again(), surer_tyre_report()])
        store.merge_events([fused_at(store, "Tyre")["fused_id"], fused_at(store, "Nabatieh")["fused_id"]],
                           reviewer="Ana")
        want = stored_texts(store)
        with store.transaction():
            undo_0014(store)
    with open_store(store_target) as store:  # opening it applies 0014
        assert store.migrate() == []
        assert stored_texts(store) == want == expected_texts(store)
        assert len(want) == 5  # the merged event's four articles, Aleppo's one
        assert searched(store, "security")[0] == searched(store, "Nabatieh")[0] == 1
        store.write_batch([tyre_again("lb-tyre-3")])  # and its triggers keep it from then on
        assert stored_texts(store) == expected_texts(store)


# ---------------------------------------------------------------- a very common word, read without a hit list (0015)
# Words of most of the bench store's articles ('w3' 89%, 'w20' 35%), deep pages, one row, two words, any case.
COMMON = [EventQuery(q="w3"), EventQuery(q="w20"), EventQuery(q="w3", offset=150, limit=50), EventQuery(q="w20", limit=1),
          EventQuery(q="w3 w5"), EventQuery(q="W3", limit=300)]


def by_hit_list(store: AnyStore, q: EventQuery, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, list[dict[str, Any]]]:
    """The listing as the hit-list path reads it (no word counts as common)."""
    with monkeypatch.context() as patch:
        patch.setattr(common_words, "COMMON_SHARE", 2.0)
        assert store._common_word(q) is None
        return store.listing(q)


@pytest.mark.parametrize("q", COMMON, ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_a_very_common_word_gives_what_its_hit_list_gives(store: Store, q: EventQuery,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Totals, reviewed counts, pages and their order are those of the hit-list path and of the overlay, on a store
    whose searches match reviewed (confirmed, corrected) and rejected events."""
    assert store._common_word(q) is not None
    total, reviewed, rows = store.listing(q)
    assert (total, reviewed, rows) == by_hit_list(store, q, monkeypatch)
    assert (rows, total, reviewed) == overlay(store, q)
    assert reviewed and store.listing(replace(q, rejected=True))[0]  # reviews and rejects among its matches
    assert len(rows) == min(q.limit, total - q.offset)
    assert not store._one("SELECT COUNT(*) AS n FROM temp.article_hits", [])


def test_a_page_too_deep_or_a_word_too_rare_reads_the_hit_list(store: Store) -> None:
    assert store._common_word(EventQuery(q="w3", offset=common_words.MAX_TESTED_ROWS // 2)) is not None
    assert store._common_word(EventQuery(q="w3", offset=common_words.MAX_TESTED_ROWS)) is None
    assert store._common_word(EventQuery(q="w300")) is None  # 3% of the articles
    assert store._common_word(EventQuery(q="w3", country="sudan")) is None  # other filters: their indexes
    assert store._common_word(EventQuery(q="w3", fused=True)) is None


def test_a_very_common_words_page_is_read_in_date_order_with_a_test_per_row(store: Store) -> None:
    seen: list[str] = []
    original = store._read

    def record(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        seen.append(sql)
        return original(sql, params)

    store._read = record  # type: ignore[method-assign]
    try:
        store.listing(EventQuery(q="w3"))
    finally:
        del store._read
    page = " ".join(r["detail"] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {seen[-1]}",
                                                             ["w3"] * seen[-1].count("MATCH ?") + [100, 0]))
    assert "SCAN x USING INDEX events_day_desc" in page and "CORRELATED SCALAR SUBQUERY" in page
    assert "SCAN reviewed_fts" in page and "temp.article_hits" not in " ".join(seen)


def reviewed_index(store: AnyStore) -> set[tuple[str, int, int]]:
    """The reviewed reports' keys `reviewed_articles` holds, once checked to be the reports' own (event id, row id,
    article), to hold every reviewed report, and (SQLite) its articles' index `reviewed_fts` to hold exactly their
    words (every term, column and position of `articles_fts`'s), each article once."""
    held = {(r["event_id"], r["id"], r["article_id"]) for r in store._sql("SELECT * FROM reviewed_articles", [])}
    if store.dialect.name != "sqlite":
        assert not held  # PostgreSQL matches each statement's text: the table is there, empty
        return held
    reviewed = {(r["event_id"], r["id"], r["article_id"]) for r in store._sql(
        "SELECT x.event_id, x.id, x.article_id FROM reviewed_events r JOIN events x ON x.event_id = r.event_id"
        " WHERE r.kind = 'report'", [])}
    assert reviewed <= held
    assert not store._sql("SELECT t.event_id FROM reviewed_articles t LEFT JOIN events x ON x.event_id = t.event_id"
                          " WHERE x.id IS NOT t.id OR x.article_id IS NOT t.article_id", [])
    articles = fts_words(store, "articles_fts")
    assert fts_words(store, "reviewed_fts") == {a: articles[a] for _, _, a in held}
    store._sql("INSERT INTO reviewed_fts(reviewed_fts, rank) VALUES ('integrity-check', 0)", [])
    return held


def test_the_bench_store_has_its_reviewed_articles_index(store: Store) -> None:
    assert len(reviewed_index(store)) > 100


def common_listing(store: AnyStore, text: str, monkeypatch: pytest.MonkeyPatch, *,
                   common: bool = True) -> tuple[int, int, list[str]]:
    """A search (of a word of every article, `common`): its listing, checked against the overlay and (SQLite) the
    hit list."""
    q = EventQuery(q=text)
    total, reviewed, rows = store.listing(q)
    assert (rows, total, reviewed) == overlay(store, q)
    if store.dialect.name == "sqlite":
        assert (store._common_word(q) is not None) == common
        assert (total, reviewed, rows) == by_hit_list(store, q, monkeypatch)
    return total, reviewed, [r["event_id"] for r in rows]


def test_a_word_of_every_article_gives_what_its_hit_list_gives_through_reviews(store_target: str,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """'on' is in every synthetic article: its listing follows confirmations, corrections, rejections, a new report
    of a reviewed event (whose article joins the reviewed index) and refusion, on SQLite and PostgreSQL."""
    synthetic_store(store_target)
    with open_store(store_target) as store:
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 0)
        tyre = fused_at(store, "Tyre")["fused_id"]
        store.review(tyre, reviewer="Ana", action="confirm")
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 1)
        store.review(fused_at(store, "Aleppo")["fused_id"], reviewer="Ana", action="correct", changes={"fatalities": 9})
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 2)
        store.review(fused_at(store, "Nabatieh")["fused_id"], reviewer="Ben", action="reject")
        assert common_listing(store, "on", monkeypatch)[:2] == (2, 2)
        assert common_listing(store, "Nabatieh", monkeypatch)[:2] == (0, 0)  # a third: common
        assert len(reviewed_index(store)) == (3 if store.dialect.name == "sqlite" else 0)
        store.write_batch([tyre_again()])  # a second report of the confirmed Tyre event: reviewed too
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 3)
        assert common_listing(store, "security", monkeypatch, common=False)[:2] == (1, 1)  # only the new report's article
        assert len(reviewed_index(store)) == (4 if store.dialect.name == "sqlite" else 0)
        store.refuse_all()
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 3)
        assert len(reviewed_index(store)) == (4 if store.dialect.name == "sqlite" else 0)


def test_a_word_of_the_newest_articles_whose_events_are_not_the_newest_reads_the_hit_list(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """'security' is in two of the five articles (the two newest) but not in the article of the newest event by date
    (Nabatieh's): read in date order, its page would test rows it does not match first (all of the table, in a
    store of an old archive ingested last), so its density among the first events decides."""
    with Store(synthetic_store(str(tmp_path / "s.db"))) as store:
        store.write_batch([tyre_again(), tyre_again("lb-tyre-3")])
        q = EventQuery(q="security", limit=1)
        assert store._common_word(q) is not None  # 40% of the articles, 2 of the first 5 events
        monkeypatch.setattr(common_words, "HEAD", 1)
        assert store._common_word(q) is None  # the first event is Nabatieh's
        assert common_listing(store, "security", monkeypatch, common=False)[:2] == (2, 0)


def undo_0015(store: AnyStore) -> None:
    """Take migration 0015_reviewed_fts out of a store (inside a transaction), as a store made before it."""
    if store.dialect.name == "sqlite":
        for trigger in ("reviewed_articles_insert", "reviewed_articles_delete", "reviewed_events_article",
                        "events_reviewed_article"):
            store._sql(f"DROP TRIGGER {trigger}", [])
        store._sql("DROP TABLE reviewed_fts", [])
        store._sql("DROP INDEX events_day_desc", [])
    store._sql("DROP TABLE reviewed_articles", [])
    store._sql("DELETE FROM schema_migrations WHERE name = '0015_reviewed_fts'", [])


def test_a_store_made_before_0015_gets_its_reviewed_articles_index_backfilled(store_target: str,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again()])
        store.review(fused_at(store, "Tyre")["fused_id"], reviewer="Ana", action="confirm")
        store.review(fused_at(store, "Nabatieh")["fused_id"], reviewer="Ben", action="reject")
        want = common_listing(store, "on", monkeypatch)
        with store.transaction():
            undo_0015(store)
    with open_store(store_target) as store:  # opening it applies 0015
        assert store.migrate() == []
        assert len(reviewed_index(store)) == (3 if store.dialect.name == "sqlite" else 0)
        assert common_listing(store, "on", monkeypatch) == want
        store.review(fused_at(store, "Aleppo")["fused_id"], reviewer="Ana", action="confirm")  # and its triggers
        assert len(reviewed_index(store)) == (4 if store.dialect.name == "sqlite" else 0)  # keep it from then on
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 3)


def test_a_deleted_report_takes_its_reviewed_keys_with_it(store_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports are never deleted by sitrep; should one be (by hand), its reviewed keys go with it (the trigger on
    `events`) and a common word's listing leaves it out, as the hit list's join to `events` does."""
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.write_batch([tyre_again()])
        store.review(fused_at(store, "Tyre")["fused_id"], reviewer="Ana", action="confirm")
        assert common_listing(store, "on", monkeypatch)[:2] == (4, 2)
        article = "(SELECT id FROM articles WHERE doc_id = 'lb-tyre-2')"
        with store.transaction():
            store._sql(f"DELETE FROM events WHERE article_id = {article}", [])  # its sources and membership cascade
            store._sql(f"UPDATE article_event_counts SET events = 0 WHERE article_id = {article}", [])
        assert len(reviewed_index(store)) == (1 if store.dialect.name == "sqlite" else 0)
        assert common_listing(store, "on", monkeypatch)[:2] == (3, 1)
