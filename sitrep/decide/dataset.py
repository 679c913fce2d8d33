"""The gold articles' proposals, computed once and cached.

Parsing is the slow part of training and cross-validation; the decision layer never needs the parse
itself.  The proposals of a gold set are cached under `$SITREP_CACHE` (default `~/.cache/sitrep`),
keyed by the gold inputs and by every source and data file of the clause analysis, so a change to
either computes them again and nothing stale is ever read.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from ..events.proposals import ArticleProposals
from ..records import Reject
from .gold import GoldArticle, GoldSet

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parents[1]
NOT_ANALYSIS = ("decide", "models", "api", "web", "store", "gazetteer/build.py")


def cache_dir() -> Path:
    return Path(os.environ.get("SITREP_CACHE") or Path.home() / ".cache" / "sitrep")


def analysis_fingerprint() -> str:
    """A digest of every file the clause analysis reads: code, lexicons, the gazetteer's size and age."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not path.is_file() or rel.startswith(NOT_ANALYSIS) or "__pycache__" in rel:
            continue
        digest.update(rel.encode())
        digest.update(path.read_bytes())
    from ..gazetteer.store import default_path

    gazetteer = default_path()
    if gazetteer.exists():
        stat = gazetteer.stat()
        digest.update(f"{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def gold_proposals(gold: GoldSet, *, use_cache: bool = True) -> dict[str, ArticleProposals]:
    """The proposals of every gold article (training-only extras included), by article id."""
    wanted = {a.doc_id for a in gold.articles + gold.extra}
    path = cache_dir() / f"proposals-{gold.fingerprint()}-{analysis_fingerprint()}.jsonl.gz"
    if use_cache and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            found = {row["doc_id"]: ArticleProposals.from_json(row) for row in map(json.loads, fh)}
        if wanted <= found.keys():
            return {k: v for k, v in found.items() if k in wanted}
    found = dict(_propose(gold.inputs(), wanted))
    missing = sorted(wanted - found.keys())
    if missing:
        log.warning("%d gold articles were not found in their inputs: %s", len(missing), ", ".join(missing[:5]))
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two runs computing the same cache must not share a file
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            for item in found.values():
                fh.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
        tmp.replace(path)
    return found


def _propose(inputs: Iterable[Path], wanted: set[str]) -> Iterable[tuple[str, ArticleProposals]]:
    from ..pipeline import Pipeline, PipelineOptions

    pipeline = Pipeline(PipelineOptions(with_events=False))
    for item in pipeline.propose(str(p) for p in inputs):
        if isinstance(item, Reject):
            log.warning("gold input rejected: %s", item)
        elif item.doc_id in wanted:
            yield item.doc_id, item


def by_id(articles: Iterable[GoldArticle]) -> dict[str, GoldArticle]:
    return {a.doc_id: a for a in articles}
