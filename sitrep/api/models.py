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
    review_status: Literal["confirmed", "corrected", "rejected", "merged", "split"] | None = Field(
        None, description="An analyst's verdict (fields above are the corrected ones); null: not reviewed")
    reviewed_by: str | None = None
    reviewed_at: str | None = Field(None, description="When it was last reviewed (UTC, ISO 8601)")
    review_stale: int = Field(0, description="1 when the machine's reading changed since the review")


class EventPage(BaseModel):
    total: int = Field(description="Events matching the filters, over all pages")
    reviewed: int = Field(0, description="Of those, how many an analyst confirmed or corrected")
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
    reviewed: int = 0
    limit: int
    offset: int
    features: list[EventFeature]


class Source(BaseModel):
    event_id: str = Field(description="The report's own event id (give it to a split)")
    doc_id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    reported_by: str | None = None
    evidence: str
    evidence_start: int
    evidence_end: int


class ReviewEntry(BaseModel):
    id: int
    action: Literal["confirm", "correct", "reject", "merge", "split"]
    reviewer: str
    reviewed_at: str
    event_id: str = Field(description="The id the analyst reviewed")
    changes: dict[str, Any] = Field(description="Corrected fields and their new values")
    machine: dict[str, Any] = Field(description="The machine's reading when reviewed")
    note: str | None = None
    moved: list[str] = Field(description="A split: the reports it took out")


class ReviewRecord(BaseModel):
    event_id: str
    status: Literal["confirmed", "corrected", "rejected", "merged", "split"] | None
    reviewed_by: str | None
    reviewed_at: str | None
    stale: bool = Field(description="The machine's reading changed since the review")
    machine: dict[str, Any] = Field(description="The machine's reading now (fused over the event's reports)")
    corrected: dict[str, Any] = Field(description="The fields analysts corrected, with their values")
    history: list[ReviewEntry]


class EventDetail(Event):
    sources: list[Source]
    review: ReviewRecord | None = Field(None, description="Fused events: the machine's reading, the corrections "
                                                          "and every review")


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


REVIEWER = Field(min_length=1, max_length=100, description="Who reviews (recorded with the time)")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: Annotated[str, REVIEWER]
    action: Literal["confirm", "correct", "reject"]
    changes: dict[Annotated[str, Field(max_length=40)], str | int | float | None] = Field(
        default_factory=dict, max_length=40,
        description="Fields and their corrected values, e.g. {\"fatalities\": 9}; {\"place\": GEONAMEID} picks "
                    "the place from the gazetteer; a typed location needs latitude and longitude")
    note: Annotated[str | None, Field(max_length=2000)] = None


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: Annotated[str, REVIEWER]
    event_ids: Annotated[list[Annotated[str, Field(pattern=r"^f?[0-9a-f]{16}$")]], Field(min_length=2, max_length=20)]
    note: Annotated[str | None, Field(max_length=2000)] = None


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: Annotated[str, REVIEWER]
    reports: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(min_length=1, max_length=100)] = Field(
        description="The reports to take out: their event ids or their articles' doc_ids")
    note: Annotated[str | None, Field(max_length=2000)] = None


class SplitResult(BaseModel):
    event_id: str = Field(description="The event, with the reports that stayed")
    split_off: str = Field(description="The event the moved reports now make")


class GazetteerPlace(BaseModel):
    geonameid: int
    location: str
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int
    feature_code: str | None = None
    population: int = 0


class GazetteerPage(BaseModel):
    places: list[GazetteerPlace]


class Codebook(BaseModel):
    event_types: dict[str, list[str]] = Field(description="ACLED event type -> its sub-event types")
    fields: list[str] = Field(description="The names a correction may use (aliases and 'place' included)")
