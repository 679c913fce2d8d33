"""GET /health and GET /places."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from .. import __version__
from .deps import Reader, Settings, no_control_characters, page_limit
from .models import Health, Place, PlacePage
from .web import assets_present

router = APIRouter()


@router.get("/health", response_model=Health, tags=["system"], summary="Liveness and store counts")
def health(store: Reader, settings: Settings) -> Health:
    return Health(status="ok", version=__version__, counts=store.table_counts(),
                  writes_enabled=settings.token is not None, web_assets=assets_present(settings))


@router.get("/places", response_model=PlacePage, tags=["places"],
            summary="Resolved places, most often named first")
def places(store: Reader, settings: Settings,
           country: Annotated[str | None, Query(max_length=100, description="Country name or ISO code")] = None,
           q: Annotated[str | None, Query(max_length=200, description="Name prefix")] = None,
           limit: Annotated[int | None, Query(ge=1, description="Page size (default 100)")] = None,
           offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> PlacePage:
    limit = page_limit(limit, settings)
    no_control_characters("country", country)
    no_control_characters("q", q)
    rows = store.list_places(country=country, q=q, limit=limit, offset=offset)
    return PlacePage(total=store.count_places(country=country, q=q), limit=limit, offset=offset,
                     places=[Place(**r) for r in rows])
