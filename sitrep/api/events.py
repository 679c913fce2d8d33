"""GET /events and GET /events/{event_id}."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from ..store import AnyStore
from ..store.schema import EventQuery
from .deps import Reader, Settings, no_control_characters, page_limit
from .errors import ApiError
from .models import (
    Event,
    EventDetail,
    EventFeature,
    EventFeatureCollection,
    EventPage,
    PointGeometry,
    ReviewRecord,
    Source,
)

router = APIRouter(tags=["events"])
Text = Annotated[str | None, Query(max_length=200)]
EVENT_ID_PATTERN = r"^f?[0-9a-f]{16}$"  # a report's event; 'f…' a fused event
FUSED_ID_LENGTH = 17
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def iso_day(name: str, value: str | None) -> date | None:
    """'2024-08-05' -> a date; only this form (a bare number is not a date); a 400 ApiError otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"{name}: {value!r} is not a day; give YYYY-MM-DD.") from None


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """'min_lon,min_lat,max_lon,max_lat' -> a checked tuple; raises a 400 ApiError otherwise."""
    if value is None:
        return None
    parts = value.split(",")
    try:
        box = tuple(float(p) for p in parts)
    except ValueError:
        box = ()
    if len(box) != 4:
        raise ApiError(400, "bad_parameter", "bbox: give four numbers 'min_lon,min_lat,max_lon,max_lat'.")
    min_lon, min_lat, max_lon, max_lat = box
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApiError(400, "bad_parameter", "bbox: need -180 <= min_lon <= max_lon <= 180 and "
                                             "-90 <= min_lat <= max_lat <= 90.")
    return min_lon, min_lat, max_lon, max_lat


def event_query(
    settings: Settings,
    country: Text = None, admin1: Text = None, event_type: Text = None, sub_event_type: Text = None,
    actor: Text = None,
    since: Annotated[str | None, Query(pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                                       description="First event date (YYYY-MM-DD), inclusive")] = None,
    until: Annotated[str | None, Query(pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                                       description="Last event date (YYYY-MM-DD), inclusive")] = None,
    bbox: Annotated[str | None, Query(max_length=100, description="min_lon,min_lat,max_lon,max_lat")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the source article (full text)")] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size (default 100), at most the maximum")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    fused: Annotated[bool, Query(description="One row per real-world event, fused over the articles that "
                                             "report it (ids 'f…'), instead of one per report")] = False,
    rejected: Annotated[bool, Query(description="Only the events an analyst rejected (which every other "
                                                "listing leaves out)")] = False,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0, description=(
        "Only events the decision model gives at least this calibrated probability (reviewed events pass)"))] = None,
) -> EventQuery:
    """The filters of GET /events, checked."""
    limit = page_limit(limit, settings)
    for name, value in (("country", country), ("admin1", admin1), ("event_type", event_type),
                        ("sub_event_type", sub_event_type), ("actor", actor)):
        no_control_characters(name, value)  # q may hold any character: fts_phrase reads it as words
    first, last = iso_day("since", since), iso_day("until", until)
    if first and last and first > last:
        raise ApiError(400, "bad_parameter", f"since ({first}) is after until ({last}).")
    return EventQuery(country=country, admin1=admin1, event_type=event_type, sub_event_type=sub_event_type,
                      actor=actor, since=first.isoformat() if first else None,
                      until=last.isoformat() if last else None, bbox=parse_bbox(bbox),
                      q=search_words(q), limit=limit, offset=offset, fused=fused, rejected=rejected,
                      min_confidence=min_confidence)


def search_words(q: str | None) -> str | None:
    """`q` to search for; None (no filter) only when absent or blank from a form ('' or ASCII spaces).

    Any other q goes to the store, which matches nothing for text of no words: stripping it here with
    str.strip() turned a q of U+2028 or U+00A0 alone into no filter, so it matched every event."""
    if q is None or (q.isascii() and not q.strip()):
        return None
    return q


def to_feature(event: Event) -> EventFeature:
    geometry = None
    if event.latitude is not None and event.longitude is not None:
        geometry = PointGeometry(coordinates=(event.longitude, event.latitude))
    return EventFeature(id=event.event_id, geometry=geometry, properties=event)


@router.get("/events", response_model=EventPage | EventFeatureCollection,
            summary="Events matching filters, a page at a time, as JSON or GeoJSON (analysts' corrections applied)")
def events(query: Annotated[EventQuery, Depends(event_query)], store: Reader,
           fmt: Annotated[Literal["json", "geojson"], Query(alias="format")] = "json") -> Any:
    total, reviewed, page = store.listing(query)
    rows = [Event(**r) for r in page]
    if fmt == "geojson":
        return EventFeatureCollection(total=total, reviewed=reviewed, limit=query.limit, offset=query.offset,
                                      features=[to_feature(e) for e in rows])
    return EventPage(total=total, reviewed=reviewed, limit=query.limit, offset=query.offset, events=rows)


def event_detail(store: AnyStore, event_id: str) -> EventDetail:
    """One event (rejected ones too) with every source and, for a fused event, its review record."""
    fused = len(event_id) == FUSED_ID_LENGTH  # 'f' and 16 hex digits (a report's id may start with 'f' too)
    row = store.event(event_id, fused=fused)
    if row is None:
        raise ApiError(404, "not_found", f"No event with id {event_id}.")
    review = ReviewRecord(**store.review_record(event_id)) if fused else None
    return EventDetail(**row, sources=[Source(**s) for s in store.event_sources(event_id, fused=fused)],
                       review=review)


@router.get("/events/{event_id}", response_model=EventDetail, summary="One event with all its sources and its review")
def event(event_id: Annotated[str, Path(pattern=EVENT_ID_PATTERN,
                                          description="16 hex digits; 'f' and 16 hex digits for a fused event")],
          store: Reader) -> EventDetail:
    return event_detail(store, event_id)
