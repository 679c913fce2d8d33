"""The web page in a real browser: Debian's Chromium driven by Playwright, over a store built
from the shared sample and dev set. Clicks a marker and checks the evidence shown; saves a screenshot."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from sitrep.api import create_app
from sitrep.store import open_store
from sitrep.store.schema import EventQuery

from .conftest import ROOT, needs_shared
from .storefixtures import SCRIPT, real_store, synthetic_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT_COPY = ROOT / "out" / "screenshot-map.png"

pytestmark = [needs_shared, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed "
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
