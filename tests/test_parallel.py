"""Worker processes: N workers give exactly what one process gives, in the same order."""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import Future

import pytest

from sitrep.parallel import ParallelExtractor, WorkerError, chunked, ordered_window, run_parallel
from sitrep.pipeline import PipelineOptions
from sitrep.records import Article, Extraction, Piece, RawDocument

from .conftest import DEV_ARTICLES, ROOT, needs_shared
from .scalefixtures import comparable, hash_seed, reference_run, scale_inputs


def test_chunked_streams_lists_of_the_given_size():
    assert list(chunked(iter(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_ordered_window_bounds_what_is_in_flight_and_keeps_order():
    submitted: list[int] = []
    in_flight: list[int] = []

    def submit(n: int) -> Future[int]:
        submitted.append(n)
        in_flight.append(len(submitted) - taken[0])
        done: Future[int] = Future()
        done.set_result(n * 10)
        return done

    taken = [0]
    out = []
    for chunk, future in ordered_window(range(10), submit, window=3):
        taken[0] += 1
        out.append((chunk, future.result()))
    assert out == [(n, n * 10) for n in range(10)]
    assert max(in_flight) <= 3


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        ParallelExtractor(workers=0)


@needs_shared
def test_two_workers_give_what_one_process_gives():
    inputs = scale_inputs()
    expected = comparable(reference_run(inputs))
    with hash_seed():
        got = comparable(run_parallel(inputs, workers=2, options=PipelineOptions(batch_size=8), chunk_size=5))
    assert got == expected
    assert any(item[0] == "reject" for item in got) and sum(len(item[2]) for item in got if item[0] != "reject") > 0


@needs_shared
def test_extract_command_with_workers():
    expected = [e.to_json() for r in reference_run([str(DEV_ARTICLES)]) if isinstance(r, Extraction)
                for e in r.events]
    with hash_seed():
        out = subprocess.run([sys.executable, "-m", "sitrep", "extract", str(DEV_ARTICLES), "--workers", "2"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert [json.loads(line) for line in out.splitlines()] == json.loads(json.dumps(expected))


def test_a_failing_worker_names_its_documents():
    good = Article(doc_id="good-doc", text="Quiet day.", pieces=[Piece("paragraph", "Quiet day.", 0, 10)], source="t")
    bad = RawDocument(doc_id="bad-doc", text=None, source="t")  # type: ignore[arg-type]  # cleaning it fails
    with ParallelExtractor(workers=1, options=PipelineOptions(with_events=False), chunk_size=1) as pool:
        results = pool.extract([good, bad])
        assert next(results).article.doc_id == "good-doc"  # type: ignore[union-attr]
        with pytest.raises(WorkerError, match="bad-doc"):
            next(results)


@needs_shared
def test_output_does_not_depend_on_the_hash_seed():
    """Regression (issue 7): event coding once iterated sets of strings, so two processes coded some articles
    differently and N workers disagreed with one."""
    inputs = [str(DEV_ARTICLES)]
    assert comparable(reference_run(inputs, seed="1")) == comparable(reference_run(inputs, seed="2"))
