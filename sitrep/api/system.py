"""GET /health and GET /places."""
from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from .. import __version__
from ..store.queries import count_places, list_places, table_counts
from .deps import check_page, get_settings, read_connection
from .models import Health, Place, PlacePage
from .settings import ApiSettings
from .web import assets_present

router = APIRouter()


@router.get("/health", response_model=Health, tags=["system"], summary="Liveness and store counts")
def health(conn: sqlite3.Connection = Depends(read_connection),
           settings: ApiSettings = Depends(get_settings)) -> Health:
    return Health(status="ok", version=__version__, counts=table_counts(conn),
                  writes_enabled=settings.token is not None, web_assets=assets_present(settings))


@router.get("/places", response_model=PlacePage, tags=["places"],
            summary="Resolved places, most often named first")
def places(country: Annotated[str | None, Query(max_length=100, description="Country name or ISO code")] = None,
           q: Annotated[str | None, Query(max_length=200, description="Name prefix")] = None,
           limit: Annotated[int, Query(ge=1)] = 100,
           offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
           conn: sqlite3.Connection = Depends(read_connection),
           settings: ApiSettings = Depends(get_settings)) -> PlacePage:
    check_page(limit, offset, settings)
    rows = list_places(conn, country=country, q=q, limit=limit, offset=offset)
    return PlacePage(total=count_places(conn, country=country, q=q), limit=limit, offset=offset,
                     places=[Place(**r) for r in rows])
