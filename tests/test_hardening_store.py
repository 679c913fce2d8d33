"""Hardening, round two (issue 16): processes, concurrency and store integrity.

Each test is named after the attack report's finding it pins (../shared/reports/attack-2026-12.md).
None needs spaCy: the extractions are built here, and worker tests use tiny stand-in tasks.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sitrep.dedup import DuplicateIndex, signature, to_bytes
from sitrep.errors import StoreError
from sitrep.ingest import IngestReport, ingest_items
from sitrep.records import Article, Event, Extraction, Piece, Reject
from sitrep.store import open_store

ROOT = Path(__file__).resolve().parents[1]

WIRE = ("Gunmen attacked the village of Kabaje in Zamfara State on Tuesday night, killing 23 people and"
        " burning dozens of houses, police spokesman Mohammed Shehu said on Wednesday. The attackers arrived"
        " on motorcycles and shot at residents as they fled into the bush, survivors told reporters.")
OTHER = ("Protesters marched through central Basra on Friday demanding jobs and electricity; police fired"
         " tear gas and detained several people near the provincial council building, witnesses said.")


def _extraction(doc_id: str, text: str, *, outlet: str = "wire") -> Extraction:
    article = Article(doc_id=doc_id, text=text, pieces=[Piece("paragraph", text, 0, len(text), 1)], source="t",
                      outlet=outlet, published=date(2024, 5, 8))
    if text == OTHER:
        event = Event(doc_id=doc_id, event_type="Protests", sub_event_type="Protest with intervention",
                      actor1="Protesters (Iraq)", actor2="Police Forces of Iraq", country="Iraq", admin1="Basra",
                      location="Basra", event_date="2024-05-03", evidence=text[:60], evidence_start=0,
                      evidence_end=60)
    else:
        event = Event(doc_id=doc_id, event_type="Violence against civilians", sub_event_type="Attack",
                      actor1="Unidentified armed group (Nigeria)", actor2="Civilians (Nigeria)", country="Nigeria",
                      admin1="Zamfara", location="Kabaje", event_date="2024-05-07", fatalities=23,
                      evidence=text[:60], evidence_start=0, evidence_end=60)
    return Extraction(article, places=[], events=[event])


class Replay:
    """An extractor handing back prepared extractions; `meanwhile` runs once, after the ingest has
    checked which articles are stored and before it writes (another process's ingest, say)."""

    def __init__(self, results: Iterable[Extraction], meanwhile: Callable[[], None] | None = None):
        self.by_id = {r.article.doc_id: r for r in results}
        self.meanwhile = meanwhile

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        todo = list(items)
        if self.meanwhile is not None:
            self.meanwhile()
        for item in todo:
            yield item if isinstance(item, Reject) else self.by_id[item.doc_id]

    def run(self, paths: Iterable[str]) -> Iterator[Extraction | Reject]:
        raise NotImplementedError


def _ingest(store, extractions: list[Extraction], meanwhile: Callable[[], None] | None = None) -> IngestReport:
    return ingest_items([ex.article for ex in extractions], store, Replay(extractions, meanwhile))  # type: ignore[arg-type]


def _links(target: str) -> dict[str, str | None]:
    with open_store(target) as store:
        rows = store._read("SELECT doc_id, duplicate_of FROM articles ORDER BY doc_id", [])
    return {r["doc_id"]: r["duplicate_of"] for r in rows}


def _source_counts(target: str) -> list[int]:
    with open_store(target) as store:
        return sorted(int(r["source_count"]) for r in store._read("SELECT source_count FROM fused_events", []))


# ---------------------------------------------------------------- F5: concurrent ingests
def test_f5_a_concurrent_ingest_links_the_wire_copy_another_one_stored(store_target: str) -> None:
    """Two ingests at once: the second loaded its near-duplicate index before the first stored the wire
    story; its copy must still be linked (one fused event, one independent source), and an article the
    other stored meanwhile is counted as already stored, so the summary adds up."""
    original, copy = _extraction("wire-a", WIRE), _extraction("wire-b", WIRE.replace("Wednesday", "Wednesday."),
                                                              outlet="copier")
    shared = _extraction("shared", OTHER)
    first_report: list[IngestReport] = []

    def other_process() -> None:
        with open_store(store_target) as other:
            first_report.append(_ingest(other, [original, shared]))

    with open_store(store_target) as store:
        report = _ingest(store, [copy, shared], meanwhile=other_process)
    assert first_report[0].added == 2
    assert _links(store_target) == {"shared": None, "wire-a": None, "wire-b": "wire-a"}
    assert _source_counts(store_target) == [1, 1]  # the attack, once; the protest, once
    assert (report.read, report.added, report.skipped) == (2, 1, 1)
    assert report.events == 1  # only the article this run wrote


def test_f5_an_article_stored_meanwhile_with_other_text_is_an_e016(tmp_path: Path) -> None:
    target = str(tmp_path / "s.db")
    mine, theirs = _extraction("same-id", WIRE), _extraction("same-id", OTHER)

    def other_process() -> None:
        with open_store(target) as other:
            _ingest(other, [theirs])

    with open_store(target) as store:
        report = _ingest(store, [mine], meanwhile=other_process)
        assert [r.code for r in report.rejected] == ["E016"]
        assert [r["code"] for r in store.rejects()] == ["E016"]
    assert (report.read, report.added, report.skipped) == (1, 0, 1)


# ---------------------------------------------------------------- F6: tie-break
def _variant(base: np.ndarray, changed: list[int]) -> bytes:
    values = base.copy()
    values[changed] += 1  # a different hash at these permutations: Jaccard (128 - len) / 128
    return values.astype(np.uint64).tobytes()


@pytest.mark.parametrize("lsh_order", [["b-later", "a-earlier"], ["a-earlier", "b-later"]])
def test_f6_equally_similar_copies_tie_to_the_smallest_doc_id_whatever_lsh_returns_first(
        lsh_order: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Both candidates have Jaccard exactly 125/128 = 0.9765625 (stored as 0.977): the old code kept the
    rounded similarity, so the second candidate never won the tie and the hash seed picked the link."""
    m = signature(WIRE)
    base = np.asarray(m.hashvalues, dtype=np.uint64)
    index = DuplicateIndex([("b-later", _variant(base, [1, 2, 3])), ("a-earlier", _variant(base, [4, 5, 6]))])
    monkeypatch.setattr(index.lsh, "query", lambda _m: list(lsh_order))
    _, link = index.add("q", WIRE)
    assert link == ("a-earlier", 0.977)


def test_f6_a_rolled_back_batch_is_forgotten_by_the_index() -> None:
    index = DuplicateIndex()
    _, _, added = index.link([("x", WIRE)])
    index.forget(added)
    assert index.nearest("y", signature(WIRE)) is None
    assert index.add("x", WIRE)[0] == to_bytes(signature(WIRE))


# ---------------------------------------------------------------- F3: the worker pool dies with its parent
POOL_SCRIPT = textwrap.dedent("""
    import faulthandler, os, signal, sys, time
    import sitrep.parallel as par

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # the test asks for every thread's stack on a hang
    # Ctrl-C as a terminal's foreground job has it. A suite run as a background job (`pytest &` in a script)
    # hands its children SIGINT ignored, and a Python started so keeps it ignored, as POSIX asks.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    class SlowPipeline:  # stands in for the spaCy pipeline; spawned workers run this module's top level too
        def __init__(self, options):
            pass
        def extract(self, items):
            for item in items:
                time.sleep(0.5)
                yield item

    par.Pipeline = SlowPipeline

    if __name__ == "__main__":
        try:
            with par.ParallelExtractor(workers=2, chunk_size=1) as pool:  # spawn, as the CLI's
                pids = sorted(set(pool.pool.submit(os.getpid).result() for _ in range(8)))
                print("workers", *pids, flush=True)
                for _ in pool.extract(par.Reject(f"r{i}", "x", "E001") for i in range(10_000)):
                    pass
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
""")


def _children(pid: int) -> set[int]:
    """Every live process whose parent is `pid` (workers and the resource tracker)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(entry.name))
    return out


def _alive(pids: Iterable[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start_pool(tmp_path: Path) -> tuple[subprocess.Popen[str], set[int]]:
    script = tmp_path / "pool.py"
    script.write_text(POOL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("workers"), proc.stderr.read() if proc.stderr else line
    time.sleep(0.5)  # the resource tracker is up by now
    return proc, _children(proc.pid)


def _signal_state(pid: int | str) -> str:
    """The kernel's view of a process's signals: which it ignores, blocks and catches."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return " ".join(line.replace("\t", "") for line in status if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def _stacks_of(proc: subprocess.Popen[str]) -> str:
    """Every thread's stack of a hung POOL_SCRIPT (its faulthandler answers SIGUSR1), then the process is killed."""
    state = f"child: {_signal_state(proc.pid)}; this process: {_signal_state('self')}"
    proc.send_signal(signal.SIGUSR1)
    time.sleep(1.0)
    proc.kill()
    _, err = proc.communicate()
    return f"{state}\n{err}"


def _wait_gone(pids: set[int], seconds: float = 15.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := _alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _reap(pids: set[int]) -> None:
    for pid in _alive(pids):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_f3_kill_9_of_the_parent_ends_its_workers_and_the_resource_tracker(tmp_path: Path) -> None:
    proc, children = _start_pool(tmp_path)
    try:
        assert len(children) >= 3  # two workers and the resource tracker
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _wait_gone(children) == set()
    finally:
        _reap(children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_f3_without_a_parent_death_signal_the_worker_polls_and_ends(tmp_path: Path) -> None:
    """Without a parent-death signal (another OS, or a pool made off the main thread) the worker polls."""
    script = tmp_path / "orphan.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from sitrep.parallel import die_with_parent
        child = os.fork()
        if child == 0:
            print(os.getpid(), die_with_parent(os.getppid(), death_signal=False), flush=True)
            time.sleep(60)
            os._exit(0)
        time.sleep(60)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    pid, how = proc.stdout.readline().split()
    child = int(pid)
    try:
        assert how == "poll"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _wait_gone({child}) == set()
    finally:
        _reap({child})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_of_a_parallel_run_stops_parent_and_workers_without_worker_tracebacks(tmp_path: Path) -> None:
    proc, children = _start_pool(tmp_path)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground group
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the parent did not stop on Ctrl-C; its threads and signal state:\n{_stacks_of(proc)}")
        assert proc.returncode == 130 and "interrupted" in out
        assert "Traceback" not in err, err
        assert _wait_gone(children) == set()
    finally:
        _reap(children)


# ---------------------------------------------------------------- F9: another application's SQLite file
def _foreign_db(path: Path, *tables: str) -> str:
    conn = sqlite3.connect(path)
    for table in tables:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute(f"INSERT INTO {table}(name) VALUES ('alice'), ('bob')")
    conn.commit()
    conn.close()
    return hashlib.md5(path.read_bytes()).hexdigest()


def _sitrep(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sitrep", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


@pytest.mark.parametrize("command", [["events"], ["stats"], ["export"], ["rejects"], ["fuse"],
                                     ["ingest", "no-such-input.jsonl"]])
def test_f9_a_command_given_another_applications_sqlite_file_refuses_it_unchanged(
        command: list[str], tmp_path: Path) -> None:
    db = tmp_path / "foreign.db"
    before = _foreign_db(db, "customers", "articles")  # its own `articles` table, too
    done = _sitrep(*command, "--db", str(db))
    assert done.returncode == 2, done.stderr
    assert "[E013]" in done.stderr and "not a sitrep store" in done.stderr
    assert "Traceback" not in done.stderr
    assert hashlib.md5(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "foreign.db-wal").exists()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")] == ["articles", "customers"]
    conn.close()


def test_f9_read_only_opening_never_makes_a_store_of_an_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for target in (empty, tmp_path / "missing.db"):
        with pytest.raises(StoreError, match="E013"):
            open_store(target, create=False)
    assert empty.read_bytes() == b"" and not (tmp_path / "missing.db").exists()


def test_f9_a_sitrep_store_still_opens_read_only_and_is_migrated_as_before(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    with open_store(target) as store:
        _ingest(store, [_extraction("a", WIRE)])
    with open_store(target, create=False) as store:
        assert store.counts()["articles"] == 1


def test_f9_a_store_killed_in_its_first_migration_is_still_sitreps(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    conn.commit()
    conn.close()
    with open_store(target) as store:
        assert store.counts()["articles"] == 0


def test_f9_postgres_database_of_another_application_is_refused_unchanged(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text)")
    for create in (True, False):
        with pytest.raises(StoreError, match="not a sitrep store"):
            open_store(pg_url, create=create)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables"
                                             " WHERE table_schema = 'public'")]
    assert tables == ["customers"]
