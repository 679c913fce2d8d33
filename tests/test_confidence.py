"""The decision model's calibrated confidence, carried and filtered by the store, the CLI, the API and
the export (both back ends)."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from fastapi.testclient import TestClient

from sitrep.api import create_app
from sitrep.store import open_store
from sitrep.store.schema import EventQuery

from .conftest import ROOT
from .storefixtures import synthetic_store

# the synthetic store's events: Tyre 0.8, Nabatieh 0.7, Aleppo 0.9


def _places(rows: list[dict[str, Any]]) -> set[str]:
    return {r["location"] for r in rows}


def test_the_store_filters_reports_and_fused_events_by_confidence(store_target: str) -> None:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        sure = EventQuery(limit=100, min_confidence=0.75)
        assert _places(store.events(sure)) == {"Tyre", "Aleppo"}
        fused = store.fused_events(EventQuery(limit=100, min_confidence=0.75))
        assert _places(fused) == {"Tyre", "Aleppo"}
        assert all(r["confidence"] >= 0.75 for r in fused)  # a fused event carries its surest report's confidence
        assert _places(store.events(EventQuery(limit=100))) == {"Tyre", "Aleppo", "Nabatieh"}
        (nabatieh,) = [r for r in store.fused_events(EventQuery(limit=100)) if r["location"] == "Nabatieh"]
        store.review(nabatieh["fused_id"], reviewer="Ana", action="confirm")
        assert "Nabatieh" in _places(store.fused_events(EventQuery(limit=100, min_confidence=0.75)))  # an analyst's verdict


def test_the_api_takes_min_confidence(tmp_path) -> None:
    db = synthetic_store(str(tmp_path / "s.db"))
    with TestClient(create_app(db, token="t" * 32)) as client:
        page = client.get("/events", params={"min_confidence": 0.85}).json()
        assert [e["location"] for e in page["events"]] == ["Aleppo"]
        assert client.get("/events", params={"min_confidence": 1.5}).status_code in (400, 422)


def test_the_cli_events_and_export_take_min_confidence(tmp_path) -> None:
    db = synthetic_store(str(tmp_path / "s.db"))
    run = lambda *args: subprocess.run([sys.executable, "-m", "sitrep", *args], cwd=ROOT, capture_output=True,  # noqa: E731
                                       text=True, check=True).stdout
    rows = [json.loads(line) for line in run("events", "--db", db, "--json", "--min-confidence", "0.75").splitlines()]
    assert _places(rows) == {"Tyre", "Aleppo"}
    exported = [json.loads(line) for line in run("export", "--db", db, "--format", "jsonl", "--min-confidence", "0.85")
                .splitlines()]
    assert [(r["location"], r["confidence"]) for r in exported] == [("Aleppo", 0.9)]
