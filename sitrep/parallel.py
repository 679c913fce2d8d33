"""Run the pipeline in several worker processes, each loading the models once.

The input is streamed: documents are cut into chunks as they are read, at most
`window` chunks are in flight at a time, and results come back in input order,
so N workers give exactly what one process gives, in the same order.  Workers
get RawDocuments (and clean them) or already-cleaned Articles; they send back
Extractions and Rejects, which are plain picklable dataclasses (spaCy Docs
never leave a worker).
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from typing import Protocol, Self, TypeVar

from .pipeline import Pipeline, PipelineOptions, clean_documents
from .readers import read_inputs
from .records import Article, Extraction, RawDocument, Reject

C = TypeVar("C")
F = TypeVar("F")  # a future of any kind
R = TypeVar("R")
T = TypeVar("T")
Item = RawDocument | Article | Reject
Result = Extraction | Reject
DEFAULT_OPTIONS = PipelineOptions()
WINDOW_PER_WORKER = 3  # chunks in flight per worker: enough to keep each busy, few enough to bound memory


class Extractor(Protocol):
    """A Pipeline, a process pool or a Dask cluster: Extractions and Rejects, in input order."""

    def run(self, paths: Iterable[str]) -> Iterator[Result]: ...

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Result]: ...


@contextmanager
def open_extractor(options: PipelineOptions = DEFAULT_OPTIONS, *, workers: int = 1,
                   dask: str | None = None) -> Iterator[Extractor]:
    """The extractor for the flags: a Dask cluster (`dask` is an address or 'local'),
    a pool of `workers` processes, or this process alone."""
    if dask:
        from .distributed import DaskExtractor  # dask is needed only here

        with DaskExtractor(dask, options=options, workers=workers) as on_cluster:
            yield on_cluster
    elif workers > 1:
        with ParallelExtractor(workers=workers, options=options) as pool:
            yield pool
    else:
        yield Pipeline(options)


class WorkerError(RuntimeError):
    """A worker failed on a chunk; the message names the chunk's documents."""


def run_parallel(paths: Iterable[str], *, workers: int, options: PipelineOptions = DEFAULT_OPTIONS,
                 chunk_size: int | None = None, start_method: str = "spawn") -> Iterator[Result]:
    """Extractions and Rejects of every input, in the order one process would give them."""
    if workers <= 1:
        yield from Pipeline(options).run(paths)
        return
    with ParallelExtractor(workers=workers, options=options, chunk_size=chunk_size,
                           start_method=start_method) as extractor:
        yield from extractor.run(paths)


class ParallelExtractor:
    """A pool of worker processes, each holding one Pipeline; a drop-in for `Pipeline.extract`."""

    def __init__(self, *, workers: int, options: PipelineOptions = DEFAULT_OPTIONS,
                 chunk_size: int | None = None, start_method: str = "spawn"):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.options = options
        self.workers = workers
        self.chunk_size = chunk_size or options.batch_size
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(start_method),
                                        initializer=_init_worker, initargs=(options,))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, paths: Iterable[str]) -> Iterator[Result]:
        """Read here, clean and analyse in the workers."""
        return self.extract(read_inputs(paths, fetch=self.options.fetch))

    def extract(self, items: Iterable[Item]) -> Iterator[Result]:
        window = self.workers * WINDOW_PER_WORKER
        for chunk, results in ordered_window(chunked(items, self.chunk_size), self._submit, window):
            yield from _checked(chunk, results)

    def _submit(self, chunk: list[Item]) -> Future[list[Result]]:
        return self.pool.submit(extract_chunk, chunk)


def ordered_window(chunks: Iterable[C], submit: Callable[[C], F], window: int) -> Iterator[tuple[C, F]]:
    """Submit chunks with at most `window` in flight; hand back each (chunk, future) in submission order.

    Works for any kind of future (concurrent.futures or Dask's): the caller waits on each."""
    pending: deque[tuple[C, F]] = deque()
    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last may be shorter), read lazily."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _checked(chunk: list[Item], results: Future[list[Result]]) -> list[Result]:
    try:
        return results.result()
    except BrokenProcessPool as exc:
        raise WorkerError(f"a worker process died on documents {describe_chunk(chunk)}: {exc}") from exc
    except Exception as exc:  # whatever a worker raised, re-raised here with the chunk it was working on
        raise WorkerError(f"a worker failed on documents {describe_chunk(chunk)}: {exc!r}") from exc


def describe_chunk(chunk: list[Item]) -> str:
    ids = [item.source if isinstance(item, Reject) else item.doc_id for item in chunk]
    return ", ".join(ids[:3]) + (f" … ({len(ids)} in all)" if len(ids) > 3 else "")


# ---------------------------------------------------------------- in the worker process
_PIPELINE: Pipeline | None = None


def _init_worker(options: PipelineOptions) -> None:
    """Process initializer: build this worker's one Pipeline (models, gazetteer, lexicons)."""
    global _PIPELINE
    _PIPELINE = Pipeline(options)


def extract_chunk(chunk: list[Item], pipeline: Pipeline | None = None) -> list[Result]:
    """Clean what is raw, analyse what is clean, pass Rejects through: all in the chunk's order."""
    pipeline = pipeline or _PIPELINE
    if pipeline is None:
        raise WorkerError("worker has no pipeline: extract_chunk ran outside a worker initialised by _init_worker")
    return list(pipeline.extract(clean_mixed(chunk)))


def clean_mixed(items: Iterable[Item]) -> Iterator[Article | Reject]:
    """Clean RawDocuments; Articles (already clean) and Rejects pass through in order."""
    for item in items:
        if isinstance(item, Article):
            yield item
        else:
            yield from clean_documents([item])
