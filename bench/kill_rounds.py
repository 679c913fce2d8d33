"""kill -9 rounds: `sitrep ingest --workers N` killed at random moments, resumed, compared to a clean run.

Run by hand (not in CI), niced on a shared machine:

    nice -n 10 .venv/bin/python bench/kill_rounds.py --rounds 200 --backend sqlite
    nice -n 10 .venv/bin/python bench/kill_rounds.py --rounds 20 --backend postgres

The input is built at run time from the first `--articles` articles of ../shared/eval/dev/articles.jsonl
plus `--copies` wire copies of some of them (new ids, a sentence added), so near-duplicate links and
fused source counts are exercised.  It prints:

1. two clean (uninterrupted) runs under different hash seeds, and whether they are equal (issue 16, F6);
2. the rounds: each starts `sitrep ingest` on the store (a random hash seed each time), kills it with
   SIGKILL at a random moment (half at a random time, half just after a batch commits), and counts the
   processes it leaves behind (workers, the resource tracker) 5 s later.  The store is then checked
   (SQLite: integrity_check) and the next round resumes it; once a run completes, the finished store is
   compared with the clean run (articles and their text hashes, near-duplicate links and similarities,
   events, event sources, fused clusters and their source counts, row counts) and a fresh store begins;
3. with `--concurrent` (default on), three ingests of overlapping thirds of the input at once into one
   store: every article once, the summaries add up, and the same fused source counts and duplicate
   groups as the clean run (which copy is the original may differ: whichever was stored first).

Exit status 1 if any store differs, any process was left behind, or a summary does not add up.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitrep.store import open_store  # noqa: E402

DEV = ROOT / ".." / "shared" / "eval" / "dev" / "articles.jsonl"
ADMIN_URL = os.environ.get("SITREP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SUMMARY = re.compile(r"read (\d+) articles: (\d+) added, (\d+) already stored, (\d+) rejected")


def build_input(path: Path, articles: int, copies: int) -> int:
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = records[:articles]
    rng = random.Random(16)
    for n, original in enumerate(rng.sample(chosen, min(copies, len(chosen)))):
        copy = dict(original, id=f"wire-copy-{n}-{original['id']}", outlet=f"copier{n}.example")
        copy["text"] = original["text"] + "\nThis report was carried by several outlets."
        chosen.insert(rng.randrange(len(chosen) // 2, len(chosen) + 1), copy)
    with path.open("w", encoding="utf-8") as fh:
        for record in chosen:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(chosen)


# ---------------------------------------------------------------- stores
class Backend:
    def __init__(self, kind: str, workdir: Path):
        self.kind = kind
        self.workdir = workdir

    @contextmanager
    def fresh(self) -> Iterator[str]:
        if self.kind == "sqlite":
            path = self.workdir / f"store-{uuid.uuid4().hex[:8]}.db"
            try:
                yield str(path)
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        from urllib.parse import urlsplit

        import psycopg

        name = f"sitrep_kill_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
        finally:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def article_count(self, target: str) -> int:
        """Committed articles, read without opening the store for writing (0 before it has a schema)."""
        try:
            if self.kind == "sqlite":
                if not Path(target).exists():
                    return 0
                conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=1)
                try:
                    return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
                finally:
                    conn.close()
            import psycopg

            with psycopg.connect(target, autocommit=True, connect_timeout=2) as conn:
                row = conn.execute("SELECT count(*) FROM articles").fetchone()
                return int(row[0]) if row else 0
        except Exception:  # no table yet, a lock, a busy server: not committed yet, as far as we can tell
            return 0


def fingerprint(target: str) -> dict[str, Any]:
    with open_store(target, create=False) as store:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return sorted(tuple(r.values()) for r in store._read(sql, []))

        fused = {}
        for r in store._read("SELECT m.fused_id, m.event_id, f.source_count FROM fused_members m"
                             " JOIN fused_events f ON f.fused_id = m.fused_id", []):
            fused.setdefault(r["fused_id"], [int(r["source_count"]), []])[1].append(r["event_id"])
        out = {
            "articles": rows("SELECT doc_id, content_hash FROM articles"),
            "links": rows("SELECT doc_id, duplicate_of, duplicate_similarity FROM articles"),
            "events": rows("SELECT e.event_id, a.doc_id, e.event_type, e.location, e.fatalities FROM events e"
                           " JOIN articles a ON a.id = e.article_id"),
            "sources": rows("SELECT event_id, doc_id, evidence_start, evidence_end FROM event_sources"),
            "fused": sorted((sorted(members), count) for count, members in fused.values()),
            "counts": store.counts(),
            "integrity": store.integrity_check(),
        }
    return out


def duplicate_groups(print_: dict[str, Any]) -> list[list[str]]:
    """Articles grouped by near-duplicate links (direction left out)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for doc_id, dup, _ in print_["links"]:
        parent.setdefault(doc_id, doc_id)
        if dup:
            parent[root(doc_id)] = root(dup)
    groups: dict[str, list[str]] = {}
    for doc_id in parent:
        groups.setdefault(root(doc_id), []).append(doc_id)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [key for key in a if a[key] != b[key]]


# ---------------------------------------------------------------- runs
def sitrep_cmd(inputs: Path, target: str, args: argparse.Namespace, batch_size: int | None = None) -> list[str]:
    return [sys.executable, "-m", "sitrep", "ingest", str(inputs), "--db", target,
            "--workers", str(args.workers), "--batch-size", str(batch_size or args.batch_size)]


def env(seed: int) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": str(seed)}


def clean_run(inputs: Path, target: str, args: argparse.Namespace, seed: int) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(sitrep_cmd(inputs, target, args), env=env(seed), capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"clean run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.monotonic() - start, done.stderr


def leftovers(children: list[psutil.Process], grace: float) -> list[psutil.Process]:
    """The processes of the killed ingest still alive after `grace` seconds."""
    deadline = time.monotonic() + grace
    alive = children
    while time.monotonic() < deadline:
        alive = [c for c in alive if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def one_round(backend: Backend, inputs: Path, target: str, args: argparse.Namespace, rng: random.Random,
              full_s: float) -> dict[str, Any]:
    """Start an ingest, kill -9 it at a random moment; what happened."""
    mode = rng.choice(["time", "commit"])
    before = backend.article_count(target)
    proc = subprocess.Popen(sitrep_cmd(inputs, target, args), env=env(rng.randrange(1, 2**31)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    kill_at = started + rng.uniform(0.3, full_s * 1.05)
    family: dict[int, psutil.Process] = {}
    me = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            for child in me.children(recursive=True):
                family.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass
        now = time.monotonic()
        if mode == "time" and now >= kill_at:
            break
        if mode == "commit" and (backend.article_count(target) > before or now > started + full_s * 1.5):
            time.sleep(rng.uniform(0.0, 0.4))  # somewhere in the next batch: analysing, or writing it
            break
        time.sleep(0.05)
    if proc.poll() is not None:  # it finished before the kill
        stderr = proc.stderr.read() if proc.stderr else ""
        return {"killed": False, "rc": proc.returncode, "stderr": stderr, "left": 0, "mode": mode,
                "took": time.monotonic() - started}
    try:
        family.update({c.pid: c for c in me.children(recursive=True)})
    except psutil.NoSuchProcess:
        pass
    proc.kill()
    proc.wait()
    left = leftovers(list(family.values()), args.grace)
    for p in left:  # end them ourselves, by pid, so the next round starts clean
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    return {"killed": True, "left": len(left), "left_names": [p.name() for p in left if p.is_running()],
            "mode": mode, "at": time.monotonic() - started, "stored": backend.article_count(target)}


def kill_rounds(backend: Backend, inputs: Path, reference: dict[str, Any], args: argparse.Namespace,
                full_s: float) -> dict[str, Any]:
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else float("inf")
    stats = {"rounds": 0, "by_mode": {"time": 0, "commit": 0}, "left_behind": 0, "rounds_with_leftovers": 0,
             "integrity_failures": 0, "completed_stores": 0, "equal_stores": 0, "differing": [],
             "kills_mid_store": 0, "resumes_per_store": []}
    while stats["rounds"] < args.rounds and time.monotonic() < deadline:
        with backend.fresh() as target:
            resumes = 0
            while True:
                if stats["rounds"] >= args.rounds or time.monotonic() >= deadline:  # spent: complete this store
                    clean_run(inputs, target, args, rng.randrange(1, 2**31))
                    break
                result = one_round(backend, inputs, target, args, rng, full_s)
                if not result["killed"]:
                    if result["rc"] != 0:
                        raise SystemExit(f"a resumed run failed ({result['rc']}): {result['stderr'][-2000:]}")
                    # Kill times follow how long a whole run takes now (the machine's load changes).
                    full_s = 0.5 * full_s + 0.5 * result["took"]
                    break
                stats["rounds"] += 1
                resumes += 1
                stats["by_mode"][result["mode"]] += 1
                stats["left_behind"] += result["left"]
                stats["rounds_with_leftovers"] += bool(result["left"])
                stats["kills_mid_store"] += 0 < result["stored"] < reference["counts"]["articles"]
                if backend.kind == "sqlite" and Path(target).exists():
                    conn = sqlite3.connect(target)
                    ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                    ok = ok and not conn.execute("PRAGMA foreign_key_check").fetchall()
                    conn.close()
                    stats["integrity_failures"] += not ok
                if stats["rounds"] % 10 == 0:
                    print(f"  {stats['rounds']} rounds, {stats['completed_stores']} stores completed"
                          f" ({stats['equal_stores']} equal to the clean run), {stats['left_behind']} processes"
                          f" left behind, {stats['integrity_failures']} integrity failures", flush=True)
            got = fingerprint(target)
            stats["completed_stores"] += 1
            stats["resumes_per_store"].append(resumes)
            diff = differences(reference, got)
            if diff:
                stats["differing"].append(diff)
            else:
                stats["equal_stores"] += 1
    return stats


def concurrent_phase(backend: Backend, inputs: Path, reference: dict[str, Any], args: argparse.Namespace,
                     workdir: Path) -> dict[str, Any]:
    lines = inputs.read_text(encoding="utf-8").splitlines(keepends=True)
    n = len(lines)
    slices = [lines[0:n * 2 // 3], lines[n // 3:n], lines[0:n // 3] + lines[n * 2 // 3:n]]  # each line twice
    paths = []
    for i, part in enumerate(slices):
        path = workdir / f"part{i}.jsonl"
        path.write_text("".join(part), encoding="utf-8")
        paths.append(path)
    with backend.fresh() as target:
        open_store(target).close()  # made first, so the three do not race to create it
        procs = [subprocess.Popen(sitrep_cmd(p, target, args, batch_size=1),
                                  env=env(100 + i), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for i, p in enumerate(paths)]
        summaries = []
        for proc in procs:
            _, err = proc.communicate(timeout=3600)
            m = SUMMARY.search(err)
            if proc.returncode != 0 or not m:
                raise SystemExit(f"a concurrent ingest failed ({proc.returncode}): {err[-2000:]}")
            summaries.append(tuple(int(x) for x in m.groups()))
        got = fingerprint(target)
    same = {k: got[k] == reference[k] for k in ("articles", "events", "sources", "counts")}
    same["fused source counts"] = sorted(c for _, c in got["fused"]) == sorted(c for _, c in reference["fused"])
    same["fused clusters"] = got["fused"] == reference["fused"]
    same["duplicate groups"] = duplicate_groups(got) == duplicate_groups(reference)
    adds_up = all(read == added + skipped for read, added, skipped, _ in summaries)
    total_added = sum(s[1] for s in summaries)
    return {"summaries": summaries, "adds_up": adds_up, "added_once": total_added == reference["counts"]["articles"],
            "same": same, "originals": sum(1 for _, dup, _ in got["links"] if dup is None),
            "reference_originals": sum(1 for _, dup, _ in reference["links"] if dup is None)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=3)
    parser.add_argument("--grace", type=float, default=5.0, help="Seconds a killed run's processes get to end.")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="Start no round after this long; the store in progress is completed and compared.")
    parser.add_argument("--no-concurrent", dest="concurrent", action="store_false")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-kill-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backend = Backend(args.backend, workdir)
    inputs = workdir / "input.jsonl"
    total = build_input(inputs, args.articles, args.copies)
    print(f"input: {total} articles ({args.copies} wire copies); backend {args.backend}; workers {args.workers};"
          f" batch size {args.batch_size}; workdir {workdir}", flush=True)

    with backend.fresh() as ref_a, backend.fresh() as ref_b:
        full_s, _ = clean_run(inputs, ref_a, args, seed=0)
        clean_run(inputs, ref_b, args, seed=12345)
        reference, again = fingerprint(ref_a), fingerprint(ref_b)
    links = sum(1 for _, dup, _ in reference["links"] if dup)
    print(f"clean run: {full_s:.1f} s; {reference['counts']['articles']} articles, {reference['counts']['events']}"
          f" events, {len(reference['fused'])} fused, {links} near-duplicate links, sum(source_count)"
          f" {sum(c for _, c in reference['fused'])}", flush=True)
    print(f"clean runs under hash seeds 0 and 12345 equal: {not differences(reference, again)}"
          f" {differences(reference, again) or ''}", flush=True)
    failed = bool(differences(reference, again))

    start = time.monotonic()
    stats = kill_rounds(backend, inputs, reference, args, full_s)
    took = time.monotonic() - start
    print(f"kill -9 rounds: {stats['rounds']} ({stats['by_mode']['time']} at a random time,"
          f" {stats['by_mode']['commit']} just after a commit; {stats['kills_mid_store']} with the store part"
          f" written) in {took / 60:.1f} min", flush=True)
    print(f"  processes left behind 5 s after the kill: {stats['left_behind']}"
          f" (in {stats['rounds_with_leftovers']} rounds)", flush=True)
    if backend.kind == "sqlite":
        print(f"  integrity_check / foreign_key_check failures after a kill: {stats['integrity_failures']}")
    print(f"  completed stores: {stats['completed_stores']}, equal to the clean run: {stats['equal_stores']}"
          f" (kills per store: {stats['resumes_per_store']})", flush=True)
    if stats["differing"]:
        print(f"  DIFFERING in: {stats['differing']}")
    failed |= bool(stats["differing"] or stats["left_behind"] or stats["integrity_failures"])

    if args.concurrent:
        conc = concurrent_phase(backend, inputs, reference, args, workdir)
        print(f"concurrent: 3 ingests of overlapping thirds at once, --batch-size 1: summaries"
              f" (read, added, already stored, rejected) {conc['summaries']}; add up: {conc['adds_up']};"
              f" every article added once: {conc['added_once']}", flush=True)
        print(f"  same as the clean run: {conc['same']}; originals {conc['originals']}"
              f" (clean run {conc['reference_originals']})", flush=True)
        failed |= not (conc["adds_up"] and conc["added_once"] and all(conc["same"].values()))
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
