"""Toponyms: find the places an article names and resolve them against the gazetteer.

Recognition takes spaCy's GPE/LOC/FAC entities, and names the model labels
otherwise (or not at all) when the words around them say "place": "the town of X",
"X province", "X hill", "east of X", "in X" with X in the gazetteer, a name in a list
with other places, a name that begins like a toponym ("Wadi X", "Deir X").
Resolution ranks gazetteer candidates by feature class, population, the article's
country focus, place-kind words, the admin hierarchy and closeness to the other
places in the article; a name the gazetteer lacks falls back to a place nearby
(geo-precision 2) or its province or country (3), never to a namesake abroad.
The word lists live in sitrep/data: place_types.tsv, place_context.tsv, metonym_cues.tsv.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitrep.gazetteer.names import fold_key, fold_text
from sitrep.gazetteer.store import Gazetteer, Place
from sitrep.geography import PlaceWords, Spot, contains, haversine_km, place_words
from sitrep.records import Article, PlaceMention
from sitrep.words import role_nouns, time_nouns

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PLACE_LABELS = {"GPE", "LOC", "FAC"}
NAME_PARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "en", "es", "of",
                  "de", "du", "la", "le", "da", "do", "di", "bin", "ibn", "abu", "um", "umm"}
POSSESSIVE = {"'s", "\u2019s", "'", "\u2019"}
LIST_JOINERS = {",", "and", "or", "&"}
SPEECH_RECIPIENT_VERBS = frozenset({"told", "tells", "telling", "informed"})
SETTLEMENT_KINDS = {"admin1", "admin2", "admin", "settlement"}
SPAN_KINDS = {"natural", "facility"}  # type words that belong to the name: "Litani River"


# ---------------------------------------------------------------- recognition

@dataclass
class Found:
    """A recognised toponym before resolution (token offsets into the Doc)."""

    start: int  # token index
    end: int
    source: str  # 'ner', 'context', 'gazetteer'
    label: str
    strong: bool = False
    weak: bool = False
    kind: str | None = None  # a place-kind word beside it: 'admin1', 'settlement', ...
    direction: bool = False  # "southern Lebanon": a region of the named place
    role: str = "literal"
    blocked: bool = False  # the context rules it out as a place
    accepted: bool = False


def _is_name_token(token: Token) -> bool:
    text = token.text
    return (text[:1].isupper() and any(c.isalpha() for c in text) and not token.is_punct
            and not (token.is_sent_start and (token.is_stop or token.pos_ in ("NOUN", "VERB", "ADJ", "ADV"))))


def _name_runs(doc: Doc, taken: set[int]) -> Iterable[tuple[int, int]]:
    """Maximal runs of capitalised tokens (with particles like al-/de) outside entities."""
    i, n = 0, len(doc)
    while i < n:
        if i in taken or not _is_name_token(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < n and j not in taken and "\n" not in doc[j - 1].whitespace_:
            if _is_name_token(doc[j]) or _joins_name(doc, j):
                j += 1
            else:
                break
        while j > i + 1 and not _is_name_token(doc[j - 1]):
            j -= 1
        yield i, j
        i = j


def _after_title(doc: Doc, start: int, end: int) -> int:
    """Skip a person's title that opens a run: 'Spokesperson of Zamfara', 'Governor of Kharkiv'."""
    if doc[start].lower_ in role_nouns():
        for i in range(start + 1, end):
            if doc[i].lower_ == "of":
                return i + 1
        return end
    return start


def _joins_name(doc: Doc, i: int) -> bool:
    """A particle or hyphen inside a name: 'Tall al-Nahas', 'Bir al-Muluk'."""
    token = doc[i]
    if token.lower_ not in NAME_PARTICLES and token.text != "-":
        return False
    return i + 1 < len(doc) and (_is_name_token(doc[i + 1]) or doc[i + 1].text == "-")


DATELINE_AFTER = {"\u2014", "\u2013", "-", "--", "(", ","}


def _is_dateline(doc: Doc, start: int, end: int) -> bool:
    """'WASHINGTON — ...': a capitalised name opening a line, then a dash or comma."""
    at_line_start = start == 0 or "\n" in doc[start - 1].whitespace_ or doc[start - 1].text.strip() == ""
    return (at_line_start and doc[start:end].text.isupper() and end < len(doc)
            and doc[end].text in DATELINE_AFTER)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'the', trailing possessives and punctuation."""
    while start < end and (doc[start].lower_ == "the" or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct):
        end -= 1
    return start, end


class Recogniser:
    """Finds the spans of an article that name places."""

    def __init__(self, gazetteer: Gazetteer, words: PlaceWords):
        self.gazetteer = gazetteer
        self.words = words

    def find(self, doc: Doc, dateline_countries: Collection[str] = ()) -> list[Found]:
        """Place spans of the Doc; ``dateline_countries`` are countries the (masked) dateline names."""
        found = self._entities(doc)
        taken = {i for f in found for i in range(f.start, f.end)}
        taken |= {t.i for ent in doc.ents for t in ent}
        for start, end in _name_runs(doc, taken):
            start = _after_title(doc, start, end)  # "Spokesperson of Zamfara" -> "Zamfara"
            if start < end and not all(self.words.is_place_word(t.lower_) for t in doc[start:end]):  # not "Valley"
                found.append(Found(start, end, "context", ""))
        for item in found:
            self._read_context(doc, item)
        self._accept(found, doc, dateline_countries)
        return sorted((f for f in found if f.accepted), key=lambda f: f.start)

    def _entities(self, doc: Doc) -> list[Found]:
        found = []
        for ent in doc.ents:
            if "\n" in ent.text:
                continue
            start, end = _trim(doc, ent.start, ent.end)
            if start >= end or not doc[start].text[:1].isupper():
                continue
            if ent.label_ in PLACE_LABELS:
                found.append(Found(start, end, "ner", ent.label_))
            elif ent.label_ == "NORP":
                role = "modifier" if self._is_demonym(doc[start:end].text) else "literal"
                found.append(Found(start, end, "ner" if role == "modifier" else "context", "NORP", role=role))
            elif ent.label_ in ("PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"):
                found.append(Found(start, end, "context", ent.label_))
        return found

    def _is_demonym(self, text: str) -> bool:
        key = fold_key(text)
        return any("demonym" in self.gazetteer.name_kinds(key, place.geonameid)
                   for place in self.gazetteer.candidates(key))

    def _read_context(self, doc: Doc, item: Found) -> None:
        """Mark the evidence in and around a span: its first word, the words before it
        ("the town of", "in"), the word after it ("province", "hill", "'s edge")."""
        first = doc[item.start]
        first_kind = self.words.kind(first.lower_)
        if item.end - item.start > 1 and first.lower_ in self.words.heads:
            item.strong = True  # "Wadi Zawtar", "Deir Siryan"
        if item.end - item.start > 1 and first_kind == "direction":
            item.direction = True  # "southern Lebanon"
        if _is_dateline(doc, item.start, item.end):
            item.weak = True
        self._context_before(doc, item)
        self._context_after(doc, item)
        if item.direction and item.weak and first.text[:1].isupper() and item.label in ("", "LOC", "GPE"):
            item.strong = True  # "in the Upper Galilee", "in Northern Ireland"

    def _context_before(self, doc: Doc, item: Found) -> None:
        before = item.start - 1
        if before >= 0 and doc[before].lower_ == "the":
            before -= 1
        if before < 0:
            return
        prev = doc[before].lower_
        if prev in SPEECH_RECIPIENT_VERBS:
            item.blocked = True  # "two sources told the Sahel Observer": whom one tells is no place
            return
        if prev == "of" and before >= 1 and doc[before - 1].lower_ in time_nouns():
            item.blocked = True  # "the holy month of Ramadan", "the feast of Eid": a time, not a place
            return
        if prev == "of" and before >= 1:
            kind = self.words.kind(doc[before - 1].lower_)
            if kind in SETTLEMENT_KINDS:
                item.strong, item.kind = True, kind  # "the town of X"
            elif kind == "direction":
                item.strong = True  # "east of X"
        if self.words.context.get(prev) == "strong":
            item.strong = True
        elif prev in self.words.context:
            item.weak = True

    def _context_after(self, doc: Doc, item: Found) -> None:
        after = item.end
        if after >= len(doc):
            return
        nxt = doc[after]
        kind = self.words.kind(nxt.lower_)
        if kind and kind not in ("direction", "head") and item.label != "NORP":  # not "the Arab region"
            item.strong, item.kind = True, kind  # "X province", "X hill"
            if kind in SPAN_KINDS and (item.source != "ner" or nxt.text[:1].isupper()):
                item.end = after + 1  # the kind word is part of the name: "Marqos station"
        elif nxt.text in POSSESSIVE and after + 1 < len(doc) and self.words.kind(doc[after + 1].lower_) == "part":
            item.strong = True  # "X's edge"

    def _accept(self, found: list[Found], doc: Doc, dateline_countries: Collection[str] = ()) -> None:
        countries = self._named_countries(found, doc)
        countries.update(dateline_countries)  # "KYIV, Ukraine —": the story's country is named
        for item in found:
            if item.blocked:
                item.accepted = False
            elif item.source == "ner":
                item.accepted = item.label in PLACE_LABELS or item.role == "modifier"
            elif item.strong:
                item.accepted = True
            elif item.weak:
                item.accepted = self._known(doc[item.start:item.end].text, item.label, countries)
                item.source = "gazetteer"
            elif item.label in ("ORG", "PERSON") and self._names_a_country(doc[item.start:item.end].text):
                item.accepted, item.source = True, "gazetteer"  # "EU" tagged ORG
        self._spread_over_lists(found, doc)
        self._one_sense_per_article(found, doc)

    @staticmethod
    def _one_sense_per_article(found: list[Found], doc: Doc) -> None:
        """A name taken as a place once in the article ('the town of Deirmimas') is a place wherever it
        stands in a place context ('into Deirmimas')."""
        places = {fold_key(doc[f.start:f.end].text) for f in found if f.accepted and f.role == "literal"}
        for item in found:
            if not item.accepted and (item.weak or item.strong) and fold_key(doc[item.start:item.end].text) in places:
                item.accepted, item.source = True, "context"

    def _names_a_country(self, text: str) -> bool:
        key = fold_key(text)
        return any((p.is_country or p.feature_code == "CONT") and "name" in self.gazetteer.name_kinds(key, p.geonameid)
                   and self.gazetteer.spelled_as(text, p) for p in self.gazetteer.candidates(key))

    def _named_countries(self, found: list[Found], doc: Doc) -> Counter[str]:
        """How often the article names each country (by name, code or adjective)."""
        codes: Counter[str] = Counter()
        for item in found:
            if item.source == "ner":
                code = self.gazetteer.country(doc[item.start:item.end].text)
                if code:
                    codes[code] += 1
        return codes

    def _known(self, text: str, label: str, countries: Collection[str]) -> bool:
        """A weak-context name is a place when the gazetteer knows it (a person's name
        must also be a place in a country the article names)."""
        places = [p for p in self.gazetteer.lookup(text) if p.feature_class in ("P", "A", "L")]
        if label in ("PERSON", "NORP", "ORG"):
            return any(p.country_code in countries for p in places)
        return bool(places)

    def _spread_over_lists(self, found: list[Found], doc: Doc) -> None:
        """Names in one list ("X, Y and Z") with an accepted place are places too."""
        ordered = sorted(found, key=lambda f: f.start)
        groups: list[list[Found]] = []
        for item in ordered:
            if groups and self._joined(doc, groups[-1][-1], item):
                groups[-1].append(item)
            else:
                groups.append([item])
        named = self._named_countries(found, doc)
        main_country = {code for code, _ in named.most_common(1)}
        for group in groups:
            # a list holding a town or province ("Arnoun, Yihmour and Deir Siryan"), not only countries
            # ("the United States, Sergey Lavrov and Mike Pompeo")
            if len(group) < 2 or not any(f.accepted and f.role == "literal"
                                         and not self._names_a_country(doc[f.start:f.end].text) for f in group):
                continue
            for item in group:
                if item.accepted or item.role != "literal" or item.end - item.start > 4:
                    continue
                if item.label == "NORP" and not self._known(doc[item.start:item.end].text, "NORP", main_country):
                    continue
                item.accepted = True
                item.source = "context"

    @staticmethod
    def _joined(doc: Doc, left: Found, right: Found) -> bool:
        between = [t.lower_ for t in doc[left.end:right.start]]
        return 0 < len(between) <= 2 and all(w in LIST_JOINERS for w in between) and left.end < right.start


# ---------------------------------------------------------------- resolution

@dataclass
class Choice:
    """A mention with its candidates and the one chosen."""

    found: Found
    text: str
    start_char: int
    end_char: int
    sentence: int
    candidates: list[Place] = field(default_factory=list)
    kinds: dict[int, frozenset[str]] = field(default_factory=dict)
    fuzzy: bool = False
    reduced: bool = False  # found only under a shorter form of the name
    containers: list[Place] = field(default_factory=list)  # "X, <state or country>"
    chosen: Place | None = None
    score: float = 0.0


FEATURE_WEIGHT = {"PCLI": 3.0, "CONT": 2.0, "ADM1": 0.5, "PPLC": 2.5, "PPL": 0.0, "ADM2": -0.5}
ADMIN_POPULATION_FACTOR = 0.7  # admin populations are sums of their towns': discount them
FUZZY_CUTOFF = 90.0  # rapidfuzz ratio of folded keys
SMALL_ABROAD = 100_000  # a place this small outside the focus country needs a neighbour
NEARBY_CHARS = 400  # a place named this close may lend its province to an unknown one
KIND_FEATURE = {"admin1": ("ADM1",), "admin2": ("ADM2",), "admin": ("ADM1", "ADM2"),
                "settlement": ("PPL", "PPLC")}


class PlaceResolver:
    """Recognise and resolve the places of an article; one instance per process."""

    _instance: PlaceResolver | None = None

    def __init__(self, gazetteer: Gazetteer, words: PlaceWords | None = None):
        self.gazetteer = gazetteer
        self.words = words or place_words()
        self.recogniser = Recogniser(gazetteer, self.words)

    @classmethod
    def load(cls, gazetteer: Gazetteer | None = None) -> PlaceResolver:
        """The process-wide resolver (opens the default gazetteer on first use)."""
        if gazetteer is not None:
            return cls(gazetteer)
        if cls._instance is None:
            cls._instance = cls(Gazetteer.open())
        return cls._instance

    # ------------------------------------------------------------ public
    def resolve(self, article: Article, doc: Doc) -> list[PlaceMention]:
        """Every place mention of the article, resolved where the gazetteer allows."""
        found = self.recogniser.find(doc, self.dateline_countries(article.dateline_place))
        choices = [self._choice(doc, f) for f in found]
        self._link_containers(doc, choices)
        focus = self._focus(choices)
        for choice in choices:
            self._pick(choice, focus, choices, use_proximity=False)
        for choice in choices:
            self._pick(choice, focus, choices, use_proximity=True)
        for choice in choices:
            if choice.chosen is None and choice.found.role == "literal":
                self._try_fuzzy(choice, focus)
        self._mark_metonyms(doc, choices)
        return [self._mention(article.doc_id, c, choices, focus) for c in choices]

    def dateline_countries(self, dateline: str | None) -> set[str]:
        """Countries a dateline names: 'KYIV, Ukraine' by name; 'BEIRUT' by its largest namesake."""
        codes: set[str] = set()
        for part in (dateline or "").split(","):
            part = part.strip()
            if not part:
                continue
            code = self.gazetteer.country(part)
            if code is None:
                places = [p for p in self.gazetteer.lookup(part) if p.feature_class == "P" and p.country_code]
                code = max(places, key=lambda p: p.population).country_code if places else None
            if code:
                codes.add(code)
        return codes

    # ------------------------------------------------------------ steps
    def _choice(self, doc: Doc, found: Found) -> Choice:
        span = doc[found.start:found.end]
        choice = Choice(found, span.text, span.start_char, span.end_char, _sentence_index(span))
        for text, dropped in self._lookup_forms(span.text, found):
            places = [p for p in self.gazetteer.lookup(text) if p.latitude is not None]
            if found.role == "modifier":
                places = [p for p in places
                          if "demonym" in self.gazetteer.name_kinds(fold_key(text), p.geonameid)]
            if places:
                choice.candidates = places
                self._note_dropped_kind(choice, dropped)
                key = fold_key(text)
                choice.kinds = {p.geonameid: self.gazetteer.name_kinds(key, p.geonameid) for p in places}
                break
        return choice

    def _note_dropped_kind(self, choice: Choice, dropped: list[str]) -> None:
        """'Diyala province' found as 'Diyala': an admin unit is wanted.  'Beaufort Castle'
        found as 'Beaufort': only a namesake of the castle's place, so a weaker match."""
        kinds = [self.words.kind(fold_text(w)) for w in dropped]
        admin = next((k for k in kinds if k in SETTLEMENT_KINDS), None)
        if admin and not choice.found.kind:
            choice.found.kind = admin
        choice.reduced = any(k in SPAN_KINDS for k in kinds)

    @staticmethod
    def _link_containers(doc: Doc, choices: list[Choice]) -> None:
        """'Charleston, W.Va.': the state or country after a comma contains the place."""
        by_start = {c.found.start: c for c in choices}
        for choice in choices:
            end = choice.found.end
            if end < len(doc) and doc[end].text == ",":
                after = by_start.get(end + 1)
                if after is not None:
                    choice.containers = [p for p in after.candidates
                                         if p.is_country or p.feature_code == "ADM1"]
            elif choice.found.kind in SETTLEMENT_KINDS and end + 1 < len(doc) and doc[end].lower_ == "in":
                # "the town of Mays al Jabal in south Lebanon": the country or province after 'in' holds it
                at = end + 2 if doc[end + 1].lower_ == "the" else end + 1
                if at < len(doc) and place_words().kind(doc[at].lower_) == "direction":
                    at += 1  # "in south Lebanon", "in northern Nigeria"
                after = by_start.get(at) or by_start.get(at - 1)
                if after is not None:
                    choice.containers = [p for p in after.candidates
                                         if p.is_country or p.feature_code == "ADM1"]
            while end < len(doc) and doc[end].lower_ in ("area", "region", "district"):
                end += 1
            if end + 1 < len(doc) and doc[end].lower_ == "between":
                # "the Zarka area between Kirkuk and Salahaddin provinces": both sides hold it
                sides = [by_start.get(end + 1)]
                first = sides[0]
                if first is not None and first.found.end + 1 < len(doc) and doc[first.found.end].lower_ == "and":
                    sides.append(by_start.get(first.found.end + 1))
                choice.containers = [p for side in sides if side is not None for p in side.candidates
                                     if p.is_country or p.feature_code in ("ADM1", "ADM2")]

    def _lookup_forms(self, text: str, found: Found) -> list[tuple[str, list[str]]]:
        """The text, then without kind words ("Litani River" -> "Litani"), then without
        a leading direction ("southern Lebanon"); each with the words dropped."""
        forms: list[tuple[str, list[str]]] = [(text, [])]
        words = text.split()
        kinds = SETTLEMENT_KINDS | SPAN_KINDS
        core = [w for w in words if self.words.kind(fold_text(w)) not in kinds]
        if core and len(core) < len(words):
            forms.append((" ".join(core), [w for w in words if self.words.kind(fold_text(w)) in kinds]))
        if found.direction and len(words) > 1:
            forms.append((" ".join(words[1:]), []))
        return forms

    def _focus(self, choices: list[Choice]) -> dict[str, float]:
        """Share of each country among the article's places.  Countries named (and,
        less, their adjectives) set a prior; places inside a country then add votes
        scaled by that prior, so a lone namesake abroad cannot pull the focus."""
        named: defaultdict[str, float] = defaultdict(float)
        inner: list[tuple[str, float]] = []
        for choice in choices:
            if not choice.candidates:
                continue
            best = max(choice.candidates, key=self._prior)
            codes = {p.country_code for p in choice.candidates if p.country_code}
            if choice.found.role == "modifier":
                named[best.country_code or ""] += 0.3
            elif best.is_country:
                named[best.country_code or ""] += 1.0
            elif len(codes) == 1:
                inner.append((codes.pop(), 1.5))
            elif best.country_code:
                inner.append((best.country_code, 0.5))
        total_named = sum(named.values())
        prior = {code: n / total_named for code, n in named.items()} if total_named else {}
        votes: defaultdict[str, float] = defaultdict(float, named)
        for code, weight in inner:
            votes[code] += weight * (0.2 + prior.get(code, 0.0)) if prior else weight
        total = sum(votes.values())
        return {code: n / total for code, n in votes.items() if code} if total else {}

    def _prior(self, place: Place) -> float:
        weight = FEATURE_WEIGHT.get(place.feature_code or "", 0.0)
        population = 0.5 * math.log10(1 + max(place.population, 0))
        if place.feature_code in ("ADM1", "ADM2"):
            population *= ADMIN_POPULATION_FACTOR
        return weight + population

    def _pick(self, choice: Choice, focus: dict[str, float], choices: list[Choice],
              *, use_proximity: bool) -> None:
        if not choice.candidates:
            return
        top = max(focus.items(), key=lambda kv: kv[1])[0] if focus else None
        places = [p for p in choice.candidates
                  if not use_proximity or self._plausible(choice, p, top, choices)]
        if not places:
            choice.chosen = None
            return
        scored = [(self._score(choice, p, focus, choices, use_proximity), p) for p in places]
        choice.score, choice.chosen = max(scored, key=lambda sp: sp[0])

    def _plausible(self, choice: Choice, place: Place, top: str | None, choices: list[Choice]) -> bool:
        """Outside the article's main country, a small place needs a neighbour in the
        article; a name found only without its kind word ("Beaufort" of "Beaufort
        Castle") must be in the main country."""
        if choice.reduced and not place.is_country:
            near = self._closeness(choice, place, choices) >= 1.0
            return near and (place.country_code == top or place.feature_class == "A")
        if top is None or place.country_code == top or place.is_country or place.feature_code == "CONT":
            return True
        own_name = "name" in choice.kinds.get(place.geonameid, ()) and self.gazetteer.spelled_as(choice.text, place)
        if choice.containers and not self._held(choice, place):
            return False  # 'the Zarka area between Kirkuk and Salahaddin' is not in Jordan
        if (place.population >= SMALL_ABROAD and own_name) or place.feature_code == "ADM1":
            return True  # a big city abroad, by its own name ('Tunga' is no Addis Ababa)
        return self._closeness(choice, place, choices) >= 2.0

    def _score(self, choice: Choice, place: Place, focus: dict[str, float],
               choices: list[Choice], use_proximity: bool) -> float:
        score = self._prior(place)
        score += 4.0 * focus.get(place.country_code or "", 0.0)
        if "name" in choice.kinds.get(place.geonameid, ()):
            score += 1.5  # the place's own name, not a historical or foreign alternate
        if self.gazetteer.spelled_as(choice.text, place):
            score += 1.5  # spelled as written, not only a transliteration variant
        if self._held(choice, place):
            score += 8.0  # "Charleston, W.Va.", "Poland, Ohio"
        wanted = KIND_FEATURE.get(choice.found.kind or "")
        if wanted and place.feature_code in wanted:
            score += 3.0
        if use_proximity and not place.is_country:
            score += self._closeness(choice, place, choices)
        return score

    @staticmethod
    def _closeness(choice: Choice, place: Place, choices: list[Choice]) -> float:
        """Bonus for lying near (or within the admin unit of) other places of the article."""
        bonus = 0.0
        for other in choices:
            chosen = other.chosen
            if other is choice or chosen is None or chosen.is_country or chosen.latitude is None:
                continue
            if chosen.geonameid == place.geonameid or any(c.geonameid == place.geonameid for c in other.candidates):
                continue  # the same name again ("Khiam", "Khiam plain") is no neighbour
            if chosen.feature_code == "ADM1" and chosen.country_code == place.country_code and (
                    chosen.admin1_code == place.admin1_code):
                bonus = max(bonus, 2.0)
                continue
            km = haversine_km(place.latitude or 0.0, place.longitude or 0.0, chosen.latitude,
                              chosen.longitude or 0.0)
            bonus = max(bonus, 2.0 if km < 50 else 1.0 if km < 200 else 0.0)
        return bonus

    def _try_fuzzy(self, choice: Choice, focus: dict[str, float]) -> None:
        """A name the gazetteer lacks: a close spelling in the article's focus countries."""
        rejected = {p.geonameid for p in choice.candidates}
        for code, _ in sorted(focus.items(), key=lambda kv: -kv[1])[:1]:
            hits = self.gazetteer.fuzzy(choice.text, code, limit=3, cutoff=FUZZY_CUTOFF)
            hits = [(p, s) for p, s in hits if p.geonameid not in rejected]
            hits = [(p, s) for p, s in hits if p.latitude is not None and not p.is_country]
            if hits:
                choice.chosen = max(hits, key=lambda ps: (ps[1], ps[0].population))[0]
                choice.fuzzy = True
                return

    def _mark_metonyms(self, doc: Doc, choices: list[Choice]) -> None:
        for choice in choices:
            place = choice.chosen
            if place is None or choice.found.role != "literal":
                continue
            if not (place.is_country or place.feature_code == "PPLC"):
                continue
            if self._is_metonym(doc, choice.found, choices):
                choice.found.role = "metonym"

    def _is_metonym(self, doc: Doc, found: Found, choices: list[Choice]) -> bool:
        span = doc[found.start:found.end]
        root = span.root
        if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_.lower() in self.words.metonym_verbs:
            return True
        after = found.end
        if after + 1 < len(doc) and doc[after].text in POSSESSIVE and (
                doc[after + 1].lower_ in self.words.metonym_nouns):
            return True
        before = found.start - 1
        if before >= 0 and doc[before].lower_ == "between" and after < len(doc) and doc[after].lower_ == "and":
            return True
        if before >= 1 and doc[before].lower_ == "and":
            for other in choices:
                if other.found.end == before and other.found.start >= 1 and (
                        doc[other.found.start - 1].lower_ == "between"):
                    return True
        return False

    def _held(self, choice: Choice, place: Place) -> bool:
        """One of the containers the text gives the mention ("X, <state or country>") holds the place."""
        spot = Spot.of_place(place, self.gazetteer)
        return any(contains(Spot.of_place(area, self.gazetteer), spot) for area in choice.containers)

    # ------------------------------------------------------------ output
    def _mention(self, doc_id: str, choice: Choice, choices: list[Choice],
                 focus: dict[str, float]) -> PlaceMention:
        found = choice.found
        mention = PlaceMention(doc_id=doc_id, text=choice.text, start=choice.start_char,
                               end=choice.end_char, role=found.role, source=found.source)
        place = choice.chosen
        if place is not None:
            precision = self._precision(place, found, choice.fuzzy)
            self._fill(mention, place, precision)
            return mention
        fallback = self._fallback(choice, choices, focus)
        if fallback is not None:
            near, precision = fallback
            self._fill(mention, near, precision)
            mention.name, mention.geonameid = choice.text, None
            mention.feature_class = mention.feature_code = None
        return mention

    @staticmethod
    def _precision(place: Place, found: Found, fuzzy: bool) -> int:
        if place.is_country or place.feature_code in ("ADM1", "CONT") or found.direction:
            return 3
        if place.feature_code == "ADM2" or found.kind == "part" or fuzzy:
            return 2
        return 1

    def _fallback(self, choice: Choice, choices: list[Choice],
                  focus: dict[str, float]) -> tuple[Place, int] | None:
        """Nearest known place for a name the gazetteer lacks, first that applies:
        a town of a focus country named in the same sentence (precision 2); an admin
        unit of the main country named there (3); the province of a place of the main
        country named close by (3); the main country named in the sentence (3); the
        province of the nearest place of the main country in the article (3); the
        main country (3).  Never a namesake in another country."""
        if not focus and not choice.containers:
            return None
        top = max(focus.items(), key=lambda kv: kv[1])[0] if focus else ""
        countries = {c for c, share in focus.items() if share >= 0.15}
        held_by = {p.country_code for p in choice.containers if p.country_code}
        if len(held_by) == 1:  # "X, Lebanon", "the town of X in south Lebanon": that country, whatever the focus
            top = next(iter(held_by))
            countries = {top}
            province = next((p for p in choice.containers if p.feature_code == "ADM1" and p.latitude is not None), None)
            if province is not None:
                return province, 3
        known = [c for c in choices if c.chosen is not None and c is not choice
                 and c.found.role == "literal" and c.chosen.country_code in countries]
        same = [c for c in known if c.sentence == choice.sentence]
        towns = [c.chosen for c in same if c.chosen and c.chosen.feature_class == "P"]
        if towns:
            return towns[0], 2
        inside = [c for c in known if c.chosen and c.chosen.country_code == top and not c.chosen.is_country]
        areas = [c.chosen for c in same if c in inside and c.chosen and c.chosen.feature_class == "A"]
        if areas:
            return max(areas, key=lambda p: p.admin_level or 0), 3
        near = [c for c in inside if abs(c.start_char - choice.start_char) <= NEARBY_CHARS]
        if near:
            return self._province_of(min(near, key=lambda c: abs(c.start_char - choice.start_char))), 3
        if any(c.chosen and c.chosen.is_country and c.chosen.country_code == top for c in same) or not inside:
            country = self.gazetteer.country_place(top)
            return (country, 3) if country is not None and country.latitude is not None else None
        return self._province_of(min(inside, key=lambda c: abs(c.start_char - choice.start_char))), 3

    def _province_of(self, choice: Choice) -> Place:
        place = choice.chosen
        assert place is not None
        province = self.gazetteer.admin_place(place.country_code, place.admin1_code)
        return province if province is not None and province.latitude is not None else place

    def _fill(self, mention: PlaceMention, place: Place, precision: int) -> None:
        gazetteer = self.gazetteer
        mention.name = place.name
        mention.geonameid = place.geonameid
        mention.latitude, mention.longitude = place.latitude, place.longitude
        mention.country_code = place.country_code or None
        mention.country = gazetteer.country_name(place.country_code)
        mention.admin1 = gazetteer.admin1_name(place.country_code, place.admin1_code)
        mention.admin2 = gazetteer.admin2_name(place.country_code, place.admin1_code, place.admin2_code)
        if place.feature_code == "ADM1":
            mention.admin1 = place.name
        mention.feature_class, mention.feature_code = place.feature_class, place.feature_code
        mention.geo_precision = precision


def _sentence_index(span: Span) -> int:
    return span.sent.start if span.doc.has_annotation("SENT_START") else 0
