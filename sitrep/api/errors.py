"""One JSON error shape for every failure: {"error": {"code": ..., "message": ...}}."""
from __future__ import annotations

import logging
import sqlite3

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import StoreError

log = logging.getLogger(__name__)

STATUS_CODES = {400: "bad_parameter", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
                408: "request_timeout", 422: "invalid_body", 429: "rate_limited", 500: "internal_error",
                503: "unavailable"}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An error that carries its HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    parts, in_body = [], False
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        in_body = in_body or (bool(loc) and loc[0] == "body")
        where = ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc)
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    status = 422 if in_body else 400
    return status, STATUS_CODES[status], "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(StoreError)
    async def store_write_error(request: Request, exc: StoreError) -> JSONResponse:
        log.error("store error on %s %s: %s", request.method, request.url.path, exc)
        return error_response(503, "store_error", f"The store could not be written ({exc.reason}); nothing of this "
                                                  "request was stored. Try again later.")

    @app.exception_handler(sqlite3.DatabaseError)  # OperationalError, and a file gone corrupt under the server
    async def store_error(request: Request, exc: sqlite3.DatabaseError) -> JSONResponse:
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            return _timeout()
        log.error("store error on %s %s: %s", request.method, request.url.path, exc)
        return error_response(500, "store_error", "The store could not answer; see the server log.")

    @app.exception_handler(psycopg.Error)
    async def database_error(request: Request, exc: psycopg.Error) -> JSONResponse:
        if isinstance(exc, psycopg.errors.QueryCanceled):
            return _timeout()
        log.error("database error on %s %s: %s", request.method, request.url.path, exc)
        return error_response(500, "store_error", "The store could not answer; see the server log.")


    @app.exception_handler(Exception)  # anything else: still the one shape, the traceback in the log only
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s: %r", request.method, request.url.path, exc)
        return error_response(500, "internal_error", "The server failed to answer this request; see its log.")


def _timeout() -> JSONResponse:
    return error_response(503, "query_timeout", "The query ran past its time limit; narrow the filters.")
