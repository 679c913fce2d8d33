"""Cross-source fusion on real reports: one real-world event, many articles, one fused event.  The
reports come from the rules' reading (stable across retrained models): these tests pin fusion."""
from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from sitrep.fusion import Report, cluster, reconcile_fatalities
from sitrep.ingest import ingest_paths
from sitrep.store import Store

from .conftest import DEV_ARTICLES, SCORER, SHARED, needs_shared

pytestmark = needs_shared
GOLD = SHARED / "eval" / "dev" / "gold.jsonl"


def scorer():
    spec = importlib.util.spec_from_file_location("score", SCORER)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def gold_groups() -> dict[tuple, list[tuple[str, dict]]]:
    """The gold multi-report events: required events of one gold cluster with the same sub-event type
    and toll, reported by two or more articles."""
    groups: dict[tuple, list[tuple[str, dict]]] = defaultdict(list)
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        for event in article["events"]:
            if article.get("cluster") and not event.get("optional"):
                key = (article["cluster"], event["sub_event_type"], event["fatalities"])
                groups[key].append((article["id"], event))
    return {k: v for k, v in groups.items() if len({doc for doc, _ in v}) > 1}


def _ingest(db: Path, paths: list[str], rules_pipeline) -> Store:
    store = Store(db)
    ingest_paths(paths, store, rules_pipeline)
    return store


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory, rules_pipeline) -> Store:
    return _ingest(tmp_path_factory.mktemp("fusion") / "dev.db", [str(DEV_ARTICLES)], rules_pipeline)


def fused_snapshot(store: Store) -> list[tuple]:
    rows = store.fused_events(store_query())
    return sorted((r["fused_id"], r["event_type"], r["location"], r["fatalities"], r["source_count"],
                   tuple(sorted(s["doc_id"] for s in r["sources"]))) for r in rows)


def store_query():
    from sitrep.store.sqlite import EventQuery

    return EventQuery(limit=100_000)


def test_each_multi_report_event_is_one_fused_event_with_every_source(dev_store):
    score = scorer()
    fused = dev_store.fused_events(store_query())
    groups = gold_groups()
    assert len(groups) >= 4
    for key, reports in groups.items():
        docs = {doc for doc, _ in reports}
        holders = [f for f in fused if docs <= {s["doc_id"] for s in f["sources"]}
                   and any(score.location_ok(f, g) for _, g in reports)]
        assert len(holders) == 1, (key, docs, [(f["location"], [s["doc_id"] for s in f["sources"]]) for f in fused
                                             if docs & {s["doc_id"] for s in f["sources"]}])


def test_no_two_distinct_gold_events_are_fused(dev_store):
    score = scorer()
    gold = {json.loads(line)["id"]: json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()}
    unfused = {r["event_id"]: r for r in dev_store.events(store_query())}
    for f in dev_store.fused_events(store_query()):
        matched = set()
        for source in f["sources"]:
            reading = unfused[source["event_id"]]
            golds = gold[source["doc_id"]]["events"]
            best = max(((score.pair_quality(reading, g) or 0, i) for i, g in enumerate(golds)), default=(0, None))
            if best[0]:
                g = golds[best[1]]
                matched.add((gold[source["doc_id"]].get("cluster") or source["doc_id"], g["sub_event_type"],
                             g["fatalities"]))
        assert len(matched) <= 1, (f["location"], matched)


def test_the_most_specific_place_wins(dev_store):
    fused = dev_store.fused_events(store_query())
    wadi = [f for f in fused if {"lb-wadi-kfour-cnn", "lb-wadi-kfour-ap"} <= {s["doc_id"] for s in f["sources"]}
            and f["event_type"] == "Explosions/Remote violence" and f["fatalities"]]
    assert len(wadi) == 1
    assert wadi[0]["geo_precision"] <= 3 and "Kfour" in wadi[0]["location"]  # not the province the CNN copy names
    assert wadi[0]["source_count"] == 3


def test_reverse_order_gives_the_same_fused_events(tmp_path, dev_store, rules_pipeline):
    lines = DEV_ARTICLES.read_text(encoding="utf-8").splitlines()
    reversed_file = tmp_path / "reversed.jsonl"
    reversed_file.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    other = _ingest(tmp_path / "rev.db", [str(reversed_file)], rules_pipeline)
    assert fused_snapshot(other) == fused_snapshot(dev_store)


def test_incremental_fusion_equals_a_full_rebuild(tmp_path, dev_store, rules_pipeline):
    lines = DEV_ARTICLES.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[::2]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[1::2]) + "\n", encoding="utf-8")
    store = _ingest(tmp_path / "inc.db", [str(first)], rules_pipeline)
    ingest_paths([str(second)], store, rules_pipeline)
    incremental = fused_snapshot(store)
    store.refuse_all()
    assert fused_snapshot(store) == incremental == fused_snapshot(dev_store)


def test_wire_copies_count_as_one_source(tmp_path, rules_pipeline):
    record = next(json.loads(line) for line in DEV_ARTICLES.read_text(encoding="utf-8").splitlines()
                  if json.loads(line)["id"] == "lb-wadi-kfour-ap")
    copy = {**record, "id": "wire-copy", "outlet": "Another outlet", "text": record["text"] + "\n\nShare this story."}
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(copy) + "\n", encoding="utf-8")
    store = _ingest(tmp_path / "wire.db", [str(path)], rules_pipeline)
    strike = [f for f in store.fused_events(store_query()) if f["event_type"] == "Explosions/Remote violence"
              and f["fatalities"]]
    assert len(strike) == 1
    assert {s["doc_id"] for s in strike[0]["sources"]} == {"lb-wadi-kfour-ap", "wire-copy"}
    assert strike[0]["source_count"] == 1  # a copy is not corroboration
    assert any(s["copy_of"] == "lb-wadi-kfour-ap" for s in strike[0]["sources"])


def test_a_later_report_updates_the_toll_else_the_lowest_stands(dev_store):
    reports = [Report.from_row({**r, "duplicate_of": None}) for r in dev_store.events(store_query())
               if r["doc_id"] == "lb-beirut-shukr-aa" and r["fatalities"]]
    assert reports and any(r.toll_update for r in reports)  # "the death toll ... rose to four"
    first = replace(reports[0], event_id="earlier", doc_id="earlier-report", fatalities=3, toll_update=False,
                    published="2024-07-30")
    update = replace(reports[0], published="2024-07-31")
    assert reconcile_fatalities([first, update]) == update.fatalities
    conflicting = [replace(first, fatalities=40, doc_id="residents"), replace(first, fatalities=9, doc_id="police")]
    assert reconcile_fatalities(conflicting) == 9


def test_clusters_never_hold_two_events_of_one_article(dev_store):
    reports = [Report.from_row(r) for r in dev_store.events(store_query())]
    for group in cluster(reports):
        docs = [r.doc_id for r in group]
        assert len(docs) == len(set(docs)), docs


def test_a_report_counts_each_real_world_event_once(dev_store):
    """The situation report counts fused events: three articles on one strike are one event, one toll."""
    from sitrep.report import ReportOptions, build_report

    fused = build_report(dev_store, ReportOptions(country="Lebanon"))
    reports = build_report(dev_store, ReportOptions(country="Lebanon", fused=False))
    lebanon = [r for r in dev_store.fused_events(store_query()) if r["country"] == "Lebanon"]
    assert fused.events == len(lebanon) < reports.events
    assert fused.fatalities == sum(r["fatalities"] for r in lebanon) < reports.fatalities
    assert fused.articles == reports.articles  # the same articles report them
    multi = [k for k in fused.key_events if len({s["doc_id"] for s in k.sources}) > 1]
    assert multi and all(k.event["source_count"] == len({s["doc_id"] for s in k.sources}) for k in multi)
    from sitrep.report import render_markdown

    assert f"{multi[0].event['source_count']} independent sources" in render_markdown(fused, "map.png", "chart.png")


def test_the_api_serves_fused_events_with_every_source(dev_store):
    from fastapi.testclient import TestClient

    from sitrep.api import create_app

    client = TestClient(create_app(dev_store.path, read_token_from_env=False))
    fused = client.get("/events", params={"fused": "true", "limit": 1000}).json()
    reports = client.get("/events", params={"limit": 1000}).json()
    assert fused["total"] == len(dev_store.fused_events(store_query())) < reports["total"]
    multi = max(fused["events"], key=lambda e: e["source_count"])
    assert multi["source_count"] >= 3 and len(multi["event_id"]) == 17
    detail = client.get(f"/events/{multi['event_id']}").json()
    assert len({s["doc_id"] for s in detail["sources"]}) == multi["source_count"]
    lead = client.get(f"/events/{multi['lead_event_id']}").json()  # the report that stands for it
    assert lead["event_id"] == multi["lead_event_id"] and lead["evidence"] == multi["evidence"]
    geo = client.get("/events", params={"fused": "true", "format": "geojson", "limit": 1000}).json()
    assert len(geo["features"]) == fused["total"]
