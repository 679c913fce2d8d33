"""What the clause analysis proposes: every event clause of an article, with the reasons the rules
would drop it, the places it could be at, and the features the decision model reads.

A `Proposal` is plain data (no spaCy objects): it can be cached, scored, explained and decided on
without the parse.  The rules' own reading of a clause is kept in `drafts` (one Event per place the
rules chose); the decision layer (`sitrep/decide/`) reads every proposal, including the dropped ones.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from ..records import Actor, Event, PlaceMention

# How a candidate place relates to the clause.
RELATIONS = ("clause", "sentence", "fallback", "article")


@dataclass
class PlaceOption:
    """A place the proposal's event could be at, with what the parse says of it."""

    place: PlaceMention
    relation: str  # one of RELATIONS: the rules' choice for the clause, elsewhere in the sentence, ...
    features: dict[str, float] = field(default_factory=dict)

    @cached_property
    def key(self) -> str:
        """One key per place name: its canonical name without kind words, folded ('the Deirmimas
        junction' and 'Deirmimas' are one place; a town and its namesake district are one too).
        (Computed once: the option's place is never replaced.)"""
        from .merge import place_core

        p = self.place
        return place_core(p.name or p.text) or (p.name or p.text).lower()


@dataclass
class Hit:
    """One lexicon trigger of the clause."""

    phrase: str
    kind: str
    event_type: str
    sub_event_type: str
    rank: int
    start: int  # character offset of its first word


@dataclass
class Proposal:
    """One event clause, proposed for the decision layer."""

    doc_id: str
    index: int  # order in the article
    piece: str  # 'title', 'caption' or 'paragraph'
    sentence: int  # index of its sentence in the article
    evidence: str
    evidence_start: int
    evidence_end: int
    trigger: str
    trigger_start: int
    hits: list[Hit]
    event_type: str  # the rules' type, else the strongest trigger's
    sub_event_type: str
    typed: bool  # the rules could type it
    reasons: list[str]  # why the rules drop it (empty: the rules code it)
    actor1: Actor | None
    actor2: Actor | None
    fatalities: int
    drafts: list[Event]  # the events the rules code from this clause, one per place they chose
    places: list[PlaceOption]
    features: dict[str, float] = field(default_factory=dict)
    weak: bool = False  # told only by a killing word, attacker unnamed
    unplaced: bool = False  # the sentence names no place finer than a country
    told_again: bool = False  # refers back to an event already told ("in the gunfight")
    ceded: bool = False  # its sentence tells ground given up, not fought for (`features.territory_ceded`)

    @property
    def kept_by_rules(self) -> bool:
        return not self.reasons

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Proposal:
        row = dict(row)
        row["hits"] = [Hit(**h) for h in row["hits"]]
        row["actor1"] = Actor(**row["actor1"]) if row["actor1"] else None
        row["actor2"] = Actor(**row["actor2"]) if row["actor2"] else None
        row["drafts"] = [Event(**d) for d in row["drafts"]]
        row["places"] = [PlaceOption(**{**o, "place": PlaceMention(**o["place"])}) for o in row["places"]]
        return cls(**row)


@dataclass
class ArticleProposals:
    """Everything the decision layer needs of one article, without its parse."""

    doc_id: str
    published: str | None
    outlet: str | None
    url: str | None
    n_sentences: int
    n_chars: int
    focus_country: str | None
    countries: dict[str, float]  # share of the article's literal places in each country
    proposals: list[Proposal]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ArticleProposals:
        row = dict(row)
        row["proposals"] = [Proposal.from_json(p) for p in row["proposals"]]
        return cls(**row)
