"""Analysts' reviews in the store, on SQLite and PostgreSQL: corrections beside the machine's reading,
ids and corrections that survive re-fusion and new reports, rejects, merges, splits, the queue, the
checks on every value, and the reviewed articles as training gold.  The articles are written for the
tests (tests/storefixtures.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sitrep.errors import ReviewError
from sitrep.records import Extraction
from sitrep.store import AnyStore, open_store
from sitrep.store.schema import EventQuery

from .conftest import SCORER, needs_shared
from .storefixtures import TYRE_TEXT, _article, _event, _place, synthetic_store

EVERYTHING = EventQuery(limit=1000)
FUSED = EventQuery(limit=1000, fused=True)
TYRE_AGAIN = ("Strike on a car near Tyre\n"
              "A drone strike on a car near Tyre killed two people on Monday, a security source said. "
              "The road was closed for hours.")


def tyre_again(doc_id: str = "lb-tyre-2", *, fatalities: int = 2, toll_update: bool = False) -> Extraction:
    """A second outlet's report of the Tyre strike of tests/storefixtures.py: fusion joins it to the first."""
    a = _article(doc_id, TYRE_AGAIN, outlet="Another Wire", published=date(2024, 8, 6))
    event = _event(a, "A drone strike on a car", event_type="Explosions/Remote violence",
                   sub_event_type="Air/drone strike", actor1="Military Forces of Israel (2022-)", country="Lebanon",
                   admin1="South", location="Tyre", latitude=33.27, longitude=35.2, geo_precision=2,
                   event_date="2024-08-05", time_precision=1, fatalities=fatalities, toll_update=toll_update,
                   confidence=0.6)
    return Extraction(a, places=[_place(a, "Tyre", geonameid=267008, latitude=33.27, longitude=35.2, admin1="South",
                                        country="Lebanon", country_code="LB")], events=[event])


@pytest.fixture()
def store(store_target: str) -> Any:
    synthetic_store(store_target)
    with open_store(store_target) as s:
        yield s


def fused_at(store: AnyStore, location: str) -> dict[str, Any]:
    (row,) = [r for r in store.fused_events(FUSED) if r["location"] == location]
    return row


def fused_by_id(store: AnyStore, event_id: str) -> dict[str, Any]:
    (row,) = [r for r in store.fused_events(FUSED) if r["fused_id"] == event_id]
    return row


# ------------------------------------------------------------------ corrections and the machine's reading
def test_a_correction_sits_beside_the_machine_reading(store: AnyStore) -> None:
    tyre = fused_at(store, "Tyre")
    kept = store.review(tyre["fused_id"], reviewer="Ana", action="correct", changes={"fatalities": "9"},
                        note="the ministry's figure")
    assert kept == tyre["fused_id"]
    shown = fused_by_id(store, kept)
    assert (shown["fatalities"], shown["review_status"], shown["reviewed_by"]) == (9, "corrected", "Ana")
    assert shown["reviewed_at"].endswith("Z")
    (report,) = [e for e in store.events(EVERYTHING) if e["location"] == "Tyre"]
    assert report["fatalities"] == 9 and report["review_status"] == "corrected"  # its one report carries it
    assert store._read("SELECT fatalities FROM fused_events WHERE fused_id = ?", [kept])[0]["fatalities"] == 2
    assert store._read("SELECT fatalities FROM events WHERE location = 'Tyre'", [])[0]["fatalities"] == 2
    record = store.review_record(kept)
    assert record["machine"]["fatalities"] == 2 and record["corrected"] == {"fatalities": 9}
    (entry,) = record["history"]
    assert (entry["reviewer"], entry["action"], entry["note"]) == ("Ana", "correct", "the ministry's figure")
    assert entry["machine"]["fatalities"] == 2
    assert store.count_reviewed(FUSED) == 1 and store.counts()["reviews"] == 1


def test_corrections_add_up_and_a_verdict_decides_the_status(store: AnyStore) -> None:
    event_id = fused_at(store, "Nabatieh")["fused_id"]
    store.review(event_id, reviewer="Ana", action="confirm")
    assert fused_by_id(store, event_id)["review_status"] == "confirmed"
    store.review(event_id, reviewer="Ben", action="correct", changes={"actor2": "", "event_date": "2024-08-07",
                                                                       "time_precision": 2})
    store.review(event_id, reviewer="Ana", action="correct", changes={"fatalities": 3})
    shown = fused_by_id(store, event_id)
    assert (shown["actor2"], shown["event_date"], shown["time_precision"], shown["fatalities"]) == (
        None, "2024-08-07", 2, 3)
    assert (shown["review_status"], shown["reviewed_by"]) == ("corrected", "Ana")
    assert len(store.review_record(event_id)["history"]) == 3


def test_a_typed_place_and_a_place_from_the_gazetteer(store: AnyStore) -> None:
    event_id = fused_at(store, "Nabatieh")["fused_id"]
    store.review(event_id, reviewer="Ana", action="correct",
                 changes={"location": "Kuriga", "admin1": "Kaduna", "country": "Nigeria", "latitude": "10.6",
                          "longitude": "7.5", "geo_precision": 1})
    shown = store.event(event_id, fused=True)
    assert shown is not None
    assert (shown["location"], shown["admin1"], shown["country"], shown["latitude"], shown["geonameid"]) == (
        "Kuriga", "Kaduna", "Nigeria", 10.6, None)
    assert store.count_events(EventQuery(fused=True, country="Nigeria")) == 1  # filters see the correction
    store.review(event_id, reviewer="Ana", action="correct", changes={"place": 267008})  # Tyre, from the gazetteer
    shown = store.event(event_id, fused=True)
    assert shown is not None
    assert (shown["location"], shown["admin1"], shown["country"], shown["geonameid"], shown["geo_precision"]) == (
        "Tyre", "South", "Lebanon", 267008, 1)
    assert abs(shown["latitude"] - 33.273) < 0.01


@pytest.mark.parametrize(("changes", "action", "needle"), [
    ({"fatalities": "-1"}, "correct", "fatalities"),
    ({"fatalities": "nine"}, "correct", "fatalities"),
    ({"toll": ""}, "correct", "cannot be empty"),
    ({"colour": "red"}, "correct", "not a field"),
    ({"event_type": "Skirmish"}, "correct", "not an ACLED event type"),
    ({"event_type": "Battles"}, "correct", "not a sub-event type of 'Battles'"),
    ({"location": "Kuriga"}, "correct", "latitude and longitude"),
    ({"latitude": "10.5"}, "correct", "together"),
    ({"latitude": "100", "longitude": "7"}, "correct", "latitude"),
    ({"event_date": "last week"}, "correct", "YYYY-MM-DD"),
    ({"place": "999999999"}, "correct", "no entry"),
    ({"actor1": "a\x00b"}, "correct", "control characters"),
    ({"fatalities": 3}, "reject", "not corrected"),
    ({}, "correct", "nothing to correct"),
    ({}, "approve", "action"),
])
def test_a_bad_review_names_the_problem_and_writes_nothing(store: AnyStore, changes: dict[str, Any], action: str,
                                                            needle: str) -> None:
    event_id = fused_at(store, "Tyre")["fused_id"]
    with pytest.raises(ReviewError, match="E040") as err:
        store.review(event_id, reviewer="Ana", action=action, changes=changes)
    assert needle in str(err.value)
    assert store.counts()["reviews"] == 0 and fused_by_id(store, event_id)["review_status"] is None


def test_an_unknown_event_or_reviewer_is_refused(store: AnyStore) -> None:
    for bad in ("f0000000000000000", "0123456789abcdef", "x", "f' OR 1=1"):
        with pytest.raises(ReviewError, match="E041"):
            store.review(bad, reviewer="Ana", action="confirm")
    with pytest.raises(ReviewError, match="reviewer"):
        store.review(fused_at(store, "Tyre")["fused_id"], reviewer="  ", action="confirm")
    assert store.counts()["reviews"] == 0


def test_a_report_id_reviews_its_fused_event(store: AnyStore) -> None:
    report = next(e for e in store.events(EVERYTHING) if e["location"] == "Aleppo")
    fused_id = store.review(report["event_id"], reviewer="Ana", action="confirm")
    assert fused_id == fused_at(store, "Aleppo")["fused_id"] and fused_id.startswith("f")


# ------------------------------------------------------------------ corrections that last
def test_the_id_and_the_correction_survive_new_reports_and_refusion(store: AnyStore) -> None:
    event_id = fused_at(store, "Tyre")["fused_id"]
    store.review(event_id, reviewer="Ana", action="correct", changes={"fatalities": 9})
    store.write_batch([tyre_again()])  # a new report joins the event: fusion would give it a new id
    shown = fused_by_id(store, event_id)
    assert shown["source_count"] == 2 and {s["doc_id"] for s in shown["sources"]} == {"lb-tyre-1", "lb-tyre-2"}
    assert shown["fatalities"] == 9 and shown["review_status"] == "corrected"
    assert store.refuse_all() == 3
    assert fused_by_id(store, event_id)["fatalities"] == 9
    store.write_batch([tyre_again()])  # the same article again adds nothing
    assert [r["fused_id"] for r in store.fused_events(FUSED)].count(event_id) == 1
    # per article: the correction replaces the toll of the report the fused toll came from (both said 2)
    assert {e["doc_id"]: e["fatalities"] for e in store.events(EVERYTHING) if e["location"] == "Tyre"} == {
        "lb-tyre-1": 9, "lb-tyre-2": 9}


def test_a_confirmed_event_whose_reading_changes_goes_back_in_the_queue(store: AnyStore) -> None:
    event_id = fused_at(store, "Tyre")["fused_id"]
    store.review(event_id, reviewer="Ana", action="confirm")
    assert event_id not in [e["event_id"] for e in store.review_queue()]
    store.write_batch([tyre_again(fatalities=3, toll_update=True)])  # 'the toll rose to three'
    shown = fused_by_id(store, event_id)
    assert (shown["fatalities"], shown["review_status"], shown["review_stale"]) == (3, "confirmed", 1)
    assert event_id in [e["event_id"] for e in store.review_queue()]
    assert store.review_record(event_id)["stale"] is True
    store.review(event_id, reviewer="Ana", action="confirm")
    assert fused_by_id(store, event_id)["review_stale"] == 0


def test_rejected_events_leave_the_outputs_but_stay_listed(store: AnyStore) -> None:
    from sitrep.report import ReportOptions, build_report

    aleppo = fused_at(store, "Aleppo")["fused_id"]
    store.review(aleppo, reviewer="Ana", action="reject", note="a rerun of an old story")
    assert "Aleppo" not in [r["location"] for r in store.fused_events(FUSED)]
    assert "Aleppo" not in [r["location"] for r in store.events(EVERYTHING)]
    assert "Aleppo" not in [r["location"] for r in store.events(FUSED)]
    assert store.count_events(FUSED) == 2
    assert [r["fused_id"] for r in store.fused_events(EventQuery(rejected=True))] == [aleppo]
    assert [r["event_id"] for r in store.review_queue("rejected")] == [aleppo]
    assert store.event(aleppo, fused=True) is not None  # still there, by its id
    report = build_report(store, ReportOptions())
    assert (report.events, report.fatalities) == (2, 2)
    store.review(aleppo, reviewer="Ben", action="confirm")  # a later verdict brings it back
    assert store.count_events(FUSED) == 3


def test_merge_and_split_are_kept_through_refusion(store: AnyStore) -> None:
    tyre, nabatieh = fused_at(store, "Tyre")["fused_id"], fused_at(store, "Nabatieh")["fused_id"]
    store.review(nabatieh, reviewer="Ana", action="correct", changes={"fatalities": 1})
    merged = store.merge_events([tyre, nabatieh], reviewer="Ana", note="one strike, two reports")
    assert merged == tyre
    assert store.count_events(FUSED) == 2
    shown = fused_by_id(store, tyre)
    assert {s["doc_id"] for s in shown["sources"]} == {"lb-tyre-1", "lb-nabatieh-2"}
    assert shown["review_status"] == "corrected" and shown["fatalities"] == 1  # the reviews of its parts hold
    store.review(tyre, reviewer="Ana", action="correct", changes={"event_date": "2024-08-04"})
    store.refuse_all()
    assert store.count_events(FUSED) == 2 and fused_by_id(store, tyre)["source_count"] == 2
    kept, moved = store.split_event(tyre, ["lb-nabatieh-2"], reviewer="Ben")
    assert (kept, moved) == (tyre, nabatieh)  # the moved report makes its old event again, by its old id
    assert store.count_events(FUSED) == 3
    tyre_now, nabatieh_now = fused_by_id(store, tyre), fused_by_id(store, nabatieh)
    assert [s["doc_id"] for s in tyre_now["sources"]] == ["lb-tyre-1"]
    # the review of the joined event stays with the event that kept the id; the moved part gets back its own
    assert (tyre_now["event_date"], tyre_now["fatalities"]) == ("2024-08-04", 2)
    assert (nabatieh_now["event_date"], nabatieh_now["fatalities"]) == ("2024-08-06", 1)
    store.refuse_all()
    store.write_batch([tyre_again("lb-tyre-3")])
    assert store.count_events(FUSED) == 3
    assert {s["doc_id"] for s in fused_by_id(store, tyre)["sources"]} == {"lb-tyre-1", "lb-tyre-3"}
    history = [h["action"] for h in store.review_record(tyre)["history"]]
    assert history == ["merge", "correct", "split"]


def test_a_split_off_report_starts_unreviewed(store: AnyStore) -> None:
    store.write_batch([tyre_again()])
    tyre = fused_at(store, "Tyre")["fused_id"]
    store.review(tyre, reviewer="Ana", action="correct", changes={"fatalities": 4})
    kept, moved = store.split_event(tyre, ["lb-tyre-2"], reviewer="Ana", note="a different car")
    assert kept == tyre and fused_by_id(store, kept)["fatalities"] == 4
    assert fused_by_id(store, moved)["review_status"] is None and fused_by_id(store, moved)["fatalities"] == 2
    assert moved in [e["event_id"] for e in store.review_queue()]
    store.refuse_all()  # fusion would join them again: the split holds
    assert fused_by_id(store, moved)["source_count"] == 1 and fused_by_id(store, kept)["fatalities"] == 4


def test_a_split_can_never_leave_an_event_empty_or_move_strangers(store: AnyStore) -> None:
    store.write_batch([tyre_again()])
    tyre = fused_at(store, "Tyre")["fused_id"]
    for reports, needle in ((["lb-tyre-1", "lb-tyre-2"], "not all"), (["lb-aleppo-3"], "not a report"),
                            ([], "not all")):
        with pytest.raises(ReviewError, match=needle):
            store.split_event(tyre, reports, reviewer="Ana")
    with pytest.raises(ReviewError, match="two different events"):
        store.merge_events([tyre, tyre], reviewer="Ana")
    assert store.counts()["reviews"] == 0


def test_the_queue_puts_the_least_confident_first(store: AnyStore) -> None:
    queue = store.review_queue()
    assert [e["location"] for e in queue] == ["Nabatieh", "Tyre", "Aleppo"]  # confidence 0.7, 0.8, 0.9
    assert store.count_queue() == 3
    store.review(queue[0]["event_id"], reviewer="Ana", action="confirm")
    assert [e["location"] for e in store.review_queue()] == ["Tyre", "Aleppo"]
    assert [e["location"] for e in store.review_queue("reviewed")] == ["Nabatieh"]


# ------------------------------------------------------------------ corrections that teach
def test_reviewed_articles_become_gold_in_the_eval_format(store: AnyStore, tmp_path: Path) -> None:
    from sitrep.reviewed_gold import write_gold_folder

    two = _article("lb-two-4", TYRE_TEXT.replace("Tyre", "Sidon"), outlet="Example Daily", published=date(2024, 8, 5))
    kinds = {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "country": "Lebanon",
             "event_date": "2024-08-05"}
    store.write_batch([Extraction(two, events=[_event(two, "Two people were killed", location="Sidon", **kinds),
                                               _event(two, "Hezbollah said", location="Ghazieh", **kinds)])])
    tyre, sidon = fused_at(store, "Tyre")["fused_id"], fused_at(store, "Sidon")["fused_id"]
    aleppo = fused_at(store, "Aleppo")["fused_id"]
    store.review(tyre, reviewer="Ana", action="correct", changes={"fatalities": 3})
    store.review(aleppo, reviewer="Ana", action="reject")
    store.review(sidon, reviewer="Ben", action="confirm")
    gold = {g.gold["id"]: g for g in store.reviewed_gold()}
    assert set(gold) == {"lb-tyre-1", "sy-aleppo-3", "lb-two-4"}
    whole = gold["lb-tyre-1"]
    assert whole.complete and set(whole.article) == {"id", "url", "outlet", "published", "text"}
    assert whole.article["text"] == TYRE_TEXT and whole.article["published"] == "2024-08-05"
    (event,) = whole.gold["events"]
    for name in ("event_type", "sub_event_type", "actor1", "actor2", "country", "admin1", "location", "event_date",
                 "fatalities", "evidence", "latitude", "longitude"):
        assert name in event
    assert (event["fatalities"], event["location"], event["reviewed_by"]) == (3, "Tyre", "Ana")
    assert event["evidence"].startswith("Two people were killed") and "optional" not in event
    assert gold["sy-aleppo-3"].complete and gold["sy-aleppo-3"].gold["events"] == []  # a known negative
    partial = gold["lb-two-4"]
    assert not partial.complete and partial.gold["complete"] is False
    assert [(e["location"], e.get("optional", False)) for e in partial.gold["events"]] == [
        ("Sidon", False), ("Ghazieh", True)]  # the unreviewed one neither rewards nor punishes
    folder = write_gold_folder(list(gold.values()), tmp_path / "reviews")
    lines = [json.loads(x) for x in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["lb-two-4", "lb-tyre-1", "sy-aleppo-3"]
    assert len((folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    # the folder is a gold set as the trainer reads one (sitrep eval: sitrep/decide/gold.py)
    from sitrep.decide.gold import read_gold_folder

    sets = {a.doc_id: a for a in read_gold_folder(folder, "reviews")}
    assert set(sets) == {"lb-two-4", "lb-tyre-1", "sy-aleppo-3"}
    assert [e["location"] for e in sets["lb-two-4"].required] == ["Sidon"] and len(sets["lb-two-4"].events) == 2
    assert sets["lb-tyre-1"].source == (folder / "articles.jsonl").resolve()


@needs_shared
def test_the_official_scorer_reads_the_reviewed_gold(store: AnyStore, tmp_path: Path) -> None:
    """The folder is gold as score.py knows it: the machine's own events score against the corrections."""
    from sitrep.reviewed_gold import write_gold_folder

    store.review(fused_at(store, "Tyre")["fused_id"], reviewer="Ana", action="correct", changes={"fatalities": 3})
    store.review(fused_at(store, "Aleppo")["fused_id"], reviewer="Ana", action="reject")
    folder = write_gold_folder(store.reviewed_gold(), tmp_path / "reviews")
    machine = store._read("SELECT a.doc_id, e.*, s.evidence FROM events e JOIN articles a ON a.id = e.article_id"
                          " JOIN event_sources s ON s.event_id = e.event_id", [])
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r, default=str) + "\n" for r in machine), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCORER), "events", "--gold", str(folder / "gold.jsonl"),
                           "--pred", str(pred)], capture_output=True, text=True, check=True)
    scores = json.loads(done.stdout[:done.stdout.rindex("}") + 1])
    # Tyre matches (its toll wrong: 2 against 3); Aleppo, rejected, is a false positive; Nabatieh is not gold
    assert (scores["tp"], scores["fp"], scores["fn"], scores["docs"]) == (1, 1, 0, 2), done.stdout
    assert scores["matched_field_accuracy"]["fatalities"] == 0.0 and scores["unknown_docs"] == ["lb-nabatieh-2"]
