"""Injected faults: kill -9 at seeded random points, a full disk, a read-only store, a PostgreSQL
backend terminated mid-ingest. After each, the store is whole and a re-run completes it.

    SITREP_KILL_ROUNDS=200 .venv/bin/python -m pytest tests/test_faults.py -k kill   # by hand
"""
from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import DEV_ARTICLES, ROOT, needs_shared

SITREP = [sys.executable, "-m", "sitrep"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
KILL_ROUNDS = int(os.environ.get("SITREP_KILL_ROUNDS", "5"))
KILL_SEED = int(os.environ.get("SITREP_KILL_SEED", "8"))
BATCH = 4

pytestmark = needs_shared


def ingest(db: Path | str, *extra: str, timeout: float = 300, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SITREP, "ingest", str(DEV_ARTICLES), "--batch-size", str(BATCH), "--db", str(db), *extra],
                          env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False, **kw)


def snapshot(db: Path) -> dict[str, Any]:
    """What must equal an uninterrupted run: articles, events, sources, fused events, counts."""
    conn = sqlite3.connect(db)
    try:
        fused: dict[str, list[str]] = {}
        for fused_id, event_id in conn.execute("SELECT fused_id, event_id FROM fused_members"):
            fused.setdefault(fused_id, []).append(event_id)
        return {
            "articles": conn.execute("SELECT doc_id, content_hash FROM articles ORDER BY doc_id").fetchall(),
            "events": conn.execute("SELECT e.event_id, a.doc_id, e.event_type, e.fatalities, e.location, e.event_date"
                                   " FROM events e JOIN articles a ON a.id = e.article_id ORDER BY e.event_id").fetchall(),
            "sources": conn.execute("SELECT event_id, doc_id, evidence_start, evidence_end FROM event_sources"
                                    " ORDER BY event_id, doc_id").fetchall(),
            "fused": sorted(sorted(members) for members in fused.values()),
            "fused_rows": conn.execute("SELECT event_type, fatalities, source_count, location FROM fused_events"
                                       " ORDER BY 1, 2, 3, 4").fetchall(),
            "counts": [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                       for t in ("pieces", "place_mentions", "places", "actors", "quotes", "rejects")],
        }
    finally:
        conn.close()


def check_whole(db: Path) -> int:
    """Invariants that hold after any crash; returns the number of stored articles."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        stored, distinct = conn.execute("SELECT count(*), count(DISTINCT doc_id) FROM articles").fetchone()
        assert stored == distinct, "an article stored twice"
        orphans = conn.execute("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE"
                               " a.id = e.article_id) OR NOT EXISTS (SELECT 1 FROM event_sources s WHERE"
                               " s.event_id = e.event_id)").fetchone()[0]
        assert orphans == 0, "an event without its article or sources"
        unfused = conn.execute("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM fused_members m"
                               " WHERE m.event_id = e.event_id)").fetchone()[0]
        assert unfused == 0, "an event stored without its fusion"
        return int(stored)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # killed before the first migration committed
            return 0
        raise
    finally:
        conn.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float]:
    db = tmp_path_factory.mktemp("ref") / "full.db"
    started = time.monotonic()
    ingest(db).check_returncode()
    return snapshot(db), time.monotonic() - started


def test_kill_9_at_random_points(tmp_path: Path, reference: tuple[dict[str, Any], float]) -> None:
    """KILL_ROUNDS ingests SIGKILLed at seeded random times; after each the store is whole, and each
    completed store equals the uninterrupted run (the store starts over once it is complete)."""
    expected, duration = reference
    total = len(expected["articles"])
    rng = random.Random(KILL_SEED)
    db = tmp_path / "killed.db"
    kills = completions = 0
    for _ in range(KILL_ROUNDS):
        proc = subprocess.Popen([*SITREP, "ingest", str(DEV_ARTICLES), "--batch-size", str(BATCH), "--db", str(db)],
                                env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=rng.uniform(0.2, duration * 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        assert proc.wait() in (0, -signal.SIGKILL)
        stored = check_whole(db)
        assert stored % BATCH == 0 or stored == total, f"{stored} articles: half a batch was written"
        if stored == total:
            assert snapshot(db) == expected
            completions += 1
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
    ingest(db).check_returncode()
    check_whole(db)
    assert snapshot(db) == expected
    print(f"kill -9: {KILL_ROUNDS} rounds, {kills} kills, {completions + 1} completed stores equal to the reference")
    assert kills >= KILL_ROUNDS // 2


# ---------------------------------------------------------------- disk full and read-only


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def assert_clean_error(done: subprocess.CompletedProcess[str], db: Path, words: str) -> None:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"{db}: [E013]" in done.stderr and words in done.stderr, done.stderr[-2000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny tmpfs needs root")
def test_disk_full_is_a_clear_error_and_a_rerun_completes(tmp_path: Path,
                                                          reference: tuple[dict[str, Any], float]) -> None:
    with tmpfs(tmp_path / "disk", "384k") as disk:
        db = disk / "s.db"
        done = ingest(db)
        assert_clean_error(done, db, "database or disk is full")
        stored = check_whole(db)
        assert stored % BATCH == 0 and stored < len(reference[0]["articles"])
        subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
        ingest(db).check_returncode()
        check_whole(db)
        assert snapshot(db) == reference[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="a read-only mount needs root (root ignores file modes)")
def test_read_only_store_is_a_clear_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "4m") as disk:
        db = disk / "s.db"
        sqlite3.connect(db).close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert_clean_error(ingest(db), db, "read-only")
        assert_clean_error(ingest(disk / "new.db"), disk / "new.db", "unable to open database file")


@pytest.mark.skipif(os.geteuid() != 0, reason="a read-only mount needs root (root ignores file modes)")
def test_a_store_on_read_only_media_still_answers_reads(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sitrep.api import create_app

    with tmpfs(tmp_path / "ro", "16m") as disk:
        db = disk / "s.db"
        sample = ROOT / "samples" / "sample_dump.txt"
        subprocess.run([*SITREP, "ingest", str(sample), "--db", str(db)], env=ENV, cwd=ROOT, check=True,
                       capture_output=True)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        read = [["events", "--db", str(db)], ["export", "--db", str(db), "-o", str(tmp_path / "e.csv")],
                ["report", "--db", str(db), "-o", str(tmp_path / "r.md")]]
        for args in read:
            done = subprocess.run([*SITREP, *args], env=ENV, cwd=ROOT, capture_output=True, text=True, check=False)
            assert done.returncode == 0, (args, done.stderr[-2000:])
        assert len((tmp_path / "e.csv").read_text(encoding="utf-8").splitlines()) > 1
        client = TestClient(create_app(db, read_token_from_env=False))
        assert client.get("/events").json()["total"] > 0
        new = tmp_path / "new.jsonl"
        new.write_text('{"id": "ro-1", "text": "Police arrested ten protesters in Algiers on Friday."}\n',
                       encoding="utf-8")
        done = subprocess.run([*SITREP, "ingest", str(new), "--db", str(db)], env=ENV, cwd=ROOT,
                              capture_output=True, text=True, check=False)
        assert_clean_error(done, db, "read-only")


# ---------------------------------------------------------------- PostgreSQL


def _pg_url() -> str:
    return os.environ.get("SITREP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture()
def pg_db() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    admin = _pg_url()
    name = f"sitrep_fault_{os.getpid()}"
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {admin}: {exc}")
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def test_postgres_backend_terminated_mid_ingest_is_retried(pg_db: str,
                                                           reference: tuple[dict[str, Any], float]) -> None:
    """pg_terminate_backend on the ingest's connection while it writes: the store retries and completes."""
    import psycopg

    name = pg_db.rsplit("/", 1)[1]
    killed: list[int] = []
    stop = threading.Event()

    def terminator() -> None:
        with psycopg.connect(_pg_url(), autocommit=True) as conn:
            while not stop.is_set() and len(killed) < 3:
                rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                                    " AND backend_type = 'client backend'", (name,)).fetchall()
                articles = 0
                with contextlib.suppress(psycopg.Error), psycopg.connect(pg_db, connect_timeout=2) as probe:
                    articles = probe.execute("SELECT count(*) FROM articles").fetchone()[0]
                if rows and articles >= 4 * (len(killed) + 1):
                    for (pid,) in rows:
                        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed.append(articles)
                time.sleep(0.05)

    thread = threading.Thread(target=terminator, daemon=True)
    thread.start()
    try:
        done = ingest(pg_db)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert done.returncode == 0, done.stderr[-3000:]
    assert killed, "the backend was never terminated: the ingest finished first"
    with psycopg.connect(pg_db) as conn:
        stored, distinct = conn.execute("SELECT count(*), count(DISTINCT doc_id) FROM articles").fetchone()
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        orphans = conn.execute("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_sources s"
                               " WHERE s.event_id = e.event_id)").fetchone()[0]
    assert stored == distinct == len(reference[0]["articles"])
    assert events == len(reference[0]["events"]) and orphans == 0
