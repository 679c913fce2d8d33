"""`sitrep review` and `sitrep export-reviews` on SQLite and PostgreSQL; and the issue's test of done: ingest
dev, correct an event's toll with `sitrep review`, ingest dev again, `sitrep fuse`, and the export shows the
corrected toll under the same event id."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sitrep.cli import main
from sitrep.store import open_store

from .conftest import BACKENDS, DEV_ARTICLES, needs_shared
from .storefixtures import synthetic_store


def sitrep(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def fused_ids(db: str) -> dict[str, str]:
    out = sitrep("events", "--db", db, "--json")
    return {row["location"]: row["fused_id"] for row in map(json.loads, out.stdout.splitlines())}


def export_rows(db: str, *extra: str) -> list[dict[str, Any]]:
    done = sitrep("export", "--db", db, "--format", "jsonl", *extra)
    assert done.exit_code == 0, done.output
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture()
def db(store_target: str) -> str:
    return synthetic_store(store_target)


def test_queue_correct_show_reject_and_list(db: str) -> None:
    queue = sitrep("review", "--queue", "--db", db)
    assert queue.exit_code == 0, queue.output
    lines = queue.stdout.splitlines()
    assert ["Nabatieh" in lines[2], "Tyre" in lines[3], "Aleppo" in lines[4]] == [True] * 3  # least confident first
    assert "(3 of 3 unreviewed events, least confident first)" in queue.stdout
    ids = fused_ids(db)
    done = sitrep("review", ids["Tyre"], "--db", db, "--by", "Ana", "--set", "toll=9", "--set", "actor2=",
                  "--note", "ministry figure")
    assert done.exit_code == 0, done.output
    assert f"{ids['Tyre']}: corrected by Ana" in done.stderr
    shown = sitrep("review", ids["Tyre"], "--db", db).stdout
    assert "corrected by Ana" in shown and "ministry figure" in shown
    (fatalities,) = [line for line in shown.splitlines() if line.startswith("fatalities")]
    assert fatalities.split() == ["fatalities", "2", "9"]  # the machine's reading and the correction, side by side
    assert sitrep("review", ids["Aleppo"], "--db", db, "--by", "Ben", "--reject").exit_code == 0
    table = sitrep("events", "--db", db).stdout
    assert ids["Tyre"] in table and "corrected" in table and "Aleppo" not in table
    rejected = sitrep("events", "--db", db, "--rejected").stdout
    assert "Aleppo" in rejected and "(1 events)" in rejected
    assert ids["Aleppo"] in sitrep("review", "--queue", "--rejected", "--db", db).stdout
    assert ids["Tyre"] in sitrep("review", "--queue", "--reviewed", "--db", db).stdout
    assert ids["Tyre"] not in sitrep("review", "--queue", "--db", db).stdout


def test_export_applies_reviews_and_says_who_and_when(db: str) -> None:
    ids = fused_ids(db)
    sitrep("review", ids["Nabatieh"], "--db", db, "--by", "Ana", "--confirm")
    sitrep("review", ids["Aleppo"], "--db", db, "--by", "Ana", "--reject")
    done = sitrep("export", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["location"] for r in rows] == ["Nabatieh", "Tyre"]
    assert {"reviewed_by", "reviewed_at", "review_status"} <= set(rows[0])
    assert (rows[0]["review_status"], rows[0]["reviewed_by"]) == ("confirmed", "Ana") and rows[0]["reviewed_at"]
    assert (rows[1]["review_status"], rows[1]["reviewed_by"]) == ("", "")
    assert "2 events, 1 reviewed by an analyst" in done.stderr
    unfused = export_rows(db, "--unfused")
    assert [(r["location"], r["reviewed_by"]) for r in unfused] == [("Nabatieh", "Ana"), ("Tyre", None)]


def test_merge_and_split_from_the_command_line(db: str) -> None:
    ids = fused_ids(db)
    done = sitrep("review", ids["Tyre"], "--db", db, "--by", "Ana", "--merge", ids["Nabatieh"])
    assert done.exit_code == 0 and f"merged into {ids['Tyre']}" in done.stderr
    assert len(export_rows(db)) == 2
    done = sitrep("review", ids["Tyre"], "--db", db, "--by", "Ana", "--split", "lb-nabatieh-2")
    assert done.exit_code == 0, done.output
    assert len(export_rows(db)) == 3 and fused_ids(db) == ids


@pytest.mark.parametrize(("args", "needle"), [
    (["--set", "fatalities=-3"], "fatalities"),
    (["--set", "colour=red"], "not a field"),
    (["--set", "fatalities"], "FIELD=VALUE"),
    (["--set", "location=Kuriga"], "latitude and longitude"),
    (["--reject", "--set", "fatalities=1"], "one action at a time"),
    (["--confirm", "--by", ""], "reviewer"),
])
def test_bad_reviews_are_clear_errors(db: str, args: list[str], needle: str) -> None:
    event_id = fused_ids(db)["Tyre"]
    done = sitrep("review", event_id, "--db", db, *(["--by", "Ana"] if "--by" not in args else []), *args)
    assert done.exit_code != 0 and needle in done.output, done.output
    assert "Traceback" not in done.output
    with open_store(db) as store:
        assert store.counts()["reviews"] == 0


def test_unknown_events_and_usage_errors(db: str) -> None:
    done = sitrep("review", "f0000000000000000", "--db", db, "--by", "Ana", "--confirm")
    assert done.exit_code == 1 and "E041" in done.output and "No event f0000000000000000" in done.output
    assert sitrep("review", "--db", db).exit_code == 2
    assert sitrep("review", "f0000000000000000", "--queue", "--db", db).exit_code == 2


def test_export_reviews_writes_a_gold_folder(db: str, tmp_path: Path) -> None:
    ids = fused_ids(db)
    sitrep("review", ids["Tyre"], "--db", db, "--by", "Ana", "--set", "fatalities=3")
    sitrep("review", ids["Aleppo"], "--db", db, "--by", "Ana", "--reject")
    done = sitrep("export-reviews", "--db", db, "-o", str(tmp_path / "gold"))
    assert done.exit_code == 0, done.output
    assert "2 reviewed articles (2 reviewed in full), 1 gold events" in done.stderr
    gold = [json.loads(x) for x in (tmp_path / "gold" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    articles = [json.loads(x) for x in (tmp_path / "gold" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in gold] == [a["id"] for a in articles] == ["lb-tyre-1", "sy-aleppo-3"]
    assert gold[0]["events"][0]["fatalities"] == 3 and gold[1]["events"] == []


# ------------------------------------------------------------------ the test of done
def _correct_reingest_fuse_export(db: str, ingest: Any) -> None:
    ingest()
    before = {r["event_id_cnty"]: r for r in export_rows(db)}
    target = max(before.values(), key=lambda r: (r["source_count"], r["fatalities"], r["event_id_cnty"]))
    assert target["source_count"] >= 2  # an event several articles report: the hardest to keep
    toll = target["fatalities"] + 5
    done = sitrep("review", target["event_id_cnty"], "--db", db, "--by", "Ana", "--set", f"fatalities={toll}")
    assert done.exit_code == 0, done.output
    ingest()
    fused = sitrep("fuse", "--db", db)
    assert fused.exit_code == 0, fused.output
    after = {r["event_id_cnty"]: r for r in export_rows(db)}
    assert set(after) == set(before)  # every event kept its id
    shown = after[target["event_id_cnty"]]
    assert (shown["fatalities"], shown["reviewed_by"], shown["review_status"]) == (toll, "Ana", "corrected")
    assert shown["doc_ids"] == target["doc_ids"]
    assert {k: v["fatalities"] for k, v in after.items() if k != target["event_id_cnty"]} == {
        k: v["fatalities"] for k, v in before.items() if k != target["event_id_cnty"]}


@needs_shared
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_correction_survives_reingest_and_fuse(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    db = str(tmp_path / "dev.sqlite") if backend == "sqlite" else str(request.getfixturevalue("pg_empty_url"))

    def ingest() -> None:
        done = sitrep("ingest", str(DEV_ARTICLES), "--db", db)
        assert done.exit_code == 0, done.output

    _correct_reingest_fuse_export(db, ingest)
