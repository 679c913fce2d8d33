#!/usr/bin/env python3
"""Geography of predicted events against the gold sets: matched country and admin1, and events
placed in a country where none of the article's gold events are.

    .venv/bin/sitrep extract ../shared/samples/000_88aa7ddcd16cc528.txt --format jsonl -o /tmp/seed.jsonl
    .venv/bin/sitrep extract ../shared/eval/dev/articles.jsonl --format jsonl -o /tmp/dev.jsonl
    .venv/bin/sitrep extract ../shared/eval/wide/articles.jsonl --format jsonl -o /tmp/wide.jsonl
    .venv/bin/python bench/geo_eval.py seed=/tmp/seed.jsonl dev=/tmp/dev.jsonl wide=/tmp/wide.jsonl [--verbose]

Matched country and admin1 are the official scorer's (`score.py events`), pooled over the sets by
their matched pairs.  "Foreign" counts a predicted event whose country is not the country of any
gold event of its article (optional ones included); articles without gold events are counted apart,
since any event there is wrong whatever its country.  Measures only: the gold is never used to build
word lists.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval"


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sitrep_eval_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def foreign_events(gold: list[dict], pred: list[dict], fold) -> tuple[int, int, int, list[str]]:  # noqa: ANN001
    """(events in articles with gold events, of them in a country no gold event is in, events in
    articles without gold events, the foreign ones described)."""
    countries = {str(g["id"]): {fold(e.get("country")) for e in g.get("events") or []} for g in gold}
    judged = foreign = elsewhere = 0
    lines = []
    for p in pred:
        wanted = countries.get(str(p.get("doc_id")))
        if wanted is None:
            continue
        if not wanted:
            elsewhere += 1
            continue
        judged += 1
        if fold(p.get("country")) not in wanted:
            foreign += 1
            lines.append(f"  {p.get('doc_id')}: {p.get('location_text')!r} -> {p.get('location')}, "
                         f"{p.get('admin1')}, {p.get('country')} (gold: {', '.join(sorted(wanted))})")
    return judged, foreign, elsewhere, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", help="NAME=PREDICTIONS.jsonl, NAME one of seed, dev, wide")
    parser.add_argument("--verbose", action="store_true", help="list the foreign events")
    args = parser.parse_args()
    scorer = load_scorer()
    totals = {"country": [0, 0], "admin1": [0, 0]}
    all_judged = all_foreign = all_elsewhere = 0
    for item in args.sets:
        name, _, path = item.partition("=")
        gold = read_jsonl(EVAL / name / "gold.jsonl")
        pred = read_jsonl(Path(path))
        result, _ = scorer.score_events(gold, pred)
        fields = result["matched_field_accuracy"]
        judged, foreign, elsewhere, lines = foreign_events(gold, pred, scorer.fold)
        tries = {"country": result["tp"], "admin1": _admin1_tries(scorer, gold, pred)}
        for field in totals:
            totals[field][0] += round(fields.get(field, 0.0) * tries[field])
            totals[field][1] += tries[field]
        all_judged, all_foreign, all_elsewhere = all_judged + judged, all_foreign + foreign, all_elsewhere + elsewhere
        print(f"{name}: F1 {result['f1']:.3f}  matched {result['tp']}  country {fields.get('country', 0):.3f}  "
              f"admin1 {fields.get('admin1', 0):.3f}  foreign {foreign}/{judged} = {_share(foreign, judged):.3f}  "
              f"(events in articles without gold events: {elsewhere})")
        if args.verbose and lines:
            print("\n".join(lines))
    country, admin1 = (_share(*totals[f]) for f in ("country", "admin1"))
    print(f"pooled: country {country:.3f}  admin1 {admin1:.3f}  "
          f"foreign {all_foreign}/{all_judged} = {_share(all_foreign, all_judged):.3f}  "
          f"(events in articles without gold events: {all_elsewhere})")


def _admin1_tries(scorer: ModuleType, gold: list[dict], pred: list[dict]) -> int:
    """How many matched pairs have a gold admin1 (the scorer's denominator for admin1)."""
    with_admin1 = [{**g, "events": [{**e, "country": e.get("admin1") and "x"} for e in g.get("events") or []]}
                   for g in gold]
    # country is checked on every matched required pair: re-score with country = "has admin1" to count them
    marked = [{**p, "country": "x"} for p in pred]
    result, _ = scorer.score_events(with_admin1, marked)
    return round(result["matched_field_accuracy"].get("country", 0.0) * result["tp"])


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


if __name__ == "__main__":
    main()
