"""Stores for the API, web and report tests.

`synthetic_store` writes hand-made records (no spaCy: fast, exact); `real_store`
runs sitrep's pipeline over the shared sample and dev set (slow: build once).
The article texts here are written for the tests.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sitrep.records import Article, Event, Extraction, Piece, PlaceMention
from sitrep.store import Store, open_store

from .conftest import DEV_ARTICLES, SAMPLE

PathOrUrl = TypeVar("PathOrUrl", str, Path)

SCRIPT = '<script>alert("owned")</script>'
TYRE_TEXT = ("Drone strike in Tyre\n"
             "Two people were killed on Monday when a drone struck a car near Tyre in south Lebanon. "
             "Hezbollah said one of its members died.\n"
             f"A local official, who posted {SCRIPT} online, said the road was closed.")
NABATIEH_TEXT = ("Shelling near Nabatieh\n"
                 "Israeli artillery shelled the outskirts of Nabatieh on Tuesday, wounding three civilians.")
ALEPPO_TEXT = ("Clashes in Aleppo\n"
               "Fighting between rebels and government forces in Aleppo killed 12 people on 3 August.")


def _article(doc_id: str, text: str, *, outlet: str, published: date) -> Article:
    title_end = text.index("\n")
    pieces = [Piece("title", text[:title_end], 0, title_end),
              Piece("paragraph", text[title_end + 1:], title_end + 1, len(text))]
    return Article(doc_id=doc_id, text=text, pieces=pieces, source=f"test:{doc_id}", url=f"https://example.org/{doc_id}",
                   outlet=outlet, published=published, title=text[:title_end])


def _place(a: Article, word: str, **geo: object) -> PlaceMention:
    start = a.text.index(word, a.text.index("\n"))
    return PlaceMention(doc_id=a.doc_id, text=word, start=start, end=start + len(word), name=word,
                        geo_precision=1, **geo)  # type: ignore[arg-type]


def _sentence(a: Article, needle: str) -> tuple[str, int, int]:
    start = a.text.index(needle)
    end = a.text.index(".", start) + 1
    return a.text[start:end], start, end


def _event(a: Article, needle: str, **fields: object) -> Event:
    evidence, start, end = _sentence(a, needle)
    return Event(doc_id=a.doc_id, evidence=evidence, evidence_start=start, evidence_end=end,
                 source=a.outlet, source_url=a.url, **fields)  # type: ignore[arg-type]


def synthetic_extractions() -> list[Extraction]:
    tyre = _article("lb-tyre-1", TYRE_TEXT, outlet="Example News", published=date(2024, 8, 5))
    nabatieh = _article("lb-nabatieh-2", NABATIEH_TEXT, outlet="Example Wire", published=date(2024, 8, 7))
    aleppo = _article("sy-aleppo-3", ALEPPO_TEXT, outlet="Example Wire", published=date(2024, 8, 4))
    lb = {"country": "Lebanon", "country_code": "LB"}
    return [
        Extraction(tyre, places=[_place(tyre, "Tyre", geonameid=267008, latitude=33.27, longitude=35.2, admin1="South",
                                        **lb), _place(tyre, "Lebanon", **lb)],
                   events=[_event(tyre, "Two people were killed", event_type="Explosions/Remote violence",
                                  sub_event_type="Air/drone strike", actor1="Military Forces of Israel (2022-)",
                                  actor2="Hezbollah", inter1=8, inter2=3, country="Lebanon", admin1="South",
                                  location="Tyre", latitude=33.27, longitude=35.2, geo_precision=2,
                                  event_date="2024-08-05", time_precision=1, fatalities=2, trigger="struck",
                                  confidence=0.8)]),
        Extraction(nabatieh, places=[_place(nabatieh, "Nabatieh", geonameid=268064, latitude=33.38, longitude=35.48,
                                            admin1="Nabatieh", **lb)],
                   events=[_event(nabatieh, "Israeli artillery shelled", event_type="Explosions/Remote violence",
                                  sub_event_type="Shelling/artillery/missile attack",
                                  actor1="Military Forces of Israel (2022-)", actor2="Civilians (Lebanon)",
                                  inter1=8, inter2=7, country="Lebanon", admin1="Nabatieh", location="Nabatieh",
                                  latitude=33.38, longitude=35.48, geo_precision=2, event_date="2024-08-06",
                                  time_precision=1, fatalities=0, confidence=0.7)]),
        Extraction(aleppo, places=[_place(aleppo, "Aleppo", geonameid=170063, latitude=36.2, longitude=37.16,
                                          admin1="Aleppo", country="Syria", country_code="SY")],
                   events=[_event(aleppo, "Fighting between rebels", event_type="Battles", sub_event_type="Armed clash",
                                  actor1="Military Forces of Syria (2000-2024)", actor2="Rebels", inter1=1, inter2=2,
                                  country="Syria", admin1="Aleppo", location="Aleppo", latitude=36.2,
                                  longitude=37.16, geo_precision=1, event_date="2024-08-03", time_precision=1,
                                  fatalities=12, confidence=0.9)]),
    ]


def synthetic_store(target: PathOrUrl) -> PathOrUrl:
    """The three synthetic articles in a store: a SQLite file, or a postgresql:// URL."""
    with open_store(target) as store:
        store.write_batch(synthetic_extractions())
    return target


def real_store(path: Path, pipeline: Any) -> Path:
    """The sample and the dev set run through sitrep's own pipeline (about a minute on two cores)."""
    from sitrep.ingest import ingest_paths

    with Store(path) as store:
        ingest_paths([str(SAMPLE), str(DEV_ARTICLES)], store, pipeline)
    return path
