"""GET /events' reads on a store with reviews: every filter reads `events` (or `fused_events`) by an index, never
by a full scan, and gives exactly what the overlay of reviewed over machine values gives (issue 16)."""
from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

import pytest

from sitrep.store import Store
from sitrep.store.reads import _event_select
from sitrep.store.schema import EventQuery

from .conftest import ROOT

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
]
QUERIES = [EventQuery(**f) for f in FILTERS] + [EventQuery(fused=True, **f) for f in FILTERS]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("plans") / "s.db"
    query_load.build(path, 4000, reviewed_one_in=8)
    return Store(path)


def overlay(store: Store, q: EventQuery) -> tuple[list[dict[str, Any]], int, int]:
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
    assert "SCAN x USING INDEX events_date" in plan
