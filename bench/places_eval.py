"""Write place mentions for the seed sample and GeoWebNews, for the official scorer.

    .venv/bin/python bench/places_eval.py OUT_DIR
    python3 ../shared/eval/score.py places --gold ../shared/eval/seed/toponyms.jsonl --pred OUT_DIR/seed.jsonl
    python3 ../shared/eval/score.py places --gold ../shared/eval/geowebnews/toponyms.jsonl --pred OUT_DIR/gwn.jsonl
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from sitrep.clean import clean
from sitrep.nlp import parse
from sitrep.places import PlaceResolver
from sitrep.readers import read_inputs
from sitrep.records import Article, RawDocument

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def articles(path: Path) -> Iterator[Article]:
    for item in read_inputs([str(path)]):
        if isinstance(item, RawDocument):
            yield clean(item)


def write_places(items: list[Article], out: Path) -> None:
    resolver = PlaceResolver.load()
    with open(out, "w", encoding="utf-8") as handle:
        for doc, article in parse((a.text, a) for a in items):
            handle.writelines(json.dumps(mention.to_json(), ensure_ascii=False) + "\n" for mention in resolver.resolve(article, doc))


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_places(list(articles(SHARED / "samples" / "000_88aa7ddcd16cc528.txt")), out / "seed.jsonl")
    write_places(list(articles(SHARED / "eval" / "geowebnews" / "articles.jsonl")), out / "gwn.jsonl")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/sitrep-places")
