"""Why an event was coded: the decision model's record, kept with the article and shown by
`sitrep explain` and the API (both back ends)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from sitrep.api import create_app
from sitrep.ingest import ingest_paths
from sitrep.store import open_store

from .conftest import ROOT

STORY = ("Gunmen kill five in Kaduna village\n\n"
         "Gunmen killed five villagers in Kaduna on Monday, police said. "
         "The governor vowed to attack the bandits in their forest hideouts next month.\n")


def _ingest(target: str, tmp_path: Path, pipeline) -> None:  # noqa: ANN001
    source = tmp_path / "story.txt"
    source.write_text(STORY, encoding="utf-8")
    with open_store(target) as store:
        ingest_paths([str(source)], store, pipeline)


def test_the_record_of_why_is_stored_with_the_article(store_target: str, tmp_path: Path, pipeline) -> None:
    _ingest(store_target, tmp_path, pipeline)
    with open_store(store_target) as store:
        (event,) = [e for e in store.events() if e["location"] == "Kaduna"]
        found = store.explanation(event["event_id"])
        assert found is not None
        _, body = found
        assert body is not None
        (mine,) = [e for e in body["events"] if e["event_id"] == event["event_id"]]
        assert mine["trigger"] in ("kill", "killed") and 0 < mine["probability"] <= 1
        assert mine["features"] and all(len(f) == 3 for f in mine["features"])
        assert any(c["chosen"] and c["name"].startswith("Kaduna") for c in mine["places"])
        assert any("vowed" in c["name"] or "attack" in c["name"] for c in body["dropped"])  # the threat, dropped
        assert store.explanation("0" * 16) is None


def test_sitrep_explain_and_the_api_show_it(tmp_path: Path, pipeline) -> None:
    db = str(tmp_path / "s.db")
    _ingest(db, tmp_path, pipeline)
    with open_store(db) as store:
        (event,) = [e for e in store.events() if e["location"] == "Kaduna"]
    run = subprocess.run([sys.executable, "-m", "sitrep", "explain", event["event_id"], "--db", db], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "trigger 'kill" in run.stdout and "strongest features" in run.stdout
    assert "places considered" in run.stdout and "dropped candidates" in run.stdout
    as_json = subprocess.run([sys.executable, "-m", "sitrep", "explain", event["event_id"], "--db", db, "--json"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(as_json.stdout)["explanation"]["doc_id"] == "story"
    missing = subprocess.run([sys.executable, "-m", "sitrep", "explain", "0" * 16, "--db", db], cwd=ROOT,
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "no event" in missing.stderr
    with TestClient(create_app(db, token="t" * 32)) as client:
        body = client.get(f"/events/{event['event_id']}/explanation").json()
        assert body["decider"] == "model" and body["event"]["trigger"] in ("kill", "killed")
        assert client.get(f"/events/{'0' * 16}/explanation").status_code == 404


def test_the_rules_reading_says_so(tmp_path: Path, rules_pipeline) -> None:
    db = str(tmp_path / "r.db")
    _ingest(db, tmp_path, rules_pipeline)
    with open_store(db) as store:
        (event,) = [e for e in store.events() if e["location"] == "Kaduna"]
    run = subprocess.run([sys.executable, "-m", "sitrep", "explain", event["event_id"], "--db", db], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "coded by the rules alone" in run.stdout


def test_the_record_is_written_as_asdict_would_write_it() -> None:
    """`to_json` is written out for speed: it must stay what `dataclasses.asdict` gives, field for field."""
    from dataclasses import asdict

    from sitrep.decide.explain import ArticleExplanation, Considered, Explanation

    event = Explanation("e1", "Battles", "Armed clash", 0.9, "clashed", "They clashed in X.", ["modal 'may'"],
                        [("rules_here", 1.0, 0.5)], [Considered("X (clause)", 0.8, True, "kept")],
                        [Considered("2", 2.0)], [Considered("Armed clash", 0.7, True)], "probability 0.90")
    article = ArticleExplanation("d1", 0.4, [event], [Considered("Riots at Y", 0.1, False, "under")])
    assert article.to_json() == asdict(article)
    assert json.dumps(article.to_json()) == json.dumps(asdict(article))
    assert ArticleExplanation.from_json(article.to_json()) == article


def test_extract_codes_the_same_events_without_the_record_of_why(pipeline) -> None:  # noqa: ANN001
    """`sitrep extract` writes only events: it skips the record of why, and codes the very same events."""
    from sitrep.pipeline import Pipeline, PipelineOptions, clean_documents
    from sitrep.records import RawDocument

    (article,) = list(clean_documents([RawDocument(doc_id="story", text=STORY, source="test")]))
    explained = next(iter(pipeline.extract([article])))
    plain = next(iter(Pipeline(PipelineOptions(explain=False)).extract([article])))
    assert explained.explanation is not None and plain.explanation is None
    assert [e.to_json() for e in plain.events] == [e.to_json() for e in explained.events]
    assert any(e.location == "Kaduna" for e in plain.events)
