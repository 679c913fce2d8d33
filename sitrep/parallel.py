"""Run the pipeline in several worker processes, each loading the models once.

The input is streamed: documents are cut into chunks as they are read, at most
`window` chunks are in flight at a time, and results come back in input order,
so N workers give exactly what one process gives, in the same order.  Workers
get RawDocuments (and clean them) or already-cleaned Articles; they send back
Extractions and Rejects, which are plain picklable dataclasses (spaCy Docs
never leave a worker).
"""
from __future__ import annotations

import copy
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
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
PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent (the thread that made it) ends
PARENT_POLL_S = 0.5  # how often a worker checks, where no parent-death signal is set, that its parent lives


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
        # The workers end with this process, however it ends (kill -9 included): see `die_with_parent`.
        # A parent-death signal fires when the thread that started a worker ends, so it is asked for only
        # when the pool is made (and, as the CLI does, used) on the main thread; else the workers poll.
        on_main = threading.current_thread() is threading.main_thread()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=_quiet_start(start_method),
                                        initializer=_init_worker, initargs=(options, os.getpid(), on_main))

    def close(self, *, stop: bool = False) -> None:
        """Shut the pool down; with `stop` (the run failed or was interrupted) the workers are ended now
        rather than left to finish the chunks they hold."""
        if stop:
            # concurrent.futures offers no public way to end busy workers; its process table is the one handle.
            processes = getattr(self.pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close(stop=exc_type is not None)

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


class _QuietStart:
    """A process that starts with Ctrl-C ignored: a new interpreter keeps an ignored SIGINT ignored, so a
    Ctrl-C that lands while a worker is still starting (importing the models, before `_init_worker` runs)
    reaches only the parent, which stops the run, and no worker prints a traceback."""

    def start(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            super().start()  # type: ignore[misc]  # (dispositions can be set on the main thread only)
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            super().start()  # type: ignore[misc]
        finally:
            signal.signal(signal.SIGINT, previous)


class _QuietSpawnProcess(_QuietStart, multiprocessing.context.SpawnProcess):
    pass


class _QuietForkProcess(_QuietStart, multiprocessing.context.ForkProcess):
    pass


class _QuietForkServerProcess(_QuietStart, multiprocessing.context.ForkServerProcess):
    pass


QUIET_PROCESSES = {"spawn": _QuietSpawnProcess, "fork": _QuietForkProcess, "forkserver": _QuietForkServerProcess}


def _quiet_start(start_method: str) -> multiprocessing.context.BaseContext:
    """The start method's context, its processes started with Ctrl-C ignored (`_QuietStart`)."""
    quiet = copy.copy(multiprocessing.get_context(start_method))
    quiet.Process = QUIET_PROCESSES[start_method]  # type: ignore[attr-defined]
    return quiet


def _init_worker(options: PipelineOptions, parent_pid: int | None = None, death_signal: bool = True) -> None:
    """Process initializer: end with the parent, leave Ctrl-C to it, build this worker's one Pipeline."""
    global _PIPELINE
    if parent_pid is not None:
        die_with_parent(parent_pid, death_signal=death_signal)
    # Ctrl-C reaches the whole foreground process group: the parent stops the run and shuts the pool
    # down; a worker taking the SIGINT too would only print a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PIPELINE = Pipeline(options)


def die_with_parent(parent_pid: int, *, death_signal: bool = True) -> str:
    """Make this process end when `parent_pid` does, however it ends (kill -9 included); returns how.

    On Linux the kernel sends SIGKILL at the parent's death (prctl PR_SET_PDEATHSIG); elsewhere, or
    without it, a daemon thread checks every PARENT_POLL_S that the parent is still there. A parent
    already gone before this ran ends the process at once."""
    how = "poll"
    if death_signal and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
                how = "prctl"
        except (OSError, AttributeError):  # no libc to load, or no prctl in it: poll instead
            how = "poll"
    if os.getppid() != parent_pid:  # the parent died before the signal was asked for
        os._exit(1)
    if how == "poll":
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="sitrep-watch-parent", daemon=True).start()
    return how


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


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
