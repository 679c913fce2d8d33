"""Every ACLED sub-event type, on short items written for the project (eval/sentences: wire copy, local
press, NGO updates, terse notes, headlines), and look-alike non-events that must give no event.

In sample: the decision model is trained on this table (its out-of-fold figure is `sitrep eval
crossval`, over the shared gold).  Scored with the official scorer's matching.

Issue 14 asks for recall 0.8 on every sub-type (`taxonomy.target` in quality_floors.json).  Not every
type is there yet: each type's recall is pinned at its floor (`taxonomy.floors`), raised as it improves,
so no type can silently lose ground while the rest of the way is open."""
from __future__ import annotations

import importlib.util
import json
from collections import Counter, defaultdict

import pytest

from sitrep.records import Extraction

from .conftest import ROOT, SCORER, needs_shared

TABLE = ROOT / "eval" / "sentences"
FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text(encoding="utf-8"))["taxonomy"]
LOOKALIKE_CLEAN = 0.9  # share of look-alikes that give no event


def _scorer():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("official_score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def coded(pipeline) -> dict[str, Extraction]:
    return {x.article.doc_id: x for x in pipeline.run([str(TABLE / "articles.jsonl")]) if isinstance(x, Extraction)}


def _gold() -> list[dict]:
    return [json.loads(line) for line in (TABLE / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _matched(score, gold: dict, events: list) -> set[int]:
    preds = [e.to_json() for e in events]
    pairs = sorted(((score.pair_quality(p, g), i, j) for i, p in enumerate(preds) for j, g in enumerate(gold["events"])
                    if score.pair_quality(p, g) is not None), key=lambda t: -t[0])
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    return used_g


def test_the_table_covers_every_sub_event_type_and_its_look_alikes():
    counts = Counter(e["sub_event_type"] for g in _gold() for e in g["events"])
    from sitrep.events.lexicon import event_types

    wanted = {sub for _, sub in event_types()} - {"Other"}
    assert wanted <= counts.keys() and min(counts[s] for s in wanted) >= 10
    assert sum(1 for g in _gold() if not g["events"]) >= 60


@needs_shared
def test_every_sub_event_type_is_found(coded):
    score = _scorer()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = defaultdict(list)
    for gold in _gold():
        ex = coded.get(gold["id"])
        matched = _matched(score, gold, ex.events if ex else [])
        for j, event in enumerate(gold["events"]):
            total[event["sub_event_type"]] += 1
            if j in matched:
                found[event["sub_event_type"]] += 1
            else:
                missed[event["sub_event_type"]].append(gold["id"])
    assert total.keys() == FLOORS["floors"].keys(), "every sub-type of the table has its floor"
    recall = {sub: found[sub] / n for sub, n in total.items()}
    weak = {sub: round(r, 2) for sub, r in recall.items() if r < FLOORS["floors"][sub]}
    assert not weak, (weak, {s: missed[s][:4] for s in weak})
    short = sorted(sub for sub, r in recall.items() if r < FLOORS["target"])
    print(f"{len(short)} of {len(recall)} sub-types under the target {FLOORS['target']}: {short}")


@needs_shared
def test_look_alikes_give_no_event(coded):
    lookalikes = [g["id"] for g in _gold() if not g["events"]]
    coded_ids = [i for i in lookalikes if coded.get(i) and coded[i].events]
    assert 1 - len(coded_ids) / len(lookalikes) >= LOOKALIKE_CLEAN, coded_ids


def test_a_headline_alone_is_read(pipeline):
    from sitrep.records import RawDocument

    raw = RawDocument("h", "Gunmen kill five villagers in Kaduna attack", "test")
    (item,) = list(pipeline.extract(list(__import__("sitrep.pipeline", fromlist=["clean_documents"]).clean_documents([raw]))))
    assert isinstance(item, Extraction) and item.article.pieces[0].kind == "title"
