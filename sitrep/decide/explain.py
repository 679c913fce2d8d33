"""Why an event was coded: the decision model's reasons, as plain data for the CLI, the API and the store.

For a kept event: its trigger and sentence, its probability, the features that pushed its reading up
or down most (LightGBM's per-feature contributions), the places considered for that clause with their
scores and why the chosen one won, the tolls and sub-event types considered.  For the article: every
candidate event that was dropped, and why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..records import Event
from .model import TEXT_FEATURE, Decision, DecisionModel, Slot, same_kind

TOP_FEATURES = 8
MAX_DROPPED = 40


@dataclass
class Considered:
    """Something the model weighed, its score and what became of it."""

    name: str
    score: float
    chosen: bool = False
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "chosen": self.chosen, "why": self.why}


@dataclass
class Explanation:
    event_id: str
    event_type: str
    sub_event_type: str
    probability: float
    trigger: str
    evidence: str
    rules_reasons: list[str]  # why the rules alone would have dropped the clause ([] when they code it)
    features: list[tuple[str, float, float]]  # (feature, value, contribution to the reading's log-odds)
    places: list[Considered]
    tolls: list[Considered]
    sub_types: list[Considered]
    why: str

    def to_json(self) -> dict[str, Any]:
        """As `dataclasses.asdict` gives it, written out (it is asked for every article)."""
        return {"event_id": self.event_id, "event_type": self.event_type, "sub_event_type": self.sub_event_type,
                "probability": self.probability, "trigger": self.trigger, "evidence": self.evidence,
                "rules_reasons": list(self.rules_reasons), "features": [tuple(f) for f in self.features],
                "places": [c.to_json() for c in self.places], "tolls": [c.to_json() for c in self.tolls],
                "sub_types": [c.to_json() for c in self.sub_types], "why": self.why}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Explanation:
        row = dict(row)
        for name in ("places", "tolls", "sub_types"):
            row[name] = [Considered(**c) for c in row[name]]
        row["features"] = [tuple(f) for f in row["features"]]
        return cls(**row)


@dataclass
class ArticleExplanation:
    doc_id: str
    threshold: float
    events: list[Explanation] = field(default_factory=list)
    dropped: list[Considered] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "threshold": self.threshold, "events": [e.to_json() for e in self.events],
                "dropped": [c.to_json() for c in self.dropped]}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ArticleExplanation:
        return cls(row["doc_id"], float(row["threshold"]), [Explanation.from_json(e) for e in row.get("events", [])],
                   [Considered(**c) for c in row.get("dropped", [])])


def _typed_as(slot: Slot, event: Event) -> bool:
    """The slot's event may be coded as another type than the slot's: a rival type's sub-type won the
    vote, a demonstration turned riot, a stopped weapon (`DecisionModel.event_of`, `Slot.coded_as`)."""
    return event.event_type in (slot.event_type, slot.coded_as) or event.event_type in slot.rivals or same_kind(
        slot.event_type, event.event_type)


def _slot_of(decision: Decision, event: Event) -> Slot | None:
    for slot in decision.slots:
        if slot.kept and _typed_as(slot, event) and any(
                r.proposal.evidence_start == event.evidence_start for r in slot.rows):
            told = slot.told
            if (told.option.place.name or told.option.place.text) == event.location or slot.option.key == event.location:
                return slot
    return next((s for s in decision.slots if s.kept and _typed_as(s, event)
                 and (s.told.option.place.name or s.told.option.place.text) == event.location), None)


def _contributions(model: DecisionModel, rows: list[dict[str, float]]) -> list[list[tuple[str, float, float]]]:
    """For each reading, the features that weighed most on its score (one call for the article)."""
    if not rows:
        return []
    x = model.keep.matrix(rows)
    out = []
    for values, contrib in zip(x, model.keep.contributions(x)):
        order = np.argsort(-np.abs(contrib[:-1]))[:TOP_FEATURES]
        out.append([(model.keep.features[i], round(float(values[i]), 3), round(float(contrib[i]), 3))
                    for i in order if contrib[i]])
    return out


def explain_event(model: DecisionModel, decision: Decision, event: Event,
                  features: list[tuple[str, float, float]] | None = None) -> Explanation | None:
    slot = _slot_of(decision, event)
    if slot is None:
        return None
    told = slot.told
    proposal = told.proposal
    if features is None:
        features = _contributions(model, [{**told.features, TEXT_FEATURE: model.text.score(proposal.evidence)}])[0]
    places = []
    for other in decision.slots:
        if other.event_type != slot.event_type:
            continue
        for row, score in zip(other.rows, other.scores):
            if row.proposal.index == proposal.index:
                name = row.option.place.name or row.option.place.text
                places.append(Considered(f"{name} ({row.option.relation})", round(score, 3),
                                         other is slot, other.why))
    places.sort(key=lambda c: -c.score)
    tolls = sorted({(r.proposal.fatalities, d.fatalities_text or "")
                    for r in slot.rows for d in r.proposal.drafts[:1]}, key=lambda t: -t[0])
    toll_list = [Considered(f"{n} ({text_})" if text_ else str(n), float(n), n == event.fatalities) for n, text_ in tolls]
    subs = decision.sub_types.get(proposal.index, {})
    sub_list = sorted((Considered(k, round(v, 3), k == event.sub_event_type) for k, v in subs.items()), key=lambda c: -c.score)
    return Explanation(event.event_id, event.event_type, event.sub_event_type, round(slot.probability, 3),
                       proposal.trigger, proposal.evidence, list(proposal.reasons), features, places, toll_list,
                       sub_list, slot.why)


def explain_article(model: DecisionModel, decision: Decision, doc_id: str) -> ArticleExplanation:
    out = ArticleExplanation(doc_id, model.threshold)
    slots = [_slot_of(decision, e) for e in decision.events]
    told = [(e, s) for e, s in zip(decision.events, slots) if s is not None]
    weights = _contributions(model, [{**s.told.features, TEXT_FEATURE: model.text.score(s.told.proposal.evidence)}
                                     for _, s in told])
    for (event, _), features in zip(told, weights):
        explained = explain_event(model, decision, event, features)
        if explained is not None:
            out.events.append(explained)
    dropped = sorted((s for s in decision.slots if not s.kept), key=lambda s: -s.probability)[:MAX_DROPPED]
    out.dropped = [Considered(f"{s.event_type} at {s.option.place.name or s.option.place.text} "
                              f"('{s.best.proposal.trigger}': {s.best.proposal.evidence[:80]})",
                              round(s.probability, 3), False, s.why) for s in dropped]
    return out


def render(explained: ArticleExplanation, event_id: str | None = None) -> str:
    """The explanation as text, for the terminal."""
    lines = []
    for e in explained.events:
        if event_id and e.event_id != event_id:
            continue
        why = "" if e.why.startswith("probability") else f" ({e.why})"
        lines.append(f"event {e.event_id}: {e.event_type} / {e.sub_event_type}, probability {e.probability:.2f}{why}")
        lines.append(f"  trigger '{e.trigger}' in: {e.evidence}")
        if e.rules_reasons:
            lines.append(f"  the rules alone would drop it: {'; '.join(e.rules_reasons)}")
        lines.append("  strongest features (value, contribution to the log-odds):")
        lines.extend(f"    {name} = {value:g}: {contrib:+.2f}" for name, value, contrib in e.features)
        lines.append("  places considered for this clause:")
        lines.extend(f"    {'*' if c.chosen else ' '} {c.name}: {c.score:.2f} {c.why}" for c in e.places[:8])
        lines.append("  tolls considered: " + ", ".join(f"{'*' if c.chosen else ''}{c.name}" for c in e.tolls))
        subs = (f"{'*' if c.chosen else ''}{c.name} {c.score:.2f}" for c in e.sub_types[:5])
        lines.append("  sub-event types: " + ", ".join(subs))
    if not event_id:
        lines.append(f"dropped candidates of {explained.doc_id} (threshold {explained.threshold:.2f}):")
        lines.extend(f"  {c.score:.2f} {c.name}: {c.why}" for c in explained.dropped)
    return "\n".join(lines)
