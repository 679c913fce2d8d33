"""Out-of-fold evaluation: the headline figure.

Every gold article is coded by a model that never saw it (nor any article of its cluster): five
folds, train on four, decide the fifth, score it with the official scorer.  The rules alone can be
scored the same way (`--rules`), as the baseline.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..events.coder import rule_events
from ..events.proposals import ArticleProposals
from ..records import Event
from .dataset import gold_proposals
from .gold import GoldArticle, GoldSet
from .model import DecisionModel
from .rows import candidate_recall
from .train import TrainingData, split_folds, train

log = logging.getLogger(__name__)
FOLDS = 5
ECE_BINS = 10


@dataclass
class FoldResult:
    index: int
    articles: int
    scores: dict[str, Any]


@dataclass
class CrossValidation:
    folds: list[FoldResult]
    pooled: dict[str, Any]
    predictions: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = ECE_BINS) -> float:
    """Mean gap between confidence and accuracy over equal-width confidence bins, weighted by size."""
    if not confidences:
        return 0.0
    conf = np.asarray(confidences)
    hit = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (conf >= lo) & ((conf < hi) if hi < 1.0 else (conf <= hi))
        if inside.any():
            total += inside.mean() * abs(conf[inside].mean() - hit[inside].mean())
    return round(float(total), 3)


def _event_rows(events: list[Event]) -> list[dict[str, Any]]:
    return [e.to_json() for e in events]


def matched_predictions(scorer: Any, gold: list[GoldArticle], preds: list[dict[str, Any]]) -> list[bool]:
    """For each prediction, whether the scorer matches it to a gold event (required or optional)."""
    by_doc: dict[str, list[int]] = {}
    for i, p in enumerate(preds):
        by_doc.setdefault(p["doc_id"], []).append(i)
    out = [False] * len(preds)
    golds = {a.doc_id: a.events for a in gold}
    for doc, idx in by_doc.items():
        events = golds.get(doc, [])
        pairs = sorted(((scorer.pair_quality(preds[i], g), i, j) for i in idx for j, g in enumerate(events)
                        if scorer.pair_quality(preds[i], g) is not None), key=lambda t: -t[0])
        used_p: set[int] = set()
        used_g: set[int] = set()
        for _, i, j in pairs:
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            out[i] = True
    return out


def _decode(articles: list[GoldArticle], proposals: dict[str, ArticleProposals],
            decide: Callable[[ArticleProposals], list[Event]]) -> Iterator[dict[str, Any]]:
    for a in articles:
        article = proposals.get(a.doc_id)
        if article is not None:
            yield from _event_rows(decide(article))


def crossval(gold: GoldSet, *, folds: int = FOLDS, rules: bool = False) -> CrossValidation:
    """Out-of-fold predictions for every gold article, scored per fold and pooled."""
    scorer = gold.scorer
    proposals = gold_proposals(gold)
    split = split_folds(gold.articles, folds)
    data = None if rules else TrainingData(gold.articles + gold.extra, proposals, scorer, extra=gold.extra)
    results, predictions = [], []
    for i, held in enumerate(split):
        if rules:
            decide: Callable[[ArticleProposals], list[Event]] = lambda a: rule_events(a.proposals, a.focus_country)  # noqa: E731
        else:
            rest = [a for j, f in enumerate(split) if j != i for a in f] + gold.extra
            assert data is not None
            model: DecisionModel = train(rest, data)
            decide = model.decide
        preds = list(_decode(held, proposals, decide))
        scores, _ = scorer.score_events([{"id": a.doc_id, "events": a.events} for a in held], preds)
        results.append(FoldResult(i + 1, len(held), scores))
        predictions.extend(preds)
        log.info("fold %d: %s", i + 1, scores["f1"])
    pooled, _ = scorer.score_events([{"id": a.doc_id, "events": a.events} for a in gold.articles], predictions)
    correct = matched_predictions(scorer, gold.articles, predictions)
    extra = candidate_recall(scorer, [(a.events, proposals.get(a.doc_id)) for a in gold.articles])
    extra["ece"] = expected_calibration_error([p["confidence"] for p in predictions], correct)
    return CrossValidation(results, pooled, predictions, extra)
