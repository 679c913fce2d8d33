"""Coding events like an ACLED coder: clause -> type, actors, places, date, fatalities, evidence.

One event per place, day and actor pair: a clause that names five places is
five events; the same event reported in several sentences of an article is
merged (see `merge.py`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from ..actors import ActorDictionary
from ..fatalities import find_fatalities, lowest_credible
from ..records import Actor, Article, Event, PlaceMention
from ..timeexpr import find_date, is_historical
from .clauses import Clause, TriggerHit, find_triggers, group_clauses, is_event_clause, lemma, non_event_reason
from .lexicon import event_types, victim_nouns
from .merge import merge_events

AGENT_DEPS = {"nsubj", "agent", "csubj"}
PATIENT_DEPS = {"dobj", "nsubjpass", "pobj", "attr", "oprd"}
TARGET_PREPS = {"on", "at", "against", "into", "targeting", "toward", "towards"}
SAY_VERBS = {"say", "report", "tell", "confirm", "announce", "state", "add", "claim"}
ADMIN_CODES = {"PCLI", "PCL", "PCLD", "PCLF", "PCLS", "ADM1", "ADM2", "ADM3", "ADMD", "RGN"}
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass
class ArticleContext:
    article: Article
    doc: Doc
    places: list[PlaceMention]
    country: str | None
    means_by_actor: dict[str, TriggerHit] = field(default_factory=dict)
    default_date: tuple[date | None, int | None, str | None] = (None, None, None)


class EventCoder:
    """Codes the events of one parsed article.  Load once per process."""

    def __init__(self, actors: ActorDictionary):
        self.actors = actors

    @classmethod
    def load(cls) -> EventCoder:
        return cls(ActorDictionary.load())

    def code(self, article: Article, doc: Doc, places: list[PlaceMention]) -> list[Event]:
        ctx = ArticleContext(article, doc, [p for p in places if p.role == "literal"], focus_country(places))
        events: list[Event] = []
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            events.extend(self.code_sentence(ctx, sent))
        return merge_events(events, places)

    # ------------------------------------------------------------ one sentence
    def code_sentence(self, ctx: ArticleContext, sent: Span) -> list[Event]:
        hits = find_triggers(sent)
        if not hits:
            return []
        out: list[Event] = []
        for clause in group_clauses(sent, hits):
            if not is_event_clause(clause) or non_event_reason(sent, clause):
                continue
            out.extend(self.code_clause(ctx, sent, clause))
        return out

    def code_clause(self, ctx: ArticleContext, sent: Span, clause: Clause) -> list[Event]:
        places = clause_places(ctx, sent, clause)
        country = places[0].country if places else ctx.country
        actors = self.actors.find_actors(sent, country=country)
        actor1, actor2 = assign_roles(sent, clause, actors)
        victims = victim_actor(sent, clause, country, self.actors)
        if actor2 is None and victims is not None:
            actor2 = victims
        typed = event_type_of(ctx, clause, actor1, actor2)
        if typed is None:
            return []
        event_type, sub_event_type, trigger = typed
        fatal = [f for f in find_fatalities(sent) if not getattr(f, "aggregate", False)]
        if any(getattr(f, "aggregate", False) for f in find_fatalities(sent)) and not fatal:
            return []
        ref = find_date(sent, ctx.article.published)
        if ref is not None and is_historical(ref, ctx.article.published):
            return []
        if ref is None and _mentions_old_year(sent, ctx):
            return []
        fatalities = lowest_credible(fatal) if fatal else 0
        if not places:
            places = [fallback_place(ctx)] if ctx.places or ctx.country else []
        events = []
        shares = split_toll(fatalities, len(places)) if places else [fatalities]
        for place, share in zip(places or [None], shares):
            events.append(self._event(ctx, sent, clause, trigger, event_type, sub_event_type, actor1, actor2,
                                      place, share, fatal, ref))
        return events

    def _event(self, ctx: ArticleContext, sent: Span, clause: Clause, trigger: TriggerHit, event_type: str,
               sub_event_type: str, actor1: Actor | None, actor2: Actor | None, place: PlaceMention | None,
               fatalities: int, fatal: list, ref: object) -> Event:
        a = ctx.article
        kinds = event_types().get((event_type, sub_event_type))
        event_date = getattr(ref, "date", None) if ref is not None else None
        precision = getattr(ref, "precision", None) if ref is not None else None
        means = clause.best("means", "instrument")
        confidence = 0.4 + (0.2 if means or clause.best("event") else 0) + (0.2 if place and place.geo_precision == 1 else 0)
        confidence += (0.1 if actor1 else 0) + (0.1 if event_date else 0)
        return Event(
            doc_id=a.doc_id, event_type=event_type, sub_event_type=sub_event_type,
            actor1=actor1.name if actor1 else None, actor2=actor2.name if actor2 else None,
            inter1=actor1.inter if actor1 else None, inter2=actor2.inter if actor2 else None,
            country=place.country if place else ctx.country, admin1=place.admin1 if place else None,
            admin2=place.admin2 if place else None, location=(place.name or place.text) if place else None,
            location_text=place.text if place else None,
            latitude=place.latitude if place else None, longitude=place.longitude if place else None,
            geo_precision=place.geo_precision if place else None, geonameid=place.geonameid if place else None,
            event_date=event_date.isoformat() if event_date else None, time_precision=precision,
            date_text=getattr(ref, "text", None) if ref is not None else None,
            fatalities=fatalities, fatalities_text="; ".join(getattr(f, "text", "") for f in fatal) or None,
            evidence=sent.text.strip(), evidence_start=sent.start_char, evidence_end=sent.end_char,
            trigger=" ".join(t.text for t in trigger.tokens(sent)), weapon=_text(sent, means),
            reported_by=reported_by(sent), source=a.outlet, source_url=a.url,
            confidence=round(min(confidence, 1.0), 2),
            plover=kinds.plover if kinds else None, cameo=kinds.cameo if kinds else None,
        )


# ---------------------------------------------------------------- typing
def event_type_of(ctx: ArticleContext, clause: Clause, actor1: Actor | None,
                  actor2: Actor | None) -> tuple[str, str, TriggerHit] | None:
    """The (event type, sub-event type, trigger) of a clause, by ACLED's logic."""
    modifier = clause.best("modifier")
    protest = next((h for h in clause.hits if h.trigger.event_type == "Protests" and h.trigger.kind == "event"), None)
    if protest or (modifier and actor2 is not None and actor2.inter == 6):
        trig = protest or modifier
        assert trig is not None
        if modifier:
            return "Protests", modifier.trigger.sub_event_type, trig
        if clause.best("harm") and actor2 is not None and actor2.inter == 6:
            return "Protests", "Excessive force against protesters", trig
        return "Protests", "Peaceful protest", trig
    means = clause.best("means")
    instrument = clause.best("instrument") if clause.best("act", "harm", "means") else None
    chosen = min([h for h in (means, instrument) if h], key=lambda h: h.trigger.rank, default=None)
    if chosen:
        return chosen.trigger.event_type, chosen.trigger.sub_event_type, chosen
    event = clause.best("event")
    if event:
        return _territory(event, actor1) if event.trigger.sub_event_type.endswith("territory") else (
            event.trigger.event_type, event.trigger.sub_event_type, event)
    harm = clause.best("harm")
    if harm is None:
        return None
    return _harm_type(ctx, harm, actor1, actor2)


def _territory(hit: TriggerHit, actor1: Actor | None) -> tuple[str, str, TriggerHit]:
    if actor1 is not None and actor1.inter == 1:
        return "Battles", "Government regains territory", hit
    return "Battles", "Non-state actor overtakes territory", hit


def _harm_type(ctx: ArticleContext, harm: TriggerHit, actor1: Actor | None,
               actor2: Actor | None) -> tuple[str, str, TriggerHit] | None:
    """Killing and attack words: the type follows the means used elsewhere, the actors and victims."""
    remote = harm.trigger.event_type == "Explosions/Remote violence"
    if actor1 is not None and actor1.inter == 1 and actor1.country and ctx.country and actor1.country != ctx.country:
        remote = True  # a foreign state's "strike" or "attack": from the air or from a distance
    if remote:
        if harm.trigger.event_type == "Explosions/Remote violence":
            return harm.trigger.event_type, harm.trigger.sub_event_type, harm
        return "Explosions/Remote violence", "Air/drone strike", harm
    if actor2 is not None and actor2.inter == 7:
        return "Violence against civilians", "Attack", harm
    if actor1 is not None and actor2 is not None:
        return "Battles", "Armed clash", harm
    if actor1 is not None and actor1.inter in (2, 3, 4, 8) and actor2 is None:
        return "Violence against civilians", "Attack", harm
    return None


# ---------------------------------------------------------------- actors
def assign_roles(sent: Span, clause: Clause, actors: list[Actor]) -> tuple[Actor | None, Actor | None]:
    """actor1 acts (subject, agent, modifier of the trigger); actor2 is acted upon (object, target)."""
    agents: list[Actor] = []
    patients: list[Actor] = []
    unknown: list[Actor] = []
    trigger_tokens = {t.i for h in clause.hits for t in h.tokens(sent)}
    for actor in actors:
        span = sent.doc.char_span(actor.start or 0, actor.end or 0, alignment_mode="expand")
        if span is None:
            continue
        role = _role(span.root, trigger_tokens)
        {"agent": agents, "patient": patients}.get(role or "", unknown).append(actor)
    agents += [a for a in unknown if a.inter != 7]
    actor1 = agents[0] if agents else None
    actor2 = next((p for p in patients if actor1 is None or p.name != actor1.name), None)
    return actor1, actor2


def _role(token: Token, triggers: set[int]) -> str | None:
    current = token
    for _ in range(6):
        dep = current.dep_
        head = current.head
        if dep in ("amod", "compound", "poss", "nmod") and head.i in triggers:
            return "agent"
        if dep == "pobj" and head.lower_ == "by":
            return "agent"
        if dep in AGENT_DEPS:
            return "agent"
        if dep == "pobj" and head.lower_ in TARGET_PREPS:
            return "patient"
        if dep in ("dobj", "nsubjpass"):
            return "patient"
        if head is current:
            return None
        current = head
    return None


def victim_actor(sent: Span, clause: Clause, country: str | None, actors: ActorDictionary) -> Actor | None:
    """Civilians when unarmed people are the ones killed or attacked in the clause."""
    nouns = victim_nouns()
    lo, hi = clause.token_range()
    for tok in sent:
        if not (lo <= tok.idx < hi):
            continue
        if lemma(tok) in nouns and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in PATIENT_DEPS | {"nsubj", "appos", "conj"}:
            return actors.normalise("civilians", country=country) or Actor(f"Civilians ({country})" if country else "Civilians", 7, country)
    return None


def reported_by(sent: Span) -> str | None:
    """Who the sentence says reported it: 'X said', 'according to X'."""
    for tok in sent:
        if tok.lower_ == "according" and tok.nbor(1).lower_ == "to" if tok.i + 1 < len(tok.doc) else False:
            objs = [c for c in tok.nbor(1).children if c.dep_ == "pobj"]
            if objs:
                return _phrase(objs[0])
        if lemma(tok) in SAY_VERBS and tok.pos_ == "VERB":
            subj = [c for c in tok.children if c.dep_ in ("nsubj",)]
            if subj and subj[0].lower_ not in ("he", "she", "it", "they", "we", "i"):
                return _phrase(subj[0])
    return None


def _phrase(token: Token) -> str:
    words = list(token.subtree)
    text = sent_text = token.doc[words[0].i: words[-1].i + 1].text
    return text if len(sent_text) <= 80 else token.text


# ---------------------------------------------------------------- places
def clause_places(ctx: ArticleContext, sent: Span, clause: Clause) -> list[PlaceMention]:
    """Resolved places of the clause (else of the sentence), most specific only, one per name."""
    lo, hi = clause.token_range()
    in_sent = [p for p in ctx.places if sent.start_char <= p.start < sent.end_char and p.name]
    in_clause = [p for p in in_sent if lo <= p.start < hi] or in_sent
    chosen = drop_containers(in_clause)
    seen: set[str] = set()
    out = []
    for p in chosen:
        key = (p.name or p.text).lower()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def is_container(outer: PlaceMention, inner: PlaceMention) -> bool:
    """True when `outer` is a country or region that holds `inner`."""
    if outer is inner or (outer.name or "") == (inner.name or ""):
        return False
    code = outer.feature_code or ""
    if code.startswith("PCL"):
        return inner.country == outer.country
    if code == "ADM1" or (outer.feature_class == "A" and code != "ADM2"):
        return bool(inner.admin1) and inner.admin1 == (outer.admin1 or outer.name) and inner.feature_code != "ADM1"
    if code == "ADM2":
        return bool(inner.admin2) and inner.admin2 == (outer.admin2 or outer.name) and inner.feature_code != "ADM2"
    return False


def drop_containers(places: list[PlaceMention]) -> list[PlaceMention]:
    return [p for p in places if not any(is_container(p, q) for q in places)]


def fallback_place(ctx: ArticleContext) -> PlaceMention:
    """No place in the sentence: the article's most named specific place in its focus country, else the country."""
    counts = Counter((p.name, p.country) for p in ctx.places if p.country == ctx.country and p.name)
    for (name, _country), _n in counts.most_common():
        best = next(p for p in ctx.places if p.name == name)
        if (best.feature_code or "") not in ADMIN_CODES or best.feature_code in ("ADM1", "ADM2"):
            return _at_precision(best, 3 if best.feature_code in ("ADM1", "ADM2") else 2)
    first_country = next((p for p in ctx.places if p.country == ctx.country), None)
    if first_country is not None:
        return _at_precision(first_country, 3)
    return PlaceMention(ctx.article.doc_id, ctx.country or "", 0, 0, name=ctx.country, country=ctx.country, geo_precision=3)


def _at_precision(p: PlaceMention, precision: int) -> PlaceMention:
    return PlaceMention(**{**p.to_json(), "geo_precision": max(precision, p.geo_precision or 1)})


def focus_country(places: list[PlaceMention]) -> str | None:
    """The country most places of the article are in."""
    counts = Counter(p.country for p in places if p.country and p.role == "literal")
    return counts.most_common(1)[0][0] if counts else None


def split_toll(total: int, parts: int) -> list[int]:
    """A joint toll split evenly over its places, the remainder to the first named (23 over 2 -> 12, 11)."""
    if parts <= 1:
        return [total]
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _mentions_old_year(sent: Span, ctx: ArticleContext) -> bool:
    """A year in the sentence well before the article's own time marks history ('in 2017', 'since 2006')."""
    ref_year = ctx.article.published.year if ctx.article.published else _latest_year(ctx.article.text)
    if ref_year is None:
        return False
    for ent in sent.ents:
        if ent.label_ == "DATE":
            years = [int(m.group(0)) for m in _YEAR.finditer(ent.text)]
            if years and max(years) < ref_year:
                return True
    return False


def _latest_year(text: str) -> int | None:
    years = [int(m.group(0)) for m in _YEAR.finditer(text)]
    return max(years) if years else None


def _text(sent: Span, hit: TriggerHit | None) -> str | None:
    return " ".join(t.text for t in hit.tokens(sent)) if hit else None
