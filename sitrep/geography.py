"""Where things are: the one home of place relations and of the article's focus.

Every stage asks this module, so "the same place", "inside" and "how far" mean one thing
everywhere: the places stage (`places.py`) ranks gazetteer candidates with it, the event coder
(`events/placing.py`, `events/merge.py`) nests and merges the places of one article, and fusion
(`fusion.py`) compares the places of reports from different articles.

A `Spot` is the view of a place these relations need, built from any record that has one (a
gazetteer `Place`, a `PlaceMention`, an `Event`, a fused `Report`): its folded name, the folded
names of the country, province and district that hold it, its level (country, province, district
or a place below them), its point and its ACLED geo precision.

The place-kind words (`place_types.tsv`, `place_context.tsv`, `metonym_cues.tsv`) are read here too:
they are what strips "the Deirmimas junction" to the name of its place.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from .datafiles import DataFileError, read_table
from .gazetteer.geo import haversine_km
from .gazetteer.names import fold_key

if TYPE_CHECKING:
    from .gazetteer.store import Gazetteer, Place
    from .records import Article, PlaceMention

SAME_PLACE_KM = 3.0
"""Two points this close are one place.  Below the spacing of neighbouring villages (2-5 km in the
dense farmland of the Levant, the Black Sea steppe or the Nile valley), so two villages hit on one day
stay two events; above the scatter of one town's points across gazetteer entries and readings."""

COUNTRY, PROVINCE, DISTRICT = 0, 1, 2
LEAD_PARAGRAPHS = 2  # where news tells its main story: weighed up in the focus


# ---------------------------------------------------------------- place words

@dataclass(frozen=True)
class PlaceWords:
    """The place-kind, context, metonymy and not-a-place words from sitrep/data."""

    kinds: dict[str, str]  # a word beside a name that says what kind of place it is: 'province', 'town'
    heads: frozenset[str]  # a word that opens a place's name: 'Wadi', 'Deir', 'Lake'
    context: dict[str, str]  # a word before a name that makes it a place: 'in' (weak), ...
    metonym_verbs: frozenset[str]
    metonym_nouns: frozenset[str]
    not_places: dict[str, str]  # a name or word that keeps a name from being an event's place, by kind

    def kind(self, word: str) -> str | None:
        return self.kinds.get(word.lower())

    def is_place_word(self, word: str) -> bool:
        """A kind word or a name's opening word: no name on its own ('Valley', 'Wadi')."""
        return word.lower() in self.kinds or word.lower() in self.heads

    def not_place(self, text: str) -> str | None:
        """The kind of not-a-place `text` is ('weekday', 'region', ...), None when it is none."""
        return self.not_places.get(" ".join(text.lower().replace("\u2019", "'").split()))


@lru_cache(maxsize=1)
def place_words() -> PlaceWords:
    """The words of place_types.tsv, place_context.tsv, metonym_cues.tsv and not_places.tsv, each checked
    against its schema (sitrep/datafiles.py).  A word may open a name and also say its kind after one
    ('Lake Chad', 'Chad lake'); of the kinds that follow a name, it has one."""
    kinds: dict[str, str] = {}
    heads: set[str] = set()
    for row in read_table("place_types.tsv"):
        word, kind = row["word"], row["kind"]
        if kind == "head":
            heads.add(word)
        elif word in kinds:
            raise DataFileError(f"sitrep/data/place_types.tsv:{row.line}: {word!r} already has the kind {kinds[word]}")
        else:
            kinds[word] = kind
    context = {row["word"]: row["strength"] for row in read_table("place_context.tsv")}
    cues = read_table("metonym_cues.tsv")
    return PlaceWords(kinds, frozenset(heads), context,
                      frozenset(r["word"] for r in cues if r["kind"] == "verb"),
                      frozenset(r["word"] for r in cues if r["kind"] == "noun"),
                      {row["word"].lower(): row["kind"] for row in read_table("not_places.tsv")})


GENERIC_KINDS = {"part", "settlement", "facility", "building", "admin", "admin1", "admin2"}


@lru_cache(maxsize=50_000)
def place_core(name: str | None) -> str:
    """The folded key of a place name without its kind words: 'the Deirmimas junction' -> 'Deirmimas'."""
    if not name:
        return ""
    words = place_words()
    kept = [w for w in name.replace("-", " ").split() if words.kind(w.lower().strip(".,'’")) not in GENERIC_KINDS]
    return fold_key(" ".join(kept) or name)


# ---------------------------------------------------------------- spots

class PlacedRecord(Protocol):
    """An event or a fused report: a place told by its names, point and precision."""

    @property
    def country(self) -> str | None: ...
    @property
    def admin1(self) -> str | None: ...
    @property
    def admin2(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def location_text(self) -> str | None: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def geo_precision(self) -> int | None: ...


@dataclass(frozen=True)
class Spot:
    """A place as the relations see it.  Names are folded keys (`place_core`)."""

    name: str  # the canonical name
    text: str  # the name as written ("" when not known)
    country: str
    admin1: str
    admin2: str
    level: int | None  # COUNTRY, PROVINCE, DISTRICT, or None for a place below them
    latitude: float | None = None
    longitude: float | None = None
    precision: int = 3  # ACLED geo precision: 1 the place, 2 part of or near it, 3 its region only
    geonameid: int | None = None

    @property
    def names(self) -> set[str]:
        return {n for n in (self.name, self.text) if n}

    @property
    def precise(self) -> bool:
        """Its point is the place's own or a neighbour's, not a province's centre."""
        return self.precision < 3 and self.latitude is not None and self.longitude is not None

    @classmethod
    def of_record(cls, record: PlacedRecord) -> Spot:
        """An event's or a report's place.  Its level is read off its names: a location named as its
        country is the country; as its province, at precision 3, the province; as its district, the district."""
        name, country, admin1, admin2 = (place_core(record.location), place_core(record.country),
                                         place_core(record.admin1), place_core(record.admin2))
        precision = record.geo_precision or 3
        level = None
        if name and fold_key(record.location or "") == fold_key(record.country or ""):
            level = COUNTRY  # (by the whole name: 'Freedonia City' is no country)
        elif name and name == admin1 and precision == 3:
            level = PROVINCE
        elif name and name == admin2 and name != admin1 and precision >= 2:
            level = DISTRICT
        return cls(name, place_core(record.location_text), country, admin1, admin2, level,
                   record.latitude, record.longitude, precision, getattr(record, "geonameid", None))

    @classmethod
    def of_mention(cls, mention: PlaceMention) -> Spot:
        """A resolved mention: its level is its feature code's (any admin area but a district is a province)."""
        code = mention.feature_code or ""
        level = None
        if code.startswith("PCL"):
            level = COUNTRY
        elif code == "ADM2":
            level = DISTRICT
        elif code == "ADM1" or mention.feature_class == "A":
            level = PROVINCE
        admin1 = mention.admin1 or (mention.name if level == PROVINCE else None)
        admin2 = mention.admin2 or (mention.name if level == DISTRICT else None)
        return cls(place_core(mention.name), place_core(mention.text), place_core(mention.country),
                   place_core(admin1), place_core(admin2), level, mention.latitude, mention.longitude,
                   mention.geo_precision or 3, mention.geonameid)

    @classmethod
    def of_place(cls, place: Place, gazetteer: Gazetteer) -> Spot:
        """A gazetteer entry, its admin names looked up (an admin unit's own by its codes, as its places')."""
        level = COUNTRY if place.is_country else {"ADM1": PROVINCE, "ADM2": DISTRICT}.get(place.feature_code or "")
        country = gazetteer.country_name(place.country_code)
        admin1 = gazetteer.admin1_name(place.country_code, place.admin1_code) or (
            place.name if level == PROVINCE else None)
        admin2 = gazetteer.admin2_name(place.country_code, place.admin1_code, place.admin2_code) or (
            place.name if level == DISTRICT else None)
        precision = 3 if level in (COUNTRY, PROVINCE) else 2 if level == DISTRICT else 1
        return cls(place_core(place.name), "", place_core(country), place_core(admin1), place_core(admin2),
                   level, place.latitude, place.longitude, precision, place.geonameid)


# ---------------------------------------------------------------- relations

def distance_km(a: Spot, b: Spot) -> float | None:
    """Great-circle distance between the two points, None when one has none."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def same_place(a: Spot, b: Spot) -> bool:
    """One place: the same gazetteer entry; else the same name (as canonical or as written); else two
    precise points within SAME_PLACE_KM.  Never across countries; a province is not its namesake town."""
    if not a.name or not b.name or (a.country and b.country and a.country != b.country):
        return False
    if a.geonameid and b.geonameid:
        return a.geonameid == b.geonameid  # 'Eastland' the city is not 'Eastland' the province
    if a.names & b.names:
        return a.level == b.level  # a province and its namesake town are two places

    km = distance_km(a, b) if a.precise and b.precise else None
    return km is not None and km <= SAME_PLACE_KM


def contains(outer: Spot, inner: Spot) -> bool:
    """`outer` is a country, province or district that holds `inner` (by the admin names of `inner`).
    A town holds only the unknown places set in the province or district named after it: 'Eastland' the
    city holds 'Old Square' when the square, unknown to the gazetteer, was placed in Eastland province."""
    if not outer.name or outer.country != inner.country or same_place(outer, inner):
        return False
    if outer.level == COUNTRY:
        return inner.level != COUNTRY
    if outer.level == PROVINCE:
        return inner.admin1 == outer.admin1 and inner.level not in (COUNTRY, PROVINCE)
    if outer.level == DISTRICT:
        return inner.admin2 == outer.admin2 and inner.level is None
    return outer.name in (inner.admin1, inner.admin2) and inner.geonameid is None and inner.precision == 3


# ---------------------------------------------------------------- the article's focus

def lead_end(article: Article | None) -> int:
    """Where the article's lead (its first paragraphs) ends, 0 when there are none."""
    if article is None:
        return 0
    lead = [p for p in article.pieces if p.kind == "paragraph"][:LEAD_PARAGRAPHS]
    return lead[-1].end if lead else 0


def focus_country(places: Iterable[PlaceMention], article: Article | None = None) -> str | None:
    """The country the story happens in: its literal places, weighted up in the headline, captions and
    lead, and when finer than a country."""
    end = lead_end(article)
    weights: Counter[str] = Counter()
    for p in places:
        if not p.country or p.role != "literal":
            continue
        weight = 3 if p.start < end else 1
        specific = not (p.feature_code or "").startswith(("PCL", "ADM1")) and p.geo_precision in (1, 2)
        weights[p.country] += weight * (3 if specific else 1)
    return weights.most_common(1)[0][0] if weights else None


# ---------------------------------------------------------------- the article's geography

CORE_SHARE = 0.15  # a country with this share of the article's evidence is part of its geography
NAMED_COUNTRY, NAMED_ADJECTIVE, DATELINE = 1.0, 0.3, 1.0  # evidence that a country is the article's
ONE_COUNTRY_PLACE, AMBIGUOUS_PLACE = 1.5, 0.5  # a place whose name lies in one country only, or not


@dataclass(frozen=True)
class ArticleGeography:
    """The countries and provinces an article names or implies: the frame every candidate place is
    scored against.  `votes` gives each country its evidence by the name that gave it (countries named,
    by name or adjective; the dateline; places whose name lies in one country); `provinces` the
    (country, admin-1) units the text names ("X State", "the Y region", "in south Z") or
    its places lie in, each with the gazetteer ids of the places that vouch for it.  A name never
    vouches for itself: asked `besides` a name, the geography leaves that name's own evidence out."""

    votes: dict[str, dict[str, float]]  # country -> folded name -> evidence
    provinces: dict[tuple[str, str], frozenset[int]]
    # every country's share, and the main country, leaving out each name asked `besides` (computed on first ask:
    # a resolver asks the same few names again for every candidate)
    _shares: dict[str, dict[str, float]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _mains: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def countries(self) -> dict[str, float]:
        """Each country's share of the evidence."""
        total = sum(sum(by_name.values()) for by_name in self.votes.values())
        return {code: sum(by_name.values()) / total for code, by_name in self.votes.items()} if total else {}

    @property
    def main(self) -> str | None:
        """The country with the largest share (the first named, of equal ones)."""
        return self.main_besides("")

    def main_besides(self, name: str) -> str | None:
        if name not in self._mains:
            best = max(self.shares_besides(name).items(), key=lambda kv: kv[1], default=None)
            self._mains[name] = best[0] if best and best[1] > 0 else None
        return self._mains[name]

    def share(self, code: str | None, besides: str = "") -> float:
        """The country's share of the evidence, leaving out what the name `besides` gave."""
        return self.shares_besides(besides).get(code or "", 0.0)

    def shares_besides(self, besides: str) -> dict[str, float]:
        """Each country's share of the evidence (in the order of `votes`), leaving out what the name
        `besides` gave."""
        if besides not in self._shares:
            total = sum(v for by_name in self.votes.values() for name, v in by_name.items() if name != besides)
            mine = {code: sum(v for name, v in by_name.items() if name != besides) for code, by_name in self.votes.items()}
            self._shares[besides] = {code: n / total if total > 0 else 0.0 for code, n in mine.items()}
        return self._shares[besides]

    def says_elsewhere(self, besides: str) -> bool:
        """Besides the name `besides`, the article names at least two places or countries (a lone
        adjective or a misread name is no geography to hold a name against)."""
        return len({name for by_name in self.votes.values() for name in by_name if name != besides}) >= 2

    def names_province(self, place: Place) -> bool:
        """The place lies in a province the article names or places its other places in (a place does
        not vouch for its own province: 'X State' named once does not make itself more likely)."""
        named = self.provinces.get((place.country_code or "", place.admin1_code or ""), frozenset())
        return bool(named - {place.geonameid})

    def holds(self, place: Place, besides: str = "") -> bool:
        """The place lies in the article's geography: one of its countries, or a province it names."""
        return self.share(place.country_code, besides) >= CORE_SHARE or self.names_province(place)

    def centre(self, place: Place, besides: str = "") -> bool:
        """The place lies in the article's main country: where a name known only by a variant spelling,
        or by a close one, may be looked for."""
        main = self.main_besides(besides)
        return main is not None and (place.country_code or "") == main


class GeographyEvidence:
    """Collects what an article says about where it is, then weighs it into an ArticleGeography.
    Countries named set a prior; places inside a country then add votes scaled by that prior, so a
    lone namesake abroad cannot pull the geography."""

    def __init__(self) -> None:
        self.named: dict[str, dict[str, float]] = {}
        self.inner: list[tuple[str, str, float]] = []
        self.provinces: dict[tuple[str, str], set[int]] = {}

    def country_named(self, code: str | None, weight: float, name: str) -> None:
        """Country `code` is named (by `name`, folded), or is the dateline's."""
        if code:
            by_name = self.named.setdefault(code, {})
            by_name[name] = by_name.get(name, 0.0) + weight

    def place_named(self, code: str | None, weight: float, name: str) -> None:
        """A place of country `code` is named (by `name`, folded)."""
        if code:
            self.inner.append((code, name, weight))

    def province_named(self, code: str | None, admin1: str | None, by: int) -> None:
        """Province `admin1` of country `code` is named, or holds a place of the article (gazetteer id `by`)."""
        if code and admin1 and admin1 != "00":
            self.provinces.setdefault((code, admin1), set()).add(by)

    def geography(self) -> ArticleGeography:
        named = {code: sum(by_name.values()) for code, by_name in self.named.items()}
        total_named = sum(named.values())
        prior = {code: n / total_named for code, n in named.items()} if total_named else {}
        votes = {code: dict(by_name) for code, by_name in self.named.items()}
        for code, name, weight in self.inner:
            by_name = votes.setdefault(code, {})
            by_name[name] = by_name.get(name, 0.0) + (weight * (0.2 + prior.get(code, 0.0)) if prior else weight)
        return ArticleGeography(votes, {k: frozenset(v) for k, v in self.provinces.items()})
