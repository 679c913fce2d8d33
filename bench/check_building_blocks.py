#!/usr/bin/env python3
"""How well the event-coding building blocks do on the gold events' evidence sentences.

    python bench/check_building_blocks.py [--verbose]

For every gold event of ../shared/eval/seed and ../shared/eval/dev, the evidence sentence is
parsed and run through the actor dictionary (scored with the official scorer's `actor_ok`),
the fatality finder and the date resolver.  Measures only: the gold sets are never used to
build word lists.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
from datetime import date
from pathlib import Path
from types import ModuleType

from sitrep.actors import ActorDictionary
from sitrep.fatalities import find_fatalities, lowest_credible
from sitrep.nlp import load_nlp
from sitrep.timeexpr import find_date

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval"
GOLD_SETS = {"seed": EVAL / "seed" / "gold.jsonl", "dev": EVAL / "dev" / "gold.jsonl"}


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the scorer from {EVAL / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def published_dates() -> dict[str, date | None]:
    out: dict[str, date | None] = {}
    for row in read_jsonl(EVAL / "dev" / "articles.jsonl"):
        out[row["id"]] = date.fromisoformat(row["published"]) if row.get("published") else None
    return out


class Tally:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.tries: dict[str, int] = {}

    def add(self, name: str, ok: bool) -> None:
        self.tries[name] = self.tries.get(name, 0) + 1
        self.hits[name] = self.hits.get(name, 0) + int(ok)

    def lines(self) -> list[str]:
        return [f"  {k:32} {self.hits[k]:3d}/{self.tries[k]:3d} = {self.hits[k] / self.tries[k]:.3f}"
                for k in self.tries]


def check(verbose: bool) -> None:
    scorer = load_scorer()
    nlp = load_nlp()
    actors = ActorDictionary.load()
    published = published_dates()
    for set_name, path in GOLD_SETS.items():
        tally = Tally()
        for article in read_jsonl(path):
            pub = published.get(article["id"]) or (date.fromisoformat(article["published"])
                                                   if article.get("published") else None)
            for event in article.get("events", []):
                if event.get("optional"):
                    continue
                doc = nlp(event["evidence"])
                span = doc[:]
                found = actors.find_actors(span, country=event.get("country"))
                names = [a.name for a in found]
                for role in ("actor1", "actor2"):
                    gold = [event.get(role)] + scorer.as_list(event.get(f"{role}_aliases"))
                    if not event.get(role):
                        continue
                    ok = any(scorer.actor_ok(n, gold) for n in names)
                    tally.add(f"{role} among mentions", ok)
                    if verbose and not ok:
                        print(f"[{set_name}] {article['id']} {role}: gold {event.get(role)!r} found {names}")
                deaths = lowest_credible(find_fatalities(span))
                ok = deaths == int(event.get("fatalities") or 0)
                tally.add("fatalities", ok)
                if verbose and not ok:
                    print(f"[{set_name}] {article['id']} fatalities: gold {event.get('fatalities')} got {deaths}"
                          f" <- {event['evidence'][:120]!r}")
                ref = find_date(span, pub)
                got = ref.date.isoformat() if ref and ref.date else None
                if event.get("event_date"):
                    ok = got == event["event_date"]
                    tally.add("event_date (gold has a date)", ok)
                else:
                    ok = got is None
                    tally.add("event_date null when gold null", ok)
                if verbose and not ok:
                    print(f"[{set_name}] {article['id']} date: gold {event.get('event_date')} got {got}"
                          f" ({ref.text if ref else None!r}; published {pub})")
        print(f"{set_name}: required gold events, evidence sentences only")
        print("\n".join(tally.lines()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true", help="print every miss")
    check(ap.parse_args().verbose)


if __name__ == "__main__":
    main()
