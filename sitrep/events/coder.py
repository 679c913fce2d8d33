"""Coding events like an ACLED coder: clause -> type, actors, places, date, fatalities, evidence.

One event per place, day and actor pair: a clause that names five places is
five events; the same event reported in several sentences of an article is
merged (see `merge.py`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from ..actors import ActorDictionary
from ..fatalities import find_fatalities
from ..records import Actor, Article, Event, Piece, PlaceMention
from ..timeexpr import DateRef, find_date, is_historical
from .clauses import Clause, TriggerHit, find_triggers, group_clauses, is_event_clause, lemma, non_event_reason, present_perfect
from .features import (
    article_features,
    clause_features,
    country_shares,
    crowd_does_violence,
    place_options,
    sentence_type_features,
    territory_ceded,
    weapon_disrupted,
)
from .lexicon import event_types, victim_nouns
from .merge import (
    absorb_weak,
    compatible,
    drop_sums,
    fold_protest_arrests,
    fold_remote_harm,
    holds,
    merge_events,
    place_unplaced,
    same_place,
)
from .placing import LEAD_PARAGRAPHS, clause_places, event_places, fallback_place, focus_country, inside_actor, is_roundup
from .proposals import ArticleProposals, Hit, Proposal


class Decider(Protocol):
    """What decides an article's events from its proposals (the trained model of `sitrep/decide/`)."""

    def decide(self, proposed: ArticleProposals) -> list[Event]: ...

    def decide_explained(self, proposed: ArticleProposals) -> tuple[list[Event], dict | None]: ...


AGENT_DEPS = {"nsubj", "agent", "csubj"}
PATIENT_DEPS = {"dobj", "nsubjpass", "pobj", "attr", "oprd"}
TARGET_PREPS = {"on", "at", "against", "into", "targeting", "toward", "towards"}
DEATH_VERBS = {"die", "perish", "succumb"}
SAY_VERBS = {"say", "report", "tell", "confirm", "announce", "state", "add", "claim"}
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_YEARS_AGO = re.compile(r"\b(?:years?|decades?)\b.*\b(?:ago|after|before|earlier|later)\b|\b(?:last|previous) year\b"
                        r"|\bfor (?:years|decades|months)\b", re.I)


@dataclass
class ArticleContext:
    article: Article
    doc: Doc
    places: list[PlaceMention]
    country: str | None
    remote_means: dict[str | None, str] = field(default_factory=dict)  # actor1 -> sub-event type by means
    remote_actors: list[Actor] = field(default_factory=list)  # attackers named so far, in order
    last_date: DateRef | None = None  # the latest date an event clause gave: the story's day so far
    last_event: Event | None = None
    weak: set[int] = field(default_factory=set)  # ids of events told only by a killing word, attacker unnamed
    unplaced: set[int] = field(default_factory=set)  # ids of events whose sentence names no place
    told_again: set[int] = field(default_factory=set)  # of those, ids of events that refer back ("in the gunfight")
    n_sentences: int = 0
    shares: dict[str, float] = field(default_factory=dict)  # share of the literal places in each country
    _actors: dict[tuple[int, str | None], list[Actor]] = field(default_factory=dict)
    _fatalities: dict[int, list] = field(default_factory=dict)
    _reporters: dict[int, str | None] = field(default_factory=dict)

    @cached_property
    def lead(self) -> list[Piece]:
        """The article's first paragraphs, where news tells its main story."""
        return [p for p in self.article.pieces if p.kind == "paragraph"][:LEAD_PARAGRAPHS]

    @cached_property
    def titles(self) -> list[Piece]:
        return [p for p in self.article.pieces if p.kind == "title"]

    @cached_property
    def places_named(self) -> dict[str, list[PlaceMention]]:
        """The event places by their name (or text, when unresolved), lower-cased, in article order."""
        out: dict[str, list[PlaceMention]] = {}
        for p in self.places:
            out.setdefault((p.name or p.text).lower(), []).append(p)
        return out

    def actors_in(self, actors: ActorDictionary, sent: Span, country: str | None) -> list[Actor]:
        """The sentence's actor mentions (found once per sentence and country)."""
        key = (sent.start, country)
        if key not in self._actors:
            self._actors[key] = actors.find_actors(sent, country=country)
        return self._actors[key]

    def reporter_of(self, sent: Span) -> str | None:
        if sent.start not in self._reporters:
            self._reporters[sent.start] = reported_by(sent)
        return self._reporters[sent.start]

    def fatalities_in(self, sent: Span) -> list:
        if sent.start not in self._fatalities:
            self._fatalities[sent.start] = find_fatalities(sent)
        return self._fatalities[sent.start]

    def remember_remote(self, clause: Clause, actor1: Actor | None, sub_event_type: str,
                        actor2: Actor | None = None, *, commit: bool = True) -> tuple[Actor | None, str]:
        """Strikes reported without their means or attacker take them from earlier in the article
        ('Russian missile strikes on Kharkiv …  Nine were killed by the strikes in the city'): the
        latest attacker named who is not the target ('rocket strikes on Israeli targets' are not Israel's)."""
        if actor1 is None:
            others = [a for a in self.remote_actors if actor2 is None or a.name != actor2.name]
            actor1 = others[-1] if others else None
        key = actor1.name if actor1 else None
        if clause.best("means") or (clause.best("instrument") and clause.best("act", "harm", "means")):
            if commit:
                self.remote_means.setdefault(key, sub_event_type)
        else:
            sub_event_type = self.remote_means.get(key, sub_event_type)
        if commit and actor1 is not None and (not self.remote_actors or self.remote_actors[-1].name != actor1.name):
            self.remote_actors.append(actor1)
        return actor1, sub_event_type


class EventCoder:
    """Codes the events of one parsed article.  Load once per process."""

    def __init__(self, actors: ActorDictionary, decider: Decider | None = None):
        self.actors = actors
        self.decider = decider
        self._actor_names: dict[str, bool] = {}
        # the words for a crowd: the actor dictionary's protester and rioter classes (inter 6 and 5)
        self.crowd_words = frozenset(a.lower() for e in actors.entries if e.kind == "class" and e.inter in (5, 6)
                                     for a in e.aliases if " " not in a)

    def names_an_actor(self, text: str) -> bool:
        """'Hezbollah', 'the Russian Armed Forces …' taken for a place: a named actor is no place; nor is a
        name that is only an actor's common noun ('Gunmen', 'Villagers' opening a sentence)."""
        if text not in self._actor_names:
            actor = None if self.actors.country(text) else self.actors.normalise(text)  # a country is a place
            whole = actor is not None and (actor.start or 0) == 0 and (actor.end or 0) >= len(text.strip())
            self._actor_names[text] = actor is not None and (whole or (
                actor.inter in (1, 2, 3, 8) and not actor.name.startswith("Unidentified") and (actor.start or 0) == 0))
        return self._actor_names[text]

    @classmethod
    def load(cls, *, rules_only: bool = False) -> EventCoder:
        """The coder with the committed decision model (`sitrep/models/`), or the rules alone."""
        if rules_only:
            return cls(ActorDictionary.load())
        from ..decide.model import load_default

        return cls(ActorDictionary.load(), load_default())

    def code(self, article: Article, doc: Doc, places: list[PlaceMention]) -> list[Event]:
        """The article's events: the decision model's reading of its proposals where a model is loaded,
        else the rules' reading."""
        proposed = self.propose(article, doc, places)
        if self.decider is not None:
            return self.decider.decide(proposed)
        return rule_events(proposed.proposals, proposed.focus_country)

    def code_explained(self, article: Article, doc: Doc, places: list[PlaceMention]) -> tuple[list[Event], dict | None]:
        """The article's events, and the decision model's record of why (None for the rules' reading)."""
        proposed = self.propose(article, doc, places)
        if self.decider is not None:
            return self.decider.decide_explained(proposed)
        return rule_events(proposed.proposals, proposed.focus_country), None

    def propose(self, article: Article, doc: Doc, places: list[PlaceMention]) -> ArticleProposals:
        """Every event clause of the article, each with the reasons the rules would drop it."""
        places = [p for p in places if not self.names_an_actor(p.text)]
        ctx = ArticleContext(article, doc, event_places(article, places), focus_country(places, article))
        ctx.n_sentences, ctx.shares = n_sentences(doc), country_shares(ctx.places)
        proposals: list[Proposal] = []
        for n, sent in enumerate(doc.sents):
            if not article.text[sent.start_char:sent.end_char].strip():
                continue
            for proposal in self.propose_sentence(ctx, sent, n):
                proposal.index = len(proposals)
                proposals.append(proposal)
        article_features(ctx, proposals)
        return ArticleProposals(
            doc_id=article.doc_id, published=article.published.isoformat() if article.published else None,
            outlet=article.outlet, url=article.url, n_sentences=ctx.n_sentences, n_chars=len(article.text),
            focus_country=ctx.country, countries=ctx.shares, proposals=proposals)

    # ------------------------------------------------------------ one sentence
    def propose_sentence(self, ctx: ArticleContext, sent: Span, n: int) -> list[Proposal]:
        hits = find_triggers(sent)
        if not hits:
            return []
        clauses = group_clauses(sent, hits)
        reasons = {id(c): non_event_reason(sent, c) for c in clauses}
        for clause in clauses:
            clause.others = {t.i for c in clauses if c is not clause and c.head.i in clause.nested_events
                                 and ((reasons[id(c)] or "").startswith("background")
                                      or (is_event_clause(c) and not reasons[id(c)])) for t in c.head.subtree}
        out = []
        for clause in clauses:
            why = reasons[id(clause)] or (None if is_event_clause(clause) else "no event word: a verb of use or a weapon alone")
            out.append(self.propose_clause(ctx, sent, clause, n, why))
        violent_crowd, stopped = crowd_does_violence(sent, hits, self.crowd_words), weapon_disrupted(sent, hits)
        ceded = territory_ceded(sent, hits)
        for proposal in out:
            sentence_type_features(proposal, hits, violent_crowd, stopped)
            proposal.ceded = ceded
        return out

    def propose_clause(self, ctx: ArticleContext, sent: Span, clause: Clause, n: int, why: str | None) -> Proposal:
        """The clause as the rules read it, with every reason they would drop it (in the order they apply).
        The story's running state (its day, its attackers, its last event) moves only with clauses the
        rules keep."""
        reasons = [why] if why else []
        actors = ctx.actors_in(self.actors, sent, ctx.country)
        places = [p for p in clause_places(ctx.article.text, ctx.places, sent, clause) if not inside_actor(p, actors)]
        if only_weak_event_words(clause) and not any(clause.contains_char(p.start) for p in places):
            reasons.append("a vague word for fighting with no place of its own")  # "sources following the battle"
        if present_perfect(clause.head) and (_since(clause.head) or (
                not any(t.ent_type_ in ("DATE", "TIME") for t in clause.tokens())
                and not (in_lead(ctx.article, sent) and any(clause.contains_char(p.start) for p in places)))):
            reasons.append("present perfect, undated: background")  # "Israeli strikes have killed more than 350"
        country = places[0].country if places else ctx.country
        if country != ctx.country:
            actors = ctx.actors_in(self.actors, sent, country)
        actor1, actor2 = assign_roles(sent, clause, [a for a in actors if not _in_excluded(sent, clause, a)])
        victims = victim_actor(sent, clause, country, self.actors)
        if actor2 is None and victims is not None:
            actor2 = victims
        if actor1 is not None and actor1.inter == 7:
            if _does_harm(sent, clause, actor1):
                # residents who beat or kill with their own hands are a mob: ACLED's rioters, and Mob violence;
                # the people they harm are civilians like them
                civilians = actor1
                mob = self.actors.normalise("mob", country=country)
                actor1 = Actor(mob.name if mob else "Rioters", 5, country, actor1.text, actor1.start, actor1.end)
                harmed = Actor(civilians.name, 7, civilians.country) if _has_patient(sent, clause) else None
                actor2 = actor2 or victims or harmed
            else:  # civilians do not attack; they are acted upon
                actor1, actor2 = None, actor2 or actor1
        if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
            actor2 = None
        if is_roundup(places):
            reasons.append("three or more provinces: a roundup")  # "airstrikes in Anbar, Salahaddin, Kirkuk and Nineveh"
        typed = event_type_of(ctx, clause, actor1, actor2)
        if typed is None and ctx.last_event is not None and clause.best("harm") and actor1 is None and not reasons:
            # Discourse continuity: a harm word that names neither attacker nor victim, after an event
            # the story has coded, elaborates that event ("The attack was carried out on the village"):
            # it takes the story's type and actors.  Measured out of fold: without it F1 0.600 -> 0.568.
            last = ctx.last_event
            harm = clause.best("harm")
            assert harm is not None
            typed = (last.event_type, last.sub_event_type, harm)
            actor1 = Actor(last.actor1, last.inter1 or 0, last.country) if last.actor1 else None
            actor2 = actor2 or (Actor(last.actor2, last.inter2 or 0, last.country) if last.actor2 else None)
        if typed is None:
            reasons.append("no type: a harm word with neither attacker nor victim")
        event_type, sub_event_type, trigger = typed or lexicon_type(clause)
        if event_type == "Explosions/Remote violence":
            actor1, sub_event_type = ctx.remember_remote(clause, actor1, sub_event_type, actor2, commit=not reasons)
        if event_type in ("Protests", "Riots"):
            harmed = actor2 if actor2 is not None and actor2.inter == 7 and sub_event_type == "Mob violence" else None
            actor1, actor2 = protest_roles(actor1, actor2, self.actors, country)
            actor2 = actor2 or harmed  # a mob's victims are actor2 (ACLED), where no force stepped in
            if sub_event_type == "Excessive force against protesters":
                actor1, actor2 = actor2, actor1  # the forces act; the protesters are acted upon
        all_fatal = ctx.fatalities_in(sent)
        if any(f.aggregate for f in all_fatal) and not any(not f.aggregate for f in all_fatal):
            reasons.append("only an aggregate toll")  # "250 killed over the past month"
        fatal = [f for f in all_fatal if not f.aggregate]
        own = [f for f in fatal if clause.contains_char(f.start)]
        fatal = own or ([] if _other_clause_owns(sent, fatal, clause) else fatal)
        ref = find_date(sent, ctx.article.published, verb=clause.head)
        if ref is not None and is_historical(ref, ctx.article.published):
            reasons.append(f"history: dated {ref.date}")
        sentence_date = ref
        date_from = "sentence" if ref is not None else ("context" if ctx.last_date is not None else None)
        ref = ref or ctx.last_date
        if ref is not None and not reasons:
            ctx.last_date = ref
        dated_itself = ctx.article.published is None and sentence_date is not None and sentence_date.date is not None \
            and sentence_date.precision == 1  # "On 3 March 2024, ...": an undated item's own day, not history
        if not dated_itself and (_mentions_old_year(clause.tokens(), ctx) or (
                not any(t.ent_type_ in ("DATE", "TIME") for t in clause.tokens()) and _mentions_old_year(list(sent), ctx))):
            reasons.append("an earlier year: history")
        fatalities = clause_toll(fatal)
        if event_type == "Protests" and fatalities and sub_event_type != "Excessive force against protesters":
            sub_event_type = "Excessive force against protesters"  # lethal force against protesters
            actor1, actor2 = actor2, actor1
        unplaced = all((p.feature_code or "").startswith("PCL") for p in places)  # none, or only "Nigeria"
        rule_places = places
        if not places:
            places = [fallback_place(ctx.article.doc_id, ctx.places, ctx.country)] if ctx.places or ctx.country else []
        drafts: list[Event] = []
        shares = split_toll(fatalities, len(places)) if places else [fatalities]
        slots: list[PlaceMention | None] = list(places) if places else [None]
        for place, share in zip(slots, shares):
            event = self._event(ctx, sent, clause, trigger, event_type, sub_event_type, actor1, actor2,
                                place, share, fatal, ref)
            event.date_from = date_from
            drafts.append(event)
        if drafts and not reasons:
            ctx.last_event = drafts[0]
        proposal = Proposal(
            doc_id=ctx.article.doc_id, index=0, piece=piece_of(ctx.article, sent), sentence=n,
            evidence=drafts[0].evidence if drafts else sent.text.strip(),
            evidence_start=drafts[0].evidence_start if drafts else sent.start_char,
            evidence_end=drafts[0].evidence_end if drafts else sent.end_char,
            trigger=_text(sent, trigger) or "", trigger_start=ctx.doc[trigger.start].idx,
            hits=[Hit(h.trigger.phrase or " ".join(h.trigger.words), h.trigger.kind, h.trigger.event_type,
                      h.trigger.sub_event_type, h.trigger.rank, ctx.doc[h.start].idx) for h in clause.hits],
            event_type=event_type, sub_event_type=sub_event_type, typed=typed is not None, reasons=reasons,
            actor1=actor1, actor2=actor2, fatalities=fatalities, drafts=drafts,
            places=place_options(ctx, sent, clause, rule_places, places),
            unplaced=unplaced, told_again=unplaced and _refers_back(ctx.doc[trigger.start]),
            weak=actor1 is None and not (clause.best("means", "event") or clause.best("instrument")))
        proposal.features = clause_features(ctx, sent, clause, proposal, ctx.doc[trigger.start], all_fatal, sentence_date)
        return proposal

    def _event(self, ctx: ArticleContext, sent: Span, clause: Clause, trigger: TriggerHit, event_type: str,
               sub_event_type: str, actor1: Actor | None, actor2: Actor | None, place: PlaceMention | None,
               fatalities: int, fatal: list, ref: object) -> Event:
        a = ctx.article
        kinds = event_types().get((event_type, sub_event_type))
        raw = ctx.article.text[sent.start_char:sent.end_char]
        evidence = raw.strip()
        evidence_start = sent.start_char + _lead_space(raw)
        event_date = getattr(ref, "date", None) if ref is not None else None
        precision = getattr(ref, "precision", None) if ref is not None and event_date else None
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
            fatalities=fatalities, fatalities_text="; ".join(f.text.strip() for f in fatal) or None,
            toll_update=any(f.update for f in fatal),
            evidence=evidence, evidence_start=evidence_start, evidence_end=evidence_start + len(evidence),
            trigger=_text(sent, trigger) or "", weapon=_text(sent, means),
            reported_by=ctx.reporter_of(sent), source=a.outlet, source_url=a.url,
            confidence=round(min(confidence, 1.0), 2),
            plover=kinds.plover if kinds else None, cameo=kinds.cameo if kinds else None,
        )


# ---------------------------------------------------------------- the rules' reading
def rule_events(proposals: list[Proposal], focus: str | None) -> list[Event]:
    """The events the rules code: the drafts of the proposals they keep, placed, folded and merged
    into ACLED's unit (copies: the proposals stay as they were)."""
    body: list[Event] = []
    headline: list[Event] = []
    weak: set[int] = set()
    unplaced: set[int] = set()
    told_again: set[int] = set()
    for proposal in proposals:
        if proposal.reasons:
            continue
        events = [replace(d) for d in proposal.drafts]
        (headline if proposal.piece == "title" else body).extend(events)
        ids = {id(e) for e in events}
        weak |= ids if proposal.weak else set()
        unplaced |= ids if proposal.unplaced else set()
        told_again |= ids if proposal.told_again else set()
    events = absorb_weak(drop_sums(place_unplaced(body, unplaced, told_again)), weak)
    events = merge_events(fold_protest_arrests(fold_remote_harm(events)), focus)
    return confirm_headlines(events, headline)


def piece_of(article: Article, sent: Span) -> str:
    """'title', 'caption' or 'paragraph': the piece of the article the sentence starts in."""
    return next((p.kind for p in article.pieces if p.start <= sent.start_char < p.end), "paragraph")


def n_sentences(doc: Doc) -> int:
    return sum(1 for _ in doc.sents)


def lexicon_type(clause: Clause) -> tuple[str, str, TriggerHit]:
    """A clause the rules cannot type: the type its strongest trigger names in the lexicon (a verb of
    use alone names none: its type is left empty, and no reading is proposed)."""
    typed = [h for h in clause.hits if h.trigger.event_type != "-"]
    hit = min(typed or clause.hits, key=lambda h: (h.trigger.rank, h.start))
    return (hit.trigger.event_type, hit.trigger.sub_event_type, hit) if typed else ("", "", hit)


# ---------------------------------------------------------------- typing
def event_type_of(ctx: ArticleContext, clause: Clause, actor1: Actor | None,
                  actor2: Actor | None) -> tuple[str, str, TriggerHit] | None:
    """The (event type, sub-event type, trigger) of a clause, by ACLED's logic."""
    modifier = min((h for h in clause.hits if h.trigger.kind == "modifier" and not _intransitive(ctx.doc[h.start])),
                   key=lambda h: (h.trigger.rank, h.start), default=None)
    protest = next((h for h in clause.hits if h.trigger.event_type == "Protests" and h.trigger.kind == "event"), None)
    if protest or modifier:
        trig = protest or modifier
        assert trig is not None
        if modifier:
            return "Protests", modifier.trigger.sub_event_type, trig
        if clause.best("harm") and actor2 is not None and actor2.inter == 6:
            return "Protests", "Excessive force against protesters", trig
        return "Protests", "Peaceful protest", trig
    disrupted = next((h for h in clause.hits if h.trigger.kind == "event"
                      and h.trigger.sub_event_type == "Disrupted weapons use"), None)
    if disrupted is not None:  # "defused an IED", "intercepted the missiles": the weapon named was stopped (ACLED)
        return disrupted.trigger.event_type, disrupted.trigger.sub_event_type, disrupted
    means = clause.best("means")
    instrument = clause.best("instrument") if clause.best("act", "harm", "means") else None
    chosen = min([h for h in (means, instrument) if h], key=lambda h: h.trigger.rank, default=None)
    if chosen:
        return chosen.trigger.event_type, chosen.trigger.sub_event_type, chosen
    event = clause.best("event")
    if event and event.person_taken and actor1 is not None and actor1.inter == 1:
        return "Strategic developments", "Arrests", event  # a person taken by state forces is arrested (CODING.md)
    if event:
        return _territory(event, actor1) if event.trigger.event_type == "Battles" and \
            event.trigger.sub_event_type.endswith("territory") else (
            event.trigger.event_type, event.trigger.sub_event_type, event)
    harm = clause.best("harm")
    if harm is None:
        return None
    return _harm_type(ctx, clause, actor1, actor2)


def _since(head: Token) -> bool:
    """'which has clashed with Israeli troops since Oct. 8': a span of time, not one event."""
    return any(c.dep_ == "prep" and c.lower_ == "since" for c in head.children)


def _refers_back(tok: Token) -> bool:
    """'A soldier was also killed in the gunfight': an event noun with a definite article, or 'also'
    on the verb, tells of an event already reported."""
    definite = tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("the", "that", "this") for c in tok.children)
    verb = tok.head if tok.pos_ == "NOUN" else tok
    return definite or any(c.dep_ == "advmod" and c.lower_ == "also" for c in verb.children)


def _intransitive(tok: Token) -> bool:
    """'the marchers dispersed after handing over a petition': they left; nobody dispersed them."""
    if tok.pos_ != "VERB":
        return False
    deps = {c.dep_ for c in tok.children}
    to_infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    return not deps & {"dobj", "nsubjpass", "auxpass", "agent"} and not to_infinitive


def _planted_bomb(tok: Token, clause: Clause) -> bool:
    """'a remote-controlled bomb exploded near a police van': a bomb (the noun) that goes off where it
    was left is an explosive device; 'warplanes bombed', 'bombs dropped by jets' are strikes."""
    return tok.pos_ == "NOUN" and lemma(tok) == "bomb" and not clause.best("instrument")


def _territory(hit: TriggerHit, actor1: Actor | None) -> tuple[str, str, TriggerHit]:
    if actor1 is not None and actor1.inter == 1:
        return "Battles", "Government regains territory", hit
    return "Battles", "Non-state actor overtakes territory", hit


def _harm_type(ctx: ArticleContext, clause: Clause, actor1: Actor | None,
               actor2: Actor | None) -> tuple[str, str, TriggerHit] | None:
    """Killing and attack words: the type follows the means used elsewhere, the actors and victims."""
    remote_hits = [h for h in clause.hits if h.trigger.kind == "harm" and h.trigger.event_type == "Explosions/Remote violence"]
    harm = remote_hits[0] if remote_hits else clause.best("harm")
    assert harm is not None
    remote = bool(remote_hits)
    if actor1 is not None and actor1.inter == 1 and actor1.country and ctx.country and actor1.country != ctx.country:
        remote = True  # a foreign state's "strike" or "attack": from the air or from a distance
    if remote:
        if harm.trigger.event_type == "Explosions/Remote violence":
            if harm.trigger.sub_event_type == "Air/drone strike" and _planted_bomb(ctx.doc[harm.start], clause):
                return harm.trigger.event_type, "Remote explosive/landmine/IED", harm
            return harm.trigger.event_type, harm.trigger.sub_event_type, harm
        return "Explosions/Remote violence", "Air/drone strike", harm
    if actor1 is not None and actor1.inter == 5:
        return "Riots", "Mob violence", harm  # rioters' violence outside a demonstration (ACLED)
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
    sources: list[Actor] = []
    trigger_tokens = {t.i for h in clause.hits for t in h.tokens(sent)}
    for actor in actors:
        span = sent.doc.char_span(actor.start or 0, actor.end or 0, alignment_mode="expand")
        if span is None:
            continue
        role = _role(span.root, trigger_tokens)
        if role != "described":
            {"agent": agents, "patient": patients, "source": sources}.get(role or "", unknown).append(actor)
    if not agents and sources and _pronoun_subject(clause.head):
        # "the army said its jet targeted infrastructure belonging to Hezbollah": the speaker acted; the rest is hit
        patients += unknown
        unknown = []
    agents += [a for a in unknown if a.inter != 7]
    inside = lambda a: clause.contains_char(a.start or 0)  # noqa: E731
    named = agents + patients  # (a list is empty while it is being sorted: keep a copy for the key)
    agents.sort(key=lambda a: (not inside(a), _generic(a, named)))  # the clause's own actors first
    patients.sort(key=lambda a: (not inside(a), _generic(a, named)))
    if not agents and sources and _pronoun_subject(clause.head):
        agents = sources[:1]  # "Hezbollah announced it had fired rockets": the speaker acted
    actor1 = agents[0] if agents else None
    actor2 = next((p for p in patients if actor1 is None or p.name != actor1.name), None)
    return actor1, actor2


def _does_harm(sent: Span, clause: Clause, actor: Actor) -> bool:
    """The actor is the doer of the clause's harm word itself: the subject of the active verb ("villagers
    beat the thief to death") or its passive agent ("was stoned by residents"), not only somewhere above
    it ("residents fled after the attack")."""
    harm = clause.best("harm")
    span = sent.doc.char_span(actor.start or 0, actor.end or 0, alignment_mode="expand")
    if harm is None or span is None:
        return False
    verb, root = sent.doc[harm.start], span.root
    while root.dep_ == "conj" and root.head is not root:  # "villagers and herders attacked"
        root = root.head
    if verb.pos_ != "VERB":
        return False
    if root.dep_ == "nsubj" and root.head.i == verb.i:
        return True
    return root.dep_ == "pobj" and root.head.dep_ == "agent" and root.head.head.i == verb.i


def _has_patient(sent: Span, clause: Clause) -> bool:
    """The clause's harm word has an object, or a passive subject: someone was harmed."""
    harm = clause.best("harm")
    return harm is not None and any(c.dep_ in ("dobj", "nsubjpass") for c in sent.doc[harm.start].children)


def _generic(actor: Actor, peers: list[Actor]) -> bool:
    """'fighters' beside 'Islamic State' in the same role: the named group is meant."""
    return actor.name.startswith("Unidentified") and any(
        p is not actor and p.inter in (2, 3, 4) and not p.name.startswith("Unidentified") for p in peers)


def _pronoun_subject(head: Token) -> bool:
    """'it fired', 'they struck', 'its jet targeted': the subject is the speaker's own."""
    for c in head.children:
        if c.dep_ != "nsubj":
            continue
        if c.pos_ == "PRON" and c.lower_ in ("it", "they", "we"):
            return True
        if any(g.dep_ == "poss" and g.lower_ in ("its", "their", "our") for g in c.children):
            return True
    return False


def _role(token: Token, triggers: set[int]) -> str | None:
    current = token
    for _ in range(6):
        dep = current.dep_
        head = current.head
        if dep == "nsubj" and lemma(head) in SAY_VERBS | {"accuse", "blame"}:
            return "source"  # "police said", "the army confirmed": who reports, not who acts
        if dep == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
            return "source"
        if dep == "nsubj" and lemma(head) in DEATH_VERBS:
            return "patient"  # "Five ISIS terrorists died": the dead are acted upon
        if dep == "nsubj" and lemma(head) == "be":
            return "described"  # "leaders were among those killed": a copula describes, nobody acts
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
    for tok in clause.tokens():
        if lemma(tok) in nouns and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in PATIENT_DEPS | {"nsubj", "appos", "conj"}:
            fallback = Actor(f"Civilians ({country})" if country else "Civilians", 7, country)
            return actors.normalise("civilians", country=country) or fallback
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



WEAK_EVENT_RANK = 5


def in_lead(article: Article, sent: Span) -> bool:
    """The sentence is in a caption or the first paragraphs, where news tells its main event."""
    paragraphs = [p for p in article.pieces if p.kind == "paragraph"][:LEAD_PARAGRAPHS]
    captions = [p for p in article.pieces if p.kind == "caption"]
    return any(p.start <= sent.start_char < p.end for p in paragraphs + captions)


def only_weak_event_words(clause: Clause) -> bool:
    """The clause's only trigger is a vague word for fighting ('fighting', 'battle')."""
    kinds = [h.trigger for h in clause.hits if h.trigger.kind in ("event", "means", "harm")]
    return bool(kinds) and all(t.kind == "event" and t.event_type == "Battles" and t.rank >= WEAK_EVENT_RANK
                               for t in kinds) and not clause.best("instrument")


def confirm_headlines(events: list[Event], headline: list[Event]) -> list[Event]:
    """A headline sums up the story: its events only add to the body's events they match."""
    for h in headline:
        for e in events:
            if compatible(e, h) and (same_place(e, h) or holds(h, e) or holds(e, h) or not h.location):
                e.fatalities = e.fatalities or h.fatalities
                e.actor1, e.inter1 = e.actor1 or h.actor1, e.inter1 or h.inter1
                e.actor2, e.inter2 = e.actor2 or h.actor2, e.inter2 or h.inter2
                break
    return events



def _other_clause_owns(sent: Span, fatal: list, clause: Clause) -> bool:
    """Figures that sit in another event clause of the sentence belong to that clause."""
    return bool(fatal) and bool(clause.excluded) and all(
        any(t.idx <= f.start < t.idx + len(t) for t in sent if t.i in clause.excluded) for f in fatal)


def clause_toll(fatal: list) -> int:
    """The dead of one clause: a toll update wins; else the largest figure ('Nine people, among them
    an 11-year-old boy' is nine).  Conflicting reports in different sentences are reconciled by merging."""
    if not fatal:
        return 0
    updates = [f for f in fatal if f.update]
    if updates:
        return updates[-1].count
    return max(f.count for f in fatal)


def split_toll(total: int, parts: int) -> list[int]:
    """A joint toll split evenly over its places, the remainder to the first named (23 over 2 -> 12, 11)."""
    if parts <= 1:
        return [total]
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _mentions_old_year(tokens: list[Token], ctx: ArticleContext) -> bool:
    """A year in the clause before the article's own year marks history ('in 2017', 'since 2006');
    with no publication date, any year-dated clause is taken as history (news dates events by weekday)."""
    dated = [t for t in tokens if t.ent_type_ == "DATE"]
    ids = {t.i for t in dated}
    date_texts = {ent.text for t in dated for ent in t.doc.ents if ent.start <= t.i < ent.end and ent.start in ids}
    if any(_YEARS_AGO.search(text) for text in date_texts) or _YEARS_AGO.search(" ".join(t.text for t in tokens)):
        return True  # "about a year ago", "three years after", "last year", "for years"
    years = [int(m.group(0)) for t in dated for m in _YEAR.finditer(t.text)]
    if not years:
        return False
    if ctx.article.published is None:
        return True
    return max(years) < ctx.article.published.year




def _in_excluded(sent: Span, clause: Clause, actor: Actor) -> bool:
    """The actor sits in a nested clause that is not this event's ('since Hamas attacked …')."""
    return clause.excludes_char(actor.start or 0)




def protest_roles(actor1: Actor | None, actor2: Actor | None, actors: ActorDictionary,
                  country: str | None) -> tuple[Actor | None, Actor | None]:
    """Protests: actor1 the protesters, actor2 the forces that intervened (police, by ACLED's habit)."""
    people = [a for a in (actor1, actor2) if a is not None and a.inter in (5, 6)]
    forces = [a for a in (actor1, actor2) if a is not None and a.inter == 1]
    protesters = people[0] if people else actors.normalise("protesters", country=country)
    force = forces[0] if forces else None
    if force is not None and force.name.startswith("Military Forces of "):
        force = Actor(force.name.replace("Military Forces of ", "Police Forces of ", 1), 1, force.country,
                      force.text, force.start, force.end)
    return protesters, force


def _lead_space(text: str) -> int:
    return len(text) - len(text.lstrip())


def _text(sent: Span, hit: TriggerHit | None) -> str | None:
    """The hit's words as written ('tear-gas', not 'tear - gas')."""
    return sent.doc[hit.start:hit.end].text if hit else None
