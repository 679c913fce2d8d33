"""Ingest: run the pipeline into the store, one transaction per batch, idempotently.

Articles already stored (same doc_id) are skipped before parsing, so re-running
an interrupted ingest completes it and re-running a finished one adds nothing.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tqdm import tqdm

from .dedup import DuplicateIndex
from .errors import Errors
from .parallel import Extractor
from .pipeline import Pipeline, clean_documents
from .readers import read_inputs
from .records import Article, Extraction, Reject
from .store import AnyStore

log = logging.getLogger(__name__)
WRITE_BATCH = 32


@dataclass
class IngestReport:
    read: int = 0
    added: int = 0
    skipped: int = 0
    rejected: list[Reject] = field(default_factory=list)
    events: int = 0


def ingest_paths(paths: Iterable[str], store: AnyStore, pipeline: Extractor | None = None, *,
                 fetch: bool = False, progress: bool = False, batch_size: int = WRITE_BATCH) -> IngestReport:
    """Read, clean, analyse and store every input; rejects are recorded and the batch goes on."""
    pipeline = pipeline or Pipeline()
    report = IngestReport()
    items = clean_documents(read_inputs(paths, fetch=fetch))
    return ingest_items(items, store, pipeline, report=report, progress=progress, batch_size=batch_size)


def ingest_items(items: Iterable[Article | Reject], store: AnyStore, pipeline: Extractor, *,
                 report: IngestReport | None = None, progress: bool = False,
                 batch_size: int = WRITE_BATCH) -> IngestReport:
    report = report or IngestReport()
    dups = DuplicateIndex()
    dups.catch_up(store.minhash_rows())  # the rest, stored meanwhile by others, is caught up batch by batch
    fresh = _skip_stored(items, store, report)
    bar = tqdm(desc="ingest", unit="article", disable=not (progress and sys.stderr.isatty()))
    batch: list[Extraction] = []
    rejects: list[Reject] = []
    for item in pipeline.extract(fresh):
        if isinstance(item, Reject):
            rejects.append(item)
            report.rejected.append(item)
            log.warning("rejected %s", item)
            continue
        batch.append(item)
        bar.update(1)
        if len(batch) >= batch_size:
            _write(store, batch, rejects, dups, report)
            batch, rejects = [], []
    _write(store, batch, rejects, dups, report)
    bar.close()
    return report


def _skip_stored(items: Iterable[Article | Reject], store: AnyStore, report: IngestReport) -> Iterator[Article | Reject]:
    seen: dict[str, str] = {}  # doc_id -> content hash of the articles of this run
    for item in items:
        if isinstance(item, Reject):
            yield item
            continue
        report.read += 1
        known = seen.get(item.doc_id)
        if known is None:
            known = store.known_doc_ids([item.doc_id]).get(item.doc_id)
            seen[item.doc_id] = item.content_hash if known is None else known
            if known is None:
                yield item
                continue
        report.skipped += 1
        if known != item.content_hash:
            yield Reject(item.source, f"{item.doc_id}: {Errors.E016}", "E016", _first_line(item))


def _first_line(article: Article) -> int | None:
    """The input line where an article starts (a JSONL line, a CSV row, a JSON array record), where known."""
    lines = [p.source_line for p in article.pieces if p.source_line is not None]
    return min(lines) if lines else None


def _write(store: AnyStore, batch: list[Extraction], rejects: list[Reject], dups: DuplicateIndex,
           report: IngestReport) -> None:
    """Write one batch, near-duplicates linked in its transaction. An article another process stored
    since `_skip_stored` looked is counted as already stored (and an E016 if its text differs)."""
    if not batch and not rejects:
        return
    added = set(store.write_articles(batch, rejects, dedup=dups))
    report.added += len(added)
    report.events += sum(len(ex.events) for ex in batch if ex.article.doc_id in added)
    raced = [ex.article for ex in batch if ex.article.doc_id not in added]
    if not raced:
        return
    report.skipped += len(raced)
    stored = store.known_doc_ids([a.doc_id for a in raced])
    differ = [Reject(a.source, f"{a.doc_id}: {Errors.E016}", "E016") for a in raced
              if stored.get(a.doc_id, a.content_hash) != a.content_hash]
    if differ:
        store.add_rejects(differ)
        report.rejected.extend(differ)
