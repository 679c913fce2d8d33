"""Analysts' reviews as training gold, in the format of the hand-coded sets (`../shared/eval`).

`reviewed_articles(sql)` (the stores' `reviewed_gold()`) gives one `ReviewedArticle` for every article
with at least one reviewed event: `article` is its `articles.jsonl` line (`id, url, outlet,
published, text`, the text as stored) and `gold` its `gold.jsonl` line (`id, url, outlet,
published, events, cluster`), each event with ACLED's fields (`event_type, sub_event_type,
actor1, actor2, country, admin1, location, event_date, date_text, fatalities, evidence,
latitude, longitude`) as the analyst left them.

Negatives.  `complete` is True when an analyst gave a verdict (confirmed, corrected or rejected)
on every machine event of the article.  Then the article's gold is its whole truth: a rejected
event is absent, so predicting it again counts against the model.  An article only partly
reviewed must not turn its unreviewed events into negatives, nor into positives: those are
written as `optional: true` events (the scorer neither rewards nor punishes matching them), with
the machine's reading; its rejected events are still absent, as they are known to be wrong.

An article reporting an event once per reading is one gold event per real-world event: when an
analyst merged two readings of one article, the article has one gold event for them.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store.decisions import Sql
from .store.reads import reports_source

VERDICTS = ("confirmed", "corrected", "rejected")
GOLD_FIELDS = ("event_type", "sub_event_type", "actor1", "actor2", "country", "admin1", "location", "event_date",
               "date_text", "fatalities", "evidence", "latitude", "longitude")


@dataclass(frozen=True)
class ReviewedArticle:
    """One reviewed article: its input line, its gold line, and whether every event of it was reviewed."""

    article: dict[str, Any]  # an articles.jsonl line
    gold: dict[str, Any]  # a gold.jsonl line
    complete: bool


def _gold_event(report: dict[str, Any], *, optional: bool) -> dict[str, Any]:
    event = {name: report.get(name) for name in GOLD_FIELDS}
    event["fatalities"] = int(event["fatalities"] or 0)
    event["event_id"] = report["fused_id"]
    if optional:
        event["optional"] = True
    else:
        event["reviewed_by"], event["reviewed_at"] = report["reviewed_by"], report["reviewed_at"]
    return event


def _article_gold(article: dict[str, Any], reports: list[dict[str, Any]]) -> ReviewedArticle:
    complete = all(r["review_status"] in VERDICTS for r in reports)
    events: list[dict[str, Any]] = []
    seen: set[str] = set()
    for report in sorted(reports, key=lambda r: (r["evidence_start"] or 0, r["event_id"])):
        if report["fused_id"] in seen or report["review_status"] == "rejected":
            seen.add(report["fused_id"])
            continue
        seen.add(report["fused_id"])
        events.append(_gold_event(report, optional=report["review_status"] not in VERDICTS))
    shared = sorted(r["fused_id"] for r in reports if (r["source_count"] or 0) > 1 and r["review_status"] != "rejected")
    reviewers = sorted({r["reviewed_by"] for r in reports if r["review_status"] in VERDICTS})
    line = {"id": article["doc_id"], "url": article["url"], "outlet": article["outlet"],
            "published": article["published"]}
    gold = {**line, "events": events, "cluster": shared[0] if shared else None, "complete": complete,
            "notes": f"reviewed in sitrep by {', '.join(reviewers)}"}
    return ReviewedArticle(article={**line, "text": article["text"]}, gold=gold, complete=complete)


def reviewed_articles(sql: Sql) -> list[ReviewedArticle]:
    """Every article with a reviewed event, as gold (see the module's docstring)."""
    ids = [r["article_id"] for r in sql(
        "SELECT DISTINCT e.article_id FROM reviewed_events r JOIN events e ON e.event_id = r.event_id"
        " WHERE r.kind = 'report' AND r.status IN ('confirmed', 'corrected', 'rejected') ORDER BY e.article_id", [])]
    out: list[ReviewedArticle] = []
    for i in range(0, len(ids), 200):
        chunk = ids[i:i + 200]
        marks = ",".join("?" * len(chunk))
        articles = {r["id"]: r for r in sql(f"SELECT id, doc_id, url, outlet, published, text FROM articles"
                                            f" WHERE id IN ({marks})", chunk)}
        reports: dict[int, list[dict[str, Any]]] = {}
        for r in sql(f"SELECT e.*, s.evidence, s.evidence_start, m.fused_id, f.source_count FROM {reports_source()} e"
                     " JOIN fused_members m ON m.event_id = e.event_id JOIN fused_events f ON f.fused_id = m.fused_id"
                     " LEFT JOIN event_sources s ON s.event_id = e.event_id AND s.article_id = e.article_id"
                     f" WHERE e.article_id IN ({marks})", chunk):
            reports.setdefault(r["article_id"], []).append(r)
        out += [_article_gold(articles[a], reports[a]) for a in chunk]
    return sorted(out, key=lambda g: g.gold["id"])


def _write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_gold_folder(items: list[ReviewedArticle], folder: Path) -> Path:
    """`folder/articles.jsonl` and `folder/gold.jsonl`: the layout of a gold set, which score.py and
    `sitrep.decide.gold.read_gold_folder` (what `sitrep eval` trains on) read."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_lines(folder / "articles.jsonl", (g.article for g in items))
    _write_lines(folder / "gold.jsonl", (g.gold for g in items))
    return folder
