"""Does a sentence report an event?  A linear model over the sentence's words.

The clause analysis sees a sentence's structure; this model sees its words ("on Monday", "said",
"years ago", "anniversary", "vowed"), learnt from which sentences of the gold articles are the
evidence of a coded event.  Its score is one feature of the reading model.  Words are lower-cased,
digits folded to 0; unigrams and bigrams; a logistic regression (scikit-learn) whose vocabulary and
weights are stored in the decision model's file, so scoring needs nothing but this module.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_WORD = re.compile(r"[a-z0-9']+")
_DIGITS_AS_0 = str.maketrans("123456789", "000000000")
MIN_COUNT = 3
C = 0.3


def terms(text: str) -> list[str]:
    """The sentence's unigrams and bigrams, lower-cased, digits as 0."""
    words = _WORD.findall(text.lower().translate(_DIGITS_AS_0))  # (a word's only digits are 0-9)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass
class TextModel:
    vocabulary: dict[str, int]
    weights: list[float]
    bias: float

    def score(self, text: str) -> float:
        """The log-odds that the sentence is the evidence of a coded event."""
        seen = {self.vocabulary[t] for t in terms(text) if t in self.vocabulary}
        return self.bias + sum(self.weights[i] for i in seen)

    def to_json(self) -> dict[str, Any]:
        return {"vocabulary": self.vocabulary, "weights": [round(w, 5) for w in self.weights], "bias": self.bias}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> TextModel:
        return cls(dict(row["vocabulary"]), list(row["weights"]), float(row["bias"]))


def fit_text(texts: Sequence[str], labels: Sequence[float]) -> TextModel:
    """A logistic regression over binary term features (terms seen at least MIN_COUNT times)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, int] = {}
    docs = [sorted(set(terms(t))) for t in texts]
    for doc in docs:
        for term in doc:
            counts[term] = counts.get(term, 0) + 1
    vocabulary = {t: i for i, t in enumerate(sorted(t for t, n in counts.items() if n >= MIN_COUNT))}
    if not vocabulary or len(set(labels)) < 2:
        prior = float(np.mean(labels)) if len(labels) else 0.5
        prior = min(max(prior, 1e-3), 1 - 1e-3)
        return TextModel({}, [], math.log(prior / (1 - prior)))
    rows, cols = [], []
    for r, doc in enumerate(docs):
        for term in doc:
            if term in vocabulary:
                rows.append(r)
                cols.append(vocabulary[term])
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(vocabulary)))
    model = LogisticRegression(C=C, max_iter=2000, solver="liblinear", random_state=0)
    model.fit(x, np.asarray(labels))
    return TextModel(vocabulary, [float(w) for w in model.coef_[0]], float(model.intercept_[0]))
