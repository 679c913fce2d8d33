"""The web page in a real browser: Debian's Chromium driven by Playwright. Over a store built from the
shared sample and dev set: clicks a marker and checks the evidence shown; saves a screenshot. Over the
synthetic store, on SQLite and on PostgreSQL: an analyst corrects a toll, reloads, sees it, and finds it
in the export; works the review queue with the keyboard; the timeline spans the events shown."""
from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from sitrep.api import create_app
from sitrep.store import open_store
from sitrep.store.schema import EventQuery

from .conftest import BACKENDS, ROOT, needs_shared
from .storefixtures import SCRIPT, _article, _event, real_store, synthetic_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT_COPY = ROOT / "out" / "screenshot-map.png"

TOKEN = "browser-test-token-0123"

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed "
                                 "(the setup script installs it: apt-get install -y chromium)")]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn on a free localhost port, in a thread, stopped by the fixture."""

    def __init__(self, app: Any):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def dev_db(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> Path:
    return real_store(tmp_path_factory.mktemp("web") / "dev.sqlite", pipeline)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda err: pg.errors.append(str(err)))
    pg.on("requestfailed", lambda req: pg.errors.append(f"failed {req.url}"))
    yield pg
    context.close()


def sample_event(db: Path) -> dict[str, Any]:
    """A mapped (fused) event whose lead report is coded from the shared sample: the map's markers are
    fused events, and the page shows the lead report's evidence in its article."""
    with open_store(db) as store:
        rows = store.events(EventQuery(fused=True, limit=10_000))
    mapped = [r for r in rows if r["doc_id"].startswith("000_88aa7ddcd16cc528") and r["latitude"] is not None]
    assert mapped, "the sample should give at least one mapped event"
    return max(mapped, key=lambda r: (r["fatalities"], r["source_count"]))


def click_marker(page: Any, event_id: str) -> None:
    """Click the event's marker; if a cluster hides it, pick the event in the list first (the map zooms to it)."""
    marker = page.locator(f'path.event-marker[data-event-id="{event_id}"]')
    if not marker.count():
        page.locator(f'#event-list li[data-event-id="{event_id}"]').click()
        marker.wait_for(state="attached", timeout=10_000)
        page.wait_for_timeout(500)  # let the zoom animation end
    page.locator("#article-text").evaluate("box => box.replaceChildren()")
    marker.first.click(force=True)


@needs_shared
def test_click_a_marker_shows_the_evidence(dev_db: Path, page: Any, tmp_path: Path) -> None:
    event = sample_event(dev_db)
    with ServerThread(create_app(dev_db, read_token_from_env=False)) as server:
        page.goto(f"{server.url}/?country={event['country']}")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.wait_for_selector("path.event-marker, .marker-cluster", timeout=10_000)
        click_marker(page, event["event_id"])
        page.wait_for_selector("#article-text span.evidence[data-current='1']", timeout=10_000)
        shown = page.locator("#article-text span[data-current='1']").all_text_contents()
        assert "".join(shown).strip() == event["evidence"].strip()
        assert event["evidence"].strip() in page.locator("#detail-sources").inner_text()
        assert page.locator("#timeline rect.bar").count() >= 1
        assert page.locator("#event-list li").count() >= 1
        page.click("#fit")  # back out to all the events shown, the selected one outlined
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)
        shot = tmp_path / "screenshot-map.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        SCREENSHOT_COPY.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT_COPY)
        assert page.errors == []


def test_script_in_article_text_is_shown_as_text(page: Any, tmp_path: Path) -> None:
    db = synthetic_store(tmp_path / "syn.sqlite")
    with open_store(db) as store:
        event_id = next(e["event_id"] for e in store.events() if e["location"] == "Tyre")
    with ServerThread(create_app(db, read_token_from_env=False)) as server:
        page.on("dialog", lambda d: page.errors.append(f"dialog {d.message}"))
        page.goto(f"{server.url}/?event={event_id}")
        page.wait_for_selector("#article-text span.evidence[data-current='1']", timeout=30_000)
        assert SCRIPT in page.locator("#article-text").inner_text()
        assert page.locator("#article-text script").count() == 0
        assert page.locator("#detail-sources blockquote").first.inner_text().startswith("Two people were killed")
        assert page.errors == []


def test_brushing_the_timeline_filters_the_map(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    db = synthetic_store(tmp_path / "syn.sqlite")
    with ServerThread(create_app(db, read_token_from_env=False)) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert page.locator("#event-list li").count() == 3
        box = page.locator("#timeline").bounding_box()
        # three days: 3, 5 and 6 August 2024 over a 4-day axis; brush the last half (5-6 August)
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.55, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.99, y, steps=5)
        page.mouse.up()
        expect(page.locator("#event-list li")).to_have_count(2)
        assert page.locator("#f-since").input_value() == "2024-08-05"
        page.select_option("#f-type", "Battles")
        expect(page.locator("#event-list li")).to_have_count(0)
        page.click("#f-reset")
        expect(page.locator("#event-list li")).to_have_count(3)
        assert page.errors == []


def test_the_confidence_filter_hides_the_less_sure_events(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    db = synthetic_store(tmp_path / "syn.sqlite")  # confidences 0.8 (Tyre), 0.7 (Nabatieh), 0.9 (Aleppo)
    with ServerThread(create_app(db, read_token_from_env=False)) as server:
        page.goto(f"{server.url}/?min_confidence=0.75")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        expect(page.locator("#event-list li")).to_have_count(2)
        assert "confidence 0.80" in page.locator("#event-list").inner_text()
        page.fill("#f-confidence", "0.85")
        page.dispatch_event("#f-confidence", "change")
        expect(page.locator("#event-list li")).to_have_count(1)
        assert page.errors == []


def fused_id_at(target: str, location: str) -> str:
    with open_store(target) as store:
        return next(r["fused_id"] for r in store.fused_events(EventQuery(limit=100)) if r["location"] == location)


def detail_field(page: Any, name: str) -> str:
    return str(page.locator(f"#detail-fields dt:text-is('{name}') + dd").inner_text())


def open_event(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    page.wait_for_selector("#article-text span.evidence[data-current='1']", timeout=30_000)
    page.wait_for_selector("body:not([data-busy])", timeout=30_000)


@pytest.mark.parametrize("backend", BACKENDS)
def test_correct_a_toll_reload_and_find_it_in_the_export(backend: str, page: Any, tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:
    from click.testing import CliRunner

    from sitrep.cli import main

    target = str(tmp_path / "syn.sqlite") if backend == "sqlite" else str(request.getfixturevalue("pg_empty_url"))
    synthetic_store(target)
    tyre = fused_id_at(target, "Tyre")
    with ServerThread(create_app(target, token=TOKEN, read_token_from_env=False)) as server:
        open_event(page, f"{server.url}/?event={tyre}")
        assert detail_field(page, "Fatalities") == "2" and "not reviewed" in page.locator("#review-status").inner_text()
        page.fill("#reviewer", "Ana")
        page.fill("#token", TOKEN)
        page.click("#r-edit")
        page.fill("#r-fatalities", "9")
        page.click("#r-save")
        page.wait_for_selector("#review-status.corrected", timeout=10_000)
        page.wait_for_selector("body:not([data-busy])", timeout=10_000)
        assert "corrected by Ana" in page.locator("#review-status").inner_text()
        page.reload()
        page.wait_for_selector("#review-status.corrected", timeout=30_000)
        assert detail_field(page, "Fatalities") == "9"
        assert page.locator("#review-compare tbody tr").all_inner_texts() == ["fatalities\t2\t9"]
        assert page.locator("#token").input_value() == TOKEN  # kept for this tab, not typed again
        assert page.errors == []
    out = tmp_path / "events.jsonl"
    done = CliRunner().invoke(main, ["export", "--db", target, "--format", "jsonl", "-o", str(out)])
    assert done.exit_code == 0, done.output
    rows = {r["event_id_cnty"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert (rows[tyre]["fatalities"], rows[tyre]["review_status"], rows[tyre]["reviewed_by"]) == (9, "corrected", "Ana")
    assert "1 reviewed by an analyst" in done.output


def test_a_write_without_the_token_is_refused_on_the_page(page: Any, tmp_path: Path) -> None:
    db = synthetic_store(tmp_path / "syn.sqlite")
    tyre = fused_id_at(str(db), "Tyre")
    with ServerThread(create_app(db, token=TOKEN, read_token_from_env=False)) as server:
        open_event(page, f"{server.url}/?event={tyre}")
        page.fill("#reviewer", "Ana")
        page.fill("#token", "wrong-token-000")
        page.click("#r-confirm")
        page.wait_for_selector("#review-message.error", timeout=10_000)
        assert "unauthorized" in page.locator("#review-message").inner_text()
        assert "not reviewed" in page.locator("#review-status").inner_text()
        assert page.errors == []
    with open_store(str(db)) as store:
        assert store.counts()["reviews"] == 0


def test_the_review_queue_with_the_keyboard(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    db = str(synthetic_store(tmp_path / "syn.sqlite"))
    with ServerThread(create_app(db, token=TOKEN, read_token_from_env=False)) as server:
        page.goto(f"{server.url}/?list=unreviewed")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        items = page.locator("#event-list li")
        expect(items).to_have_count(3)
        assert "Nabatieh" in items.first.inner_text()  # the least confident first
        items.first.click()
        page.wait_for_selector("#article-text span.evidence[data-current='1']", timeout=10_000)
        page.fill("#reviewer", "Ana")
        page.fill("#token", TOKEN)
        page.locator("#article-text").click()  # keys go to the page, not to a text field
        page.keyboard.press("c")  # confirm: it leaves the queue and the next is shown
        expect(items).to_have_count(2)
        expect(page.locator("#detail-title")).to_have_text("Explosions/Remote violence: Air/drone strike")
        page.keyboard.press("x")  # reject Tyre
        expect(items).to_have_count(1)
        page.keyboard.press("n")
        expect(page.locator("#detail-title")).to_have_text("Battles: Armed clash")
        page.select_option("#list-mode", "rejected")
        expect(page.locator("#list-title")).to_have_text("Rejected")
        expect(items).to_have_count(1)
        expect(items.first).to_contain_text("Tyre")
        expect(items.first).to_contain_text("rejected")
        assert page.errors == []
    with open_store(db) as store:
        assert [e["location"] for e in store.review_queue("reviewed")] == ["Nabatieh"]
        assert [e["location"] for e in store.review_queue("rejected")] == ["Tyre"]
        assert store.count_events(EventQuery(fused=True)) == 2


def test_the_timeline_spans_the_events_shown(page: Any, tmp_path: Path) -> None:
    """Events thirteen years apart: the axis runs from the first to the last (it once stopped ten years in)."""
    from sitrep.records import Extraction

    db = synthetic_store(tmp_path / "syn.sqlite")
    extractions = []
    for n, day in enumerate(("2012-10-30", "2025-03-01")):
        a = _article(f"old-new-{n}", f"Clash in Homs\nFighting broke out in Homs, witnesses said on day {n}.",
                     outlet="Example Wire", published=date.fromisoformat(day))
        extractions.append(Extraction(a, events=[_event(a, "Fighting broke out", event_type="Battles",
                                                        sub_event_type="Armed clash", country="Syria",
                                                        location="Homs", latitude=34.7, longitude=36.7,
                                                        event_date=day)]))
    with open_store(db) as store:
        store.write_batch(extractions)
    with ServerThread(create_app(db, read_token_from_env=False)) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert page.locator("#timeline text.axis-start").text_content() == "2012-10-30"
        assert page.locator("#timeline text.axis-end").text_content() == "2025-03-01"
        titles = page.locator("#timeline rect.bar title").all_text_contents()  # e.g. '2024-07-30 to 2024-08-15: 3 events'
        assert titles[0].startswith("2012-10-30") and titles[-1].endswith("2025-03-01: 1 events")
        assert sum(int(t.rsplit(": ", 1)[1].split()[0]) for t in titles) == 5
        assert page.errors == []
