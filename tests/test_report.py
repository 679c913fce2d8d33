"""Situation reports: figures from the store (SQLite and PostgreSQL), Markdown and HTML with the map and
chart, escaping, the CLI, and every page of the PDF looked at as an image."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitrep.api.commands import report as report_command
from sitrep.gazetteer.build import default_node_modules
from sitrep.gazetteer.sources import country_outlines
from sitrep.report import (
    KeyEvent,
    ReportOptions,
    SituationReport,
    build_report,
    day_series,
    md_escape,
    render_html,
    render_markdown,
    write_report,
)
from sitrep.store import open_store

from .conftest import BACKENDS, ROOT, fresh_database, needs_shared
from .storefixtures import SCRIPT, real_store, synthetic_store

PNG = b"\x89PNG\r\n\x1a\n"
AUGUST = ReportOptions(country="Lebanon", since=date(2024, 8, 1), until=date(2024, 8, 31))


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The synthetic store, as a SQLite file and as a PostgreSQL database."""
    if request.param == "sqlite":
        yield synthetic_store(str(tmp_path_factory.mktemp("report") / "report.sqlite"))
        return
    with fresh_database() as url:
        yield synthetic_store(url)


@pytest.fixture(scope="module")
def outlines() -> list:
    return list(country_outlines(default_node_modules()))


def build(db: str | Path, options: ReportOptions) -> SituationReport:
    with open_store(db) as store:
        return build_report(store, options)


def test_figures_for_a_country_and_month(db: str) -> None:
    r = build(db, AUGUST)
    assert (r.events, r.fatalities, r.articles) == (2, 2, 2)
    assert r.by_type == [("Explosions/Remote violence", 2, 2)]
    assert sorted(r.by_admin1) == [("Nabatieh", 1, 0), ("South", 1, 2)]
    assert r.actors[0] == ("Military Forces of Israel (2022-)", 2, 2)
    assert [d for d, _, _ in r.per_day] == ["2024-08-05", "2024-08-06"]
    assert len(r.points) == 2
    first = r.key_events[0]
    assert first.event["location"] == "Tyre"  # the deadliest first
    assert first.sources[0]["evidence"].startswith("Two people were killed")
    assert len(day_series(r)) == 31


def test_all_countries_and_no_dates(db: str) -> None:
    r = build(db, ReportOptions())
    assert r.events == 3 and r.fatalities == 14
    assert r.key_events[0].event["location"] == "Aleppo"
    assert r.period == "all dates" and r.title == "Situation report: all countries"


def test_an_empty_period(db: str, tmp_path: Path, outlines: list) -> None:
    r = build(db, ReportOptions(country="Lebanon", since=date(2020, 1, 1), until=date(2020, 1, 31)))
    assert r.events == 0 and r.key_events == []
    written = write_report(r, tmp_path / "empty.md", "md", outlines)
    assert "No events in this period." in written[0].read_text(encoding="utf-8")


def test_markdown_report_with_map_and_chart(db: str, tmp_path: Path, outlines: list) -> None:
    md, map_png, chart_png = write_report(build(db, AUGUST), tmp_path / "lebanon.md", "md", outlines)
    text = md.read_text(encoding="utf-8")
    assert map_png.read_bytes().startswith(PNG) and chart_png.read_bytes().startswith(PNG)
    assert f"]({map_png.name})" in text and f"]({chart_png.name})" in text
    for heading in ("## Events by type", "## Events by admin1", "## Most active actors", "## Key events"):
        assert heading in text
    assert "> Two people were killed on Monday" in text
    assert "Example News" in text and "<https://example.org/lb-tyre-1>" in text


def test_html_report_is_self_contained(db: str, tmp_path: Path, outlines: list) -> None:
    (page,) = write_report(build(db, AUGUST), tmp_path / "lebanon.html", "html", outlines)
    text = page.read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 2
    assert 'src="http' not in text and "<link" not in text and "<script" not in text
    assert "<blockquote>Two people were killed" in text


def test_reports_are_reproducible(db: str, tmp_path: Path, outlines: list) -> None:
    a = write_report(build(db, AUGUST), tmp_path / "a" / "r.md", "md", outlines)
    b = write_report(build(db, AUGUST), tmp_path / "b" / "r.md", "md", outlines)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def hostile_report() -> SituationReport:
    event = {"event_id": "0" * 16, "event_date": "2024-08-02", "event_type": "Riots", "sub_event_type": "Mob violence",
             "location": "<b>Town</b>", "admin1": None, "country": "Lebanon", "actor1": "A|B", "actor2": None,
             "fatalities": 1}
    source = {"doc_id": "x", "outlet": "<i>Outlet</i>", "published": None, "url": "javascript:alert(1)",
              "evidence": f"They said {SCRIPT} and left. [link](http://evil.example) | cell"}
    return SituationReport(options=ReportOptions(), data_as_of=None, events=1, fatalities=1, articles=1, reviewed=0,
                           by_type=[("Riots", 1, 1)], by_admin1=[("<img src=x onerror=alert(1)>", 1, 1)],
                           actors=[("A|B", 1, 1)], per_day=[("2024-08-02", 1, 1)],
                           key_events=[KeyEvent(event, [source])])


def test_article_text_is_escaped_in_markdown() -> None:
    text = render_markdown(hostile_report(), "m.png", "c.png")
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    assert "javascript:" not in text  # no link made of a non-http URL
    assert "A\\|B" in text  # a pipe cannot break the table
    assert md_escape("[x](y)") == "\\[x\\](y)"


def test_article_text_is_escaped_in_html() -> None:
    text = render_html(hostile_report(), PNG, PNG)
    assert "<script>" not in text and "<img src=x" not in text and "<i>Outlet" not in text
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in text
    assert 'href="javascript' not in text


def test_report_command_writes_markdown_and_html(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("r.md", "r.html"):
        result = runner.invoke(report_command, ["--db", str(db), "--country", "Lebanon", "--since", "2024-08-01",
                                                "--until", "2024-08-31", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "2 events, 2 fatalities" in result.output
    assert (tmp_path / "r-map.png").exists() and (tmp_path / "r.html").exists()
    result = runner.invoke(report_command, ["--db", str(db), "--format", "md", "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 0 and (tmp_path / "x-map.png").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "August"], "does not match the format"),
    (["--since", "2024-09-01", "--until", "2024-08-01"], "is after"),
    (["--format", "docx"], "docx"),
])
def test_report_command_rejects_bad_options(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(report_command, ["--db", str(db), "-o", str(tmp_path / "r.md"), *args])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "r.md").exists()


def test_report_command_needs_an_existing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_command, ["--db", str(tmp_path / "none.sqlite"), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "does not exist" in result.output


needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="PDF needs Debian chromium (the setup script installs it)")
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                    reason="the page check needs pdftoppm (scripts/setup-test-system.sh installs poppler-utils)")
PAGES_COPY = ROOT / "out" / "report-pages"
MIN_INK = 0.03  # a page with a heading and a line or two has about 0.01 of its area inked
FIRST_PAGE_INK = 0.15  # the first page holds the map


def pdf_pages(pdf: Path, out: Path, *, dpi: int = 50) -> list[tuple[Path, float]]:
    """Every page of the PDF as a PNG (pdftoppm), with the share of its pixels that are not near-white."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / pdf.stem)], check=True, timeout=120)
    pages = []
    for png in sorted(out.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        with Image.open(png) as image:
            grey = image.convert("L")
            histogram = grey.histogram()
            pages.append((png, sum(histogram[:245]) / (grey.width * grey.height)))
    return pages


@needs_chromium
def test_pdf_report(db: str, tmp_path: Path) -> None:
    args = ["--db", str(db), "--country", "Lebanon", "-o", str(tmp_path / "r.pdf")]
    result = CliRunner().invoke(report_command, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


@needs_chromium
@needs_pdftoppm
@needs_shared
def test_every_page_of_a_pdf_report_is_laid_out(tmp_path: Path, pipeline: object) -> None:
    """A report over the sample and the dev set, four pages: each rendered and measured. The first page
    holds the title, the figures and the map (it once held the title and one line, the map on page 2)."""
    db = real_store(tmp_path / "dev.sqlite", pipeline)
    pdf = tmp_path / "report.pdf"
    result = CliRunner().invoke(report_command, ["--db", str(db), "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    pages = pdf_pages(pdf, tmp_path / "pages")
    if PAGES_COPY.exists():
        shutil.rmtree(PAGES_COPY)
    shutil.copytree(tmp_path / "pages", PAGES_COPY)  # to look at
    assert len(pages) >= 2
    inks = [round(ink, 3) for _, ink in pages]
    assert inks[0] >= FIRST_PAGE_INK, inks
    assert all(ink >= MIN_INK for ink in inks), inks
