"""Run the pipeline on a Dask distributed cluster.

Each Dask worker holds one Pipeline, built once by a worker plugin when the
worker joins.  The client reads the inputs and sends chunks of documents (the
lines of a JSONL file, the articles of a dump) to the workers, at most a few
per worker in flight; Extractions come back as they complete and are handed on
in input order, so a cluster gives exactly what one process gives.  Anything
stored is written by the client alone: the one writer.

    sitrep extract corpus/ --dask tcp://scheduler:8786
    sitrep extract corpus/ --dask local --workers 4      # a LocalCluster on this machine
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, Self

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from .parallel import (
    DEFAULT_OPTIONS,
    WINDOW_PER_WORKER,
    Item,
    Result,
    WorkerError,
    chunked,
    describe_chunk,
    extract_chunk,
    ordered_window,
)
from .pipeline import Pipeline, PipelineOptions
from .readers import read_inputs

log = logging.getLogger(__name__)
PLUGIN_NAME = "sitrep-pipeline"


class PipelinePlugin(WorkerPlugin):
    """Builds the worker's one Pipeline when it starts (or joins later) and keeps it."""

    name = PLUGIN_NAME

    def __init__(self, options: PipelineOptions):
        self.options = options
        self.pipeline: Pipeline | None = None

    def setup(self, worker: Any) -> None:
        self.pipeline = Pipeline(self.options)
        log.info("sitrep pipeline ready on %s", worker.address)

    def teardown(self, worker: Any) -> None:
        self.pipeline = None


def extract_on_worker(chunk: list[Item]) -> list[Result]:
    """The Dask task: analyse one chunk with this worker's Pipeline."""
    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, PipelinePlugin) or plugin.pipeline is None:
        raise WorkerError(f"Dask worker has no sitrep pipeline: register {PLUGIN_NAME!r} before submitting")
    return extract_chunk(chunk, plugin.pipeline)


class DaskExtractor:
    """A Dask client with the pipeline plugin registered; a drop-in for `Pipeline.run`/`extract`.

    `address` is a scheduler address ('tcp://host:8786') or 'local' for a LocalCluster
    of `workers` single-threaded worker processes."""

    def __init__(self, address: str, *, options: PipelineOptions = DEFAULT_OPTIONS, workers: int = 2,
                 chunk_size: int | None = None):
        self.options = options
        self.chunk_size = chunk_size or options.batch_size
        self.cluster: LocalCluster | None = None
        if address == "local":
            self.cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            address = self.cluster.scheduler_address
        try:
            self.client = Client(address)
            self.client.register_plugin(PipelinePlugin(options), name=PLUGIN_NAME)
        except (OSError, TimeoutError) as exc:
            self._close_cluster()
            raise WorkerError(f"could not reach the Dask scheduler at {address}: {exc}") from exc

    def close(self) -> None:
        self.client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def run(self, paths: Iterable[str]) -> Iterator[Result]:
        """Read on the client; clean and analyse on the workers."""
        return self.extract(read_inputs(paths, fetch=self.options.fetch))

    def extract(self, items: Iterable[Item]) -> Iterator[Result]:
        window = self.n_workers * WINDOW_PER_WORKER
        chunks = chunked(items, self.chunk_size)
        for chunk, future in ordered_window(chunks, self._submit, window):
            try:
                results: list[Result] = future.result()
            except Exception as exc:  # whatever the task raised on its worker, re-raised with its chunk named
                raise WorkerError(f"a Dask task failed on documents {describe_chunk(chunk)}: {exc!r}") from exc
            finally:
                future.release()
            yield from results

    def _submit(self, chunk: list[Item]) -> Any:
        return self.client.submit(extract_on_worker, chunk, pure=False)
