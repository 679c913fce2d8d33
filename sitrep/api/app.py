"""The app factory: one FastAPI app over one store file; no module-level state."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from .. import __version__
from ..store import is_postgres_url, open_store
from ..store.queries import schema_is_current
from . import articles, events, explain, review, system, web
from .errors import ErrorBody, install_error_handlers
from .ingest import Writer
from .middleware import BodySizeLimit, HostAllowlist, RateLimit, SecurityHeaders, TokenGate
from .settings import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAGE_SIZE, ApiSettings, token_from_env

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody,
            "description": "Client error: bad parameter, unknown id, missing token, body too large"},
    "5XX": {"model": ErrorBody, "description": "Server error, e.g. a query over its time limit"},
}
DESCRIPTION = """Events coded from conflict news, with the sentence and article each came from, and
the analysts' reviews (confirmed, corrected, rejected, merged and split events).

Reads are open. Writes (`POST /articles`, every review) need the token the server was started with
(`SITREP_TOKEN`), sent as `Authorization: Bearer <token>`. Every error has the body
`{"error": {"code", "message"}}`."""


def create_app(db_path: str | Path, *, token: str | None = None, max_page_size: int = DEFAULT_MAX_PAGE_SIZE,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, read_token_from_env: bool = True,
               pipeline_factory: Callable[[], Any] | None = None, node_modules: Path | None = None,
               **options: Any) -> FastAPI:
    """Build the API and web page over the store at `db_path`, a file or a postgresql:// URL (created
    and migrated if new).

    `token` enables writes; without one, `SITREP_TOKEN` is read unless `read_token_from_env` is False.
    """
    settings = ApiSettings(db_path=str(db_path), token=token or (token_from_env() if read_token_from_env else None),
                           max_page_size=max_page_size, max_body_bytes=max_body_bytes,
                           pipeline_factory=pipeline_factory, node_modules=node_modules, **options)
    return build_app(settings)


def build_app(settings: ApiSettings) -> FastAPI:
    if is_postgres_url(settings.db_path) or not schema_is_current(settings.db_path):
        open_store(settings.db_path).close()  # create or migrate before any reader opens it
    app = FastAPI(title="sitrep", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, responses=ERROR_RESPONSES)
    app.state.settings = settings
    app.state.writer = Writer(settings.pipeline_factory)
    install_error_handlers(app)
    routers = [module.router for module in (events, explain, review, articles, system, web)]
    for router in routers:
        app.include_router(router)  # no prefix: the routers' own routes match the app's paths
    # Outermost last: security headers, then the Host allowlist, the rate limit, the token (before any
    # body is read), and the body size limit next to the app.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(TokenGate, settings=settings, routes=[r for router in routers for r in router.routes])
    if settings.rate_limit is not None:
        app.add_middleware(RateLimit, rate=settings.rate_limit, burst=settings.rate_burst)
    if settings.allowed_hosts is not None:
        app.add_middleware(HostAllowlist, allowed=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app
