"""From proposals to the rows the decision model scores.

A *keep row* is one reading of one proposal: an ACLED event type and one of its candidate places.
The official scorer matches an event by its place and its event type, so a row is right when the
article's gold has an event of that type at that place.  A *type row* is one sub-event type a
proposal may be; it is right when the gold event the proposal reports has that sub-event type.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

from ..errors import SitrepError
from ..events.coder import rule_events
from ..events.lexicon import event_types
from ..events.proposals import ArticleProposals, PlaceOption, Proposal
from ..records import Event

EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments")


@lru_cache(maxsize=1)
def type_alternatives() -> dict[str, tuple[str, ...]]:
    """sub-event type -> the sub-event types a clause told with it may also be (data/type_alternatives.tsv)."""
    from ..datafiles import read_table

    known = {sub for _, sub in event_types()}
    out: dict[str, tuple[str, ...]] = {}
    for row in read_table("type_alternatives.tsv"):
        sub = row["sub_event_type"]
        alternatives = tuple(a.strip() for a in row["alternatives"].split(",") if a.strip())
        unknown = [s for s in (sub, *alternatives) if s not in known]
        if unknown:
            raise SitrepError("E032", detail=f"type_alternatives.tsv:{row.line}: not an ACLED sub-event type: {unknown[0]!r}")
        out[sub] = alternatives
    return out


@cache
def event_type_of(sub_event_type: str) -> str:
    return next(et for et, sub in event_types() if sub == sub_event_type)


def sub_type_options(proposal: Proposal) -> list[str]:
    """The sub-event types the proposal may be: the rules' reading, its triggers', and their near-misses."""
    named = [sub for sub in [proposal.sub_event_type] + [h.sub_event_type for h in proposal.hits if h.event_type != "-"]
             if sub]
    alternatives = type_alternatives()
    out = list(dict.fromkeys(named))
    for sub in list(out):
        out.extend(a for a in alternatives.get(sub, ()) if a not in out)
    return out


def event_type_options(proposal: Proposal) -> list[str]:
    return list(dict.fromkeys(event_type_of(sub) for sub in sub_type_options(proposal)))


# ---------------------------------------------------------------- rows
@dataclass
class KeepRow:
    """One reading of a proposal: this event type at this place.  Its features are the proposal's, the
    place option's and its own (the type's and the rules'), kept apart so a matrix is built by blocks."""

    proposal: Proposal
    event_type: str
    option: PlaceOption
    own: dict[str, float]

    @property
    def features(self) -> dict[str, float]:
        return {**self.proposal.features, **self.option.features, **self.own}


@dataclass
class TypeRow:
    """One sub-event type a proposal may be."""

    proposal: Proposal
    sub_event_type: str
    own: dict[str, float]  # what this sub-type adds to its proposal's features

    @property
    def features(self) -> dict[str, float]:
        return {**self.proposal.features, **self.own}


def _type_features(proposal: Proposal, event_type: str) -> dict[str, float]:
    named = [h for h in proposal.hits if h.event_type == event_type]
    return {
        f"et_{EVENT_TYPES.index(event_type)}": 1.0,
        "type_own": float(proposal.event_type == event_type),
        "type_hits": float(len(named)),
        "type_hit_rank": float(min((h.rank for h in named), default=10)),
        "type_alternative": float(not named and proposal.event_type != event_type),
    }


def _ruled_here(ruled: list[Event], option: PlaceOption) -> list[Event]:
    """The rules' events at the option's place (the same gazetteer entry, or the same name)."""
    place = option.place
    return [e for e in ruled if (e.geonameid is not None and e.geonameid == place.geonameid)
            or (e.location or "") == (place.name or place.text)]


def _rule_features(ruled_types: set[str], proposal: Proposal, event_type: str, option: PlaceOption,
                   here: set[str]) -> dict[str, float]:
    """What the rules made of this reading: did they code an event of this type here, of this type
    anywhere, anything here; is it this very clause's reading.  `ruled_types`: the types of the rules'
    events; `here`: the types of their events at the option's place (`_ruled_here`)."""
    own = proposal.kept_by_rules and proposal.event_type == event_type and any(
        d.location_text == option.place.text for d in proposal.drafts)
    return {"rules_here": float(event_type in here),
            "rules_type": float(event_type in ruled_types),
            "rules_place": float(bool(here)),
            "rules_own": float(own)}


def keep_rows(article: ArticleProposals) -> list[KeepRow]:
    ruled = rule_events(article.proposals, article.focus_country)
    ruled_types = {e.event_type for e in ruled}
    rows = []
    for proposal in article.proposals:
        here = [{e.event_type for e in _ruled_here(ruled, option)} for option in proposal.places]
        for event_type in event_type_options(proposal):
            typed = _type_features(proposal, event_type)
            for option, at in zip(proposal.places, here):
                rows.append(KeepRow(proposal, event_type, option,
                                    {**typed, **_rule_features(ruled_types, proposal, event_type, option, at)}))
    return rows


def type_rows(proposal: Proposal) -> list[TypeRow]:
    rows = []
    all_subs = [sub for _, sub in event_types()]
    for sub in sub_type_options(proposal):
        event_type = event_type_of(sub)
        features = {**_type_features(proposal, event_type),
                    f"sub_{all_subs.index(sub)}": 1.0,
                    "sub_own": float(proposal.sub_event_type == sub),
                    "sub_hit": float(any(h.sub_event_type == sub for h in proposal.hits)),
                    "sub_in_sentence": proposal.features.get(f"sent_sub_{all_subs.index(sub)}", 0.0)}
        rows.append(TypeRow(proposal, sub, features))
    return rows


# ---------------------------------------------------------------- labels
def as_prediction(event_type: str, option: PlaceOption) -> dict[str, Any]:
    """The fields of a row the scorer matches on."""
    p = option.place
    return {"event_type": event_type, "location": p.name or p.text, "location_text": p.text,
            "latitude": p.latitude, "longitude": p.longitude}


def matching_gold(scorer: ModuleType, events: list[dict[str, Any]], event_type: str,
                  option: PlaceOption) -> list[int]:
    """Indexes of the gold events this reading matches by the scorer's rule (place and event type)."""
    pred = as_prediction(event_type, option)
    return [j for j, g in enumerate(events) if scorer.location_ok(pred, g)
            and event_type in {t for t, _ in scorer.types_accepted(g)}]


def keep_label(scorer: ModuleType, events: list[dict[str, Any]], row: KeepRow) -> float | None:
    """1 when the reading matches a required gold event, 0 when it matches none, None (not learned
    from) when it matches only optional ones."""
    hits = matching_gold(scorer, events, row.event_type, row.option)
    if any(not events[j].get("optional") for j in hits):
        return 1.0
    return None if hits else 0.0


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 2}


def evidence_overlap(proposal: Proposal, gold_event: dict[str, Any]) -> float:
    """How much of the gold event's evidence sentence the proposal's sentence holds (0 to 1)."""
    gold = _words(gold_event.get("evidence") or "")
    if not gold:
        return 0.0
    return len(gold & _words(proposal.evidence)) / len(gold)


EVIDENCE_MATCH = 0.6


def reported_gold(scorer: ModuleType, events: list[dict[str, Any]], proposal: Proposal) -> int | None:
    """The gold event this proposal reports: its evidence is the proposal's sentence and one of the
    proposal's readings matches it; the best such event, or None."""
    best, best_overlap = None, EVIDENCE_MATCH
    for j, g in enumerate(events):
        overlap = evidence_overlap(proposal, g)
        if overlap < best_overlap:
            continue
        types = {t for t, _ in scorer.types_accepted(g)}
        if any(et in types for et in event_type_options(proposal)):
            best, best_overlap = j, overlap
    return best


def type_label(scorer: ModuleType, gold_event: dict[str, Any], row: TypeRow) -> float:
    return float((event_type_of(row.sub_event_type), row.sub_event_type) in scorer.types_accepted(gold_event))


def candidate_recall(scorer: ModuleType,
                     gold: Iterable[tuple[list[dict[str, Any]], ArticleProposals | None]]) -> dict[str, float]:
    """Share of required gold events some reading matches (place and type), and with either alone."""
    total = both = typed = placed = 0
    for events, article in gold:
        readings = [(r.event_type, r.option) for r in keep_rows(article)] if article else []
        for g in events:
            if g.get("optional"):
                continue
            total += 1
            types = {t for t, _ in scorer.types_accepted(g)}
            both += any(et in types and scorer.location_ok(as_prediction(et, o), g) for et, o in readings)
            typed += any(et in types for et, _ in readings)
            placed += any(scorer.location_ok(as_prediction(et, o), g) for et, o in readings)
    share = lambda n: round(n / total, 3) if total else 0.0  # noqa: E731
    return {"candidate_recall": share(both), "type_recall": share(typed), "place_recall": share(placed),
            "required": float(total)}
