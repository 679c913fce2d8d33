"""Coverage-guided fuzzing of one target with atheris (libFuzzer): `python fuzz/fuzz.py TARGET [libFuzzer flags]`.

Use `fuzz/run.sh TARGET SECONDS`, which sets the corpus, the crash folder and the limits.
Third-party libraries are imported first, uninstrumented; sitrep's own modules are instrumented.
"""
from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedparser  # noqa: F401  (loaded before instrumentation: not fuzzed themselves)
import trafilatura  # noqa: F401

with atheris.instrument_imports(include=["sitrep", "fuzz"]):
    from fuzz.targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz.py TARGET [libFuzzer flags]; targets: {', '.join(TARGETS)}")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
