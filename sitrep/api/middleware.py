"""ASGI middleware: a Host allowlist, a per-client rate limit, the write token checked before any body is read,
a request-body size limit and security headers; refusals in the one error shape."""
from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .deps import require_token, token_refusal
from .settings import ApiSettings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
CLOSE = (b"connection", b"close")
DISCONNECTED = object()  # what BodySizeLimit._read_body gives when the client went away mid-body


async def send_error(send: Send, status: int, code: str, message: str,
                     headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """A whole response in the one error shape, straight from ASGI middleware."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def unread_body(scope: Scope) -> list[tuple[bytes, bytes]]:
    """`connection: close` for a refusal that leaves a request's body unread (so the server stops reading
    it at once, not at the body deadline); nothing for a request without a body."""
    length = _content_length(scope)
    has_body = (length is not None and length > 0) or _header(scope, b"transfer-encoding") is not None
    return [CLOSE] if has_body else []


def host_name(value: str) -> str:
    """A Host header's host, lower case, without port or brackets: '[::1]:8000' -> '::1'."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class HostAllowlist:
    """Refuse (400 `unknown_host`) a request whose Host header names a host not in `allowed` ('*': any).

    A page on another site that rebinds its own DNS name to 127.0.0.1 is same-origin for the browser
    but still sends its own name as Host, so this closes the local API to DNS rebinding.
    """

    def __init__(self, app: ASGIApp, allowed: Sequence[str]):
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        raw = _header(scope, b"host")
        name = host_name(raw.decode("latin-1")) if raw is not None else None
        if name is None or name in self.allowed:  # no Host at all (HTTP/1.0): nothing a browser could rebind
            await self.app(scope, receive, send)
            return
        await send_error(send, 400, "unknown_host",
                         f"This server does not answer to the host {name[:100]!r}; start it with "
                         "--allowed-hosts naming it to allow it.", unread_body(scope))


class TokenGate:
    """Check the write token of a request to a write route before anything reads its body.

    Unauthenticated clients thus get their 401 (or 403 while writes are disabled) at once, and the
    connection is closed, instead of the server buffering and parsing their body first. The route's own
    `require_token` dependency still runs too.
    """

    def __init__(self, app: ASGIApp, settings: ApiSettings, routes: Sequence[BaseRoute]):
        self.app = app
        self.settings = settings
        self.routes = routes  # the app's routers' routes (included without a prefix)
        self._writes: list[BaseRoute] | None = None

    def needs_token(self, scope: Scope) -> bool:
        if self._writes is None:
            self._writes = [r for r in self.routes if isinstance(r, APIRoute)
                            and any(d.dependency is require_token for d in r.dependencies)]
        return any(route.matches(scope)[0] is Match.FULL for route in self._writes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not self.needs_token(scope):
            await self.app(scope, receive, send)
            return
        authorization = _header(scope, b"authorization")
        refusal = token_refusal(self.settings, authorization.decode("latin-1") if authorization else None)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        headers = [(k.lower().encode(), v.encode()) for k, v in (refusal.headers or {}).items()]
        await send_error(send, refusal.status, refusal.code, refusal.message, [*headers, CLOSE])


class BodySizeLimit:
    """Refuse (413) a request whose body is over `max_bytes`, by its Content-Length or as it streams in.

    The body is read (up to the limit) before the app sees the request, then replayed to it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        body = await self._read_body(receive)
        if body is DISCONNECTED:
            return  # the client went away (or its body timed out): there is no one to answer
        if not isinstance(body, bytes):
            await self._refuse(send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes | object | None:
        """The whole body; None as soon as it passes the limit; DISCONNECTED if the client goes away first."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return DISCONNECTED
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, "body_too_large", f"Request body is over the limit of {self.max_bytes} bytes; "
                                                      "send fewer articles per request.", [CLOSE])


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class SecurityHeaders:
    """Add a strict Content-Security-Policy (no external scripts, styles or fetches) to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class RateLimit:
    """Per-client token bucket: `rate` requests a second on average, bursts of up to `burst`.

    A client is its address. Over the limit, a 429 in the one error shape with a Retry-After.
    At most `max_clients` buckets are kept (the least recently seen are dropped), so a flood of
    addresses cannot grow memory without bound.
    """

    def __init__(self, app: ASGIApp, rate: float, burst: int, max_clients: int = 10_000):
        if rate <= 0 or burst < 1:
            raise ValueError(f"RateLimit needs rate > 0 and burst >= 1, got rate={rate}, burst={burst}")
        self.app = app
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, last time)

    def take(self, client: str, now: float | None = None) -> float:
        """Take one token for `client`; 0.0 when allowed, else the seconds until a token is free."""
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self.buckets[client] = (tokens, now)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.take(client[0] if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        await send_error(send, 429, "rate_limited", f"Too many requests from this client; retry in {retry} s "
                                                    f"(limit {self.rate:g} a second, bursts of {self.burst}).",
                         [(b"retry-after", str(retry).encode()), *unread_body(scope)])
