"""The records that flow along sitrep's data path.

read -> clean -> analyse -> places -> events -> store -> serve.  Every stage takes
and returns these typed records; nothing travels as an ad-hoc dict.  Offsets
(`start`, `end`) always point into `Article.text`, the cleaned text that was
analysed and is stored, so every figure can be traced to its words.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

PieceKind = Literal["title", "caption", "paragraph"]


@dataclass(frozen=True)
class Piece:
    """One title, caption or body paragraph of an article."""

    kind: PieceKind
    text: str
    start: int  # offset into Article.text
    end: int
    source_line: int | None = None  # 1-based line in the original input, where known


@dataclass
class RawDocument:
    """What a reader yields: one article's text before cleaning, with what the input said of it."""

    doc_id: str
    text: str
    source: str  # path, URL or '-' for stdin
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    title: str | None = None
    captions: list[str] = field(default_factory=list)
    line_offset: int = 0  # line of the input where this document starts (0-based)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Article:
    """A cleaned article: title, captions and paragraphs joined into `text`."""

    doc_id: str
    text: str
    pieces: list[Piece]
    source: str
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    published_from: str | None = None  # 'metadata', 'url', 'dateline', 'dateline-text', ...
    title: str | None = None
    byline: str | None = None
    dateline_place: str | None = None
    dateline_span: tuple[int, int] | None = None  # offsets of the dateline ("BEIRUT (AP) —") in text

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def captions(self) -> list[Piece]:
        return [p for p in self.pieces if p.kind == "caption"]

    @property
    def paragraphs(self) -> list[Piece]:
        return [p for p in self.pieces if p.kind == "paragraph"]


@dataclass
class PlaceMention:
    """A place named in an article, resolved against the gazetteer where possible."""

    doc_id: str
    text: str  # as written
    start: int
    end: int
    name: str | None = None  # canonical
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    feature_class: str | None = None  # GeoNames class: P populated place, A admin, H, T, L ...
    feature_code: str | None = None
    geo_precision: int | None = None  # ACLED: 1 the place, 2 part of/near it, 3 region only
    role: str = "literal"  # 'literal' or 'metonym' (a capital naming its government)
    source: str = "ner"  # how it was recognised: 'ner', 'context', 'gazetteer'

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Actor:
    """A normalised actor: canonical name, ACLED inter code (1-8) and country."""

    name: str
    inter: int
    country: str | None = None
    text: str | None = None  # as written
    start: int | None = None
    end: int | None = None


@dataclass
class Event:
    """One ACLED-style event with the evidence it came from."""

    doc_id: str
    event_type: str
    sub_event_type: str
    actor1: str | None = None
    actor2: str | None = None
    inter1: int | None = None
    inter2: int | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    geonameid: int | None = None
    event_date: str | None = None  # YYYY-MM-DD
    time_precision: int | None = None  # 1 day, 2 week, 3 month
    date_text: str | None = None
    date_from: str | None = None  # 'sentence': the evidence dates it; 'context': an earlier sentence did
    fatalities: int = 0
    fatalities_text: str | None = None
    toll_update: bool = False  # the figure is a later report that updates a toll ("rose to four")
    evidence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0
    trigger: str | None = None
    weapon: str | None = None
    reported_by: str | None = None
    source: str | None = None  # outlet
    source_url: str | None = None
    confidence: float = 0.5
    plover: str | None = None
    cameo: str | None = None

    @property
    def event_id(self) -> str:
        """Stable id: the same article coded the same way gives the same id."""
        key = "|".join(
            str(x)
            for x in (self.doc_id, self.event_type, self.sub_event_type, self.location,
                      self.location_text, self.event_date, self.actor1, self.actor2,
                      self.evidence_start)
        )
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["event_id"] = self.event_id
        return row


@dataclass(frozen=True)
class Quote:
    """A direct quote with its speaker, as the article gives them."""

    doc_id: str
    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_role: str | None = None


@dataclass(frozen=True)
class Reject:
    """An input that could not be read, and why."""

    source: str
    reason: str
    code: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: [{self.code}] {self.reason}"


@dataclass
class Extraction:
    """Everything the pipeline found in one article."""

    article: Article
    places: list[PlaceMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    explanation: dict[str, Any] | None = None  # why the decision model coded what it coded (sitrep explain)
