"""The event lexicons of `sitrep/data`: triggers, non-event cues, event types, victim nouns."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Trigger:
    words: tuple[str, ...]  # lower-cased lemmas
    kind: str  # means | event | harm | modifier
    event_type: str
    sub_event_type: str
    rank: int


@dataclass(frozen=True)
class EventType:
    event_type: str
    sub_event_type: str
    plover: str
    cameo: str


def _rows(name: str) -> list[list[str]]:
    """The rows of a data file, checked against its schema (sitrep/datafiles.py)."""
    from ..datafiles import SCHEMAS, read_table

    names = SCHEMAS[name].names
    return [[r.values.get(c, "") for c in names] for r in read_table(name)]


@lru_cache(maxsize=1)
def triggers() -> dict[str, list[Trigger]]:
    """Triggers indexed by their first word."""
    out: dict[str, list[Trigger]] = {}
    for row in _rows("triggers.tsv"):
        phrase, kind, event_type, sub_event_type, rank = row
        words = tuple(phrase.lower().split())
        out.setdefault(words[0], []).append(Trigger(words, kind, event_type, sub_event_type, int(rank)))
    for entries in out.values():
        entries.sort(key=lambda t: -len(t.words))  # longest match first
    return out


@lru_cache(maxsize=1)
def event_types() -> dict[tuple[str, str], EventType]:
    rows = _rows("event_types.tsv")
    return {(r[0], r[1]): EventType(r[0], r[1], r[2], r[3]) for r in rows}


@lru_cache(maxsize=1)
def non_event_cues() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for cue, scope in _rows("non_event.tsv"):
        out.setdefault(scope, set()).add(cue)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def victim_nouns() -> frozenset[str]:
    return frozenset(r[0] for r in _rows("victim_nouns.txt"))
