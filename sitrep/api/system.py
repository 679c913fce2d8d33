"""GET /health and GET /places."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from .. import __version__
from ..store.queries import count_places, list_places, table_counts
from .deps import Connection, Settings, no_control_characters, page_limit
from .models import Health, Place, PlacePage
from .web import assets_present

router = APIRouter()


@router.get("/health", response_model=Health, tags=["system"], summary="Liveness and store counts")
def health(conn: Connection, settings: Settings) -> Health:
    return Health(status="ok", version=__version__, counts=table_counts(conn),
                  writes_enabled=settings.token is not None, web_assets=assets_present(settings))


@router.get("/places", response_model=PlacePage, tags=["places"],
            summary="Resolved places, most often named first")
def places(conn: Connection, settings: Settings,
           country: Annotated[str | None, Query(max_length=100, description="Country name or ISO code")] = None,
           q: Annotated[str | None, Query(max_length=200, description="Name prefix")] = None,
           limit: Annotated[int | None, Query(ge=1, description="Page size (default 100)")] = None,
           offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> PlacePage:
    limit = page_limit(limit, settings)
    no_control_characters("country", country)
    no_control_characters("q", q)
    rows = list_places(conn, country=country, q=q, limit=limit, offset=offset)
    return PlacePage(total=count_places(conn, country=country, q=q), limit=limit, offset=offset,
                     places=[Place(**r) for r in rows])
