"""Training the decision model from gold, and the folds it is judged on.

Labels come from the official scorer's own matching: a reading (event type, place) is right when the
scorer would match it to a required gold event of its article.  Calibration and the threshold are
fitted out of fold *within* the training articles, so the probabilities the model ships with were
never fitted on the articles they describe.  Everything is deterministic: fixed seeds, one thread,
folds from the data alone.
"""
from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from ..events.proposals import ArticleProposals
from .gold import GoldArticle
from .model import SCREEN, TEXT_FEATURE, Booster, Calibration, DecisionModel, Slot, group_slots, select, slot_features
from .rows import EVIDENCE_MATCH, KeepRow, evidence_overlap, keep_label, keep_rows, reported_gold, type_label, type_rows
from .text import TextModel, fit_text

log = logging.getLogger(__name__)

PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 10,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 7, "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbose": -1,
}
ROUNDS = 400
# A training-only item (the project's short sentences) weighs this much in the reading model: out of fold
# 0.627 at 1, 0.649 at 3, 0.637 at 6 (`sitrep eval crossval`).
EXTRA_WEIGHT = 3.0
# The reading model is boosters trained with these seeds, averaged: out of fold 0.612 (mean of one) -> 0.627 (three);
# five make the decisions steadier under small changes of the data (mean F1 over 4, 5 and 6 folds 0.654 -> 0.664)
KEEP_SEEDS = (7, 8, 9, 10, 11)
INNER_FOLDS = 3
# Thresholds whose inner F1 is within this of the best are as good as the best, within what the inner folds can
# tell: of those the highest is taken, as an analyst is better served by fewer false reports than by more
# doubtful ones (the one-standard-error rule's habit: among equals, the more conservative choice).
F1_TOLERANCE = 0.01
THRESHOLDS = tuple(round(0.15 + 0.025 * i, 3) for i in range(25))


def _stable(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- folds
def split_folds(articles: Sequence[GoldArticle], k: int) -> list[list[GoldArticle]]:
    """k folds: every article of a cluster in one fold, each country spread evenly over the folds.
    Clusters are dealt out largest country first, each to the fold with the fewest articles of its
    country (then the fewest articles), ties broken by a hash of the cluster: the same data always
    gives the same folds."""
    clusters: dict[str, list[GoldArticle]] = defaultdict(list)
    for a in articles:
        clusters[a.cluster].append(a)
    country_of = {c: Counter(a.country for a in members).most_common(1)[0][0] for c, members in clusters.items()}
    by_country = Counter(country_of[c] for c in clusters for _ in clusters[c])
    order = sorted(clusters, key=lambda c: (-by_country[country_of[c]], country_of[c], -len(clusters[c]), _stable(c)))
    folds: list[list[GoldArticle]] = [[] for _ in range(k)]
    per_country: list[Counter[str]] = [Counter() for _ in range(k)]
    for c in order:
        country = country_of[c]
        i = min(range(k), key=lambda f: (per_country[f][country], len(folds[f]), f))
        folds[i].extend(clusters[c])
        per_country[i][country] += len(clusters[c])
    return [sorted(f, key=lambda a: a.doc_id) for f in folds]


# ---------------------------------------------------------------- fitting
def fit_booster(rows: Sequence[dict[str, float]], labels: Sequence[float], rounds: int = ROUNDS,
                seeds: Sequence[int] = (PARAMS["seed"],)) -> Booster:
    features = sorted({name for row in rows for name in row})
    return fit_matrix(Booster(features, []).matrix(rows), labels, features, rounds, seeds=seeds)


def fit_matrix(x: np.ndarray, labels: Sequence[float], features: list[str], rounds: int = ROUNDS,
               seeds: Sequence[int] = (PARAMS["seed"],), weights: Sequence[float] | None = None) -> Booster:
    import lightgbm

    models = []
    for seed in seeds:
        data = lightgbm.Dataset(x, label=np.asarray(labels, dtype=np.float64),
                                weight=np.asarray(weights, dtype=np.float64) if weights is not None else None,
                                feature_name=[f"f{i}" for i in range(len(features))], free_raw_data=False)
        models.append(lightgbm.train({**PARAMS, "seed": seed}, data, num_boost_round=rounds))
    return Booster(features, models)


@dataclass
class ArticleRows:
    """One gold article's readings and sub-type rows, with their labels (fold-independent, computed once)."""

    gold: GoldArticle
    keep: list[KeepRow]
    keep_labels: list[float | None]
    types: list[dict[str, float]]
    type_labels: list[float]
    sentences: dict[int, tuple[str, float]]  # proposal index -> (its sentence, 1 if a required gold's evidence)
    keep_x: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    type_x: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


TextScores = dict[str, dict[int, float]]  # doc_id -> proposal index -> text score


class TrainingData:
    """The labelled rows of every gold article, computed once and shared by all folds."""

    def __init__(self, articles: Sequence[GoldArticle], proposals: dict[str, ArticleProposals], scorer: ModuleType,
                 *, extra: Sequence[GoldArticle] = (), extra_weight: float = EXTRA_WEIGHT):
        self.scorer = scorer
        self.extra_ids = {a.doc_id for a in extra}
        self.extra_weight = extra_weight
        self.proposals = proposals
        self.by_id: dict[str, ArticleRows] = {}
        for a in articles:
            article = proposals.get(a.doc_id)
            if article is not None:
                self.by_id[a.doc_id] = self._rows(a, article)
        self.keep_features = sorted({k for d in self.by_id.values() for r in d.keep for k in r.features})
        self.type_features = sorted({k for d in self.by_id.values() for r in d.types for k in r})
        keep_vector, type_vector = Booster(self.keep_features, []), Booster(self.type_features, [])
        for d in self.by_id.values():
            d.keep_x = keep_vector.matrix([r.features for r in d.keep])
            d.type_x = type_vector.matrix(d.types)

    def _rows(self, a: GoldArticle, article: ArticleProposals) -> ArticleRows:
        scorer = self.scorer
        rows = keep_rows(article)
        memo: dict[tuple[str, str], float | None] = {}
        labels = []
        for row in rows:
            key = (row.event_type, row.option.key + "|" + row.option.place.text)
            if key not in memo:
                memo[key] = keep_label(scorer, a.events, row)
            labels.append(memo[key])
        type_x, type_y = [], []
        for proposal in article.proposals:
            j = reported_gold(scorer, a.events, proposal)
            if j is not None:
                for trow in type_rows(proposal):
                    type_x.append(trow.features)
                    type_y.append(type_label(scorer, a.events[j], trow))
        sentences = {p.index: (p.evidence, float(any(evidence_overlap(p, g) >= EVIDENCE_MATCH for g in a.required)))
                     for p in article.proposals}
        return ArticleRows(a, rows, labels, type_x, type_y, sentences)

    # ------------------------------------------------------------ the sentence model
    def fit_text(self, articles: Sequence[GoldArticle]) -> TextModel:
        texts, labels = [], []
        for a in articles:
            data = self.by_id.get(a.doc_id)
            if data is None:
                continue
            seen: set[str] = set()
            for text, label in data.sentences.values():
                if text not in seen:
                    seen.add(text)
                    texts.append(text)
                    labels.append(label)
        return fit_text(texts, labels)

    def text_scores(self, text: TextModel, articles: Sequence[GoldArticle]) -> TextScores:
        return {a.doc_id: {i: text.score(t) for i, (t, _) in self.by_id[a.doc_id].sentences.items()}
                for a in articles if a.doc_id in self.by_id}

    def _with_text(self, data: ArticleRows, scores: TextScores) -> np.ndarray:
        own = scores.get(data.gold.doc_id, {})
        column = np.array([[own.get(r.proposal.index, 0.0)] for r in data.keep]).reshape(len(data.keep), 1)
        return np.hstack([data.keep_x, column])

    # ------------------------------------------------------------ the reading and sub-type models
    def fit_keep(self, articles: Sequence[GoldArticle], scores: TextScores) -> Booster:
        parts: list[np.ndarray] = []
        labels: list[float] = []
        weights: list[float] = []
        for a in articles:
            data = self.by_id.get(a.doc_id)
            if data is None:
                continue
            keep = [i for i, y in enumerate(data.keep_labels) if y is not None]
            parts.append(self._with_text(data, scores)[keep])
            labels.extend(float(data.keep_labels[i] or 0.0) for i in keep)
            weights.extend([self.weight(a)] * len(keep))
        x = np.vstack(parts) if parts else np.zeros((0, len(self.keep_features) + 1))
        return fit_matrix(x, labels, [*self.keep_features, TEXT_FEATURE], seeds=KEEP_SEEDS, weights=weights)

    def weight(self, a: GoldArticle) -> float:
        return self.extra_weight if a.doc_id in self.extra_ids else 1.0

    def fit_type(self, articles: Sequence[GoldArticle]) -> Booster:
        parts: list[np.ndarray] = []
        labels: list[float] = []
        for a in articles:
            data = self.by_id.get(a.doc_id)
            if data is not None and data.types:
                parts.append(data.type_x)
                labels.extend(data.type_labels)
        x = np.vstack(parts) if parts else np.zeros((0, len(self.type_features)))
        return fit_matrix(x, labels, self.type_features)

    def slot_scores(self, keep: Booster, articles: Sequence[GoldArticle],
                    scores: TextScores) -> list[tuple[GoldArticle, Slot, float | None]]:
        """Each article's slots scored by `keep`, each slot with its label (None: only optional gold)."""
        out = []
        for a in articles:
            data = self.by_id.get(a.doc_id)
            if data is None or not data.keep:
                continue
            predicted = keep.predict_screened(self._with_text(data, scores), SCREEN)
            label_of = {id(r): y for r, y in zip(data.keep, data.keep_labels)}
            for slot in group_slots(data.keep, predicted):
                labels = [label_of[id(r)] for r in slot.rows]
                label = 1.0 if 1.0 in labels else (None if None in labels else 0.0)
                out.append((a, slot, label))
        return out


def fit_calibration(scores: Sequence[float], labels: Sequence[float]) -> Calibration:
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    iso.fit(np.asarray(scores), np.asarray(labels))
    return Calibration([float(x) for x in iso.X_thresholds_], [float(y) for y in iso.y_thresholds_])


def best_threshold(scored: list[tuple[GoldArticle, Slot, float | None]], scorer: ModuleType) -> tuple[float, float]:
    """The threshold on calibrated probability that gives the best F1 (official scorer) on `scored`: the highest
    of those within `F1_TOLERANCE` of the best."""
    by_article: dict[str, tuple[GoldArticle, list[Slot]]] = {}
    for a, slot, _ in scored:
        by_article.setdefault(a.doc_id, (a, []))[1].append(slot)
    gold_rows = [{"id": a.doc_id, "events": a.events} for a, _ in by_article.values()]
    f1s: dict[float, float] = {}
    for threshold in THRESHOLDS:
        preds: list[dict[str, Any]] = []
        for a, slots in by_article.values():
            for slot in slots:
                slot.kept = False
            select(slots, threshold)
            preds.extend({"doc_id": a.doc_id, **_scorer_fields(s)} for s in slots if s.kept)
        result, _ = scorer.score_events(gold_rows, preds)
        f1s[threshold] = result["f1"]
    threshold = pick_threshold(f1s)
    return threshold, f1s.get(threshold, -1.0)


def pick_threshold(f1s: dict[float, float]) -> float:
    """Of the thresholds whose F1 is within `F1_TOLERANCE` of the best, the highest (0.5 when none was tried)."""
    best = max(f1s.values(), default=-1.0)
    return max((t for t, f in f1s.items() if f >= best - F1_TOLERANCE), default=0.5)


def _scorer_fields(slot: Slot) -> dict[str, Any]:
    p = slot.option.place
    return {"event_type": slot.event_type, "location": p.name or p.text, "location_text": p.text,
            "latitude": p.latitude, "longitude": p.longitude}


SLOT_ROUNDS = 150
# The slot model, like the reading model, is boosters of several seeds averaged (cheap: one row a slot): mean F1
# over 4, 5 and 6 folds, with five seeds for both, 0.672 (one slot booster: 0.664)
SLOT_SEEDS = (7, 8, 9, 10, 11)


def _slot_labels(scored: list[tuple[GoldArticle, Slot, float | None]]) -> tuple[list[dict[str, float]], list[float], list[int]]:
    """Slot features (per article, as at prediction time), labels and positions of the labelled slots."""
    by_article: dict[str, list[int]] = {}
    for i, (a, _, _) in enumerate(scored):
        by_article.setdefault(a.doc_id, []).append(i)
    features: list[dict[str, float]] = [{} for _ in scored]
    for idx in by_article.values():
        for i, f in zip(idx, slot_features([scored[i][1] for i in idx])):
            features[i] = f
    labelled = [i for i, (_, _, y) in enumerate(scored) if y is not None]
    return [features[i] for i in labelled], [float(scored[i][2] or 0.0) for i in labelled], labelled


def train(articles: Sequence[GoldArticle], data: TrainingData, *, inner_folds: int = INNER_FOLDS) -> DecisionModel:
    """Fit every part on the training articles, each part that feeds another out of fold within them:
    the sentence model's scores feed the reading model, the reading model's scores feed the slot
    model, and the slot model's scores fit the calibration and the threshold."""
    inner = split_folds(articles, inner_folds)
    rests = [[a for j, f in enumerate(inner) if j != i for a in f] for i in range(len(inner))]
    text_oof: TextScores = {}
    for held, rest in zip(inner, rests):
        text_oof.update(data.text_scores(data.fit_text(rest), held))
    text = data.fit_text(articles)
    keep = data.fit_keep(articles, text_oof)
    sub_type = data.fit_type(articles)
    scored: list[tuple[GoldArticle, Slot, float | None]] = []
    for held, rest in zip(inner, rests):
        scored.extend(data.slot_scores(data.fit_keep(rest, text_oof), held, text_oof))
    slot_x, slot_y, labelled = _slot_labels(scored)
    slot = fit_booster(slot_x, slot_y, SLOT_ROUNDS, SLOT_SEEDS)
    fold_of = {a.doc_id: i for i, f in enumerate(inner) for a in f}
    oof = np.zeros(len(slot_x))
    for i in range(len(inner)):
        train_idx = [n for n, k in enumerate(labelled) if fold_of[scored[k][0].doc_id] != i]
        test_idx = [n for n, k in enumerate(labelled) if fold_of[scored[k][0].doc_id] == i]
        if not test_idx:
            continue
        model = fit_booster([slot_x[n] for n in train_idx], [slot_y[n] for n in train_idx], SLOT_ROUNDS, SLOT_SEEDS)
        oof[test_idx] = model.predict([slot_x[n] for n in test_idx])
    calibration = fit_calibration(list(oof), slot_y)
    probabilities = calibration(oof)
    for _, s, _ in scored:
        s.probability = 0.0  # only optional gold: kept out of the threshold's choice
    for n, k in enumerate(labelled):
        scored[k][1].probability = float(probabilities[n])
    threshold, inner_f1 = best_threshold([scored[k] for k in labelled], data.scorer)
    meta = {"articles": len(articles), "slot_rows": len(slot_x), "text_terms": len(text.vocabulary),
            "inner_f1": inner_f1, "rounds": ROUNDS, "slot_rounds": SLOT_ROUNDS, "params": PARAMS}
    return DecisionModel(keep, slot, sub_type, text, calibration, threshold, meta)
