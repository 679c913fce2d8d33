"""The store: idempotent ingest, rejects recorded, a killed ingest completed by a re-run."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitrep.ingest import ingest_paths
from sitrep.records import Article, Event, Extraction, Piece, Reject
from sitrep.store import Store
from sitrep.store.migrations import MIGRATIONS

from .conftest import DEV_ARTICLES, ROOT, SAMPLE, needs_shared

SITREP = [sys.executable, "-m", "sitrep"]


def _article(doc_id: str, text: str) -> Article:
    return Article(doc_id=doc_id, text=text, pieces=[Piece("paragraph", text, 0, len(text), 1)], source="t")


def test_migrations_are_recorded_and_applied_once(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as store:
        assert store.migrate() == []  # all applied on open
        names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS] and names[:2] == ["0001_initial", "0002_fts"]
    with Store(db) as store:
        assert store.integrity_check() == "ok"


def test_batch_write_is_transactional(tmp_path):
    store = Store(tmp_path / "s.db")
    good = Extraction(_article("a", "Gunmen attacked a village."))
    bad_event = Event(doc_id="b", event_type=None, sub_event_type="Attack")  # type: ignore[arg-type]
    bad = Extraction(_article("b", "Another text."), events=[bad_event])
    with pytest.raises(sqlite3.IntegrityError):
        store.write_batch([good, bad])
    assert store.counts()["articles"] == 0  # the whole batch rolled back
    assert store.write_batch([good]) == 1
    assert store.write_batch([good]) == 0


def test_rejects_are_recorded_once(tmp_path):
    store = Store(tmp_path / "s.db")
    r = Reject("x.jsonl", "not JSON", "E006", 3)
    store.add_rejects([r])
    store.add_rejects([r])
    assert [(x["source"], x["line"], x["code"]) for x in store.rejects()] == [("x.jsonl", 3, "E006")]


def test_fts_query_text_is_quoted(tmp_path):
    from sitrep.store.sqlite import EventQuery

    store = Store(tmp_path / "s.db")
    store.write_batch([Extraction(_article("a", "Protesters marched in Basra."))])
    for hostile in ['"unbalanced', "NEAR(", "a OR", "'; DROP TABLE events; --", "*"]:
        assert store.events(EventQuery(q=hostile)) == []


@needs_shared
def test_ingesting_twice_adds_nothing(tmp_path, pipeline):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "ok-1", "text": "Police arrested ten protesters in Algiers on Friday, witnesses said."}\n{oops\n',
                   encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        first = ingest_paths([str(SAMPLE), str(DEV_ARTICLES), str(bad)], store, pipeline)
        counts = store.counts()
        second = ingest_paths([str(SAMPLE), str(DEV_ARTICLES), str(bad)], store, pipeline)
        assert store.counts() == counts
    assert first.added == 2 + 29 + 1 and second.added == 0 and second.skipped == first.added
    assert counts["rejects"] == 1 and counts["articles"] == 32
    assert counts["events"] > 0 and counts["event_sources"] == counts["events"]


def _snapshot(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    out = {
        "articles": conn.execute("SELECT doc_id, content_hash FROM articles ORDER BY doc_id").fetchall(),
        "events": conn.execute("SELECT event_id, fatalities, location FROM events ORDER BY event_id").fetchall(),
        "mentions": conn.execute("SELECT count(*) FROM place_mentions").fetchall(),
        "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
    }
    conn.close()
    return out


@needs_shared
def test_killed_ingest_is_completed_by_a_rerun(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    full, killed = tmp_path / "full.db", tmp_path / "killed.db"
    args = ["ingest", str(DEV_ARTICLES), "--batch-size", "4"]
    subprocess.run([*SITREP, *args, "--db", str(full)], check=True, env=env, cwd=ROOT, capture_output=True)
    proc = subprocess.Popen([*SITREP, *args, "--db", str(killed)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        if killed.exists():
            try:
                conn = sqlite3.connect(killed, timeout=1)
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 4:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < stored < 29, "the ingest should have been killed half-way"
    partial = _snapshot(killed)
    assert partial["integrity"] == [("ok",)] and len(partial["articles"]) % 4 == 0
    subprocess.run([*SITREP, *args, "--db", str(killed)], check=True, env=env, cwd=ROOT, capture_output=True)
    assert _snapshot(killed) == _snapshot(full)
