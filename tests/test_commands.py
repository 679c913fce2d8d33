"""Every command that reads or writes a store, on SQLite and on PostgreSQL through the one store
interface: stats, rejects, fuse, events, export, report, and `sitrep serve` as a real server process
(reads, and a review written over HTTP with the token)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from sitrep.cli import main
from sitrep.records import Reject
from sitrep.store import open_store

from .conftest import ROOT
from .storefixtures import synthetic_store
from .test_web_browser import free_port

TOKEN = "serve-test-token-0123"


def sitrep(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture()
def db(store_target: str) -> str:
    synthetic_store(store_target)
    with open_store(store_target) as store:
        store.add_rejects([Reject("feed.xml", "Feed could not be parsed: not XML", "E009", 3)])
    return store_target


def test_stats_rejects_fuse_events_and_export(db: str, tmp_path: Path) -> None:
    stats = json.loads(sitrep("stats", "--db", db).stdout)
    assert (stats["articles"], stats["events"], stats["rejects"], stats["reviews"]) == (3, 3, 1, 0)
    assert sitrep("rejects", "--db", db).stdout.strip() == "feed.xml:3: [E009] Feed could not be parsed: not XML"
    done = sitrep("fuse", "--db", db)
    assert done.exit_code == 0 and "3 fused events" in done.stderr
    assert "(2 events)" in sitrep("events", "--db", db, "--country", "lebanon", "--unfused").stdout
    assert len(sitrep("events", "--db", db, "--json", "--actor", "ISRAEL").stdout.splitlines()) == 2
    out = tmp_path / "e.geojson"
    assert sitrep("export", "--db", db, "--format", "geojson", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 3


def test_report_command(db: str, tmp_path: Path) -> None:
    done = sitrep("report", "--db", db, "--country", "Lebanon", "-o", str(tmp_path / "r.md"))
    assert done.exit_code == 0, done.output
    assert "2 events, 2 fatalities" in done.stderr
    assert "**2** events" in (tmp_path / "r.md").read_text(encoding="utf-8")


def _wait_for(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sitrep serve exited: {proc.communicate()[1][-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("sitrep serve did not answer in 60 s")


def test_serve_reads_and_takes_reviews(db: str) -> None:
    port = free_port()
    env = {**os.environ, "SITREP_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "sitrep", "serve", "--db", db, "--port", str(port)], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health", proc)
        assert httpx.get(f"{base}/health").json()["counts"]["events"] == 3
        events = httpx.get(f"{base}/events", params={"fused": "true"}).json()
        assert events["total"] == 3 and events["reviewed"] == 0
        tyre = next(e["event_id"] for e in events["events"] if e["location"] == "Tyre")
        refused = httpx.post(f"{base}/events/{tyre}/review", json={"reviewer": "Ana", "action": "confirm"})
        assert refused.status_code == 401
        done = httpx.post(f"{base}/events/{tyre}/review", headers={"Authorization": f"Bearer {TOKEN}"},
                          json={"reviewer": "Ana", "action": "correct", "changes": {"fatalities": 5}})
        assert done.status_code == 200, done.text
        assert (done.json()["fatalities"], done.json()["review_status"]) == (5, "corrected")
        assert httpx.get(f"{base}/events", params={"fused": "true"}).json()["reviewed"] == 1
        assert httpx.get(f"{base}/").status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert TOKEN not in err and "Traceback" not in err
