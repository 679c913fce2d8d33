"""Shared fixtures: paths to ../shared, the spaCy pipeline loaded once per session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
SAMPLE = SHARED / "samples" / "000_88aa7ddcd16cc528.txt"
DEV_ARTICLES = SHARED / "eval" / "dev" / "articles.jsonl"
SCORER = SHARED / "eval" / "score.py"

needs_shared = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared (samples and gold sets) is not beside the checkout")


def dev_records() -> dict[str, dict]:
    with open(DEV_ARTICLES, encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


@pytest.fixture(scope="session")
def nlp():
    from sitrep.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def pipeline():
    from sitrep.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def rules_pipeline():
    """The clause analysis' own reading, without the decision model: what the rules propose and code."""
    from sitrep.pipeline import Pipeline, PipelineOptions

    return Pipeline(PipelineOptions(rules_only=True))
