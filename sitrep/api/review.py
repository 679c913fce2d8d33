"""Analysts' reviews over HTTP: the queue, confirm / correct / reject, merge, split, and the gazetteer
search the page picks places from.  Every write needs the token and names its reviewer."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from ..errors import ReviewError
from ..store import open_store
from .deps import Reader, Settings, no_control_characters, page_limit, require_token
from .errors import ApiError
from .events import EVENT_ID_PATTERN, event_detail
from .models import (
    Codebook,
    Event,
    EventDetail,
    EventPage,
    GazetteerPage,
    GazetteerPlace,
    MergeIn,
    ReviewIn,
    SplitIn,
    SplitResult,
)

router = APIRouter(tags=["review"])
T = TypeVar("T")
EventId = Annotated[str, Path(pattern=EVENT_ID_PATTERN, description="A fused event's id ('f' and 16 hex digits), "
                                                                     "or a report's (its fused event is reviewed)")]


def _write(request: Request, settings: Settings, action: Callable[[Any], T]) -> T:
    """Run one review on a store opened for writing, one write at a time; a bad review is a clear 4xx."""
    with request.app.state.writer.lock, open_store(settings.db_path) as store:
        try:
            return action(store)
        except ReviewError as exc:
            if exc.code == "E041":
                raise ApiError(404, "not_found", exc.reason) from None
            raise ApiError(422, "invalid_review", exc.reason) from None


@router.get("/review/queue", response_model=EventPage,
            summary="Fused events to review, least confident first (or those reviewed, or rejected)")
def queue(store: Reader, settings: Settings,
          status: Annotated[Literal["unreviewed", "reviewed", "rejected"], Query()] = "unreviewed",
          limit: Annotated[int | None, Query(ge=1, description="Page size (default 100)")] = None,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> EventPage:
    limit = page_limit(limit, settings)
    rows = [Event(**r) for r in store.review_queue(status, limit=limit, offset=offset)]
    total = store.count_queue(status)
    return EventPage(total=total, reviewed=total if status == "reviewed" else 0, limit=limit, offset=offset,
                     events=rows)


@router.post("/events/{event_id}/review", response_model=EventDetail, dependencies=[Depends(require_token)],
             summary="Confirm, correct or reject an event (token needed); the event keeps its id")
def review_event(event_id: EventId, request: Request, settings: Settings,
                 payload: Annotated[ReviewIn, Body()]) -> EventDetail:
    target = _write(request, settings, lambda store: store.review(
        event_id, reviewer=payload.reviewer, action=payload.action, changes=payload.changes, note=payload.note))
    return _detail(settings, target)


@router.post("/events/merge", response_model=EventDetail, dependencies=[Depends(require_token)],
             summary="Make several events one (token needed); the first id is kept")
def merge_events(request: Request, settings: Settings, payload: Annotated[MergeIn, Body()]) -> EventDetail:
    target = _write(request, settings, lambda store: store.merge_events(
        payload.event_ids, reviewer=payload.reviewer, note=payload.note))
    return _detail(settings, target)


@router.post("/events/{event_id}/split", response_model=SplitResult, dependencies=[Depends(require_token)],
             summary="Take reports out of a fused event, for good (token needed)")
def split_event(event_id: EventId, request: Request, settings: Settings,
                payload: Annotated[SplitIn, Body()]) -> SplitResult:
    kept, moved = _write(request, settings, lambda store: store.split_event(
        event_id, payload.reports, reviewer=payload.reviewer, note=payload.note))
    return SplitResult(event_id=kept, split_off=moved)


def _detail(settings: Settings, event_id: str) -> EventDetail:
    from ..store import open_reader

    with open_reader(settings.db_path, timeout_ms=settings.query_timeout_ms) as store:
        return event_detail(store, event_id)


@router.get("/review/codebook", response_model=Codebook,
            summary="What a correction may hold: ACLED's event types with their sub-event types, and the fields")
def codebook() -> Codebook:
    from ..corrections import field_names
    from ..events.lexicon import event_types

    types: dict[str, list[str]] = {}
    for kind, sub in event_types():
        types.setdefault(kind, []).append(sub)
    return Codebook(event_types=types, fields=field_names())


@lru_cache(maxsize=1)
def _gazetteer() -> Any:
    from ..gazetteer.store import Gazetteer

    return Gazetteer.open()


@router.get("/gazetteer", response_model=GazetteerPage,
            summary="Places in the offline gazetteer by name, to pick an event's place from")
def gazetteer(q: Annotated[str, Query(min_length=2, max_length=100, description="A place name")],
              country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$",
                                                   description="ISO code, for close spellings")] = None,
              limit: Annotated[int, Query(ge=1, le=50)] = 20) -> GazetteerPage:
    from ..corrections import place_fields

    no_control_characters("q", q)
    g = _gazetteer()
    found = list(g.lookup(q))
    if not found and country:
        found = [p for p, _ in g.fuzzy(q, country.upper(), limit=limit)]
    found.sort(key=lambda p: (-(p.population or 0), p.geonameid))
    places = [GazetteerPlace(**place_fields(g, p), feature_code=p.feature_code, population=p.population)
              for p in found[:limit]]
    return GazetteerPage(places=places)
