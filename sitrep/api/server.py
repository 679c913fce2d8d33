"""The HTTP server under `sitrep serve`: uvicorn's h11 protocol with a deadline on every read.

uvicorn times out only the wait between requests (keep-alive), and that timer is cancelled by the first
byte a client sends, so a client trickling a header line or a body byte now and then holds its
connection (and what the server buffered for it) forever. ASGI middleware cannot help: it runs only
once the headers are parsed. `TimedH11Protocol` adds the missing deadlines at the protocol level:

- idle: a new connection that sends no byte is closed after `idle` seconds;
- header: a request's headers must be complete `header` seconds after its first byte;
- body: its body must be complete `body` seconds after the headers;
- keep-alive: between requests, uvicorn's own `timeout_keep_alive`.

A request cut off by a deadline gets a 408 in the one error shape (when no response has started) and
its connection is closed.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import ServerTimeouts

log = logging.getLogger(__name__)


def timeout_response(what: str, seconds: float) -> bytes:
    """A raw HTTP/1.1 408 in the one error shape, closing the connection."""
    body = json.dumps({"error": {"code": "request_timeout",
                                 "message": f"The request's {what} did not arrive within {seconds:g} s; "
                                            "the connection is closed."}}).encode()
    head = (f"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
    return head + body


class TimedH11Protocol(H11Protocol):
    """H11Protocol with idle, header and body deadlines (see the module docstring); one per connection."""

    timeouts: ClassVar[ServerTimeouts] = ServerTimeouts()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "idle", "headers" or "body": what the armed deadline is for

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("idle", self.timeouts.idle)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        self._track_reads()

    def _track_reads(self) -> None:
        """Arm the deadline that fits what the connection is waiting for now, keeping one already running."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body", self.timeouts.body)
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            self._arm("headers", self.timeouts.header)  # part of a request line or headers is in
        elif state is h11.IDLE and self._waiting_for == "idle":
            pass  # a new connection still silent: its idle deadline runs on
        else:
            self._disarm()  # the request is in (the app is answering), or between requests (keep-alive)

    def _arm(self, what: str, seconds: float) -> None:
        if self._waiting_for == what:
            return
        self._disarm()
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._expire, what, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._waiting_for = None, None

    def _expire(self, what: str, seconds: float) -> None:
        self._deadline, self._waiting_for = None, None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        log.info("closing the connection of %s: its %s took over %g s", client, what, seconds)
        unanswered = self.cycle is not None and not self.cycle.response_started
        if what == "headers" or (what == "body" and unanswered):
            self.transport.write(timeout_response(what, seconds))
        self.transport.close()


def timed_protocol(timeouts: ServerTimeouts) -> type[TimedH11Protocol]:
    """A TimedH11Protocol class with these deadlines (uvicorn builds the protocol from a class)."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"timeouts": timeouts})


def server_config(app: Any, *, host: str, port: int, timeouts: ServerTimeouts, forwarded_allow_ips: str = "",
                  log_level: str = "info", **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of `sitrep serve`: timed reads, no Server header, X-Forwarded-For
    read only from the proxies named in `forwarded_allow_ips` (none when empty)."""
    return uvicorn.Config(app, host=host, port=port, http=timed_protocol(timeouts), log_level=log_level,
                          server_header=False, timeout_keep_alive=timeouts.keep_alive,
                          proxy_headers=bool(forwarded_allow_ips.strip()),
                          forwarded_allow_ips=forwarded_allow_ips.strip() or None, **options)
