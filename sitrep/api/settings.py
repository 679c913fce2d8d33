"""One validated options object for the API; the app factory takes it, nothing reads globals."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

TOKEN_ENV = "SITREP_TOKEN"
DEFAULT_MAX_PAGE_SIZE = 1000
DEFAULT_MAX_BODY_BYTES = 2_000_000
DEFAULT_MAX_BATCH = 100
DEFAULT_QUERY_TIMEOUT_MS = 5_000
DEFAULT_RATE_LIMIT = 50.0  # requests a second per client, on average (generous: a page load is ~20)
DEFAULT_RATE_BURST = 200  # requests a client may send at once
# Server read deadlines, in seconds (`sitrep serve --header-timeout` etc.; README "HTTP API and web map")
DEFAULT_IDLE_TIMEOUT_S = 10.0  # a new connection that sends nothing
DEFAULT_HEADER_TIMEOUT_S = 10.0  # from a request's first byte to the end of its headers
DEFAULT_BODY_TIMEOUT_S = 30.0  # from the end of the headers to the end of the body (2 MB at 70 KB/s)
DEFAULT_KEEP_ALIVE_TIMEOUT_S = 5  # between two requests on one connection (uvicorn's timeout_keep_alive)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")  # Host header values a local server always answers to


@dataclass(frozen=True)
class ApiSettings:
    db_path: str  # a store file, or a postgresql:// URL
    token: str | None = None  # POST /articles is refused while no token is set
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_batch: int = DEFAULT_MAX_BATCH  # articles per POST
    query_timeout_ms: int = DEFAULT_QUERY_TIMEOUT_MS
    rate_limit: float | None = DEFAULT_RATE_LIMIT  # None: no rate limit
    rate_burst: int = DEFAULT_RATE_BURST
    node_modules: Path | None = None  # where the web page's npm assets are; None: the checkout's
    pipeline_factory: Callable[[], Any] | None = None  # builds the ingest pipeline; None: sitrep's own
    # Host header values served (lower case, no port; '*' any); None: no check, for in-process use.
    # `sitrep serve` passes `default_allowed_hosts(bound address)` unless told otherwise.
    allowed_hosts: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("max_page_size", "max_body_bytes", "max_batch", "query_timeout_ms", "rate_burst"):
            if getattr(self, name) < 1:
                raise ValueError(f"ApiSettings.{name} must be at least 1, got {getattr(self, name)}")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError(f"ApiSettings.rate_limit must be above 0 (or None for no limit), got {self.rate_limit}")
        if self.token is not None and len(self.token) < 8:
            raise ValueError(f"the API token must be at least 8 characters; set a longer {TOKEN_ENV}")
        if self.allowed_hosts is not None and not self.allowed_hosts:
            raise ValueError("ApiSettings.allowed_hosts must name at least one host ('*' for any), or be None")

    def __repr__(self) -> str:  # never show the token
        return (f"ApiSettings(db_path={without_password(self.db_path)!r}, token={'set' if self.token else None}, "
                f"max_page_size={self.max_page_size}, max_body_bytes={self.max_body_bytes}, "
                f"rate_limit={self.rate_limit}, rate_burst={self.rate_burst})")


@dataclass(frozen=True)
class ServerTimeouts:
    """Deadlines on the server's reads, in seconds (see sitrep/api/server.py)."""

    idle: float = DEFAULT_IDLE_TIMEOUT_S
    header: float = DEFAULT_HEADER_TIMEOUT_S
    body: float = DEFAULT_BODY_TIMEOUT_S
    keep_alive: int = DEFAULT_KEEP_ALIVE_TIMEOUT_S

    def __post_init__(self) -> None:
        for name in ("idle", "header", "body", "keep_alive"):
            if not getattr(self, name) > 0:
                raise ValueError(f"ServerTimeouts.{name} must be above 0 seconds, got {getattr(self, name)}")


def default_allowed_hosts(bound: str) -> tuple[str, ...]:
    """The Host header values a server bound to `bound` answers to: that address and localhost's names.
    A wildcard bind (0.0.0.0, ::) adds nothing: name the public host with --allowed-hosts."""
    hosts = list(LOCAL_HOSTS)
    name = bound.strip().strip("[]").lower()
    if name and name not in ("0.0.0.0", "::") and name not in hosts:
        hosts.append(name)
    return tuple(hosts)


def parse_allowed_hosts(value: str) -> tuple[str, ...]:
    """'a.example, 10.0.0.5,[::1]' -> ('a.example', '10.0.0.5', '::1'); '*' allows any host."""
    return tuple(h.strip().strip("[]").lower() for h in value.split(",") if h.strip())


def without_password(target: str) -> str:
    """A store path or database URL fit to show: a URL's password replaced by '***'."""
    parts = urlsplit(target)
    if not parts.scheme.startswith("postgres") or parts.password is None:
        return target
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def token_from_env(environ: dict[str, str] | None = None) -> str | None:
    """The write token from `SITREP_TOKEN`, or None when it is unset or empty."""
    value = (environ if environ is not None else os.environ).get(TOKEN_ENV, "").strip()
    return value or None
