"""The review endpoints, in process, on SQLite and PostgreSQL: the queue, confirm / correct / reject, merge,
split, the token on every write, clear refusals, the codebook and the gazetteer search."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sitrep.api import create_app
from tests.storefixtures import synthetic_store
from tests.test_api import AUTH, TOKEN, FakePipeline, assert_error


@pytest.fixture()
def client(store_target: str) -> Iterator[TestClient]:
    synthetic_store(store_target)
    app = create_app(store_target, token=TOKEN, pipeline_factory=FakePipeline, read_token_from_env=False)
    with TestClient(app) as c:
        yield c


def fused(client: TestClient, location: str) -> dict[str, Any]:
    events = client.get("/events", params={"fused": "true"}).json()["events"]
    return next(e for e in events if e["location"] == location)


def review(client: TestClient, event_id: str, **body: Any) -> Any:
    return client.post(f"/events/{event_id}/review", json={"reviewer": "Ana", **body}, headers=AUTH)


def test_correct_then_read_it_everywhere(client: TestClient) -> None:
    tyre = fused(client, "Tyre")
    done = review(client, tyre["event_id"], action="correct", changes={"fatalities": 9, "event_date": "2024-08-04"},
                  note="ministry figure")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["event_id"], body["fatalities"], body["event_date"]) == (tyre["event_id"], 9, "2024-08-04")
    assert (body["review_status"], body["reviewed_by"]) == ("corrected", "Ana")
    assert body["review"]["machine"]["fatalities"] == 2 and body["review"]["corrected"]["fatalities"] == 9
    assert body["review"]["history"][0]["note"] == "ministry figure"
    page = client.get("/events", params={"fused": "true"}).json()
    assert page["reviewed"] == 1 and fused(client, "Tyre")["fatalities"] == 9
    reports = client.get("/events", params={"since": "2024-08-04", "until": "2024-08-04"}).json()
    assert [e["location"] for e in reports["events"]] == ["Tyre"]  # filters see the corrected date
    geo = client.get("/events", params={"fused": "true", "format": "geojson"}).json()
    assert geo["reviewed"] == 1


def test_reject_leaves_the_listing_but_not_the_store(client: TestClient) -> None:
    aleppo = fused(client, "Aleppo")["event_id"]
    assert review(client, aleppo, action="reject").json()["review_status"] == "rejected"
    assert client.get("/events", params={"fused": "true"}).json()["total"] == 2
    rejected = client.get("/events", params={"fused": "true", "rejected": "true"}).json()
    assert [e["event_id"] for e in rejected["events"]] == [aleppo]
    assert client.get(f"/events/{aleppo}").status_code == 200
    assert [e["event_id"] for e in client.get("/review/queue", params={"status": "rejected"}).json()["events"]] == [
        aleppo]


def test_the_queue_least_confident_first(client: TestClient) -> None:
    queue = client.get("/review/queue").json()
    assert [e["location"] for e in queue["events"]] == ["Nabatieh", "Tyre", "Aleppo"] and queue["total"] == 3
    review(client, queue["events"][0]["event_id"], action="confirm")
    assert client.get("/review/queue").json()["total"] == 2
    reviewed = client.get("/review/queue", params={"status": "reviewed"}).json()
    assert reviewed["total"] == reviewed["reviewed"] == 1
    assert_error(client.get("/review/queue", params={"status": "later"}), 400, "bad_parameter")


def test_merge_and_split(client: TestClient) -> None:
    tyre, nabatieh = fused(client, "Tyre")["event_id"], fused(client, "Nabatieh")["event_id"]
    merged = client.post("/events/merge", json={"reviewer": "Ana", "event_ids": [tyre, nabatieh]}, headers=AUTH)
    assert merged.status_code == 200, merged.text
    assert merged.json()["event_id"] == tyre and len(merged.json()["sources"]) == 2
    report = next(s["event_id"] for s in merged.json()["sources"] if s["doc_id"] == "lb-nabatieh-2")
    split = client.post(f"/events/{tyre}/split", json={"reviewer": "Ben", "reports": [report]}, headers=AUTH)
    assert split.status_code == 200, split.text
    assert split.json() == {"event_id": tyre, "split_off": nabatieh}
    assert client.get("/events", params={"fused": "true"}).json()["total"] == 3


@pytest.mark.parametrize(("path", "body"), [
    ("/events/{id}/review", {"reviewer": "Ana", "action": "confirm"}),
    ("/events/merge", {"reviewer": "Ana", "event_ids": ["{id}", "{id}"]}),
    ("/events/{id}/split", {"reviewer": "Ana", "reports": ["lb-tyre-1"]}),
])
def test_every_review_needs_the_token(client: TestClient, store_target: str, path: str, body: dict[str, Any]) -> None:
    event_id = fused(client, "Tyre")["event_id"]
    url = path.replace("{id}", event_id)
    payload = {k: [x.replace("{id}", event_id) for x in v] if isinstance(v, list) else v for k, v in body.items()}
    assert_error(client.post(url, json=payload), 401, "unauthorized")
    assert_error(client.post(url, json=payload, headers={"Authorization": "Bearer not-the-token"}), 401)
    app = create_app(store_target, token=None, read_token_from_env=False)
    with TestClient(app) as closed:
        assert_error(closed.post(url, json=payload, headers=AUTH), 403, "writes_disabled")
    assert client.get("/health").json()["counts"]["reviews"] == 0


@pytest.mark.parametrize(("body", "status", "code", "needle"), [
    ({"action": "correct", "changes": {"fatalities": -1}}, 422, "invalid_review", "fatalities"),
    ({"action": "correct", "changes": {"colour": "red"}}, 422, "invalid_review", "not a field"),
    ({"action": "correct", "changes": {"sub_event_type": "Armed clash"}}, 422, "invalid_review", "sub-event type"),
    ({"action": "correct", "changes": {"location": "Kuriga"}}, 422, "invalid_review", "latitude and longitude"),
    ({"action": "correct", "changes": {"fatalities": 2.5}}, 422, "invalid_review", "whole number"),
    ({"action": "reject", "changes": {"fatalities": 1}}, 422, "invalid_review", "not corrected"),
    ({"action": "approve"}, 422, "invalid_body", "action"),
    ({"action": "confirm", "reviewer": ""}, 422, "invalid_body", "reviewer"),
    ({"action": "confirm", "extra": 1}, 422, "invalid_body", "extra"),
    ({"action": "confirm", "note": "a\x00b"}, 422, "invalid_review", "note"),
    ({"action": "correct", "changes": {"actor1": "a\x00b"}}, 422, "invalid_review", "control characters"),
    ({"action": "confirm", "reviewer": "A\x00na"}, 422, "invalid_review", "reviewer"),
])
def test_bad_reviews_are_clear_refusals(client: TestClient, body: dict[str, Any], status: int, code: str,
                                        needle: str) -> None:
    error = assert_error(review(client, fused(client, "Tyre")["event_id"], **body), status, code)
    assert needle in error["message"]
    assert client.get("/health").json()["counts"]["reviews"] == 0


def test_unknown_and_malformed_ids(client: TestClient) -> None:
    assert_error(review(client, "f0000000000000000", action="confirm"), 404, "not_found")
    assert_error(review(client, "nope", action="confirm"), 400, "bad_parameter")
    tyre = fused(client, "Tyre")["event_id"]
    assert_error(client.post("/events/merge", json={"reviewer": "Ana", "event_ids": [tyre, "f0000000000000000"]},
                             headers=AUTH), 404, "not_found")
    assert_error(client.post(f"/events/{tyre}/split", json={"reviewer": "Ana", "reports": ["lb-tyre-1"]},
                             headers=AUTH), 422, "invalid_review")  # not all of its reports


def test_codebook_and_gazetteer(client: TestClient) -> None:
    codebook = client.get("/review/codebook").json()
    assert "Air/drone strike" in codebook["event_types"]["Explosions/Remote violence"]
    assert {"fatalities", "toll", "place"} <= set(codebook["fields"])
    places = client.get("/gazetteer", params={"q": "Kaduna"}).json()["places"]
    kaduna = next(p for p in places if p["geonameid"] == 2335727)
    assert (kaduna["location"], kaduna["country"], kaduna["admin1"], kaduna["geo_precision"]) == (
        "Kaduna", "Nigeria", "Kaduna", 1)
    assert client.get("/gazetteer", params={"q": "Zzyzxqq"}).json()["places"] == []
    assert_error(client.get("/gazetteer", params={"q": "K"}), 400, "bad_parameter")
    assert_error(client.get("/gazetteer", params={"q": "Ka\x00duna"}), 400, "bad_parameter")
    picked = review(client, fused(client, "Nabatieh")["event_id"], action="correct", changes={"place": 2335727})
    assert (picked.json()["location"], picked.json()["geonameid"], picked.json()["country"]) == (
        "Kaduna", 2335727, "Nigeria")
