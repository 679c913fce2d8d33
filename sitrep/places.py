"""Toponyms: find the places an article names and resolve them against the gazetteer.

Recognition takes spaCy's GPE/LOC/FAC entities, and names the model labels
otherwise (or not at all) when the words around them say "place": "the town of X",
"X province", "X hill", "east of X", "in X" with X in the gazetteer, a name in a list
with other places, a name that begins like a toponym ("Wadi X", "Deir X").  It sets
aside what is no place: days and months, the article's outlet and names of outlets,
names the article gives people, organisations, "X-based"; a supranational region is
a mention that fixes no country.

Resolution first reads the article's geography (`geography.ArticleGeography`: the
countries and provinces the mentions and the dateline name or imply), then ranks
gazetteer candidates by feature class, population, their share of that geography,
place-kind words, the containers the text gives ("X, Y State", "the X area of Y") and
closeness to the other places; outside the geography a match needs strong evidence.
A name the gazetteer lacks goes inside its nearest container or beside a town
(geo-precision 2), else to its province or country (3), never to a namesake abroad;
a building stands for its town.  The word lists live in sitrep/data: place_types.tsv,
place_context.tsv, metonym_cues.tsv, not_places.tsv.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitrep.gazetteer.names import fold_key, fold_text
from sitrep.gazetteer.store import Gazetteer, Place
from sitrep.geography import (
    AMBIGUOUS_PLACE,
    CORE_SHARE,
    DATELINE,
    NAMED_ADJECTIVE,
    NAMED_COUNTRY,
    ONE_COUNTRY_PLACE,
    ArticleGeography,
    GeographyEvidence,
    PlaceWords,
    Spot,
    contains,
    haversine_km,
    place_words,
)
from sitrep.nlp import is_english_word
from sitrep.records import Article, PlaceMention
from sitrep.words import role_nouns, time_nouns

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PLACE_LABELS = {"GPE", "LOC", "FAC"}
OTHER_NAME_LABELS = ("PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE")
NAME_PARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "en", "es", "of",
                  "de", "du", "la", "le", "da", "do", "di", "bin", "ibn", "abu", "um", "umm",
                  "des", "les", "sur", "del", "los", "las"}  # (French and Spanish ones: "X-des-Y", "X-sur-Mer")
# The Arabic article written joined to a name beginning with a consonant ('Elbur', 'Alshabaab'): 'El Bur'
GLUED_ARTICLE = re.compile(r"^(?:[AE]l)(?=[b-df-hj-np-tv-z])[a-z]{3,}$")
POSSESSIVE = {"'s", "\u2019s", "'", "\u2019"}
LIST_JOINERS = {",", "and", "or", "&"}
SPEECH_RECIPIENT_VERBS = frozenset({"tell", "inform"})  # lemmas: whom one tells is a listener, no place
SETTLEMENT_KINDS = {"admin1", "admin2", "admin", "settlement"}
SPAN_KINDS = {"natural", "facility", "building"}  # type words that belong to the name: "Litani River"
# Facilities named for the town they serve ('Kabul airport', 'Hodeidah port'): the name is the town's, not only a
# namesake's ('Beaufort Castle' need not stand in a Beaufort)
SERVING = frozenset({"airport", "port", "station"})


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
    weak_word: str = ""  # the weak word before it ('in', 'of', 'attacked')
    listed: bool = False  # in a list ("X, Y and Z") that a place word or a locative word stands by
    kind: str | None = None  # a place-kind word beside it: 'admin1', 'settlement', ...
    direction: bool = False  # "southern Lebanon": a region of the named place
    role: str = "literal"
    blocked: bool = False  # the context rules it out as a place
    accepted: bool = False
    not_place: str | None = None  # why it is a mention but names no place: 'region' (a supranational one)
    served: bool = False  # the place a body of the name serves ('Westshire' of 'the Westshire Police')


@dataclass(frozen=True)
class Cues:
    """What the article tells the recogniser besides its words: the countries its dateline may lie in,
    and where the text names the outlet that published it."""

    dateline_countries: frozenset[str] = frozenset()
    outlets: tuple[tuple[int, int], ...] = ()  # character spans


def outlet_spans(article: Article, is_country: Callable[[str], bool] = lambda _: False) -> tuple[tuple[int, int], ...]:
    """Where the article names its own outlet ('Eastland 24', 'The Westport Times (Sylvania)') or an
    agency it credits ('The Westport Times (AFP/Reuters)'): a place name inside an outlet's name is no
    place.  (A country in brackets is the outlet's country, not a name of it.)"""
    outlet = article.outlet or ""
    names = [re.sub(r"\s*\([^)]*\)", "", outlet)]
    names += [part for inside in re.findall(r"\(([^)]*)\)", outlet) for part in re.split(r"[/,]", inside)
              if not is_country(part.strip())]
    spans: list[tuple[int, int]] = []
    for name in names:
        name = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        if len(name) < 3 or not any(c.isupper() for c in name):
            continue
        pattern = re.compile(r"\b" + re.escape(name) + r"\b", re.I)
        spans += [(m.start(), m.end()) for m in pattern.finditer(article.text)]
    return tuple(sorted(spans))


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
            elif _glued_continuation(doc, j):
                j += 2
            else:
                break
        while j > i + 1 and not (_is_name_token(doc[j - 1]) or _glued_continuation(doc, j - 2)):
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


def _glued_continuation(doc: Doc, i: int) -> bool:
    """A hyphen written inside one word, before a lower-case part that is no English word: the rest of a
    transliterated name ('Buur-hakaba', 'Ruun-nirgood'), which the tokenizer splits at the hyphen. Not a
    compound modifier made of a name and an English word ('Iran-backed', 'Soviet-era', 'Gaza-area')."""
    if i < 1 or i + 1 >= len(doc) or doc[i].text != "-" or doc[i - 1].whitespace_ or doc[i].whitespace_:
        return False
    after = doc[i + 1]
    return after.is_alpha and after.is_lower and len(after) > 1 and not is_english_word(after)


LOCATIVES = frozenset({"in", "near", "at", "outside"})
DATELINE_AFTER = {"\u2014", "\u2013", "-", "--", "(", ","}


def _is_dateline(doc: Doc, start: int, end: int) -> bool:
    """'WASHINGTON — ...', 'X & Y, MARCH 29 --', '... Press. WASHINGTON (AP)': a name in capitals that
    opens a line or a sentence, then a dash, comma, bracket, '&' or the story's first word."""
    text = doc[start:end].text
    if not text.isupper() or sum(c.isalpha() for c in text) < 4 or end >= len(doc):
        return False
    at_line_start = start == 0 or "\n" in doc[start - 1].whitespace_ or doc[start - 1].text.strip() == ""
    opens = at_line_start or doc[start].is_sent_start or doc[start - 1].text in (".", "&")
    nxt = doc[end]
    return opens and (nxt.text in DATELINE_AFTER or nxt.text == "&" or (at_line_start and nxt.text[:1].isupper()))


def _hyphen_parts(doc: Doc, end: int, most: int = 3) -> list[int]:
    """Where a name ending at `end` may end when hyphenated parts written in one word follow it ('X-Nord',
    'X-des-Y'), nearest first; the last part names (capitalised)."""
    ends: list[int] = []
    while (len(ends) < most and end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
           and not doc[end].whitespace_ and doc[end + 1].is_alpha):
        end += 2
        if doc[end - 1].text[:1].isupper():
            ends.append(end)
        elif doc[end - 1].lower_ not in NAME_PARTICLES:
            break
    return ends


def _possessive_inside(doc: Doc, start: int, end: int) -> int | None:
    """The token index of a possessive inside a name span ('Y's X'), None when there is none."""
    for i in range(start + 1, end - 1):
        if doc[i].text in POSSESSIVE and doc[i].text not in ("'", "\u2019"):
            return i
    return None


def _line_end(doc: Doc, start: int, end: int) -> int:
    """Where a span ends at the first line break inside it (an entity never runs across lines)."""
    for i in range(start, end):
        if "\n" in doc[i].text or (i + 1 < end and "\n" in doc[i].whitespace_):
            return i + (0 if "\n" in doc[i].text else 1)
    return end


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'the', trailing possessives, punctuation and function words ('X North on Sunday'
    tagged 'X North on': a name ends in a name word)."""
    while start < end and (doc[start].lower_ == "the" or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct
                           or (doc[end - 1].is_lower and doc[end - 1].is_stop)):
        end -= 1
    return start, end


def _locative_inside(doc: Doc, start: int, end: int) -> int | None:
    """The token index of a locative preposition inside a name span before another name ('the X Monument
    in Y' tagged as one organisation), None when there is none: what follows it is a name of its own."""
    for i in range(start + 1, end - 1):
        if doc[i].lower_ in LOCATIVES and doc[i + 1].text[:1].isupper():
            return i
    return None


class Recogniser:
    """Finds the spans of an article that name places."""

    def __init__(self, gazetteer: Gazetteer, words: PlaceWords):
        self.gazetteer = gazetteer
        self.words = words

    def find(self, doc: Doc, cues: Cues = Cues()) -> list[Found]:
        """Place spans of the Doc (and spans that name a region but fix no place, marked `not_place`)."""
        found = self._entities(doc)
        taken = {i for f in found for i in range(f.start, f.end)}
        taken |= {t.i for ent in doc.ents for t in ent}
        for start, end in _name_runs(doc, taken):
            start = _after_title(doc, start, end)  # "Spokesperson of Zamfara" -> "Zamfara"
            if start < end and not all(self.words.is_place_word(t.lower_) or t.is_stop for t in doc[start:end]):
                # not "Valley", not "The"
                found.append(Found(start, end, "context", ""))
        found = self._join_touching(doc, found)
        found = self._join_conjoined(doc, found)
        for item in found:
            self._read_context(doc, item)
        self._share_plural_kind(doc, found)
        self._mark_not_places(doc, found, cues)
        self._accept(found, doc, cues.dateline_countries)
        return sorted((f for f in found if f.accepted), key=lambda f: f.start)

    def _join_touching(self, doc: Doc, found: list[Found]) -> list[Found]:
        """'X Y village' tagged as two names ('X' a place, 'Y' a person): names that touch, with a
        settlement or admin word after them ('X Y village', 'X Y and Z W villages'), are one name, for
        the kind word is the head of the whole compound.  Not after a country ('C X province' names X in C)."""
        def join(item: Found, by_start: dict[int, Found]) -> tuple[Found, list[Found]] | None:
            parts, end = [item], item.end
            while (right := by_start.get(end)) is not None and _name_part(doc, right) and len(parts) < 3 and (
                    doc[end - 1].whitespace_ == " "):
                parts.append(right)
                end = right.end
            if (len(parts) > 1 and _name_part(doc, item) and end - item.start <= 5
                    and not self._names_a_country(doc[item.start:item.end].text) and self._settlement_ahead(doc, end)):
                return Found(item.start, end, "context", ""), parts[1:]
            return None
        return _merge_spans(found, join)

    def _settlement_ahead(self, doc: Doc, end: int) -> bool:
        """A settlement or admin word stands right after `end` ('X village'), or a plural one after the
        list that `end` opens ('X, Y and Z villages')."""
        if end < len(doc) and self.words.kind(doc[end].lower_) in SETTLEMENT_KINDS:
            return True
        i = end
        while i < min(len(doc), end + 8) and (doc[i].lower_ in LIST_JOINERS or doc[i].text[:1].isupper()
                                               or doc[i].text == "-"):
            i += 1
        return end < i < len(doc) and _plural_kind(doc[i], self.words)

    def _share_plural_kind(self, doc: Doc, found: list[Found]) -> None:
        """A plural kind word shared by a list ('X, Y and Z villages', 'the villages of X, Y and Z') says
        what every name in it is, as 'X village' says it of X: a place whatever the tagger thought."""
        groups = self._lists(doc, found)
        for group in groups:
            if len(group) < 2:
                continue
            first, last = group[0], group[-1]
            before = first.start - 1
            after = last.end
            if after < len(doc) and _plural_kind(doc[after], self.words) and not (
                    after + 1 < len(doc) and doc[after + 1].lower_ == "of" and not _names_next(doc, after + 2)):
                kind = self.words.kind(doc[after].lower_)  # "X, Y and Z villages", "X and Y villages of W"
            elif first.kind and before >= 1 and doc[before].lower_ == "of" and _plural_kind(doc[before - 1], self.words):
                kind = first.kind  # "the villages of X, Y and Z"
            else:
                continue
            for item in group:
                if item.label != "NORP" and not self._is_demonym(doc[item.start:item.end].text):
                    item.strong, item.kind = True, kind

    def _join_conjoined(self, doc: Doc, found: list[Found]) -> list[Found]:
        """'Saint X and Y', 'X and Y Province': two names joined by 'and' are one place when
        the gazetteer knows the whole as a country or an admin unit (the longest name wins)."""
        def join(item: Found, by_start: dict[int, Found]) -> tuple[Found, list[Found]] | None:
            right = by_start.get(item.end + 1)
            if (right is not None and item.end < len(doc) and doc[item.end].lower_ in ("and", "&")
                    and right.end - item.start <= 6):
                text = doc[item.start:right.end].text
                if any(p.is_country or p.feature_class == "A" for p in self.gazetteer.lookup(text)):
                    return Found(item.start, right.end, "ner", "GPE"), [right]
            return None
        return _merge_spans(found, join)

    def _mark_not_places(self, doc: Doc, found: list[Found], cues: Cues) -> None:
        """Names that are no event's place: days and months, outlets (named in the text as the article's
        outlet, 'Eastland 24', 'Al Wadi's correspondent'), names a person bears in the article,
        supranational regions (not_places.tsv) and 'X-based' (a modifier)."""
        persons = _person_names(doc, self.words, self.gazetteer)
        for item in found:
            span = doc[item.start:item.end]
            text = span.text
            kind = self.words.not_place(text)
            if kind in ("weekday", "month", "outlet"):
                item.blocked = True  # a day, a month, a wire service or a paper's name alone ('Reuters reports')
            elif self._local_body(doc, item):
                pass  # 'the Westshire Police': Westshire qualifies the police (a modifier, and evidence of the story's place)
            elif any(a <= span.start_char < b for a, b in cues.outlets) or self._outlet_after(doc, item):
                item.blocked = True
            elif self._is_person(doc, item, persons):
                item.blocked = True
            elif kind == "region" or self.words.not_place(" ".join(t.text for t in span if t.lower_ != "the")) == "region":
                item.not_place = "region"
            if self._compound_after(doc, item):
                item.role = "modifier"  # (as a name, not an adjective: its candidates are its namesakes)

    def _outlet_after(self, doc: Doc, item: Found) -> bool:
        """'Eastland 24', 'the Eastland Chronicle', 'Al Wadi's correspondent': the name is an outlet's;
        'the X party', 'the X Front': an organisation's."""
        after = item.end
        if after >= len(doc):
            return False
        nxt = doc[after]
        if nxt.text.isdigit() and len(nxt.text) <= 3 and doc[after - 1].whitespace_ and not (
                after + 1 < len(doc) and doc[after + 1].pos_ == "NOUN"):
            return True  # 'Eastland 24 reported', not 'Eastland 24 hours'
        if nxt.text[:1].isupper() and self.words.not_place(nxt.text) == "outlet":
            return True
        if self.words.not_place(nxt.text) == "org" or self.words.not_place(doc[after - 1].text) in ("org", "body", "local"):
            return not self._names_a_country(doc[item.start:item.end].text)  # 'the X party', 'X Front'

        if nxt.text in POSSESSIVE and after + 1 < len(doc) and self.words.not_place(doc[after + 1].text) == "media":
            return not self._names_a_country(doc[item.start:item.end].text)
        return False

    def _local_body(self, doc: Doc, item: Found) -> bool:
        """A name that ends in a body of a place ('the Westshire Police', 'Eastvale Council'): the body's
        words leave the name, and what stays is the place the body serves: no event's place (a modifier,
        as 'X-based' is), but evidence of where the story is when the gazetteer knows it."""
        end = item.end
        while end - 1 > item.start and self.words.not_place(doc[end - 1].text) == "local":
            end -= 1
        if end == item.end or not doc[end - 1].text[:1].isupper():
            return False
        if not self.gazetteer.lookup(doc[item.start:end].text):
            return False
        item.end, item.role, item.served = end, "modifier", True
        return True

    def _compound_after(self, doc: Doc, item: Found) -> bool:
        """'London-based', 'Iran-backed': the place qualifies a group; it is no event's place."""
        after = item.end
        return (after + 1 < len(doc) and doc[after].text == "-" and not doc[after - 1].whitespace_
                and self.words.not_place(doc[after + 1].text) == "compound")

    def _is_person(self, doc: Doc, item: Found, persons: PersonNames) -> bool:
        """A name the article gives a person ('Hadi Karam' makes 'Hadi' a person's name), or one followed
        by an age ('Rana, 12,'), is no place unless its words say so ('the village of X')."""
        text = doc[item.start:item.end].text
        if item.strong or item.kind:
            return False  # 'the town of X', 'X district': a place whatever a misread person's name says
        if item.weak:
            # 'in Westport' is a place whatever a misread person 'Jane Doe Westport' says; but a weak word ('of',
            # 'to') vouches only for a name the gazetteer knows: a surname the article writes in full as a
            # person's ('the arrest of X' after 'Y X') is the person, a whole name tagged a person's a village
            key = fold_key(text)
            return not self.gazetteer.lookup(text) and key in persons and key not in persons.full
        if self._names_a_country(text):
            return False
        after, before = item.end, item.start - 1
        aged = (after + 2 < len(doc) and doc[after].text in (",", "(") and doc[after + 1].like_num
                and doc[after + 2].text in (",", ")") and item.end - item.start <= 3)  # 'Rana, 12,'
        kin = before >= 0 and self.words.not_place(doc[before].text) == "person"  # 'his son Hadi'
        return aged or kin or fold_key(text) in persons

    def _entities(self, doc: Doc) -> list[Found]:
        found = []
        for ent in doc.ents:
            start, end = _trim(doc, ent.start, _line_end(doc, ent.start, ent.end))  # "Westport\n\n" is "Westport"
            while start < end - 1 and doc[start].is_lower and self.words.kind(doc[start].lower_) == "direction":
                start += 1  # "north X's Y": the names begin after the direction
            end = next((e for e in reversed(_hyphen_parts(doc, end)) if self.gazetteer.lookup(doc[start:e].text)), end)
            # "X-Nord" or "X-des-Y" read as "X": the hyphenated name the gazetteer knows
            while _glued_continuation(doc, end):
                end += 2  # "Buur-hakaba" read as "Buur": the name runs on after the hyphen
            if start >= end or not doc[start].text[:1].isupper():
                continue
            if ent.label_ not in PLACE_LABELS | {"NORP", *OTHER_NAME_LABELS}:
                continue
            cut = _possessive_inside(doc, start, end)  # "Y's X" read as one name: two names (not "X People's Y")
            if cut and self.gazetteer.lookup(doc[start:cut].text):
                found.append(Found(start, cut, "context", ""))
                start = cut + 1
            if ent.label_ not in PLACE_LABELS and (cut := _locative_inside(doc, start, end)):
                # "the X Monument in Y" read as one organisation: the name after 'in' is a name of its own,
                # read in the context 'in' gives it
                found.append(Found(start, cut, "context", ent.label_))
                found.append(Found(cut + 1, end, "context", ""))
                continue
            comma = next((i for i in range(start + 1, end - 1) if doc[i].text == ","), None)
            if comma is not None and self._names_an_area(doc[comma + 1:end].text):
                # "X, Y" read as one name, Y the own name of a province or country: an address, finest first
                found.append(Found(comma + 1, end, "ner", "GPE"))
                end = comma
            if ent.label_ in PLACE_LABELS:
                found.append(Found(start, end, "ner", ent.label_))
            elif ent.label_ != "NORP" and end - start == 1 and self._is_demonym(doc[start].text):
                found.append(Found(start, end, "ner", "NORP", role="modifier"))  # 'Ugandan' tagged ORG
            elif ent.label_ == "NORP":
                role = "modifier" if self._is_demonym(doc[start:end].text) else "literal"
                found.append(Found(start, end, "ner" if role == "modifier" else "context", "NORP", role=role))
            else:
                found.append(Found(start, end, "context", ent.label_))
        return found

    def _is_admin_named(self, text: str, kind: str) -> bool:
        """The gazetteer knows `text` as an admin unit of the kind a word beside it names ('X district')."""
        wanted = KIND_FEATURE.get(kind, ()) if kind in ADMIN_WORD_KINDS else ()
        return any(p.feature_code in wanted for p in self.gazetteer.lookup(text))

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
        if item.end - item.start > 1 and self.words.kind(doc[item.end - 1].lower_) == "building":
            item.kind = "building"  # "the Greenhill Secondary School in Y": a place, whatever it was tagged
            after = item.end
            item.strong = item.strong or (after + 1 < len(doc) and doc[after].lower_ in ("in", "at")
                                          and doc[after + 1].text[:1].isupper())
        if item.direction and item.weak and first.text[:1].isupper() and item.label in ("", "LOC", "GPE"):
            item.strong = True  # "in the Upper Galilee", "in Northern Ireland"

    def _context_before(self, doc: Doc, item: Found) -> None:
        before = item.start - 1
        if before >= 1 and doc[before].is_lower and self.words.kind(doc[before].lower_) == "direction":
            before -= 1  # 'through central X', 'in northern X': the word before the direction is X's context
        if before >= 0 and doc[before].lower_ == "the":
            before -= 1
        if before < 0:
            return
        prev = doc[before].lower_
        if doc[before].lemma_.lower() in SPEECH_RECIPIENT_VERBS:
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
        if prev not in self.words.context and doc[before].pos_ == "VERB":
            prev = doc[before].lemma_.lower()  # 'entered X', 'enters X': the verb by its lemma
        if self.words.context.get(prev) == "strong":
            item.strong = True
        elif prev in self.words.context:
            item.weak, item.weak_word = True, prev

    def _context_after(self, doc: Doc, item: Found) -> None:
        after = item.end
        if after >= len(doc):
            return
        nxt = doc[after]
        if nxt.text == "," and after + 2 < len(doc) and doc[after + 1].lower_ in ("a", "an"):
            for word in doc[after + 2:after + 5]:  # "X, a town west of Y", "X, a small farming village": an
                kind = self.words.kind(word.lower_)  # appositive that says what X is
                if kind in SETTLEMENT_KINDS:
                    item.strong, item.kind = True, kind
                    return
                if not (word.is_alpha and word.is_lower):
                    break
        if nxt.text == "," and item.weak and item.weak_word != "of" and self._unit_follows(doc, after + 1):
            item.strong = True  # "at X, Y district of Z": an address, finest first; X is a place in the unit
            return
        kind = self.words.kind(nxt.lower_)
        if kind in SETTLEMENT_KINDS and after + 1 < len(doc) and doc[after + 1].lower_ == "of":
            return  # "the Alawite town of X", "the border city of X": the word describes the place named next
        part_of = kind == "part" and after + 2 < len(doc) and doc[after + 1].lower_ in ("of", "in") and (
            doc[after + 2].text[:1].isupper())  # "the X area of Y": X is a place in Y, whatever it was tagged
        if kind and kind not in ("direction", "head") and (item.label != "NORP" or part_of or self._is_admin_named(
                doc[item.start:item.end].text, kind)):  # not "the Arab region"; "X district" when X is one
            item.strong, item.kind = True, kind  # "X province", "X hill"
            if (kind in SPAN_KINDS and (item.source != "ner" or nxt.text[:1].isupper())) or (
                    kind in ADMIN_WORD_KINDS and nxt.text[:1].isupper()):
                item.end = after + 1  # the kind word is part of the name: "Marqos station", "X State"
        elif nxt.text in POSSESSIVE and after + 1 < len(doc) and self.words.kind(doc[after + 1].lower_) == "part":
            item.strong = True  # "X's edge"

    def _unit_follows(self, doc: Doc, at: int) -> bool:
        """A name then an admin or settlement word stands at `at` ('Y district', 'Y Local Government Area')."""
        i = at
        while i < min(len(doc), at + 4) and doc[i].text[:1].isupper() and doc[i].is_alpha:
            i += 1
        return at < i < len(doc) and self.words.kind(doc[i].lower_) in SETTLEMENT_KINDS

    def _accept(self, found: list[Found], doc: Doc, dateline_countries: Collection[str] = ()) -> None:
        named = self._named_countries(found, doc)
        countries = named + Counter(dateline_countries)  # "KYIV, Ukraine —": the story's country is named
        for item in found:
            if item.blocked:
                item.accepted = False
            elif item.served:
                item.accepted, item.source = True, "gazetteer"  # a modifier: evidence of the story's place only
            elif item.source == "ner" and item.label == "FAC" and not (item.strong or item.weak or item.kind):
                # a facility named with no place words in or around it ('desecrating the Holy Book'): known
                # ones, and ones the text places ('X Park, Y')
                item.accepted = bool(self.gazetteer.lookup(doc[item.start:item.end].text)) or (
                    self.words.is_place_word(doc[item.end - 1].lower_)) or (
                    item.end + 1 < len(doc) and doc[item.end].text == "," and bool(self.gazetteer.lookup(doc[item.end + 1].text)))
            elif item.source == "ner":
                item.accepted = item.label in PLACE_LABELS or item.role == "modifier"
            elif item.strong:
                item.accepted = True
            elif item.weak:
                # a dateline's country alone is a hint, not a bound: a regional hub files stories of its neighbours
                item.accepted = self._known(doc[item.start:item.end].text, item.label, countries) or (
                    not named and bool(countries) and self._known(doc[item.start:item.end].text, item.label, ()))
                item.source = "gazetteer"
            elif item.label in ("ORG", "PERSON") and self._names_a_country(doc[item.start:item.end].text):
                item.accepted, item.source = True, "gazetteer"  # "EU" tagged ORG
            elif item.end < len(doc) and doc[item.end].text in POSSESSIVE and self._names_an_area(
                    doc[item.start:item.end].text):
                item.accepted, item.source = True, "gazetteer"  # "Y's X" with Y a province's own name
        self._spread_over_lists(found, doc)
        self._one_sense_per_article(found, doc)

    @staticmethod
    def _one_sense_per_article(found: list[Found], doc: Doc) -> None:
        """A name taken as a place once in the article ('the town of Deirmimas') is a place wherever it
        stands in a place context ('into Deirmimas')."""
        places = {fold_key(doc[f.start:f.end].text) for f in found if f.accepted and f.role == "literal"}
        for item in found:
            if not item.accepted and not item.blocked and (item.weak or item.strong) and (
                    fold_key(doc[item.start:item.end].text) in places):
                item.accepted, item.source = True, "context"

    def _names_an_area(self, text: str) -> bool:
        """`text` is the own name of a country or an admin unit."""
        return any(p.feature_class == "A" and self.gazetteer.named_as(text, p) for p in self.gazetteer.lookup(text))

    def _names_a_country(self, text: str) -> bool:
        key = fold_key(text)
        return any((p.is_country or p.feature_code == "CONT") and "name" in self.gazetteer.name_kinds(key, p.geonameid)
                   and self.gazetteer.spelled_as(text, p) for p in self.gazetteer.candidates(key))

    def _named_countries(self, found: list[Found], doc: Doc) -> Counter[str]:
        """How often the article names each country (by name, code, adjective or a province of its own)."""
        codes: Counter[str] = Counter()
        for item in found:
            if item.source == "ner":
                text = doc[item.start:item.end].text
                code = self.gazetteer.country(text)
                provinces = {p.country_code for p in self.gazetteer.lookup(text) if p.feature_code == "ADM1"
                             and self.gazetteer.named_as(text, p)}
                if not code and len(provinces) == 1:
                    code = provinces.pop()  # a province of one country names that country
                if code:
                    codes[code] += 1
        return codes

    def _known(self, text: str, label: str, countries: Collection[str]) -> bool:
        """A weak-context name is a place when the gazetteer knows it (a person's name
        must also be a place in a country the article names)."""
        places = [p for p in self.gazetteer.lookup(text) if p.feature_class in ("P", "A", "L")]
        if label in ("PERSON", "NORP", "ORG"):
            own = [p for p in places if self.gazetteer.named_as(text, p)]
            # a transliteration is written many ways: the way written here may be an alternate name of the
            # place ('Khan Younis' of Khan Yunis) when it is one of the place's spellings, not only a fold of one
            spelled = (own or [p for p in places if self.gazetteer.spelled_as(text, p)]) if label != "NORP" else own
            if not countries:  # an article that names no country: 'in X' is X when X is a place's own name;
                # a name the parser took for a person's or an organisation's, when it is a town's name too big
                # to be a chance namesake, or the name of places in one country only (the parser reads
                # unfamiliar town names as people's; people are not 'in' or 'near')
                if label == "NORP" or (label == "ORG" and own):
                    return bool(own)
                return bool(spelled) and (max(p.population for p in spelled) >= SMALL_ABROAD
                                          or len({p.country_code for p in places}) == 1)
            return any(p.country_code in countries for p in places) or any(
                set(countries) & self.gazetteer.neighbours(p.country_code) for p in spelled)  # or just across a border
        return bool(places)

    def _spread_over_lists(self, found: list[Found], doc: Doc) -> None:
        """Names in one list ("X, Y and Z") with an accepted place are places too."""
        groups = self._lists(doc, found)
        named = self._named_countries(found, doc)
        main_country = {code for code, _ in named.most_common(1)}
        for group in groups:
            if len(group) > 1 and any(_placed_here(f) for f in group):
                for item in group:
                    item.listed = True  # "the villages of X, Y and Z", "hitting X, Y and Z"
            # a list holding a town or province ("Arnoun, Yihmour and Deir Siryan"), not only countries
            # ("the United States, Sergey Lavrov and Mike Pompeo")
            if len(group) < 2 or not any(f.accepted and f.role == "literal" and f.kind != "building"
                                         and not self._names_a_country(doc[f.start:f.end].text) for f in group):
                continue
            for item in group:
                if item.accepted or item.blocked or item.role != "literal" or item.end - item.start > 4:
                    continue
                if item.label == "NORP" and not self._known(doc[item.start:item.end].text, "NORP", main_country):
                    continue
                item.accepted = True
                item.source = "context"

    def _lists(self, doc: Doc, found: list[Found]) -> list[list[Found]]:
        """The spans in text order, grouped into the lists they stand in ("X, Y and Z"; a lone span is its own)."""
        groups: list[list[Found]] = []
        for item in sorted(found, key=lambda f: f.start):
            if groups and self._joined(doc, groups[-1][-1], item):
                groups[-1].append(item)
            else:
                groups.append([item])
        return groups

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
    form: str = ""  # the form of the name the gazetteer knows ('X' of 'X District'); the text when none
    candidates: list[Place] = field(default_factory=list)
    kinds: dict[int, frozenset[str]] = field(default_factory=dict)
    fuzzy: bool = False
    reduced: bool = False  # found only under a shorter form of the name
    holders: list[Choice] = field(default_factory=list)  # "X, <state or country>", "X area of <district>"
    beside: Choice | None = None  # the place named right after it: "the X Hotel in <town>", "X near <town>"
    areas: list[Place] = field(default_factory=list)  # the candidates of a holder that can hold a place
    chosen: Place | None = None
    score: float = 0.0

    @property
    def containers(self) -> list[Place]:
        """The places the text says hold this one: each holder's chosen place when it is an area (a
        holder resolved as a town holds nothing), else its candidates that can hold a place."""
        out: list[Place] = []
        for holder in self.holders:
            if holder.chosen is None:
                out.extend(holder.areas)
            elif holder.chosen in holder.areas:
                out.append(holder.chosen)
        return out

    @property
    def resolved_containers(self) -> list[Place]:
        """The containers of holders the resolver placed: a holder it left unresolved had every candidate
        judged implausible in this story, and none of them holds a name either."""
        return [h.chosen for h in self.holders if h.chosen is not None and h.chosen in h.areas]

    @property
    def unknown(self) -> bool:
        return not self.candidates


FEATURE_WEIGHT = {"PCLI": 3.0, "CONT": 2.0, "ADM1": 0.5, "PPLC": 2.5, "PPL": 0.0, "ADM2": -0.5}
ADMIN_POPULATION_FACTOR = 0.7  # admin populations are sums of their towns': discount them
FUZZY_CUTOFF = 90.0  # rapidfuzz ratio of folded keys
SMALL_ABROAD = 100_000  # a place this small outside the article's geography needs a neighbour
BIG_EXONYM = 1_000_000  # a city this big is known abroad by its other names too (an exonym)
DOMINANT_RATIO = 10  # a namesake this many times bigger than the others is the one meant, wherever
DOMINANT_MIN = 500_000  # ... when it is a country, a province, a capital or a city this big (not a district)
DOMINANT_BONUS = 6.0  # above the pull of the article's geography (4 + 2.5), below a container the text names (8)
FOCUS_WEIGHT = 4.0  # score per share of the article's geography
PROVINCE_BONUS = 2.5  # for lying in a province the article names
OUTSIDE_PENALTY = 3.0  # for lying outside the article's geography when a namesake lies inside it
NEARBY_CHARS = 400  # a place named this close may lend its province to an unknown one
KIND_FEATURE = {"admin1": ("ADM1",), "admin2": ("ADM2",), "admin": ("ADM1", "ADM2"),
                "settlement": ("PPL", "PPLC")}
ADMIN_WORD_KINDS = {"admin1", "admin2", "admin"}
CONTAINER_CODES = ("ADM1", "ADM2")


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
        """Every place mention of the article, resolved where the gazetteer allows, the dateline's too."""
        choices, dateline, geo = self.read_geography(article, doc)
        for choice in choices:
            self._pick(choice, geo, choices, use_proximity=False)
        geo = self._geography(choices, dateline, frame=geo)  # the places of the article, as chosen
        for choice in choices:
            self._pick(choice, geo, choices, use_proximity=True)
        for choice in choices:
            if choice.chosen is None and choice.found.role == "literal":
                self._try_fuzzy(choice, geo)
        self._mark_metonyms(doc, choices)
        mentions = [self._mention(article.doc_id, c, choices, geo, dateline) for c in choices]
        if dateline is not None and dateline.chosen is not None:
            mentions.insert(sum(1 for m in mentions if m.start < dateline.start_char),
                            self._mention(article.doc_id, dateline, choices, geo, dateline))
        return mentions

    def read_geography(self, article: Article, doc: Doc) -> tuple[list[Choice], Choice | None, ArticleGeography]:
        """The article's place mentions with their candidates and containers, the dateline's place,
        and the geography they give before any is chosen."""
        dateline = self._dateline_choice(article)
        cues = Cues(frozenset(self._dateline_countries(dateline)),
                    outlet_spans(article, lambda text: self.gazetteer.country(text) is not None))
        found = self.recogniser.find(doc, cues)
        choices = [self._choice(doc, f) for f in found]
        self._link_containers(doc, choices)
        geo = self._geography(choices, None)
        if dateline is not None:  # 'WESTPORT —' is the Westport of the article's geography
            self._pick(dateline, geo, choices, use_proximity=False)
            geo = self._geography(choices, dateline)
        return choices, dateline, geo

    # ------------------------------------------------------------ the dateline
    def _dateline_choice(self, article: Article) -> Choice | None:
        """The filing place of 'WESTPORT (AP) —' as a mention of its own (the text is masked for parsing)."""
        if not article.dateline_span or not article.dateline_place:
            return None
        start, end = article.dateline_span
        written = article.text[start:end]
        place = article.dateline_place
        at = written.lower().find(place.lower())
        if at < 0:
            return None
        text = written[at:at + len(place)]
        found = Found(-1, -1, "dateline", "GPE")
        choice = Choice(found, text, start + at, start + at + len(text), -1, text)
        choice.candidates = [p for p in self.gazetteer.lookup(text)
                             if p.latitude is not None and p.feature_class in ("P", "A")
                             and self.gazetteer.spelled_as(text, p)]
        # 'SAMAR, Philippines (Agency) —': a country the dateline writes after its place holds the place
        parts = re.split(r"[,(\u2014\u2013]", written[at + len(place):])
        named = {code for part in parts[1:] if part.strip() and (code := self.gazetteer.country(part))}
        choice.candidates = [p for p in choice.candidates if p.country_code in named] or choice.candidates
        key = fold_key(text)
        choice.kinds = {p.geonameid: self.gazetteer.name_kinds(key, p.geonameid) for p in choice.candidates}
        return choice if choice.candidates else None

    def _dateline_countries(self, dateline: Choice | None) -> set[str]:
        """Countries the dateline may lie in: a name of a country gives a person's name or an unfamiliar
        one beside it the benefit of the doubt ('KYIV —' lets 'Kupiansk' be a place)."""
        if dateline is None:
            return set()
        own = [p for p in dateline.candidates if self.gazetteer.named_as(dateline.text, p)] or dateline.candidates
        best = max(own, key=self._prior)
        return {best.country_code} if best.country_code else set()

    # ------------------------------------------------------------ steps
    def _choice(self, doc: Doc, found: Found) -> Choice:
        span = doc[found.start:found.end]
        choice = Choice(found, span.text, span.start_char, span.end_char, _sentence_index(span), span.text)
        for text, dropped in self._lookup_forms(span.text, found):
            places = [p for p in self.gazetteer.lookup(text) if p.latitude is not None]
            if found.label == "NORP" and found.role == "modifier":  # 'Ugandan': the country it is of
                places = [p for p in places
                          if "demonym" in self.gazetteer.name_kinds(fold_key(text), p.geonameid)]
            if places and dropped and found.kind == "building":
                break  # 'X University in Y' is in Y, wherever the X of its name is: the building stands for its town
            if places:
                choice.candidates, choice.form = places, text
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
        choice.reduced = any(k in SPAN_KINDS and fold_text(w) not in SERVING for w, k in zip(dropped, kinds))

    def _link_containers(self, doc: Doc, choices: list[Choice]) -> None:
        """The places the text says hold a mention: 'X, W.Va.'; 'the town of X in south Y';
        'the X area of Y'; 'Y's X'; 'the Sylvanian city of X'; 'the X area between Y and Z provinces'."""
        by_start = {c.found.start: c for c in choices}
        by_end = {c.found.end: c for c in choices}
        for choice in choices:
            holders = container_tokens(doc, choice.found, by_start, by_end, self.words)
            for holder in holders:
                holder.areas = self._as_container(holder, len(holders) > 1)
            choice.holders = [h for h in holders if h.areas and h is not choice]
            at = choice.found.end
            if at + 1 < len(doc) and doc[at].lower_ in ("in", "at", "near", "outside"):
                at += 2 if doc[at + 1].lower_ == "the" else 1
                choice.beside = by_start.get(at)

    def _as_container(self, holder: Choice, between: bool) -> list[Place]:
        """The candidates of a mention that can hold another: its countries and admin units, when it is
        named as one ('X State', a country, 'W.Va.') rather than as a town (a capital that shares its province's name)."""
        if holder.found.role == "modifier":  # 'the Sylvanian city of X'
            return [p for p in holder.candidates if p.is_country]
        areas = [p for p in holder.candidates if p.is_country or p.feature_code in CONTAINER_CODES]
        if not areas:
            return []
        named_as_area = holder.found.kind in ADMIN_WORD_KINDS or between
        best = max(holder.candidates, key=self._prior)
        return areas if named_as_area or best in areas else []

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
        if len(words) > 1 and self._names_a_province(words[-1]):
            forms.append((" ".join(words[:-1]), []))  # "X Y region" written without a comma: X, in province Y
        for form, dropped in list(forms):
            if GLUED_ARTICLE.match(form):
                forms.append((form[:2] + " " + form[2:], dropped))  # "Elbur": the Arabic article written joined
        return forms

    def _names_a_province(self, word: str) -> bool:
        """The word names a province (a first-level unit): after a name the gazetteer lacks, it is where
        that place lies ('X Y region'), not part of its name."""
        return any(p.feature_code == "ADM1" for p in self.gazetteer.lookup(word))

    def _geography(self, choices: list[Choice], dateline: Choice | None,
                   frame: ArticleGeography | None = None) -> ArticleGeography:
        """What the mentions say about where the article is.  Without a `frame`, by each name's most
        prominent namesake (and whether all its namesakes lie in one country); with one, by the places
        chosen that the frame finds plausible (the places of the article's other events)."""
        evidence = GeographyEvidence()
        chosen = frame is not None
        if dateline is not None and dateline.chosen is not None:
            evidence.country_named(dateline.chosen.country_code, DATELINE, fold_key(dateline.text))
            evidence.province_named(dateline.chosen.country_code, dateline.chosen.admin1_code,
                                    dateline.chosen.geonameid)
        seen: set[object] = set()  # a place named again is no new evidence (a country named again is)
        for choice in choices:
            if not choice.candidates or (choice.found.not_place and not choice.containers):
                continue
            if frame is not None and (choice.chosen is None or not self._plausible(choice, choice.chosen, frame, choices)):
                continue
            best = choice.chosen if chosen and choice.chosen else max(choice.candidates, key=self._prior)
            codes = {best.country_code} if chosen else {p.country_code for p in choice.candidates if p.country_code}
            name = fold_key(choice.form)
            again = (best.geonameid if chosen else name) in seen
            seen.add(best.geonameid if chosen else name)
            if choice.found.role == "modifier":
                evidence.country_named(best.country_code, NAMED_ADJECTIVE, name)
            elif best.is_country:
                evidence.country_named(best.country_code, NAMED_COUNTRY, name)
            elif len(codes) == 1:
                evidence.place_named(best.country_code, ONE_COUNTRY_PLACE, name)
            elif not again:  # a name of several countries, six times, is still one
                evidence.place_named(best.country_code, AMBIGUOUS_PLACE, name)
            if best.feature_code == "ADM1" or (chosen and not best.is_country and choice.found.role == "literal"):
                evidence.province_named(best.country_code, best.admin1_code, best.geonameid)
        return evidence.geography()

    def _prior(self, place: Place) -> float:
        weight = FEATURE_WEIGHT.get(place.feature_code or "", 0.0)
        population = 0.5 * math.log10(1 + max(place.population, 0))
        if place.feature_code in ("ADM1", "ADM2"):
            population *= ADMIN_POPULATION_FACTOR
        return weight + population

    def _pick(self, choice: Choice, geo: ArticleGeography, choices: list[Choice],
              *, use_proximity: bool) -> None:
        if not choice.candidates:
            return
        if choice.found.not_place and not choice.containers:
            choice.chosen = None  # a supranational region fixes no country; 'the X region of Sylvania' does
            return
        places = [p for p in choice.candidates
                  if not use_proximity or self._plausible(choice, p, geo, choices)]
        if not places:
            choice.chosen = None
            return
        scored = [(self._score(choice, p, geo, choices, use_proximity), p) for p in places]
        choice.score, choice.chosen = max(scored, key=lambda sp: sp[0])

    def _plausible(self, choice: Choice, place: Place, geo: ArticleGeography, choices: list[Choice]) -> bool:
        """Inside the article's geography a name is what the gazetteer says; outside it, it needs strong
        evidence: its own name spelled as written, for a big place or the only one of that name, or a
        neighbour in the article.  A name known only by a variant spelling stays in the main country or
        the provinces the article names, and a place the text puts inside another stays there."""
        if place.is_country or place.feature_code == "CONT":
            return True
        name = fold_key(choice.form)  # (a name does not vouch for itself)
        if choice.reduced:  # "Beaufort" of "Beaufort Castle": a namesake of the castle's place
            near = self._closeness(choice, place, choices) >= 1.0
            return near and (geo.centre(place, name) or place.feature_class == "A")
        if self._held(choice, place):
            return True
        if any(h.found.kind in ADMIN_WORD_KINDS for h in choice.holders) or (
                self._could_be_held(choice, place) and any(self._held(choice, p) for p in choice.candidates)):
            return False  # 'X, W.Va.' is not the X of another state; nor is X 'in the municipality of Y' or 'X, Y
            # State' when no namesake lies in Y: an unknown village there
        # (a holder named without its kind may be a list: 'X, Y and Z' naming three provinces)
        exact = self.gazetteer.spelled_as(choice.form, place)
        if exact and (geo.holds(place, name) or geo.main_besides(name) is None):
            return True  # as written, in the article's geography (or in an article that has none)
        if geo.centre(place, name):
            return True  # a variant spelling, in the article's main country
        if choice.found.kind in ADMIN_WORD_KINDS and place.feature_class == "P":
            return False  # 'X County' abroad is no town
        own = self._own_name(choice, place)
        if own and (place.population >= SMALL_ABROAD or place.feature_code == "ADM1"):
            return True  # a big place abroad, by its own name
        if exact and place.population >= BIG_EXONYM:
            return True  # a big city's exonym
        one_country = all(p.country_code == place.country_code for p in choice.candidates)
        if (own or place.population >= SMALL_ABROAD) and one_country and (
                self._across_a_border(place, geo, name) or not geo.says_elsewhere(name)):
            return True  # the only place of that name (by its own name, or a big town's common transliteration),
            # just across a border (a border town in a story from next door), or where the rest of the article
            # hardly says where it is
        return exact and self._closeness(choice, place, choices) >= 2.0

    def _score(self, choice: Choice, place: Place, geo: ArticleGeography,
               choices: list[Choice], use_proximity: bool) -> float:
        name = fold_key(choice.form)
        score = self._prior(place)
        if place.feature_code == "CONT":  # a continent holds the article's countries
            score += FOCUS_WEIGHT * max((geo.share(code, name) for code in geo.votes), default=0.0)
        else:
            score += FOCUS_WEIGHT * geo.share(place.country_code, name)
        wanted = KIND_FEATURE.get(choice.found.kind or "")
        dominant = self._dominant(choice, place)
        if (not wanted or place.feature_code in wanted) and dominant and not any(
                p.country_code != place.country_code and geo.names_province(p) for p in choice.candidates):
            score += DOMINANT_BONUS  # 'X' the metropolis, wherever the article is, unless the text places a
            # namesake in a province it names or says what kind of place it is
        if wanted and place.feature_code in wanted:
            score += 3.0  # "Diyala province", "the town of X"
        elif not wanted and self._town_in_named_province(choice, place, geo):
            score += PROVINCE_BONUS
        if place.feature_code != "CONT" and not geo.holds(place, name) and not dominant and any(
                geo.holds(p, name) for p in choice.candidates):
            score -= OUTSIDE_PENALTY  # the capital abroad, in an article about another namesake's country
        if "name" in choice.kinds.get(place.geonameid, ()):
            score += 1.5  # the place's own name, not a historical or foreign alternate
        if self.gazetteer.spelled_as(choice.form, place):
            score += 1.5  # spelled as written, not only a transliteration variant
        if self._held(choice, place):
            score += 8.0  # "Charleston, W.Va.", "Poland, Ohio"
        if use_proximity and not place.is_country:
            score += self._closeness(choice, place, choices)
        return score

    def _own_name(self, choice: Choice, place: Place) -> bool:
        """The place's own name is the form matched, or that form without its kind words ('X District')."""
        core = " ".join(w for w in choice.form.split() if self.words.kind(fold_text(w)) not in SETTLEMENT_KINDS)
        return self.gazetteer.named_as(choice.form, place) or bool(core) and self.gazetteer.named_as(core, place)

    def _across_a_border(self, place: Place, geo: ArticleGeography, name: str) -> bool:
        """The place's country borders one of the article's countries (or the article names no other)."""
        core = [code for code in geo.votes if geo.share(code, name) >= CORE_SHARE]
        return not core or any(place.country_code in self.gazetteer.neighbours(code) for code in core)

    def _town_in_named_province(self, choice: Choice, place: Place, geo: ArticleGeography) -> bool:
        """Of namesake towns, the one in a province the article names ('the X region', or where its
        other places lie).  Only between towns named so: a province gains nothing from its own towns,
        and a region's or country's own name is not turned into a village's that bears it too."""
        if place.feature_class != "P" or not geo.names_province(place) or not self.gazetteer.named_as(choice.form, place):
            return False
        return not any((p.is_country or p.feature_code == "ADM1") and self.gazetteer.named_as(choice.form, p)
                       for p in choice.candidates)

    def _dominant(self, choice: Choice, place: Place) -> bool:
        """The place is the namesake meant wherever an article is: a country, a province, a capital or a
        city of millions, named so, and far bigger than every place of that name abroad (a capital over a
        village; two cities of 1 and 0.2 million may be either)."""
        others = [p.population for p in choice.candidates if p.geonameid != place.geonameid
                  and p.country_code != place.country_code and self.gazetteer.named_as(choice.form, p)]
        big = (place.feature_class == "P" and place.population >= DOMINANT_MIN) or place.is_country or (
            place.feature_code in ("ADM1", "PPLC", "PPLA"))
        metropolis = self._metropolis(choice, place)
        if metropolis is not None and place.feature_code == "ADM1":
            return False  # the province that bears its metropolis's name: the bare name is the city's
        named = self.gazetteer.named_as(choice.form, place) or metropolis == place
        return big and named and all(place.population >= DOMINANT_RATIO * max(n, 1) for n in others)

    def _metropolis(self, choice: Choice, place: Place) -> Place | None:
        """A city of millions among the candidates that lies in a province of its name ('X' the city in
        'X' the state): what the bare name means."""
        provinces = {(p.country_code, p.admin1_code) for p in choice.candidates if p.feature_code == "ADM1"}
        cities = [p for p in choice.candidates if p.feature_class == "P" and p.population >= BIG_EXONYM
                  and (p.country_code, p.admin1_code) in provinces and self.gazetteer.spelled_as(choice.form, p)]
        if place.country_code not in {c.country_code for c in cities}:
            return None
        return max(cities, key=lambda c: c.population)

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

    def _try_fuzzy(self, choice: Choice, geo: ArticleGeography) -> None:
        """A name the gazetteer lacks: a close spelling inside the article's geography (its main country,
        in a province the text holds the name in or names), never a namesake elsewhere."""
        code = geo.main
        if code is None or choice.found.not_place:
            return  # (a region is no misspelt town)
        rejected = {p.geonameid for p in choice.candidates}
        hits = self.gazetteer.fuzzy(choice.text, code, limit=3, cutoff=FUZZY_CUTOFF)
        hits = [(p, s) for p, s in hits if p.geonameid not in rejected and p.latitude is not None
                and not p.is_country and (self._held(choice, p) if choice.containers else True)]
        if hits:
            choice.chosen = max(hits, key=lambda ps: (ps[1], ps[0].population))[0]
            choice.fuzzy = True

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

    @staticmethod
    def _could_be_held(choice: Choice, place: Place) -> bool:
        """A container the text gives is a larger unit than the place could be ('Y, Z' of two provinces
        is a list: a province lies in no other province)."""
        level = place.admin_level if place.admin_level is not None else 9
        return any((area.admin_level if area.admin_level is not None else 9) < level for area in choice.containers)

    def _held(self, choice: Choice, place: Place) -> bool:
        """One of the containers the text gives the mention ("X, <state or country>") holds the place."""
        if not choice.containers:
            return False
        spot = Spot.of_place(place, self.gazetteer)
        return any(contains(Spot.of_place(area, self.gazetteer), spot) for area in choice.containers)

    # ------------------------------------------------------------ output
    def _mention(self, doc_id: str, choice: Choice, choices: list[Choice],
                 geo: ArticleGeography, dateline: Choice | None = None) -> PlaceMention:
        found = choice.found
        mention = PlaceMention(doc_id=doc_id, text=choice.text, start=choice.start_char,
                               end=choice.end_char, role=found.role, source=found.source)
        place = choice.chosen
        if place is not None:
            self._fill(mention, place, self._precision(place, found, choice.fuzzy))
            return mention
        if found.not_place or found.role != "literal":
            return mention  # a region that fixes no country, a modifier: no place to fall back to
        if not self._placed_by_text(choice, choices):
            return mention  # a name the gazetteer does not place in the story and nothing in the text places
            # ('Witnesses', 'pages of the Holy Book', 'the house of Sheikh X'): no event is placed by it
        if not choice.containers and _acronym(choice.text):
            return mention  # an acronym the gazetteer does not place here names a group ('captured by the XYZ'),
            # not an unknown village: villages are not written in initials
        fallback = self._fallback(choice, choices, geo, dateline)
        if fallback is not None:
            near, precision = fallback
            holder = near in choice.containers or near is (choice.beside.chosen if choice.beside else None) or (
                near is (dateline.chosen if dateline else None))  # the text (or the dateline) puts the name there
            if near.feature_class == "P" and (found.kind == "building" or (found.kind == "part" and holder)):
                # a building stands for its town ('the X Hotel' is coded at the town), a neighbourhood or an area
                # for the city that holds it (CODING.md: 'a neighbourhood's city', part of a named place: 2)
                self._fill(mention, near, 1 if found.kind == "building" else 2)
                return mention
            self._fill(mention, near, precision)  # an unknown village keeps its name, near its neighbour
            mention.name, mention.geonameid = choice.text, None
            mention.feature_class = mention.feature_code = None
        return mention

    @staticmethod
    def _placed_by_text(choice: Choice, choices: list[Choice]) -> bool:
        """Some mention of the name stands where only a place does: a place word or a locative word by it
        (`_placed_here`) or by the list it is in, or a holder ('X, Y State')."""
        key = fold_key(choice.text)
        return any(fold_key(c.text) == key and (_placed_here(c.found) or c.found.listed or c.holders) for c in choices)

    @staticmethod
    def _precision(place: Place, found: Found, fuzzy: bool) -> int:
        if place.is_country or place.feature_code in ("ADM1", "CONT") or found.direction:
            return 3
        if place.feature_code == "ADM2" or found.kind == "part" or fuzzy:
            return 2
        return 1

    def _fallback(self, choice: Choice, choices: list[Choice], geo: ArticleGeography,
                  dateline: Choice | None = None) -> tuple[Place, int] | None:
        """The nearest known place for a name the gazetteer lacks, first that applies: the innermost
        container the text gives ('X, Y State', 'the X area of Y district': precision 2, 3 for a
        country); the town named right after it ('X near <town>', 2); a town of the article's geography named
        in the same sentence (2); an admin unit of the
        main country named there (3); the province of a place of the main country named close by (3);
        the main country named in the sentence (3); where the text names no other place of the main country,
        the town the story is filed from (its dateline, 2: a street or a landmark the gazetteer lacks, in a
        local story); the province of the nearest place of the main country in the article (3); the main
        country (3).  Never a namesake in another country."""
        areas = [p for p in choice.resolved_containers if p.latitude is not None]
        if areas:
            inner = max(areas, key=lambda p: p.admin_level or 0)
            return inner, 3 if inner.is_country else 2
        beside = choice.beside.chosen if choice.beside is not None else None
        if beside is not None and beside.feature_class == "P" and geo.holds(beside):
            return beside, 2  # "the X Hotel in <town>", "X near <town>": that town
        top = geo.main
        if top is None:
            return None
        countries = {c for c, share in geo.countries.items() if share >= CORE_SHARE}
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
        filed = dateline.chosen if dateline is not None and dateline is not choice else None
        if not inside and filed is not None and filed.feature_class == "P" and filed.country_code == top:
            return filed, 2
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


# ---------------------------------------------------------------- containers in the text

def container_tokens(doc: Doc, found: Found, by_start: dict[int, Choice], by_end: dict[int, Choice],
                     words: PlaceWords) -> list[Choice]:
    """The mentions the words around `found` name as holding it, nearest first."""
    start, end = found.start, found.end
    n = len(doc)
    if end < n and doc[end].text == "," and not _in_list(doc, found, by_start, by_end):
        after = by_start.get(end + 1)  # "X, W.Va.", "X, Y State"
        if after is not None:
            return [after]
        if not _kind_of_follows(doc, end + 1, words):
            return []  # (else "X, in the municipality of Y": the phrase below; "X, in the Y region" may be a
            # region the gazetteer knows only by a namesake abroad)
    at = end
    while at < n and words.kind(doc[at].lower_) in SETTLEMENT_KINDS | {"part"}:
        at += 1  # "X village", "the X area"
    if at + 1 < n and doc[at].text == ",":
        at += 1  # "X area, in Y"
    if at + 1 < n and doc[at].lower_ == "between":
        first = by_start.get(at + 1)  # "the Zarka area between Kirkuk and Salahaddin provinces"
        if first is not None and first.found.end + 1 < n and doc[first.found.end].lower_ == "and":
            second = by_start.get(first.found.end + 1)
            return [c for c in (first, second) if c is not None]
        return []
    if at + 1 < n and doc[at].lower_ in ("of", "in") and (at > end or found.kind in SETTLEMENT_KINDS
                                                           or doc[at].lower_ == "in"):
        at += 1
        if at < n and doc[at].lower_ == "the":
            at += 1
        at = _past_kind_of(doc, at, words)  # "in the municipality of Y"
        after = by_start.get(at) or by_start.get(_past_directions(doc, at, words))  # "in south Lebanon"
        if after is not None:
            end = after.found.end  # "in Sylvania's north-central Y state": the nearer holder
            if end + 1 < n and doc[end].text in POSSESSIVE:
                inner = by_start.get(_past_directions(doc, end + 1, words))
                if inner is not None:
                    return [inner]
            return [after]
    if start >= 2 and doc[start - 1].text in POSSESSIVE and doc[start - 1].text.startswith(("'", "\u2019")):
        before = by_end.get(start - 1)  # "Y's X"
        if before is not None:
            return [before]
    if start >= 3 and doc[start - 1].lower_ == "of" and words.kind(doc[start - 2].lower_) in SETTLEMENT_KINDS:
        at = start - 3  # "the northern Sylvanian city of X"
        adjective = by_end.get(at + 1)
        if adjective is not None and adjective.found.role == "modifier":
            return [adjective]
    return []


def _past_kind_of(doc: Doc, at: int, words: PlaceWords) -> int:
    """Past an admin kind and its 'of' ('municipality of Y', 'district of Y': the index of Y), else `at`."""
    if at + 2 < len(doc) and words.kind(doc[at].lower_) in ADMIN_WORD_KINDS and doc[at + 1].lower_ == "of":
        return at + 2
    return at


def _kind_of_follows(doc: Doc, at: int, words: PlaceWords) -> bool:
    """'in the municipality of', 'in the district of' from `at`: the text names the kind of what follows."""
    if at >= len(doc) or doc[at].lower_ != "in":
        return False
    at += 1
    if at < len(doc) and doc[at].lower_ == "the":
        at += 1
    return _past_kind_of(doc, at, words) != at


def _past_directions(doc: Doc, at: int, words: PlaceWords) -> int:
    """The first token from `at` that is not a direction ('north-central', 'south')."""
    while at < len(doc) and (words.kind(doc[at].lower_) == "direction" or doc[at].text == "-"):
        at += 1
    return at


def _in_list(doc: Doc, found: Found, by_start: dict[int, Choice], by_end: dict[int, Choice]) -> bool:
    """'W, X, Y and Z': a comma between places of one list holds nothing."""
    after = by_start.get(found.end + 1)
    if after is None:
        return False
    nxt = after.found.end
    if nxt < len(doc) and doc[nxt].lower_ in LIST_JOINERS and by_start.get(nxt + 1) is not None:
        return True
    start = found.start
    return start >= 2 and doc[start - 1].lower_ in LIST_JOINERS and by_end.get(start - 1) is not None


@dataclass(frozen=True)
class PersonNames:
    """Folded names the article gives people (`_person_names`): whole names and their words (`in`), and the
    whole names apart (`full`)."""

    names: frozenset[str]
    full: frozenset[str]

    def __contains__(self, key: object) -> bool:
        return key in self.names


def _person_names(doc: Doc, words: PlaceWords, gazetteer: Gazetteer) -> PersonNames:
    """Folded names the article gives people: the words of a name of two or more words that the parser
    tags as a person's ('Hadi Karam' gives 'Hadi' and 'Karam') and that is no place (one the gazetteer
    knows; 'Wadi X', opened by a place word).  (A one-word name tagged a person's is often a village.)"""
    names: set[str] = set()
    full: set[str] = set()
    for ent in doc.ents:
        parts = [t.text for t in ent if t.text[:1].isupper() and t.is_alpha]
        if ent.label_ != "PERSON" or "\n" in ent.text or len(parts) < 2:
            continue
        if parts[0].lower() in words.heads or gazetteer.lookup(ent.text):
            continue
        full.add(fold_key(ent.text))
        names.update(fold_key(w) for w in parts)
    return PersonNames(frozenset(n for n in names | full if n), frozenset(n for n in full if n))


def _merge_spans(found: list[Found],
                 join: Callable[[Found, dict[int, Found]], tuple[Found, list[Found]] | None]) -> list[Found]:
    """The spans in text order, each replaced by what `join` makes of it and the spans after it (the merged
    span, and the spans it swallowed), or kept as it is."""
    by_start = {f.start: f for f in found}
    out: list[Found] = []
    skip: set[int] = set()
    for item in sorted(found, key=lambda f: f.start):
        if id(item) in skip:
            continue
        joined = join(item, by_start)
        if joined is None:
            out.append(item)
            continue
        merged, swallowed = joined
        out.append(merged)
        skip.update(id(f) for f in swallowed)
    return out


def _name_part(doc: Doc, found: Found) -> bool:
    """A span that may be a piece of a longer place name: a capitalised name, no demonym."""
    return found.label != "NORP" and found.role == "literal" and doc[found.start].text[:1].isupper()


def _names_next(doc: Doc, at: int) -> bool:
    """A capitalised name stands at `at` (after an optional 'the')."""
    if at < len(doc) and doc[at].lower_ == "the":
        at += 1
    return at < len(doc) and doc[at].text[:1].isupper()


def _plural_kind(token: Token, words: PlaceWords) -> bool:
    """'villages', 'districts': a plural settlement or admin word (it can name every item of a list).  Known by
    the lexicon, which lists both forms, not by the tagger, which reads 'X and Y villages' as a verb after a name."""
    word = token.lower_
    kind = words.kind(word)
    if kind not in SETTLEMENT_KINDS or not word.endswith("s"):
        return False
    return words.kind(word[:-3] + "y" if word.endswith("ies") else word[:-1]) == kind


def _placed_here(found: Found) -> bool:
    """A place word or a locative word stands by the name ('X village', 'the town of X', 'in X', 'attacked X';
    not 'of X', which also takes things and people)."""
    return found.strong or bool(found.kind) or (found.weak and found.weak_word != "of")


def _acronym(text: str) -> bool:
    """'XYZ', 'X.Y.Z.': a short name written in capital initials."""
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(letters) <= 6 and all(c.isupper() for c in letters) and " " not in text.strip()


def _sentence_index(span: Span) -> int:
    return span.sent.start if span.doc.has_annotation("SENT_START") else 0
