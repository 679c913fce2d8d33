"""What reviews cost the store: whole refusion (`sitrep fuse`), one review, the queue and the export, on a
store of synthetic reports with and without reviews, on SQLite (and PostgreSQL with --postgres URL).

Run by hand (not in CI):

    .venv/bin/python bench/reviews.py [--reports 1200] [--reviews 120] [--postgres postgresql://postgres@127.0.0.1/bench]

The reports are made up (no spaCy): protests in 50 towns of one country, every third day, three outlets
reporting each, so fusion has clusters of three to build. A tenth of the reviews are merges or splits.

Targets: refusion with reviews of a tenth of the reports within 1.5 x refusion with none; one review (its
refresh included) under 0.5 s; the queue's first page under 0.2 s. (Refusion itself grows with the square of
the reports one type and country has: fusion's pairwise relation, not the reviews.)
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitrep.records import Article, Event, Extraction, Piece  # noqa: E402
from sitrep.store import AnyStore, open_store  # noqa: E402
from sitrep.store.schema import EventQuery  # noqa: E402

OUTLETS = ("Wire A", "Wire B", "Daily C")


def extractions(n: int) -> list[Extraction]:
    out = []
    for i in range(n):
        town, day, outlet = i // 3 % 50, i // 150 * 3, OUTLETS[i % 3]  # days 3 apart: clusters of three
        text = f"Report {i}: protesters marched in Town{town} on day {day}, {outlet} said."
        doc_id = f"r{i}"
        article = Article(doc_id=doc_id, text=text, pieces=[Piece("paragraph", text, 0, len(text), 1)], source="bench",
                          outlet=outlet, published=date(2024, 1, 1) + timedelta(days=day))
        event = Event(doc_id=doc_id, event_type="Protests", sub_event_type="Peaceful protest",
                      actor1="Protesters (Iraq)", country="Iraq", admin1="Basra", location=f"Town{town}",
                      latitude=30.0 + town / 10, longitude=47.0, geo_precision=1,
                      event_date=(date(2024, 1, 1) + timedelta(days=day)).isoformat(), evidence=text,
                      confidence=0.5 + (i % 50) / 100)
        out.append(Extraction(article, events=[event]))
    return out


def timed(what: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = action()
    print(f"  {what:<44} {time.perf_counter() - start:8.3f} s")
    return result


def review_many(store: AnyStore, count: int, rng: random.Random) -> None:
    fused = [r["fused_id"] for r in store.fused_events(EventQuery(limit=10**7))]
    rng.shuffle(fused)
    partners = fused[count:]  # merged into the reviewed ones: never reviewed themselves
    for n, event_id in enumerate(fused[:count]):
        if n % 10 == 9 and partners:
            store.merge_events([event_id, partners.pop()], reviewer="bench")
        else:
            store.review(event_id, reviewer="bench", action="correct", changes={"fatalities": n % 7})


def run(target: str, reports: int, reviews: int) -> None:
    rng = random.Random(7)
    with open_store(target) as store:
        batch = extractions(reports)
        timed(f"ingest {reports} reports (fusing as it goes)",
              lambda: [store.write_batch(batch[i:i + 200]) for i in range(0, len(batch), 200)])
        none = timed("sitrep fuse, no reviews", store.refuse_all)
        timed(f"{reviews} reviews (a tenth merges)", lambda: review_many(store, reviews, rng))
        timed(f"sitrep fuse, {reviews} reviews", store.refuse_all)
        target_id = store.review_queue(limit=1)[0]["event_id"]
        timed("one more review", lambda: store.review(target_id, reviewer="bench", action="confirm"))
        timed("the queue's first page (50)", lambda: store.review_queue(limit=50))
        rows = timed("export: every fused event", lambda: store.fused_events(EventQuery(limit=10**7)))
        print(f"  {none} fused events without reviews, {len(rows)} with them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1200)
    parser.add_argument("--reviews", type=int, default=120)
    parser.add_argument("--postgres", help="a database URL to run the same on (emptied first: use a scratch one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(str(Path(tmp) / "bench.sqlite"), args.reports, args.reviews)
    if args.postgres:
        import psycopg

        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        print("PostgreSQL")
        run(args.postgres, args.reports, args.reviews)


if __name__ == "__main__":
    main()
