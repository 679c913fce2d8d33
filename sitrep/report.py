"""Situation reports from the store alone: totals, actors, a static map, events per day, key events.

`build_report` reads the store into a `SituationReport`; `draw_map` and `draw_per_day`
make PNGs with matplotlib (offline: boundaries from world-atlas in node_modules);
`render_markdown` and `render_html` write it out.  Nothing depends on the clock, so
the same store and options give the same report.
"""
from __future__ import annotations

import base64
import html
import io
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .store.reads import StoreReads
from .store.schema import EventQuery

TYPE_COLOURS = {
    "Battles": "#d32f2f",
    "Explosions/Remote violence": "#f57c00",
    "Violence against civilians": "#7b1fa2",
    "Protests": "#1976d2",
    "Riots": "#00897b",
    "Strategic developments": "#5d4037",
}
OTHER_COLOUR = "#607d8b"
MAP_POINTS_LIMIT = 20_000


@dataclass(frozen=True)
class ReportOptions:
    country: str | None = None
    since: date | None = None
    until: date | None = None
    top: int = 10  # actors and key events listed
    fused: bool = True  # count real-world events (fused over their reports), not reports

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        if self.top < 1:
            raise ValueError(f"top must be at least 1, got {self.top}")

    def query(self, limit: int = MAP_POINTS_LIMIT) -> EventQuery:
        return EventQuery(country=self.country, since=self.since.isoformat() if self.since else None,
                          until=self.until.isoformat() if self.until else None, limit=limit, fused=self.fused)


@dataclass
class KeyEvent:
    event: dict[str, Any]
    sources: list[dict[str, Any]]


@dataclass
class SituationReport:
    options: ReportOptions
    data_as_of: str | None
    events: int
    fatalities: int
    articles: int
    reviewed: int  # of `events`, how many an analyst confirmed or corrected (rejected ones are not counted at all)
    by_type: list[tuple[str, int, int]]
    by_admin1: list[tuple[str, int, int]]
    actors: list[tuple[str, int, int]]
    per_day: list[tuple[str, int, int]]
    key_events: list[KeyEvent]
    points: list[tuple[float, float, str, int]] = field(default_factory=list)  # lon, lat, type, fatalities

    @property
    def title(self) -> str:
        return f"Situation report: {self.options.country or 'all countries'}"

    @property
    def period(self) -> str:
        since, until = self.options.since, self.options.until
        if since and until:
            return f"{since.isoformat()} to {until.isoformat()}"
        if since:
            return f"from {since.isoformat()}"
        if until:
            return f"up to {until.isoformat()}"
        return "all dates"


# ---------------------------------------------------------------- build
def build_report(store: StoreReads, options: ReportOptions) -> SituationReport:
    """Read everything the report shows from the store (either back end), corrections applied."""
    query = options.query()
    by_type = store.totals_by(query, "event_type")
    points = [(r["longitude"], r["latitude"], r["event_type"], r["fatalities"] or 0)
              for r in store.events(query) if r["latitude"] is not None and r["longitude"] is not None]
    keys = [KeyEvent(e, store.event_sources(e["event_id"], fused=query.fused))
            for e in store.key_events(query, options.top)]
    return SituationReport(
        options=options, data_as_of=store.data_as_of(), events=sum(n for _, n, _ in by_type),
        fatalities=sum(f for _, _, f in by_type), articles=store.article_count(query),
        reviewed=store.count_reviewed(query),
        by_type=by_type, by_admin1=store.totals_by(query, "admin1"), actors=store.top_actors(query, options.top),
        per_day=store.events_per_day(query), key_events=keys, points=points,
    )


# ---------------------------------------------------------------- pictures
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()


def map_extent(points: Sequence[tuple[float, float, str, int]],
               outline: Sequence[Sequence[Sequence[tuple[float, float]]]] | None) -> tuple[float, float, float, float]:
    """(min_lon, max_lon, min_lat, max_lat) around the points (or the country), padded, at least 2 degrees wide."""
    lons = [p[0] for p in points] + [x for poly in outline or [] for x, _ in poly[0]]
    lats = [p[1] for p in points] + [y for poly in outline or [] for _, y in poly[0]]
    if not lons:
        return -180.0, 180.0, -60.0, 80.0
    pad_x = max(1.0, (max(lons) - min(lons)) * 0.15)
    pad_y = max(1.0, (max(lats) - min(lats)) * 0.15)
    return (max(-180.0, min(lons) - pad_x), min(180.0, max(lons) + pad_x),
            max(-90.0, min(lats) - pad_y), min(90.0, max(lats) + pad_y))


def draw_map(report: SituationReport, outlines: Sequence[tuple[int, str, list[Any]]]) -> bytes:
    """A PNG map: country boundaries, one dot per event coloured by type and sized by fatalities."""
    plt = _pyplot()
    from matplotlib.collections import PolyCollection

    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    ax.set_facecolor("#cfe3ef")
    country = (report.options.country or "").lower()
    focus = [polys for _, name, polys in outlines if name.lower() == country]
    min_lon, max_lon, min_lat, max_lat = map_extent(report.points, focus[0] if focus else None)
    rings, fills = [], []
    for _, name, polygons in outlines:
        for polygon in polygons:
            if _overlaps(polygon[0], (min_lon, max_lon, min_lat, max_lat)):
                rings.append(polygon[0])
                fills.append("#fbfbf5" if name.lower() == country else "#ecece4")
    ax.add_collection(PolyCollection(rings, facecolors=fills, edgecolors="#8d9ba3", linewidths=0.6))
    for event_type in sorted({p[2] for p in report.points}):
        pts = [p for p in report.points if p[2] == event_type]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=[20 + 40 * p[3] ** 0.5 for p in pts],
                   c=TYPE_COLOURS.get(event_type, OTHER_COLOUR), alpha=0.8, edgecolors="#263238", linewidths=0.5,
                   label=event_type, zorder=3)
    ax.set_xlim(min_lon, max_lon)
    ax.set_ylim(min_lat, max_lat)
    ax.set_aspect(1 / max(0.2, _cos_deg((min_lat + max_lat) / 2)))
    ax.set_title(f"{report.title} — {report.period}", fontsize=10)
    if report.points:
        ax.legend(loc="best", fontsize=7, framealpha=0.9, markerscale=0.6)  # where it hides fewest events
    ax.set_xlabel("Boundaries: Natural Earth (world-atlas). Dot size: fatalities.", fontsize=7, color="#555")
    ax.tick_params(labelsize=7)
    return _png(fig)


def _overlaps(ring: Sequence[tuple[float, float]], extent: tuple[float, float, float, float]) -> bool:
    xs = [x for x, _ in ring]
    ys = [y for _, y in ring]
    return bool(xs) and min(xs) <= extent[1] and max(xs) >= extent[0] and min(ys) <= extent[3] and max(ys) >= extent[2]


def _cos_deg(lat: float) -> float:
    return math.cos(math.radians(lat))


def day_series(report: SituationReport) -> list[tuple[date, int, int]]:
    """(day, events, fatalities) for every day of the period (or of the dated events), zeros included."""
    known = {date.fromisoformat(d): (n, f) for d, n, f in report.per_day if _is_iso_date(d)}
    if not known and not (report.options.since and report.options.until):
        return []
    first = report.options.since or min(known)
    last = report.options.until or max(known)
    days = [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)][:3660]
    return [(d, *known.get(d, (0, 0))) for d in days]


def draw_per_day(report: SituationReport) -> bytes:
    """A PNG bar chart of events per day, with fatalities on a second axis."""
    plt = _pyplot()
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7.5, 2.8))
    series = day_series(report)
    if series:
        days = [d for d, _, _ in series]
        ax.bar(days, [n for _, n, _ in series], color="#546e7a", width=0.8, label="events")
        ax2 = ax.twinx()
        ax2.plot(days, [f for _, _, f in series], color="#d32f2f", marker="o", markersize=2.5, linewidth=0.8)
        ax2.set_ylabel("fatalities", fontsize=8, color="#d32f2f")
        ax2.tick_params(labelsize=7)
        ax2.set_ylim(bottom=0)
        ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_locator(AutoDateLocator(maxticks=10))
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
        fig.autofmt_xdate()
    else:
        ax.text(0.5, 0.5, "no dated events", ha="center", va="center", transform=ax.transAxes)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("events", fontsize=8)
    ax.set_title("Events per day", fontsize=10)
    ax.tick_params(labelsize=7)
    return _png(fig)


def _is_iso_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""))


# ---------------------------------------------------------------- text
def md_escape(text: object) -> str:
    """Text safe inside Markdown (and the HTML a Markdown renderer makes): no tags, no table breaks."""
    out = html.escape(str(text if text is not None else ""), quote=False)
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", out).replace("\n", " ")


def _safe_url(url: str | None) -> bool:
    """An http(s) URL that needs no escaping inside a Markdown autolink."""
    return bool(url and re.fullmatch(r"https?://[^\s<>()\[\]`\\]+", url))


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return lines


def _where(event: dict[str, Any]) -> str:
    return ", ".join(str(x) for x in (event.get("location"), event.get("admin1"), event.get("country")) if x)


def _sources_note(event: dict[str, Any]) -> str:
    n = event.get("source_count")
    return f"; {n} independent sources" if n and n > 1 else ""


def _review_note(event: dict[str, Any]) -> str:
    status = event.get("review_status")
    if status not in ("confirmed", "corrected"):
        return ""
    return f"; {status} by {event.get('reviewed_by')} ({event.get('reviewed_at')})"


def _reviewed_line(report: SituationReport) -> str:
    return f"{report.reviewed} of them reviewed by an analyst" if report.events else ""


def render_markdown(report: SituationReport, map_file: str, chart_file: str) -> str:
    lines = [f"# {md_escape(report.title)}", "", f"**Period:** {md_escape(report.period)}  ",
             f"**Data as of:** {md_escape(report.data_as_of or 'empty store')}", "",
             f"**{report.events}** events, **{report.fatalities}** reported fatalities, "
             f"from **{report.articles}** {'article' if report.articles == 1 else 'articles'}"
             f"{'; ' + _reviewed_line(report) if report.events else ''}.", "",
             f"![Map of events]({map_file})", "", f"![Events per day]({chart_file})", "",
             "## Events by type", "", *_table(["Event type", "Events", "Fatalities"], report.by_type), "",
             "## Events by admin1", "", *_table(["Admin1", "Events", "Fatalities"], report.by_admin1), "",
             "## Most active actors", "", *_table(["Actor", "Events", "Fatalities"], report.actors), "",
             "## Key events", ""]
    for i, key in enumerate(report.key_events, 1):
        e = key.event
        lines.append(f"### {i}. {md_escape(e['event_date'] or 'undated')} — {md_escape(e['sub_event_type'])}, "
                     f"{md_escape(_where(e))}")
        lines.append("")
        lines.append(f"{md_escape(e['event_type'])}; actors: {md_escape(e['actor1'] or '?')} vs "
                     f"{md_escape(e['actor2'] or '—')}; fatalities: {e['fatalities']}{_sources_note(e)}"
                     f"{md_escape(_review_note(e))}.")
        lines.append("")
        for s in key.sources:
            lines.append(f"> {md_escape(s['evidence'])}")
            lines.append(">")
            lines.append(f"> — {md_escape(s['outlet'] or s['doc_id'])}"
                         f"{', ' + md_escape(s['published']) if s['published'] else ''}"
                         f"{' <' + s['url'] + '>' if _safe_url(s['url']) else ''} (article `{md_escape(s['doc_id'])}`)")
            lines.append("")
    if not report.key_events:
        lines += ["No events in this period.", ""]
    return "\n".join(lines)


# Laid out for the screen and for print (A4): the title, the figures and the map share the first
# page, the chart and the tables follow; headings stay with what they head, and a key event is
# not cut across two pages.
HTML_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ r.title }} — {{ r.period }}</title>
<style>
@page { size: A4; margin: 12mm 12mm 14mm; }
body { font: 14px/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; color: #222; padding: 0 1em; }
h1 { margin: 0 0 .2em; font-size: 1.7em; } h2 { margin: 1.2em 0 .3em; font-size: 1.25em; }
h3 { margin: .9em 0 .2em; font-size: 1.05em; }
table { border-collapse: collapse; margin: .3em 0 1em; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
td.n { text-align: right; } th { background: #eceff1; text-align: left; }
blockquote { border-left: 4px solid #ffb300; background: #fff8e1; margin: .4em 0; padding: .3em .8em; }
.src { color: #555; font-size: 12px; } .meta { color: #555; margin: 0 0 .3em; }
.figures img { display: block; max-width: 100%; margin: 0 auto .4em; }
.tables { display: flex; flex-wrap: wrap; gap: 0 2em; } .tables section { flex: 1 1 16em; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
table, .key { break-inside: avoid; page-break-inside: avoid; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11px; }
  .figures img.map { width: 100%; height: 128mm; object-fit: contain; }
  .figures img.chart { width: 100%; height: 60mm; object-fit: contain; }
}
</style></head><body>
<h1>{{ r.title }}</h1>
<p class="meta">Period: {{ r.period }} · Data as of: {{ r.data_as_of or "empty store" }}</p>
<p><b>{{ r.events }}</b> events, <b>{{ r.fatalities }}</b> reported fatalities,
from <b>{{ r.articles }}</b> {{ "article" if r.articles == 1 else "articles" }}{% if r.events %};
<b>{{ r.reviewed }}</b> of them reviewed by an analyst{% endif %}.</p>
<div class="figures">
<img class="map" alt="Map of events" src="data:image/png;base64,{{ map_png }}">
<img class="chart" alt="Events per day" src="data:image/png;base64,{{ chart_png }}">
</div>
<div class="tables">
{% for heading, label, rows in tables %}<section>
<h2>{{ heading }}</h2>
<table><tr><th>{{ label }}</th><th>Events</th><th>Fatalities</th></tr>
{% for name, n, f in rows %}<tr><td>{{ name }}</td><td class="n">{{ n }}</td><td class="n">{{ f }}</td></tr>
{% endfor %}</table>
</section>{% endfor %}
</div>
<h2>Key events</h2>
{% for k in r.key_events %}{% set e = k.event %}<div class="key">
<h3>{{ loop.index }}. {{ e.event_date or "undated" }} — {{ e.sub_event_type }}, {{ where(e) }}</h3>
<p>{{ e.event_type }}; actors: {{ e.actor1 or "?" }} vs {{ e.actor2 or "—" }};
fatalities: {{ e.fatalities }}{{ sources_note(e) }}{{ review_note(e) }}.</p>
{% for s in k.sources %}<blockquote>{{ s.evidence }}</blockquote>
<p class="src">— {{ s.outlet or s.doc_id }}{% if s.published %}, {{ s.published }}{% endif %}
{% if s.url and s.url.startswith(("http://", "https://")) %}
<a href="{{ s.url }}" rel="noopener noreferrer">{{ s.url }}</a>{% endif %}
(article <code>{{ s.doc_id }}</code>)</p>
{% endfor %}</div>{% else %}<p>No events in this period.</p>{% endfor %}
</body></html>
"""


def render_html(report: SituationReport, map_png: bytes, chart_png: bytes) -> str:
    """One self-contained HTML file (pictures inlined); every value from the store is escaped."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    template = env.from_string(HTML_TEMPLATE)
    tables = [("Events by type", "Event type", report.by_type), ("Events by admin1", "Admin1", report.by_admin1),
              ("Most active actors", "Actor", report.actors)]
    return template.render(r=report, tables=tables, where=_where, sources_note=_sources_note, review_note=_review_note,
                           map_png=base64.b64encode(map_png).decode("ascii"),
                           chart_png=base64.b64encode(chart_png).decode("ascii"))


# ---------------------------------------------------------------- write
Outlines = Sequence[tuple[int, str, list[Any]]]


def write_report(report: SituationReport, out: Path, fmt: str, outlines: Outlines) -> list[Path]:
    """Write the report as md (with two PNGs beside it), html (self-contained) or pdf; returns the files written."""
    map_png, chart_png = draw_map(report, outlines), draw_per_day(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        map_path, chart_path = out.with_name(f"{out.stem}-map.png"), out.with_name(f"{out.stem}-per-day.png")
        map_path.write_bytes(map_png)
        chart_path.write_bytes(chart_png)
        out.write_text(render_markdown(report, map_path.name, chart_path.name), encoding="utf-8")
        return [out, map_path, chart_path]
    page = render_html(report, map_png, chart_png)
    if fmt == "html":
        out.write_text(page, encoding="utf-8")
        return [out]
    if fmt == "pdf":
        html_to_pdf(page, out)
        return [out]
    raise ValueError(f"unknown report format {fmt!r}; use md, html or pdf")


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class PdfUnavailable(RuntimeError):
    pass


def find_chromium() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def html_to_pdf(page: str, out: Path, *, timeout_s: int = 120) -> None:
    """Print the HTML report to PDF with headless Chromium (the browser the setup script installs)."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable("PDF reports need Chromium: `apt-get install -y chromium` (the setup script does), "
                             "or write --format html and print that.")
    with tempfile.TemporaryDirectory(prefix="sitrep-report-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page, encoding="utf-8")
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                   f"--print-to-pdf={out.resolve()}", source.as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    if result.returncode != 0 or not out.is_file():
        raise PdfUnavailable(f"Chromium could not print {out} (exit {result.returncode}): {result.stderr[-500:]}")
