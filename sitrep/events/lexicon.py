"""The event lexicons of `sitrep/data`: triggers, non-event cues, event types, victim nouns."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Trigger:
    words: tuple[str, ...]  # lower-cased lemmas
    kind: str  # means | event | harm | modifier
    event_type: str
    sub_event_type: str
    rank: int
    phrase: str = ""  # as the lexicon writes it ('cease-fire')


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


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A lexicon phrase as the tokens the parser makes of it: lower-cased, a hyphen between letters its
    own token ('sit-in' is 'sit', '-', 'in'; 'F-16' stays one)."""
    return tuple(re.sub(r"(?<=[a-z])-(?=[a-z])", " - ", phrase.lower()).split())


@lru_cache(maxsize=1)
def triggers() -> dict[str, list[Trigger]]:
    """Triggers indexed by their first word."""
    from ..datafiles import DataFileError, read_table

    out: dict[str, list[Trigger]] = {}
    seen: dict[tuple[str, ...], int] = {}
    for row in read_table("triggers.tsv"):
        phrase, kind, event_type, sub_event_type, rank = (row.values.get(c, "") for c in (
            "phrase", "kind", "event_type", "sub_event_type", "rank"))
        words = phrase_words(phrase)
        if words in seen:  # 'sit-in' and 'sit - in' are one phrase to the parser: the last would win unseen
            raise DataFileError(f"triggers.tsv line {row.line}: {phrase!r} is the phrase of line {seen[words]}")
        seen[words] = row.line
        out.setdefault(words[0], []).append(Trigger(words, kind, event_type, sub_event_type, int(rank), phrase.lower()))
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
