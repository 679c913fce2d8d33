"""The HTTP API, in process: every endpoint, the one error shape, the token on writes, hostile input;
on a SQLite store and on a PostgreSQL one (`store_target`)."""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sitrep.api import create_app
from sitrep.records import Article, Event, Extraction, Reject
from sitrep.store.queries import connect_readonly
from tests.storefixtures import SCRIPT, synthetic_store

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class FakePipeline:
    """Codes one event from each article's first sentence; stands in for spaCy in API tests."""

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        for item in items:
            if isinstance(item, Reject):
                yield item
                continue
            end = item.text.find(".") + 1 or len(item.text)
            event = Event(doc_id=item.doc_id, event_type="Violence against civilians", sub_event_type="Attack",
                          country="Lebanon", event_date="2024-08-09", latitude=33.9, longitude=35.5,
                          evidence=item.text[:end], evidence_start=0, evidence_end=end)
            yield Extraction(item, events=[event])


@pytest.fixture()
def db(store_target: str) -> str:
    """The synthetic store, on each back end."""
    return synthetic_store(store_target)


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path / "api.sqlite")


@pytest.fixture()
def client(db: str) -> Iterator[TestClient]:
    app = create_app(db, token=TOKEN, max_page_size=50, max_body_bytes=20_000, pipeline_factory=FakePipeline)
    with TestClient(app) as c:
        yield c


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def first_event_id(client: TestClient, **params: str) -> str:
    return client.get("/events", params=params).json()["events"][0]["event_id"]


# ------------------------------------------------------------------ health, OpenAPI, page
def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["counts"]["articles"] == 3 and body["counts"]["events"] == 3
    assert body["writes_enabled"] is True


def test_openapi_lists_every_endpoint_with_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/events", "/events/{event_id}", "/articles/{doc_id}", "/articles", "/health",
                                  "/places", "/review/queue", "/events/{event_id}/review", "/events/merge",
                                  "/events/{event_id}/split", "/gazetteer", "/review/codebook", "/events/{event_id}/explanation"}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op["responses"]["4XX"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (method, path)
            assert "422" not in op["responses"], (method, path)
    for path, methods in spec["paths"].items():  # every write needs the token
        if "post" in methods:
            assert methods["post"]["security"] == [{"HTTPBearer": []}], path
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_no_docs_page_that_would_load_scripts_from_a_cdn(client: TestClient) -> None:
    assert_error(client.get("/docs"), 404, "not_found")


def test_web_page_is_served_with_a_strict_content_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "://" not in response.text  # nothing loaded from elsewhere
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert client.get("/web/app.js").status_code == 200
    assert_error(client.get("/web/../app.py"), 404)
    assert_error(client.get("/vendor/secret.txt"), 404, "not_found")


def test_vendor_assets_come_from_node_modules(client: TestClient) -> None:
    if not client.get("/health").json()["web_assets"]:
        pytest.fail("npm assets missing: run `npm ci` (the setup script does)")
    assert client.get("/vendor/leaflet.js").status_code == 200
    assert client.get("/vendor/countries-50m.json").json()["type"] == "Topology"


# ------------------------------------------------------------------ GET /events
def test_events_page(client: TestClient) -> None:
    body = client.get("/events").json()
    assert body["total"] == 3 and body["limit"] == 100 or body["limit"] == 50
    dates = [e["event_date"] for e in body["events"]]
    assert dates == sorted(dates, reverse=True)
    event = body["events"][0]
    assert event["evidence"] and event["doc_id"] and event["source"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"country": "lebanon"}, 2),
    ({"admin1": "South"}, 1),
    ({"event_type": "Battles"}, 1),
    ({"sub_event_type": "Air/drone strike"}, 1),
    ({"actor": "Hezbollah"}, 1),
    ({"actor": "Israel"}, 2),
    ({"since": "2024-08-04"}, 2),
    ({"until": "2024-08-05", "since": "2024-08-05"}, 1),
    ({"bbox": "35,33,36,34"}, 2),
    ({"bbox": "-180,-90,180,90"}, 3),
    ({"q": "artillery"}, 1),
    ({"q": "Aleppo rebels"}, 1),
    ({"q": "  "}, 3),
])
def test_event_filters(client: TestClient, params: dict[str, str], expected: int) -> None:
    body = client.get("/events", params=params).json()
    assert body["total"] == expected and len(body["events"]) == expected, body


def test_event_paging(client: TestClient) -> None:
    ids = [first_event_id(client, limit="1", offset=str(i)) for i in range(3)]
    assert len(set(ids)) == 3
    last = client.get("/events", params={"limit": 2, "offset": 2}).json()
    assert last["total"] == 3 and len(last["events"]) == 1
    assert client.get("/events", params={"offset": 10}).json()["events"] == []


def test_events_as_geojson(client: TestClient) -> None:
    body = client.get("/events", params={"format": "geojson", "country": "Syria"}).json()
    assert body["type"] == "FeatureCollection" and body["total"] == 1
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [37.16, 36.2]}  # lon, lat
    assert feature["properties"]["event_type"] == "Battles" and feature["id"] == feature["properties"]["event_id"]


@pytest.mark.parametrize(("params", "needle"), [
    ({"limit": "0"}, "limit"),
    ({"limit": "51"}, "maximum page size"),
    ({"limit": "ten"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"since": "last week"}, "since"),
    ({"until": "2024-02-30"}, "until"),
    ({"since": "2024-09-01", "until": "2024-08-01"}, "after"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "10,10,0,0"}, "bbox"),
    ({"bbox": "0,0,200,10"}, "bbox"),
    ({"format": "xml"}, "format"),
    ({"q": "x" * 201}, "q"),
    ({"country": "y" * 201}, "country"),
])
def test_bad_event_parameters_are_clear_400s(client: TestClient, params: dict[str, str], needle: str) -> None:
    error = assert_error(client.get("/events", params=params), 400, "bad_parameter")
    assert needle in error["message"]


@pytest.mark.parametrize("q", ['"', '""', "NEAR(a b", "a OR b*", "title:Tyre", "-", ")", "^drone", "a AND", "*",
                               "col:val NOT x", "drone\x00strike", "'"])
def test_fts_syntax_in_q_is_read_as_words(client: TestClient, q: str) -> None:
    response = client.get("/events", params={"q": q})
    assert response.status_code == 200, response.text
    assert response.json()["total"] in (0, 1)


@pytest.mark.parametrize("evil", ["Lebanon' OR '1'='1", "x'; DROP TABLE events; --", "%", "_", "\\", "1 OR 1=1"])
def test_sql_injection_strings_are_plain_values(client: TestClient, evil: str) -> None:
    for name in ("country", "admin1", "event_type", "actor", "q"):
        response = client.get("/events", params={name: evil})
        assert response.status_code == 200, (name, response.text)
        assert response.json()["total"] == 0, name
    assert client.get("/places", params={"q": evil}).json()["total"] == 0
    assert client.get("/health").json()["counts"]["events"] == 3


# ------------------------------------------------------------------ GET /events/{id}
def test_event_detail_has_sources_and_evidence(client: TestClient) -> None:
    event_id = first_event_id(client, admin1="South")
    body = client.get(f"/events/{event_id}").json()
    assert body["location"] == "Tyre" and body["fatalities"] == 2
    (source,) = body["sources"]
    assert source["doc_id"] == "lb-tyre-1" and source["outlet"] == "Example News"
    assert source["evidence"].startswith("Two people were killed")
    assert source["title"] == "Drone strike in Tyre"


def test_event_detail_errors(client: TestClient) -> None:
    assert_error(client.get("/events/0123456789abcdef"), 404, "not_found")
    assert_error(client.get("/events/not-an-id"), 400, "bad_parameter")
    assert_error(client.get("/events/' OR 1=1 --"), 400, "bad_parameter")


# ------------------------------------------------------------------ GET /articles/{id}
def test_article_has_text_and_spans(client: TestClient) -> None:
    body = client.get("/articles/lb-tyre-1").json()
    text = body["text"]
    assert body["title"] == "Drone strike in Tyre" and body["outlet"] == "Example News"
    kinds = {s["kind"] for s in body["spans"]}
    assert kinds == {"place", "actor", "evidence"}
    for span in body["spans"]:
        assert text[span["start"]:span["end"]].lower() == span["text"].lower(), span
    evidence = [s for s in body["spans"] if s["kind"] == "evidence"]
    assert evidence[0]["ref"] in body["event_ids"]
    assert {s["label"] for s in body["spans"] if s["kind"] == "actor"} == {"Hezbollah"}
    assert [p["kind"] for p in body["pieces"]] == ["title", "paragraph"]


def test_script_in_article_text_is_returned_as_plain_json_text(client: TestClient) -> None:
    response = client.get("/articles/lb-tyre-1")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert SCRIPT in response.json()["text"]


def test_article_errors(client: TestClient) -> None:
    assert_error(client.get("/articles/no-such-article"), 404, "not_found")
    assert_error(client.get("/articles/" + "a" * 301), 400, "bad_parameter")


# ------------------------------------------------------------------ GET /places
def test_places(client: TestClient) -> None:
    body = client.get("/places").json()
    assert body["total"] == 4
    assert {p["name"] for p in body["places"]} == {"Tyre", "Lebanon", "Nabatieh", "Aleppo"}
    assert client.get("/places", params={"country": "LB"}).json()["total"] == 3
    assert client.get("/places", params={"country": "syria"}).json()["total"] == 1
    assert [p["name"] for p in client.get("/places", params={"q": "Ty"}).json()["places"]] == ["Tyre"]
    assert_error(client.get("/places", params={"limit": "1000"}), 400, "bad_parameter")


# ------------------------------------------------------------------ POST /articles
ARTICLE = {"id": "api-post-1", "url": "https://example.org/p1", "outlet": "Example Post", "published": "2024-08-09",
           "text": f"Gunmen attacked a checkpoint in Sidon. {SCRIPT} Nobody was hurt."}


def test_post_needs_the_token(client: TestClient) -> None:
    response = client.post("/articles", json=ARTICLE)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(client.post("/articles", json=ARTICLE, headers={"Authorization": "Bearer wrong-token-000"}), 401)
    assert_error(client.post("/articles", json=ARTICLE, headers={"Authorization": f"Basic {TOKEN}"}), 401)
    assert client.get("/health").json()["counts"]["articles"] == 3


def test_writes_are_disabled_without_a_configured_token(db: str) -> None:
    app = create_app(db, token=None, read_token_from_env=False, pipeline_factory=FakePipeline)
    with TestClient(app) as c:
        assert_error(c.post("/articles", json=ARTICLE, headers=AUTH), 403, "writes_disabled")
        assert c.get("/health").json()["writes_enabled"] is False


def test_token_is_read_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITREP_TOKEN", TOKEN)
    with TestClient(create_app(db, pipeline_factory=FakePipeline)) as c:
        assert c.get("/health").json()["writes_enabled"] is True


def test_post_ingests_and_the_article_reads_back_as_text(client: TestClient,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post("/articles", json=ARTICLE, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["received"] == 1 and body["stored"] == 1
    assert body["articles"] == [{"id": "api-post-1", "stored": True, "events": 1, "href": "/articles/api-post-1"}]
    article = client.get("/articles/api-post-1").json()
    assert SCRIPT in article["text"]
    assert client.get("/events", params={"q": "checkpoint"}).json()["total"] == 1
    again = client.post("/articles", json=[ARTICLE], headers=AUTH).json()
    assert again["stored"] == 0 and again["articles"][0]["stored"] is True
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(("body", "status"), [
    ({"id": "x1"}, 422),
    ({"id": "x1", "text": ""}, 422),
    ({"id": "../etc", "text": "t"}, 422),
    ({"id": "x1", "text": "t", "published": "yesterday"}, 422),
    ({"id": "x1", "text": "t", "admin": True}, 422),
    ([], 422),
    ("just a string", 422),
])
def test_bad_post_bodies(client: TestClient, body: object, status: int) -> None:
    assert_error(client.post("/articles", json=body, headers=AUTH), status, "invalid_body")


def test_malformed_json_body(client: TestClient) -> None:
    response = client.post("/articles", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert_error(response, 422, "invalid_body")


def test_body_size_limit(client: TestClient) -> None:
    big = {**ARTICLE, "text": "word " * 5000}
    assert_error(client.post("/articles", json=big, headers=AUTH), 413, "body_too_large")


def test_streamed_body_over_the_limit_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"id": "s1", "text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'
    assert_error(client.post("/articles", content=chunks(), headers=AUTH), 413, "body_too_large")


def test_too_many_articles_in_one_post(db: str) -> None:
    app = create_app(db, token=TOKEN, max_batch=2, pipeline_factory=FakePipeline)
    with TestClient(app) as c:
        batch = [{**ARTICLE, "id": f"b{i}"} for i in range(3)]
        assert_error(c.post("/articles", json=batch, headers=AUTH), 413, "too_many_articles")


# ------------------------------------------------------------------ routing, limits
def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.delete("/events"), 405, "method_not_allowed")


def test_settings_never_show_the_token(db: str) -> None:
    app = create_app(db, token=TOKEN)
    assert TOKEN not in repr(app.state.settings)
    from sitrep.api.settings import ApiSettings

    shown = repr(ApiSettings(db_path="postgresql://sitrep:hunter2-secret@db.example/sitrep"))
    assert "hunter2" not in shown and "postgresql://sitrep:***@db.example/sitrep" in shown
    with pytest.raises(ValueError, match="at least 8"):
        create_app(db, token="short")


def test_slow_queries_are_interrupted(sqlite_db: Path) -> None:
    conn = connect_readonly(sqlite_db, timeout_ms=20)
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute(slow).fetchone()
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3  # the next query runs
    conn.close()


def test_read_connections_cannot_write(sqlite_db: Path) -> None:
    conn = connect_readonly(sqlite_db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM events")
    conn.close()
