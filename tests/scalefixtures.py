"""Shared by the scaling tests: their inputs, the one-process reference run, results made comparable.

The pipeline's output once depended on Python's string-hash seed (set iteration order in
event coding), so two processes could disagree.  The scaling tests compare runs made under
one fixed PYTHONHASHSEED (the reference run in a spawned process, the workers inheriting the
environment), so that they test the ordering and chunking of the workers alone; the seed
independence itself is pinned by `test_output_does_not_depend_on_the_hash_seed`.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sitrep.pipeline import Pipeline
from sitrep.records import Extraction, Reject

from .conftest import DEV_ARTICLES, SAMPLE

HASH_SEED = "0"
_REFERENCE: dict[tuple[str, ...], list[Extraction | Reject]] = {}


def mixed_input() -> Path:
    """A small JSONL file with a broken line between two articles, so Rejects fall mid-stream."""
    folder = Path(tempfile.gettempdir()) / f"sitrep-scale-tests-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    path = folder / "mixed.jsonl"
    if not path.exists():
        lines = [
            json.dumps({"id": "mixed-1", "published": "2024-03-02",
                        "text": "Police fired tear gas at hundreds of protesters in Khartoum on Saturday, witnesses said."}),
            "{not json",
            json.dumps({"id": "mixed-2", "published": "2024-03-03",
                        "text": "Gunmen killed four villagers in an attack near Maiduguri on Sunday, residents said."}),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scale_inputs() -> list[str]:
    """The sample dump, a file with a reject mid-stream, and the dev set."""
    return [str(SAMPLE), str(mixed_input()), str(DEV_ARTICLES)]


@contextmanager
def hash_seed(seed: str = HASH_SEED) -> Iterator[None]:
    """Processes started inside this block (spawned workers, subprocesses) use `seed`."""
    before = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = seed
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = before


def reference_run(inputs: Iterable[str], seed: str = HASH_SEED) -> list[Extraction | Reject]:
    """What one process started with PYTHONHASHSEED=`seed` gives for `inputs` (once per session)."""
    key = (*inputs, f"seed={seed}")
    if key not in _REFERENCE:
        with hash_seed(seed), ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
            _REFERENCE[key] = one.submit(_run_pipeline, key[:-1]).result()
    return _REFERENCE[key]


def _run_pipeline(inputs: tuple[str, ...]) -> list[Extraction | Reject]:
    return list(Pipeline().run(inputs))


def comparable(results: Iterable[Extraction | Reject]) -> list[tuple[Any, ...]]:
    """Every result as plain data, in order: rejects by their text, extractions by all they found."""
    out: list[tuple[Any, ...]] = []
    for item in results:
        if isinstance(item, Reject):
            out.append(("reject", str(item)))
            continue
        out.append((item.article.doc_id, item.article.content_hash,
                    [e.to_json() for e in item.events], [p.to_json() for p in item.places],
                    [asdict(q) for q in item.quotes]))
    return out
