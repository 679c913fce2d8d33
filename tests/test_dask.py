"""Dask: a LocalCluster of two worker processes gives exactly what one process gives."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from sitrep.ingest import ingest_paths
from sitrep.records import Extraction
from sitrep.store import Store
from sitrep.store.sqlite import EventQuery

from .conftest import DEV_ARTICLES, needs_shared
from .scalefixtures import comparable, hash_seed, reference_run, scale_inputs

distributed = pytest.importorskip("distributed", reason="dask is not installed (pip install 'dask[distributed]')")

from sitrep.distributed import DaskExtractor  # needs distributed, hence after importorskip


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    # The workers inherit the reference run's hash seed (see scalefixtures).
    with hash_seed(), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                               dashboard_address=None) as local:
        yield local


@needs_shared
def test_dask_gives_what_one_process_gives(cluster):
    inputs = scale_inputs()
    with DaskExtractor(cluster.scheduler_address, chunk_size=5) as dask:
        assert dask.n_workers == 2
        got = comparable(dask.run(inputs))
    assert got == comparable(reference_run(inputs))


@needs_shared
def test_dask_ingest_writes_from_the_client(cluster, tmp_path):
    with DaskExtractor(cluster.scheduler_address) as dask, Store(tmp_path / "s.db") as store:
        report = ingest_paths([str(DEV_ARTICLES)], store, dask)
        events = sorted(r["event_id"] for r in store.events(EventQuery(limit=100_000)))
    expected = sorted(e.event_id for r in reference_run([str(DEV_ARTICLES)]) if isinstance(r, Extraction)
                      for e in r.events)
    assert report.added == 29 and events == sorted(set(expected))


@needs_shared
def test_dask_worker_killed_mid_run_is_replaced_and_the_output_is_unchanged(cluster):
    """Issue 16: a Dask worker lost mid-run (kill -9). Its nanny starts a new one, which gets the
    pipeline plugin; the scheduler runs the lost chunks again, and the output is what one process gives."""
    import os
    import signal

    inputs = scale_inputs()
    with DaskExtractor(cluster.scheduler_address, chunk_size=5) as dask:
        pids = dask.client.run(os.getpid)
        results = []
        for n, item in enumerate(dask.run(inputs)):
            if n == 1:
                os.kill(next(iter(pids.values())), signal.SIGKILL)
            results.append(item)
        got = comparable(iter(results))
    assert got == comparable(reference_run(inputs))
