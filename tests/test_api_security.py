"""The API from an attacker's side: schemathesis over the OpenAPI spec (no 5xx), injection in every
text parameter, page/body/rate limits, the write token (constant time, never logged), CORS closed.

    SITREP_SCHEMATHESIS_EXAMPLES=500 .venv/bin/python -m pytest tests/test_api_security.py -k schemathesis -s
"""
from __future__ import annotations

import hmac
import logging
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance

from sitrep.api import create_app
from sitrep.api.middleware import RateLimit
from tests.storefixtures import synthetic_store
from tests.test_api import AUTH, TOKEN, FakePipeline, assert_error

EXAMPLES = int(os.environ.get("SITREP_SCHEMATHESIS_EXAMPLES", "25"))
ARTICLE = {"id": "sec-1", "text": "Gunmen attacked a checkpoint near Tyre on Friday. Two soldiers were wounded.",
           "url": "https://example.org/2024/08/09/a", "outlet": "Example Wire", "published": "2024-08-09"}
EVIL = ["' OR '1'='1", "x'; DROP TABLE events; --", '" OR ""="', "1) OR (1=1", "%' --", "\\", "%", "_",
        "NEAR(a b)", 'text:"x" OR *', "a AND NOT b", "^x", "\x00", "💥" * 50, "<script>alert(1)</script>",
        "../../etc/passwd", "${jndi:ldap://127.0.0.1/a}", "%00", "' UNION SELECT text FROM articles --"]
PARAMETERLESS = ("GET /health", "GET /review/codebook")  # no invalid request to make of them
TEXT_PARAMS = {"/events": ["country", "admin1", "event_type", "sub_event_type", "actor", "q", "bbox", "since",
                           "format", "limit", "offset"],
               "/places": ["country", "q", "limit", "offset"]}


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path / "api.sqlite")


@pytest.fixture()
def client(db: Path) -> Iterator[TestClient]:
    app = create_app(db, token=TOKEN, max_page_size=50, max_body_bytes=20_000, pipeline_factory=FakePipeline,
                     rate_limit=None)
    with TestClient(app) as c:
        yield c


# ---------------------------------------------------------------- schemathesis: no 5xx, responses match the spec

@pytest.fixture(scope="module")
def schema_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_store(tmp_path_factory.mktemp("schemathesis") / "api.sqlite")


CASES: Counter[str] = Counter()


def api_schema(db: Path) -> Any:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_schemathesis_finds_no_server_error(schema_db: Path, mode: Any) -> None:
    """Every generated request, schema-valid (positive) and not (negative), to every operation gets a
    non-5xx answer that matches the spec, in the one error shape. Excluded: 'positive data acceptance',
    as some schema-valid values are refused by design with a documented 400 (a bbox out of range, a
    page over the server's maximum, since after until)."""
    for result in api_schema(schema_db).get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case: Any) -> None:
            CASES[f"{mode.value} {case.method} {case.path}"] += 1
            response = case.call_and_validate(headers=dict(AUTH), excluded_checks=[positive_data_acceptance])
            assert response.status_code < 500
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}

        try:
            check()
        except Unsatisfiable:  # no input at all, so no invalid input either
            assert mode is schemathesis.GenerationMode.NEGATIVE and operation.label in PARAMETERLESS


def test_schemathesis_case_count_is_reported(schema_db: Path) -> None:
    """Runs after the schemathesis cases (file order): prints the figure used in docs/hardening.md."""
    if CASES:
        print(f"schemathesis: {sum(CASES.values())} cases: {dict(CASES)}")
    assert integrity(schema_db) == "ok"


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# ---------------------------------------------------------------- injection in every text parameter


@pytest.mark.parametrize("path", list(TEXT_PARAMS))
def test_injection_in_every_text_parameter_is_harmless(client: TestClient, db: Path, path: str) -> None:
    before = client.get("/health").json()["counts"]
    for name in TEXT_PARAMS[path]:
        for evil in EVIL:
            response = client.get(path, params={name: evil})
            assert response.status_code in (200, 400), (name, evil, response.text)
            if response.status_code == 400:
                assert_error(response, 400, "bad_parameter")
            elif name not in ("limit", "offset", "format", "since", "bbox") and evil.replace("\x00", " ").strip():
                assert response.json()["total"] == 0, (name, evil)  # matched as a value, never as syntax
    assert client.get("/health").json()["counts"] == before
    assert integrity(db) == "ok"


def test_injection_in_path_parameters_is_harmless(client: TestClient) -> None:
    for evil in EVIL:
        for path in (f"/articles/{quote(evil, safe='')}", f"/events/{quote(evil, safe='')}"):
            response = client.get(path)
            assert response.status_code in (400, 404), (path, response.text)
            assert set(response.json()) == {"error"}


# ---------------------------------------------------------------- limits


def test_page_size_over_the_maximum_is_refused(client: TestClient) -> None:
    assert client.get("/events", params={"limit": 50}).status_code == 200
    assert_error(client.get("/events", params={"limit": 51}), 400, "bad_parameter")
    assert_error(client.get("/places", params={"limit": 10**9}), 400, "bad_parameter")
    assert_error(client.get("/events", params={"offset": 10**12}), 400, "bad_parameter")


def test_body_over_the_limit_is_refused_before_parsing(client: TestClient) -> None:
    huge = {"id": "big", "text": "x " * 20_000}
    assert_error(client.post("/articles", json=huge, headers=AUTH), 413, "body_too_large")
    assert_error(client.post("/articles", content=b"{" * 30_000, headers={**AUTH, "content-type": "application/json"}),
                 413, "body_too_large")


def test_rate_limit_answers_429_in_the_error_shape(db: Path) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=1.0, rate_burst=5)
    with TestClient(app) as c:
        statuses = [c.get("/health").status_code for _ in range(8)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
        response = c.get("/events")
        error = assert_error(response, 429, "rate_limited")
        assert int(response.headers["retry-after"]) >= 1 and "retry" in error["message"]
        assert response.headers["content-security-policy"]


def test_default_rate_limit_is_generous(db: Path) -> None:
    with TestClient(create_app(db, read_token_from_env=False)) as c:
        assert all(c.get("/health").status_code == 200 for _ in range(150))


def test_token_bucket_refills_per_client_and_stays_bounded() -> None:
    limit = RateLimit(app=None, rate=2.0, burst=2, max_clients=3)  # type: ignore[arg-type]
    assert [limit.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limit.take("b", now=0.0) == 0.0  # another client has its own bucket
    assert limit.take("a", now=1.0) == 0.0  # refilled at 2 a second
    for n in range(10):
        limit.take(f"c{n}", now=2.0)
    assert len(limit.buckets) == 3
    with pytest.raises(ValueError, match="rate > 0"):
        RateLimit(app=None, rate=0, burst=1)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the write token


def test_token_is_compared_in_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("sitrep.api.deps.hmac.compare_digest", spy)
    assert_error(client.post("/articles", json=ARTICLE, headers={"Authorization": "Bearer not-the-token"}), 401)
    assert calls == [(b"not-the-token", TOKEN.encode())]


class LoggedServer:
    """uvicorn with access and debug logs going to the root logger (so caplog sees them)."""

    def __init__(self, app: Any):
        from tests.test_web_browser import free_port

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="debug",
                                                    access_log=True, log_config=None))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_token_is_never_logged(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-secret-4242-abcdef"
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, read_token_from_env=False)
    with LoggedServer(app) as url:
        ok = httpx.post(f"{url}/articles", json=ARTICLE, headers=AUTH, timeout=30)
        bad = httpx.post(f"{url}/articles", json=ARTICLE, headers={"Authorization": f"Bearer {wrong}"}, timeout=30)
        query = httpx.get(f"{url}/events", params={"q": "x"}, headers=AUTH, timeout=30)
    assert ok.status_code == 201 and bad.status_code == 401 and query.status_code == 200
    assert "POST /articles" in caplog.text  # the access log was captured
    for secret in (TOKEN, wrong):
        assert secret not in caplog.text
        assert secret not in ok.text + bad.text
    assert TOKEN not in repr(app.state.settings)


# ---------------------------------------------------------------- CORS


@pytest.mark.parametrize("method", ["GET", "OPTIONS", "POST"])
def test_cors_is_closed_to_foreign_origins(client: TestClient, method: str) -> None:
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization, content-type"}
    if method == "POST":
        response = client.post("/articles", json=ARTICLE, headers={**headers, **AUTH})
    else:
        response = client.request(method, "/events", headers=headers)
    assert not [h for h in response.headers if h.lower().startswith("access-control-")], dict(response.headers)


# ---------------------------------------------------------------- a store that cannot be written


def test_store_write_failure_is_a_503_not_a_traceback(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitrep.errors import StoreError
    from sitrep.store import Store

    def full(*_: object, **__: object) -> list[str]:
        raise StoreError("E013", source=str(db), detail="database or disk is full")

    monkeypatch.setattr(Store, "write_articles", full)  # the one write path of an ingest
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, read_token_from_env=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        error = assert_error(c.post("/articles", json=ARTICLE, headers=AUTH), 503, "store_error")
    assert "disk is full" in error["message"] and "Traceback" not in error["message"]


def test_rate_limit_keys_on_the_client_a_trusted_proxy_names(db: Path) -> None:
    """Behind a reverse proxy on this host, each client named by X-Forwarded-For has its own bucket
    (uvicorn reads the header from the addresses `sitrep serve --forwarded-allow-ips` trusts)."""
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=0.01, rate_burst=2)
    with LoggedServer(app) as url:
        first = [httpx.get(f"{url}/health", headers={"X-Forwarded-For": "203.0.113.7"}).status_code for _ in range(3)]
        other = httpx.get(f"{url}/health", headers={"X-Forwarded-For": "198.51.100.9"}).status_code
    assert first == [200, 200, 429] and other == 200
