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

    def __post_init__(self) -> None:
        for name in ("max_page_size", "max_body_bytes", "max_batch", "query_timeout_ms", "rate_burst"):
            if getattr(self, name) < 1:
                raise ValueError(f"ApiSettings.{name} must be at least 1, got {getattr(self, name)}")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError(f"ApiSettings.rate_limit must be above 0 (or None for no limit), got {self.rate_limit}")
        if self.token is not None and len(self.token) < 8:
            raise ValueError(f"the API token must be at least 8 characters; set a longer {TOKEN_ENV}")

    def __repr__(self) -> str:  # never show the token
        return (f"ApiSettings(db_path={without_password(self.db_path)!r}, token={'set' if self.token else None}, "
                f"max_page_size={self.max_page_size}, max_body_bytes={self.max_body_bytes}, "
                f"rate_limit={self.rate_limit}, rate_burst={self.rate_burst})")


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
