"""Request dependencies: the app's settings and a store opened for reading per request."""
from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from ..store import AnyStore, open_reader
from .errors import ApiError
from .settings import TOKEN_ENV, ApiSettings

DEFAULT_PAGE_SIZE = 100
bearer = HTTPBearer(auto_error=False, description=f"The token set in {TOKEN_ENV}; needed for writes only")


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


Settings = Annotated[ApiSettings, Depends(get_settings)]


def read_store(settings: Settings) -> Iterator[AnyStore]:
    """The store (a file opened read-only, or a database connection) with a per-query time limit,
    closed after the request."""
    store = open_reader(settings.db_path, timeout_ms=settings.query_timeout_ms)
    try:
        yield store
    finally:
        store.close()


Reader = Annotated[AnyStore, Depends(read_store)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def token_refusal(settings: ApiSettings, authorization: str | None) -> ApiError | None:
    """Why a write with this Authorization header is refused (None: it carries the configured token,
    compared in constant time). Used by `require_token` and, before the body is read, by TokenGate."""
    if settings.token is None:
        return ApiError(403, "writes_disabled",
                        f"Writes are disabled: start the server with {TOKEN_ENV} set to enable ingest and reviews.")
    scheme, given = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer":
        given = ""
    if not hmac.compare_digest(given.encode("utf-8"), settings.token.encode("utf-8")):
        return ApiError(401, "unauthorized", "A valid token is needed: send 'Authorization: Bearer <token>'.",
                        headers={"WWW-Authenticate": "Bearer"})
    return None


def require_token(settings: Settings, credentials: Credentials) -> None:
    """Refuse a write unless it carries the configured token."""
    refusal = token_refusal(settings, f"Bearer {credentials.credentials}" if credentials else None)
    if refusal is not None:
        raise refusal


def page_limit(limit: int | None, settings: ApiSettings) -> int:
    """The page size asked for, or the default; over the server's maximum is a 400."""
    if limit is None:
        return min(DEFAULT_PAGE_SIZE, settings.max_page_size)
    if limit > settings.max_page_size:
        raise ApiError(400, "bad_parameter",
                       f"limit: {limit} is over the maximum page size of {settings.max_page_size}; page with offset.")
    return limit


def no_control_characters(name: str, value: str | None) -> None:
    """Refuse (400) a text parameter holding NUL or other control characters: SQLite would cut the
    string at a NUL, so 'actor=\\0' would match every actor."""
    if value is not None and any(ord(c) < 32 or c == "\x7f" for c in value):
        raise ApiError(400, "bad_parameter", f"{name}: control characters (such as NUL) are not allowed.")
