"""Issue 16, the HTTP server: each finding of the December attack report (F2, F7, F8, F12, F13, F14, F16,
F17) reproduced, on a real uvicorn server where the finding is about the server.

Timing targets (memory under 300 slow clients) are in bench/slow_clients.py, not here; these tests only
check that a connection is closed after a short configured deadline.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient

from sitrep.api import create_app
from sitrep.api.deps import read_store
from sitrep.api.server import TimedH11Protocol, server_config
from sitrep.api.settings import ServerTimeouts, default_allowed_hosts, parse_allowed_hosts
from sitrep.pipeline import clean_documents
from sitrep.readers.names import clean_name
from sitrep.records import RawDocument
from sitrep.store import open_store
from tests.storefixtures import synthetic_store
from tests.test_api import AUTH, TOKEN, FakePipeline, assert_error

SHORT = ServerTimeouts(idle=0.5, header=1.0, body=1.0, keep_alive=1)
ARTICLE = {"id": "srv-1", "text": "Gunmen attacked a checkpoint near Tyre on Friday. Two soldiers were wounded."}


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path / "api.sqlite")


class Served:
    """`sitrep serve`'s uvicorn configuration (server_config) in a thread, on a free port."""

    def __init__(self, app: Any, timeouts: ServerTimeouts = SHORT, forwarded_allow_ips: str = ""):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = server_config(app, host="127.0.0.1", port=self.port, timeouts=timeouts,
                               forwarded_allow_ips=forwarded_allow_ips, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)


def read_all(sock: socket.socket, within: float) -> tuple[bytes, bool]:
    """What the server sends until it closes the connection (True) or `within` seconds pass (False)."""
    data, deadline = b"", time.monotonic() + within
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def trickle(sock: socket.socket, pieces: Iterator[bytes], every: float, within: float) -> tuple[bytes, bool, float]:
    """Send a piece every `every` seconds until the server answers or closes; (answer, closed, seconds)."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        try:
            sock.sendall(next(pieces))
        except (BrokenPipeError, ConnectionResetError):
            return b"", True, time.monotonic() - start
        data, closed = read_all(sock, every)
        if data or closed:
            rest, closed = read_all(sock, 2.0) if not closed else (b"", True)
            return data + rest, closed, time.monotonic() - start
    return b"", False, time.monotonic() - start


def error_of(response: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["error"]


def forever(piece: bytes) -> Iterator[bytes]:
    while True:
        yield piece


@pytest.fixture()
def served(db: Path) -> Iterator[Served]:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False,
                     allowed_hosts=default_allowed_hosts("127.0.0.1"))
    with Served(app) as server:
        yield server


# ---------------------------------------------------------------- F2: every read has a deadline


def test_f2_a_silent_connection_is_closed_after_the_idle_timeout(served: Served) -> None:
    with served.connect() as sock:
        data, closed = read_all(sock, within=5)
    assert closed and data == b""


def test_f2_headers_sent_a_line_at_a_time_are_cut_off_with_a_408(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer, closed, seconds = trickle(sock, forever(b"X-Slow: 1\r\n"), every=0.2, within=8)
    assert closed and seconds < 5, seconds
    status, error = error_of(answer)
    assert status == 408 and error["code"] == "request_timeout" and "headers" in error["message"]


def test_f2_a_body_sent_a_byte_at_a_time_is_cut_off_with_a_408(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"POST /articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 1000\r\n\r\n")
        answer, closed, seconds = trickle(sock, forever(b" "), every=0.2, within=8)
    assert closed and seconds < 5, seconds
    status, error = error_of(answer)
    assert status == 408 and error["code"] == "request_timeout" and "body" in error["message"]


def test_f2_keep_alive_works_and_then_times_out(served: Served) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with served.connect() as sock:
        for _ in range(2):  # two requests on one connection, each well within the deadlines
            sock.sendall(request)
            data, closed = read_all(sock, within=0.5)
            assert data.startswith(b"HTTP/1.1 200") and not closed
        data, closed = read_all(sock, within=5)
    assert closed and data == b""


def test_f2_the_server_protocol_is_the_timed_one() -> None:
    config = server_config(object(), host="127.0.0.1", port=1, timeouts=SHORT)
    assert isinstance(config.http, type) and issubclass(config.http, TimedH11Protocol)
    assert config.http.timeouts == SHORT and config.timeout_keep_alive == 1
    with pytest.raises(ValueError, match="body must be above 0"):
        ServerTimeouts(body=0)


# ---------------------------------------------------------------- F16: the token before the body


def test_f16_an_unauthenticated_post_is_refused_before_its_body_is_sent(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"POST /articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1990000\r\n\r\n")  # and no body at all
        answer, closed = read_all(sock, within=3)
    status, error = error_of(answer)
    assert status == 401 and error["code"] == "unauthorized"
    assert b"connection: close" in answer.lower() and closed


def test_f16_malformed_json_without_the_token_is_a_401_not_a_parse_error(db: Path) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    with TestClient(app) as c:
        bad = {"Content-Type": "application/json"}
        assert_error(c.post("/articles", content=b"{not json", headers=bad), 401, "unauthorized")
        assert_error(c.post("/events/merge", content=b"[", headers=bad), 401, "unauthorized")
        assert_error(c.post("/articles", content=b"{not json", headers={**bad, **AUTH}), 422, "invalid_body")
        assert_error(c.delete("/events"), 405, "method_not_allowed")  # routes without the token keep their answers
    closed = create_app(db, token=None, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    with TestClient(closed) as c:
        assert_error(c.post("/articles", content=b"{", headers=AUTH), 403, "writes_disabled")


@pytest.mark.parametrize("path", ["/articles", "/events/merge", "/events/0123456789abcdef/review",
                                  "/events/f0123456789abcdef/split"])
def test_f16_every_write_route_is_gated_before_its_body(db: Path, path: str) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    with TestClient(app) as c:
        response = c.post(path, content=b"{", headers={"Content-Type": "application/json"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["connection"] == "close" and response.headers["www-authenticate"] == "Bearer"


# ---------------------------------------------------------------- F13: X-Forwarded-For trusted only when told


def test_f13_a_local_client_cannot_dodge_the_rate_limit_with_x_forwarded_for(db: Path) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=0.01, rate_burst=2)
    with Served(app) as server:  # the default of `sitrep serve`: no proxy trusted
        statuses = [httpx.get(f"{server.url}/health", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                    for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_f13_a_named_proxy_still_names_its_clients(db: Path) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=0.01, rate_burst=2)
    with Served(app, forwarded_allow_ips="127.0.0.1") as server:
        first = [httpx.get(f"{server.url}/health", headers={"X-Forwarded-For": "203.0.113.7"}).status_code
                 for _ in range(3)]
        other = httpx.get(f"{server.url}/health", headers={"X-Forwarded-For": "198.51.100.9"}).status_code
    assert first == [200, 200, 429] and other == 200


def test_f13_f14_f2_serve_wires_the_defaults(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitrep.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: seen.setdefault("config", self.config))
    monkeypatch.delenv("SITREP_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "18999"])
    assert result.exit_code == 0, result.output
    config = seen["config"]
    assert config.proxy_headers is False  # F13
    assert config.http.timeouts == ServerTimeouts()  # F2: the documented defaults
    assert config.app.state.settings.allowed_hosts == ("localhost", "127.0.0.1", "::1")  # F14


# ---------------------------------------------------------------- F14: Host allowlist (DNS rebinding)


def test_f14_a_foreign_host_header_is_refused(db: Path) -> None:
    app = create_app(db, read_token_from_env=False, rate_limit=None, allowed_hosts=default_allowed_hosts("127.0.0.1"))
    with TestClient(app) as c:
        assert_error(c.get("/events", headers={"host": "evil.example:18431"}), 400, "unknown_host")
        assert_error(c.get("/", headers={"host": "127.0.0.1.evil.example"}), 400, "unknown_host")
        for host in ("127.0.0.1:18431", "localhost", "LOCALHOST:80", "[::1]:18431"):
            assert c.get("/health", headers={"host": host}).status_code == 200, host
    anyone = create_app(db, read_token_from_env=False, rate_limit=None, allowed_hosts=parse_allowed_hosts("*"))
    with TestClient(anyone) as c:
        assert c.get("/health", headers={"host": "evil.example"}).status_code == 200


def test_f14_the_default_allowlist_is_the_bound_address_and_localhost() -> None:
    assert default_allowed_hosts("10.0.0.5") == ("localhost", "127.0.0.1", "::1", "10.0.0.5")
    assert default_allowed_hosts("0.0.0.0") == ("localhost", "127.0.0.1", "::1")
    assert parse_allowed_hosts("Maps.Example, [::1] ,") == ("maps.example", "::1")


def test_f14_on_a_real_server(served: Served) -> None:
    refused = httpx.get(f"{served.url}/events?limit=1", headers={"Host": f"evil.example:{served.port}"})
    assert_error(refused, 400, "unknown_host")
    assert httpx.get(f"{served.url}/events?limit=1").status_code == 200


# ---------------------------------------------------------------- F7: ids holding '/'


def test_f7_an_article_whose_id_holds_a_slash_opens(tmp_path: Path) -> None:
    db = tmp_path / "slash.sqlite"
    from sitrep.ingest import ingest_items

    raw = RawDocument(doc_id="evil/ok/one", text=ARTICLE["text"], source="bundle.zip!evil/ok/one")
    with open_store(db) as store:
        ingest_items(clean_documents([raw]), store, FakePipeline())
    with TestClient(create_app(db, read_token_from_env=False, rate_limit=None)) as c:
        event = c.get("/events").json()["events"][0]
        assert event["doc_id"] == "evil/ok/one"
        for path in ("/articles/evil%2Fok%2Fone", "/articles/evil/ok/one"):  # the web page sends the first
            response = c.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.json()["doc_id"] == "evil/ok/one" and event["event_id"] in response.json()["event_ids"]
        assert_error(c.get("/articles/evil%2Fok"), 404, "not_found")


# ---------------------------------------------------------------- F8: stored means stored


def test_f8_an_article_refused_for_its_id_is_not_reported_stored(db: Path) -> None:
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    with TestClient(app) as c:
        first = c.post("/articles", json=ARTICLE, headers=AUTH).json()
        assert first["articles"][0]["stored"] is True and first["articles"][0]["href"] == "/articles/srv-1"
        other = {**ARTICLE, "text": "Completely different text: rebels shot dead 40 people in Goma on Friday."}
        again = c.post("/articles", json=[other, ARTICLE], headers=AUTH).json()
    assert again["stored"] == 0
    refused, same = again["articles"]
    assert refused == {"id": "srv-1", "stored": False, "events": 0, "href": None}
    assert same["stored"] is True and same["events"] == 1  # the very text already stored: stored
    assert any("[E016]" in r for r in again["rejects"])


# ---------------------------------------------------------------- F12: every error in the one shape


def test_f12_a_store_corrupted_under_the_server_gives_the_error_shape(db: Path) -> None:
    app = create_app(db, read_token_from_env=False, rate_limit=None)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/events", params={"limit": 5}).status_code == 200
        with open(db, "r+b") as f:
            f.seek(4096)
            f.write(b"\xde\xad" * 16384)
        response = c.get("/events", params={"limit": 5})
    assert_error(response, 500, "store_error")
    assert "Traceback" not in response.text


def test_f12_an_unexpected_error_gives_the_error_shape(db: Path) -> None:
    class Broken:
        def table_counts(self) -> dict[str, int]:
            raise RuntimeError("boom: a bug")

    app = create_app(db, read_token_from_env=False, rate_limit=None)
    app.dependency_overrides[read_store] = lambda: Broken()
    with TestClient(app, raise_server_exceptions=False) as c:
        error = assert_error(c.get("/health"), 500, "internal_error")
    assert "boom" not in error["message"]


# ---------------------------------------------------------------- F17: q of no words


@pytest.mark.parametrize("q", ["\u2028", "\u00a0", "\u2028\u00a0", "\x00", "\ufeff", "\u202e", "\x7f", "\u3000"])
def test_f17_q_of_separators_alone_matches_nothing(db: Path, q: str) -> None:
    with TestClient(create_app(db, read_token_from_env=False, rate_limit=None)) as c:
        for fused in ("false", "true"):
            response = c.get("/events", params={"q": q, "fused": fused})
            assert response.status_code == 200 and response.json()["total"] == 0, (q, fused, response.text)
        assert c.get("/events", params={"q": " "}).json()["total"] == 3  # a blank form field: no filter


def test_an_api_article_gets_the_readers_one_normalisation(db: Path) -> None:
    """An outlet sent through the API with a terminal escape in it is stored as the readers store it:
    escaped, on one line, not raw."""
    app = create_app(db, token=TOKEN, pipeline_factory=FakePipeline, rate_limit=None, read_token_from_env=False)
    with TestClient(app) as c:
        sent = {**ARTICLE, "id": "srv-ctl", "outlet": "Daily\x1b[31m Post\u202e"}
        assert c.post("/articles", json=sent, headers=AUTH).json()["articles"][0]["stored"] is True
        outlet = c.get("/articles/srv-ctl").json()["outlet"]
    assert "\x1b" not in outlet and "\u202e" not in outlet and outlet.startswith("Daily")
    assert outlet == clean_name("Daily\x1b[31m Post\u202e")
