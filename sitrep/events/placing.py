"""Where an event clause happened: the places of the clause, their nesting, and the article's fallbacks.

The event coder asks this module which of the sentence's resolved places are the clause's own (not a
landmark it is near, not a container that holds another, not the origin of a move), and where a clause
that names no place falls back to.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from spacy.tokens import Span, Token

from ..geography import LEAD_PARAGRAPHS as LEAD_PARAGRAPHS  # re-exported: the coder imports them from here
from ..geography import Spot, contains, place_words
from ..geography import focus_country as focus_country
from ..records import Actor, Article, PlaceMention
from .clauses import Clause

ADMIN_CODES = {"PCLI", "PCL", "PCLD", "PCLF", "PCLS", "ADM1", "ADM2", "ADM3", "ADMD", "RGN"}


def clause_places(text: str, places: list[PlaceMention], sent: Span, clause: Clause) -> list[PlaceMention]:
    """Resolved places of the clause (else of the sentence), most specific only, one per name."""
    in_sent = [p for p in places if sent.start_char <= p.start < sent.end_char and p.name
               and not clause.in_other(p.start)  # "..., since X was killed in Y": Y is not this event's place
               and not _where_said(sent, p)  # "police confirmed the attack to reporters in Y": Y is the speaker's
               and not _origin_of_a_thing(sent, p)]  # "shot dead two traders from Y": where they came from
    in_clause = [p for p in in_sent if clause.contains_char(p.start)]
    if not any(_specific(p) for p in in_clause):
        # nothing finer than a province in the clause: look into its subordinate parts ("…, reaching X")
        subtree = {t.i for t in clause.head.subtree}
        wider = [p for p in in_sent if any(t.i in subtree for t in sent if t.idx <= p.start < t.idx + len(t))]
        in_clause = [p for p in wider if _specific(p)] or in_clause or in_sent
    on_land = [p for p in in_clause if p.feature_class != "H"]
    in_clause = on_land or in_clause  # "the Litani River near Deirmimas": code the town
    ordered = sorted(in_clause, key=lambda p: p.start)
    landmarks = []
    for i, (a, b) in enumerate(zip(ordered, ordered[1:])):
        between = _after_kind_word(text[a.end:b.start])
        if _NEAR.match(between) and (a not in landmarks or _AND.match(between) is None):
            landmarks.append(b)
            rest = ordered[i + 2:i + 3]  # "between Kirkuk and Salahaddin": both are landmarks
            if rest and _AND.match(text[b.end:rest[0].start]) and "between" in between.lower():
                landmarks.append(rest[0])
    in_clause = [p for p in in_clause if p not in landmarks] or in_clause  # "Ayelet HaShahar, near Safad"
    destinations = [p for p in in_clause if not _after_word(text, p, ORIGIN_WORDS)]
    in_clause = destinations or in_clause  # "advancing into X from Y": the event is at X
    chosen = drop_containers(drop_named_containers(text, in_clause))
    seen: set[str] = set()
    out = []
    for p in chosen:
        key = (p.name or p.text).lower()
        if key not in seen:
            seen.add(key)
            out.append(_at_precision(p, 2) if p.geo_precision == 1 and _NEAR_BEFORE.search(
                text[max(0, p.start - 60):p.start]) else p)  # "a village near X": ACLED codes X, precision 2
    return out


ORIGIN_WORDS = ("from",)
_NEAR_WORDS = (  # a landmark's words: "X, north of Y", "near Y", "about 5 km south of the town of Y"
    r"(?:near|close to|outside|outskirts of|on the edge of|between|"
    r"(?:(?:about|some|around)\s+)?(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+(?:\(\d+\s*miles\)\s+)?)?"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)\s+of)"
    r"\s+(?:the\s+)?(?:(?:provincial\s+|regional\s+|state\s+)?capital,?\s+)?(?:(?:town|city|village)\s+of\s+)?$")
# "Zolochiv, north of Kharkiv", "X town, east of the capital Y": Y is a landmark
_NEAR = re.compile(r"^\s*,?\s*(?:area\s+)?" + _NEAR_WORDS, re.I)
_NEAR_BEFORE = re.compile(r"\b(?!between\b)" + _NEAR_WORDS, re.I)  # "a village near X": X, but only near it
_AND = re.compile(r"^\s*(?:,\s*)?and\s+(?:the\s+)?$", re.I)


def _after_kind_word(between: str) -> str:
    """The words between two places, less a kind word that ends the first one's name ("X town, east of Y")."""
    word, _, rest = between.lstrip().partition(" ")
    return " " + rest if word and place_words().kind(word.rstrip(",")) else between


def _where_said(sent: Span, place: PlaceMention) -> bool:
    """The place is where a statement was made: the object of a preposition that hangs from a verb of
    saying ('confirmed the killings to reporters in Y', 'told a news conference in Y')."""
    token = next((t for t in sent if t.idx <= place.start < t.idx + len(t)), None)
    if token is None:
        return False
    while token.dep_ == "compound" and token.head is not token:
        token = token.head
    while token.dep_ == "pobj" and token.head.lower_ == "of" and _names_a_place(token.head.head):
        token = token.head.head  # "in the capital of Y", "at the town of Y": the phrase is Y's
    prep = token.head if token.dep_ == "pobj" else None
    if prep is None or prep.lower_ not in ("in", "at", "from"):
        return False
    verb = prep.head
    for _ in range(4):  # "confirmed the incident to the agency in Y": up to the verb the phrase hangs from
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        if verb.dep_ in ("nsubj", "nsubjpass"):
            return False  # "police in Y said": where the speakers are, which is where they act
        verb = verb.head
    return verb.pos_ == "VERB" and place_words().not_place(verb.lemma_.lower()) == "speech"


def _origin_of_a_thing(sent: Span, place: PlaceMention) -> bool:
    """The place is where someone or something came from: 'from Y' qualifying a noun ('two labourers from
    Y', 'rockets from Y'), not a verb ('withdrew from Y'): an origin, never where the event happened."""
    token = next((t for t in sent if t.idx <= place.start < t.idx + len(t)), None)
    if token is None:
        return False
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
    return (token.dep_ == "pobj" and token.head.lower_ == "from" and token.head.dep_ == "prep"
            and token.head.head.pos_ in ("NOUN", "PROPN"))


def _names_a_place(token: Token) -> bool:
    """A noun that names the kind of place the phrase it heads is ('the town of', 'the capital of')."""
    return token.pos_ == "NOUN" and (token.lower_ == "capital" or place_words().kind(token.lower_) is not None)


def _specific(p: PlaceMention) -> bool:
    """Finer than a province: a town, village, district or site."""
    return not (p.feature_code or "").startswith(("PCL", "ADM1"))


def _after_word(text: str, place: PlaceMention, words: tuple[str, ...]) -> bool:
    before = text[max(0, place.start - 24):place.start].lower().split()
    tail = [w for w in before[-3:] if w not in ("the", "town", "village", "city", "of")]
    return bool(tail) and tail[-1] in words


def is_container(outer: PlaceMention, inner: PlaceMention) -> bool:
    """True when `outer` is a country or region that holds `inner`."""
    return outer is not inner and contains(Spot.of_mention(outer), Spot.of_mention(inner))


NESTING_KINDS = ("settlement", "part", "admin", "admin1", "admin2")


@lru_cache(maxsize=1)
def _nesting() -> re.Pattern[str]:
    """The words between a place and the one that holds it: 'X village of Y', 'X district in the south Y'
    (the kind words from place_types.tsv)."""
    words = place_words()
    kinds = sorted((w for w, k in words.kinds.items() if k in NESTING_KINDS), key=len, reverse=True)
    directions = sorted(w for w, k in words.kinds.items() if k == "direction")
    return re.compile(
        rf"^\s*(?:(?:{'|'.join(map(re.escape, kinds))})\s*)*"
        r"(?:\([^)]{1,30}\)\s*)?,?\s*(?:of|in|at|outside)\s+(?:the\s+)?"
        rf"(?:(?:[a-z-]+ern|{'|'.join(directions)})\s+)?$", re.I)


def drop_named_containers(text: str, places: list[PlaceMention]) -> list[PlaceMention]:
    """'Nakai village of Ganawuri district of Riyom LGA': what follows 'of'/'in' holds what precedes it."""
    ordered = sorted(places, key=lambda p: p.start)
    held = set()
    words = place_words()
    for a, b in zip(ordered, ordered[1:]):
        if _nesting().match(text[a.end:b.start]):
            # "the Marqos station at Deirmimas": a site is coded at its town; else the inner place wins
            site = any(words.kind(w.lower()) in ("facility", "building") for w in a.text.split())
            held.add(id(a) if site else id(b))
    return [p for p in places if id(p) not in held]


def drop_containers(places: list[PlaceMention]) -> list[PlaceMention]:
    return [p for p in places if not any(is_container(p, q) for q in places)]


def fallback_place(doc_id: str, places: list[PlaceMention], country: str | None) -> PlaceMention:
    """No place in the sentence: the article's most named specific place in its focus country, else the country."""
    counts = Counter((p.name, p.country) for p in places if p.country == country and p.name)
    for (name, _country), _n in counts.most_common():
        best = next(p for p in places if p.name == name)
        if (best.feature_code or "") not in ADMIN_CODES or best.feature_code in ("ADM1", "ADM2"):
            return _at_precision(best, 3 if best.feature_code in ("ADM1", "ADM2") else 2)
    first_country = next((p for p in places if p.country == country), None)
    if first_country is not None:
        return _at_precision(first_country, 3)
    return PlaceMention(doc_id, country or "", 0, 0, name=country, country=country, geo_precision=3)


def _at_precision(p: PlaceMention, precision: int) -> PlaceMention:
    return PlaceMention(**{**p.to_json(), "geo_precision": max(precision, p.geo_precision or 1)})


def event_places(article: Article, places: list[PlaceMention]) -> list[PlaceMention]:
    """Places an event can be at: literal mentions outside the dateline that fix a country (a continent
    or a supranational region does not: ACLED codes the country only where the text fixes it)."""
    span = article.dateline_span
    return [p for p in places if p.role == "literal" and p.country and p.feature_code != "CONT"
            and not (span and span[0] <= p.start < span[1])]


ROUNDUP_MIN_REGIONS = 3


def is_roundup(places: list[PlaceMention]) -> bool:
    """Three or more provinces or countries named for one clause: a summary of operations."""
    regions = [p for p in places if (p.feature_code or "").startswith(("ADM1", "PCL"))]
    return len(regions) >= ROUNDUP_MIN_REGIONS and len(regions) == len(places)


def inside_actor(place: PlaceMention, actors: list[Actor]) -> bool:
    return any((a.start or 0) <= place.start < (a.end or 0) for a in actors)
