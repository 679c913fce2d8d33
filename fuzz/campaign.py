"""Fuzz targets one after another for SECONDS each, restarting after a crash; print executions and crashes.

    .venv/bin/python fuzz/campaign.py 600                 # every target, 10 minutes each
    .venv/bin/python fuzz/campaign.py 60 numbers dates    # some targets

A summary row per target is appended to fuzz/results/summary.tsv (git-ignored); crashing inputs
stay in fuzz/crashes/TARGET/.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_RESTARTS = 25
_EXECS = re.compile(r"^#(\d+)\s", re.MULTILINE)
_FINAL = re.compile(r"stat::number_of_executed_units:\s*(\d+)")


def fuzz_target(target: str, seconds: int) -> tuple[int, int, float]:
    """Run one target for `seconds` in all; return (executions, crashes, seconds used)."""
    crash_dir = HERE / "crashes" / target
    before = set(crash_dir.glob("*")) if crash_dir.exists() else set()
    executions, started = 0, time.monotonic()
    log = HERE / "results" / f"{target}.log"
    for _ in range(MAX_RESTARTS):
        left = int(seconds - (time.monotonic() - started))
        if left < 2:
            break
        proc = subprocess.run([str(HERE / "run.sh"), target, str(left)], capture_output=True, text=True,
                              timeout=left + 120, check=False)
        out = proc.stdout + proc.stderr
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(out[-20_000:])
        final = _FINAL.findall(out)
        executions += int(final[-1]) if final else max((int(n) for n in _EXECS.findall(out)), default=0)
        if proc.returncode == 0:
            break
    crashes = len(set(crash_dir.glob("*")) - before)
    return executions, crashes, time.monotonic() - started


def main() -> None:
    from targets import TARGETS

    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    names = sys.argv[2:] or list(TARGETS)
    (HERE / "results").mkdir(exist_ok=True)
    summary = HERE / "results" / "summary.tsv"
    for name in names:
        execs, crashes, used = fuzz_target(name, seconds)
        row = f"{time.strftime('%Y-%m-%dT%H:%M:%S')}\t{name}\t{used:.0f}s\t{execs}\t{crashes}"
        print(row, flush=True)
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(row + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    main()
