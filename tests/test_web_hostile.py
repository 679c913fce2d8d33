"""The web page over hostile content, in Debian's Chromium: markup in article text, titles, outlets,
actor and place names, and javascript:/data: URLs must show as text (or no link), and run nothing.
The hostile articles are written for this test."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sitrep.api import create_app
from sitrep.records import Extraction
from sitrep.store import Store
from sitrep.store.queries import connect_readonly

from .storefixtures import _article, _event, _place
from .test_web_browser import CHROMIUM, ServerThread, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed "
                                "(the setup script installs it: apt-get install -y chromium)")

IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "<script>window.__pwned=2</script>"
SVG = '<svg onload="window.__pwned=3"></svg>'
IFRAME = '"><iframe src="javascript:window.__pwned=4"></iframe>'
ACTOR1 = '<b onmouseover="window.__pwned=5">Militia</b>'
ACTOR2 = f"Civilians {IMG}"
TITLE = f"Attack {SCRIPT} in Tyre"
TEXT = (f"{TITLE}\n"
        f"Gunmen killed three people in Tyre on Monday {IMG} and wounded two others, officials said. "
        f"A witness wrote {SVG} and {IFRAME} online. Residents posted {SCRIPT} too.")
HOSTILE_URLS = ["javascript:window.__pwned=6", "data:text/html,<script>window.__pwned=7</script>"]
DANGEROUS = "[onerror],[onload],[onmouseover],iframe,object,embed,a[href^='javascript:'],a[href^='data:']"


def hostile_store(path: Path) -> tuple[Path, list[str]]:
    lb = {"country": "Lebanon", "country_code": "LB"}
    extractions = []
    for n, url in enumerate(HOSTILE_URLS):
        article = _article(f"hostile-{n}", TEXT, outlet=f"<i onmouseover=window.__pwned=8>Outlet {n}</i>",
                           published=date(2024, 8, 5 + n))
        article.url = url
        event = _event(article, "Gunmen killed three", event_type="Violence against civilians", sub_event_type="Attack",
                       actor1=ACTOR1, actor2=ACTOR2, inter1=3, inter2=7, country="Lebanon", admin1="South",
                       location="Tyre", location_text=f"Tyre {IMG}", latitude=33.27 + n / 10, longitude=35.2,
                       geo_precision=2, event_date=f"2024-08-0{5 + n}", time_precision=1, fatalities=3,
                       trigger="killed", confidence=0.8)
        event.source_url = url
        extractions.append(Extraction(article, places=[_place(article, "Tyre", geonameid=267008, latitude=33.27,
                                                              longitude=35.2, admin1="South", **lb)], events=[event]))
    with Store(path) as store:
        store.write_batch(extractions)
    conn = connect_readonly(path)
    ids = [r[0] for r in conn.execute("SELECT event_id FROM events ORDER BY event_date")]
    conn.close()
    return path, ids


def test_hostile_content_is_shown_as_text_and_runs_nothing(page: Any, tmp_path: Path) -> None:  # noqa: F811
    db, event_ids = hostile_store(tmp_path / "hostile.sqlite")
    console: list[str] = []
    page.on("dialog", lambda d: page.errors.append(f"dialog {d.message}"))
    page.on("console", lambda m: console.append(m.text))
    with ServerThread(create_app(db, read_token_from_env=False)) as server:
        for event_id in event_ids:
            page.goto(f"{server.url}/?event={event_id}")
            page.wait_for_selector("#article-text span.evidence[data-current='1']", timeout=30_000)
            page.wait_for_selector("#event-list li", timeout=10_000)
            for selector in ("#event-list li", "#detail-sources", "#article-text"):
                page.locator(selector).first.hover()
            article = page.locator("#article-text").inner_text()
            assert IMG in article and SCRIPT in article and SVG in article and IFRAME in article
            page_text = page.locator("body").inner_text()
            assert ACTOR1 in page_text and ACTOR2 in page_text
            assert page.evaluate(f"document.querySelectorAll({DANGEROUS!r}).length") == 0
            assert page.evaluate("document.querySelectorAll('body script').length") == \
                page.evaluate("document.querySelectorAll('body script[src]').length")  # only the app's own
            assert page.evaluate("window.__pwned === undefined")
    assert page.errors == []
    assert not [m for m in console if "Content Security Policy" in m], console
