"""The API's request and response bodies; they are what the OpenAPI document shows."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$"


class Event(BaseModel):
    event_id: str
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
    event_date: str | None = None
    time_precision: int | None = None
    date_text: str | None = None
    fatalities: int = 0
    fatalities_text: str | None = None
    trigger: str | None = None
    weapon: str | None = None
    confidence: float | None = None
    plover: str | None = None
    cameo: str | None = None
    doc_id: str = Field(description="The article the event was first coded from")
    source: str | None = Field(None, description="That article's outlet")
    source_url: str | None = None
    evidence: str | None = Field(None, description="The sentence the event was coded from")
    evidence_start: int | None = None
    evidence_end: int | None = None
    reported_by: str | None = None
    source_count: int | None = Field(None, description="Fused events: independent sources (wire copies count once)")
    lead_event_id: str | None = Field(None, description="Fused events: the report whose article and evidence stand for it")


class EventPage(BaseModel):
    total: int = Field(description="Events matching the filters, over all pages")
    limit: int
    offset: int
    events: list[Event]


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[longitude, latitude]")


class EventFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry | None
    properties: Event


class EventFeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    total: int
    limit: int
    offset: int
    features: list[EventFeature]


class Source(BaseModel):
    doc_id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    reported_by: str | None = None
    evidence: str
    evidence_start: int
    evidence_end: int


class EventDetail(Event):
    sources: list[Source]


class Span(BaseModel):
    kind: Literal["place", "actor", "evidence"]
    start: int = Field(description="Offset into the article text (characters)")
    end: int
    text: str
    label: str | None = Field(None, description="Canonical place or actor name, or the event type")
    ref: str | None = Field(None, description="Event id of an evidence span; GeoNames id of a place")
    detail: dict[str, Any] | None = None


class Piece(BaseModel):
    kind: str
    start: int
    end: int


class ArticleDetail(BaseModel):
    doc_id: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    byline: str | None = None
    dateline_place: str | None = None
    duplicate_of: str | None = None
    text: str = Field(description="Plain text; show it as text, never as HTML")
    pieces: list[Piece]
    spans: list[Span]
    event_ids: list[str]


class Place(BaseModel):
    name: str
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    feature_class: str | None = None
    feature_code: str | None = None
    mentions: int
    articles: int


class PlacePage(BaseModel):
    total: int
    limit: int
    offset: int
    places: list[Place]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    counts: dict[str, int]
    writes_enabled: bool
    web_assets: bool


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=DOC_ID_PATTERN, description="Your id for the article")]
    text: Annotated[str, Field(min_length=1, description="The article's plain text")]
    url: Annotated[str | None, Field(max_length=2000)] = None
    outlet: Annotated[str | None, Field(max_length=300)] = None
    published: date | None = None
    title: Annotated[str | None, Field(max_length=1000)] = None


class IngestedArticle(BaseModel):
    id: str
    stored: bool
    events: int
    href: str | None


class IngestResult(BaseModel):
    received: int
    stored: int
    articles: list[IngestedArticle]
    rejects: list[str]
