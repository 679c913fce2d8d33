"""The PostgreSQL store, against a real server: same results as SQLite, idempotent, FTS,
a dropped connection survived, and concurrent ingests that neither duplicate nor lose.

The server and the fresh database each test gets: tests/conftest.py (`pg_url`).
"""
from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator

import pytest

from sitrep.ingest import ingest_paths
from sitrep.records import Article, Event, Extraction, Piece, PlaceMention, Reject
from sitrep.store import Store, open_store
from sitrep.store.migrations import MIGRATIONS
from sitrep.store.sqlite import EventQuery

from .conftest import DEV_ARTICLES, ROOT, SAMPLE, needs_shared, pg_admin
from .scalefixtures import reference_run

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")

SITREP = [sys.executable, "-m", "sitrep"]
INPUTS = [str(SAMPLE), str(DEV_ARTICLES)]


def _article(doc_id: str, text: str) -> Article:
    return Article(doc_id=doc_id, text=text, pieces=[Piece("paragraph", text, 0, len(text), 1)], source="t")


def _extraction(n: int) -> Extraction:
    """A synthetic article with a shared place, shared actors and one event (no spaCy needed)."""
    text = f"Report {n}: protesters marched in Basra and police detained {n % 7} people."
    place = PlaceMention(doc_id=f"d{n}", text="Basra", start=text.index("Basra"), end=text.index("Basra") + 5,
                         name="Basra", geonameid=99532 + n % 5, country="Iraq")
    event = Event(doc_id=f"d{n}", event_type="Protests", sub_event_type="Peaceful protest",
                  actor1=f"Protesters (Iraq) {n % 3}", actor2=f"Police Forces of Iraq {n % 4}", country="Iraq",
                  location="Basra", evidence=text, evidence_start=n)
    return Extraction(_article(f"d{n}", text), places=[place], events=[event])


class Replay:
    """An extractor that hands back extractions computed once, so a test parses the inputs only once."""

    def __init__(self, results: Iterable[Extraction | Reject]):
        self.by_id = {r.article.doc_id: r for r in results if isinstance(r, Extraction)}

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        for item in items:
            yield item if isinstance(item, Reject) else self.by_id[item.doc_id]

    def run(self, paths: Iterable[str]) -> Iterator[Extraction | Reject]:
        raise NotImplementedError("Replay only replays extract()")


def _event_rows(store) -> list[tuple]:
    keys = ("event_id", "doc_id", "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude",
            "longitude", "event_date", "fatalities", "evidence", "evidence_start", "evidence_end")
    rows = store.events(EventQuery(limit=100_000))
    return sorted(tuple(r[k] for k in keys) for r in rows)


def test_migrations_are_recorded_and_applied_once(pg_url):
    with open_store(pg_url) as store:
        assert store.migrate() == []
        names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
        assert store.integrity_check() == "ok"
    assert names == sorted(name for name, _ in MIGRATIONS)
    with open_store(pg_url) as store:
        assert store.migrate() == []


def test_batch_write_is_transactional_and_idempotent(pg_url):
    with open_store(pg_url) as store:
        good = _extraction(1)
        bad = Extraction(_article("b", "Another text."),
                         events=[Event(doc_id="b", event_type=None, sub_event_type="Attack")])  # type: ignore[arg-type]
        with pytest.raises(psycopg.IntegrityError):
            store.write_batch([good, bad])
        assert store.counts()["articles"] == 0  # the whole batch rolled back
        assert store.write_batch([good]) == 1
        assert store.write_batch([good]) == 0
        r = Reject("x.jsonl", "not JSON", "E006", 3)
        store.add_rejects([r, r])
        assert [(x["source"], x["line"], x["code"]) for x in store.rejects()] == [("x.jsonl", 3, "E006")]
        assert list(store.minhashes()) == []
        assert store.known_doc_ids(["d1", "zz"]) == {"d1": good.article.content_hash}


def test_full_text_search_and_hostile_queries(pg_url):
    with open_store(pg_url) as store:
        store.write_batch([_extraction(n) for n in range(3)])
        found = store.events(EventQuery(q="BASRA protesters"))
        assert len(found) == 3 and {r["location"] for r in found} == {"Basra"}
        assert store.events(EventQuery(q="Mosul")) == []
        for hostile in ['"unbalanced', "NEAR(", "a OR", "'; DROP TABLE events; --", "*", "!&|", "\x00"]:
            assert store.events(EventQuery(q=hostile)) == []
        assert len(store.events(EventQuery(actor="police forces"))) == 3
        assert store.events(EventQuery(actor="%")) == []  # a wildcard is matched as itself
        assert store.counts()["events"] == 3


def test_a_dropped_connection_is_retried(pg_url, caplog):
    with open_store(pg_url) as store:
        store.write_batch([_extraction(1)])
        with pg_admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
        with caplog.at_level("WARNING", logger="sitrep.store.postgres"):
            assert store.write_batch([_extraction(2), _extraction(1)]) == 1
        assert "write_batch" in caplog.text and "retrying" in caplog.text
        assert store.counts()["articles"] == 2


def _write_range(url: str, numbers: list[int]) -> int:
    with open_store(url) as store:
        return sum(store.write_batch([_extraction(n) for n in numbers[i:i + 8]]) for i in range(0, len(numbers), 8))


def test_concurrent_writers_store_each_article_once(pg_url):
    open_store(pg_url).close()
    ranges = [list(range(120)), list(range(60, 180)), list(reversed(range(30, 150)))]
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        added = pool.starmap(_write_range, [(pg_url, r) for r in ranges])
    with open_store(pg_url) as store:
        counts = store.counts()
        doc_ids = [r[0] for r in store.conn.execute("SELECT doc_id FROM articles")]
    assert sum(added) == 180 == counts["articles"] == len(set(doc_ids))
    assert counts["events"] == counts["event_sources"] == 180
    assert counts["places"] == 5 and counts["actors"] == 3 + 4


@needs_shared
def test_same_results_as_sqlite_and_idempotent(pg_url, tmp_path):
    replay = Replay(reference_run(INPUTS))
    with Store(tmp_path / "s.db") as lite, open_store(pg_url) as pg:
        lite_report = ingest_paths(INPUTS, lite, replay)
        pg_report = ingest_paths(INPUTS, pg, replay)
        again = ingest_paths(INPUTS, pg, replay)
        assert pg.counts() == lite.counts()
        assert _event_rows(pg) == _event_rows(lite)
        fused = [(f["fused_id"], f["source_count"], f["fatalities"]) for f in pg.fused_events(EventQuery(limit=10**5))]
        assert fused == [(f["fused_id"], f["source_count"], f["fatalities"])
                         for f in lite.fused_events(EventQuery(limit=10**5))]
        assert pg.refuse_all() == lite.refuse_all()
        assert [dict(r, at=None, id=None) for r in pg.rejects()] == [dict(r, at=None, id=None) for r in lite.rejects()]
        assert pg.counts()["articles"] == 31 and pg.counts()["events"] > 0
    assert pg_report.added == lite_report.added == 31
    assert again.added == 0 and again.skipped == 31


def _ingest_command(url: str, *paths: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*SITREP, "ingest", *paths, "--db", url, "--batch-size", "4"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@needs_shared
def test_two_ingest_processes_of_overlapping_input(pg_url):
    """Two `sitrep ingest` processes at once, both given the dev set: every article is stored once."""
    procs = [_ingest_command(pg_url, str(DEV_ARTICLES), str(SAMPLE)), _ingest_command(pg_url, str(DEV_ARTICLES))]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outs):
        assert proc.returncode == 0, err
    added = [int(re.search(r"(\d+) added", err).group(1)) for _, err in outs]  # type: ignore[union-attr]
    with open_store(pg_url) as store:
        counts = store.counts()
        doc_ids = [r[0] for r in store.conn.execute("SELECT doc_id FROM articles")]
    assert sum(added) == 31 == counts["articles"] == len(set(doc_ids))
    assert counts["events"] == counts["event_sources"] > 0
