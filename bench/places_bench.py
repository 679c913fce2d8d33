"""How much time place resolution adds to the spaCy parse, on the dev set.

    .venv/bin/python bench/places_bench.py [ARTICLES.jsonl]

Prints the parse time, the resolution time and their ratio (the target is < 10%).
Not a timed test: run it by hand on a quiet machine.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sitrep.gazetteer import Gazetteer
from sitrep.nlp import load_nlp
from sitrep.places import PlaceResolver
from sitrep.records import Article

DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "dev" / "articles.jsonl"


def read_articles(path: Path) -> list[Article]:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Article(doc_id=str(r["id"]), text=r["text"], pieces=[], source=str(path)) for r in rows]


def main(path: Path) -> None:
    articles = read_articles(path)
    nlp = load_nlp()
    started = time.perf_counter()
    resolver = PlaceResolver.load(Gazetteer.open())
    load_s = time.perf_counter() - started
    nlp("warm up the pipeline")
    started = time.perf_counter()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=32))
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(len(resolver.resolve(a, d)) for a, d in zip(articles, docs))
    resolve_s = time.perf_counter() - started
    chars = sum(len(a.text) for a in articles)
    print(f"articles {len(articles)}, characters {chars}, place mentions {mentions}")
    print(f"gazetteer open + resolver load: {load_s:.3f} s")
    print(f"spaCy parse:      {parse_s:.2f} s")
    print(f"place resolution: {resolve_s:.2f} s ({100 * resolve_s / parse_s:.1f}% of the parse)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV)
