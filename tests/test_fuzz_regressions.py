"""Replays every input the fuzzers (or the bad-input work) found crashing, through the same target
function that found it (`fuzz/targets.py`). One file per input in tests/fixtures/fuzz/TARGET/."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from fuzz.targets import TARGETS

FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
SECONDS_PER_INPUT = 5.0


def cases() -> list[pytest.param]:
    out = []
    for path in sorted(FIXTURES.glob("*/*")):
        key = f"{path.parent.name}/{path.name}"
        out.append(pytest.param(path, id=key))
    return out


def test_every_fixture_names_a_target() -> None:
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} <= set(TARGETS)


@pytest.mark.parametrize("path", cases())
def test_fuzz_regression(path: Path) -> None:
    started = time.monotonic()
    TARGETS[path.parent.name](path.read_bytes())
    assert time.monotonic() - started < SECONDS_PER_INPUT
