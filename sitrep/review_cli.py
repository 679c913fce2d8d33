"""`sitrep review` and `sitrep export-reviews`: analysts' reviews from the command line, a thin layer
over the stores' review methods (store/reviews.py)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .errors import ReviewError
from .store.decisions import REVIEW_FIELDS

DEFAULT_DB = "sitrep.db"  # the CLI's default store (sitrep/cli.py)
PAST = {"confirm": "confirmed", "correct": "corrected", "reject": "rejected"}
QUEUE_COLUMNS = [("event_id", 17), ("confidence", 5), ("event_date", 10), ("sub_event_type", 28), ("actor1", 26),
                 ("location", 20), ("country", 10), ("fatalities", 4), ("source_count", 3), ("review_status", 9)]


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, int]]) -> str:
    head = "  ".join(name[:w].ljust(w) for name, w in columns)
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append("  ".join(str(r.get(name) if r.get(name) is not None else "")[:w].ljust(w) for name, w in columns))
    return "\n".join(lines)


def _show(v: Any) -> str:
    return "—" if v is None else str(v)


def format_record(record: dict[str, Any]) -> str:
    """An event's review: the machine's reading and the correction side by side, then every review."""
    status = record["status"] or "not reviewed"
    if record["reviewed_by"]:
        status += f" by {record['reviewed_by']} at {record['reviewed_at']}"
    if record["stale"]:
        status += " (the machine's reading changed since)"
    lines = [f"event {record['event_id']}: {status}", "", f"{'field':<16}{'machine':<40}reviewed"]
    for name in REVIEW_FIELDS:
        machine = record["machine"].get(name)
        if name in record["corrected"]:
            lines.append(f"{name:<16}{_show(machine):<40}{_show(record['corrected'][name])}")
        elif name in record["machine"]:
            lines.append(f"{name:<16}{_show(machine):<40}")
    if record["history"]:
        lines += ["", "reviews:"]
        for h in record["history"]:
            what = ", ".join(f"{k}={_show(v)}" for k, v in h["changes"].items())
            moved = f" moved {', '.join(h['moved'])}" if h["moved"] else ""
            note = f" — {h['note']}" if h["note"] else ""
            lines.append(f"  {h['reviewed_at']}  {h['reviewer']}: {h['action']} {h['event_id']}"
                         f"{' ' + what if what else ''}{moved}{note}")
    return "\n".join(lines)


def _open(db: str) -> Any:
    from .cli import _open_db  # (the CLI module registers these commands: imported when they run)

    return _open_db(db)


def _queue(db: str, status: str, limit: int, as_json: bool) -> None:
    with _open(db) as store:
        rows = store.review_queue(status, limit=limit)
        total = store.count_queue(status)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    click.echo(_table(rows, QUEUE_COLUMNS))
    click.echo(f"({len(rows)} of {total} {status} events{', least confident first' if status == 'unreviewed' else ''})")


@click.command()
@click.argument("event_id", required=False)
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Store: a SQLite file or a postgresql:// URL.")
@click.option("--by", "reviewer", metavar="NAME", help="Who reviews (recorded with the time).")
@click.option("--confirm", is_flag=True, help="The event is right as it stands.")
@click.option("--reject", is_flag=True, help="No such event: it leaves every output (but stays listed).")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field (repeatable): event_type, sub_event_type, actor1, actor2, inter1, inter2, "
                   "country, admin1, admin2, location (with latitude and longitude), latitude, longitude, "
                   "geo_precision, event_date, time_precision, fatalities (or toll); place=GEONAMEID picks the "
                   "place from the gazetteer; an empty VALUE clears the field.")
@click.option("--merge", "merge_with", multiple=True, metavar="OTHER_ID",
              help="Merge OTHER_ID (repeatable) into EVENT_ID: they are one event.")
@click.option("--split", "split_off", multiple=True, metavar="REPORT",
              help="Take a report (its event id or its article's doc_id; repeatable) out of EVENT_ID, for good.")
@click.option("--note", help="Why, in a few words (kept with the review).")
@click.option("--queue", is_flag=True, help="List events to review, least confident first.")
@click.option("--rejected", is_flag=True, help="With --queue: list the rejected events.")
@click.option("--reviewed", is_flag=True, help="With --queue: list the reviewed events, latest first.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True, help="With --queue.")
@click.option("--json", "as_json", is_flag=True, help="With --queue: JSON lines.")
def review(event_id: str | None, db: str, reviewer: str | None, confirm: bool, reject: bool,
           assignments: tuple[str, ...], merge_with: tuple[str, ...], split_off: tuple[str, ...], note: str | None,
           queue: bool, rejected: bool, reviewed: bool, limit: int, as_json: bool) -> None:
    """Review an event: confirm, correct, reject, merge or split it (EVENT_ID from `sitrep events` or
    the queue); with no action, show its review. `--queue` lists what is left to review.

    \b
      sitrep review --queue
      sitrep review f3c2…  --by Ana --set fatalities=9 --set event_date=2024-03-07
      sitrep review f3c2…  --by Ana --reject --note "an anniversary piece"
      sitrep review f3c2…  --by Ana --merge f9a1…
      sitrep review f3c2…  --by Ana --split nyt-2024-03-08
    """
    if queue:
        if event_id or confirm or reject or assignments or merge_with or split_off:
            raise click.UsageError("--queue lists events; give an EVENT_ID without --queue to review one")
        if rejected and reviewed:
            raise click.UsageError("--rejected or --reviewed, not both")
        _queue(db, "rejected" if rejected else "reviewed" if reviewed else "unreviewed", limit, as_json)
        return
    if not event_id:
        raise click.UsageError("give an EVENT_ID to review (see `sitrep review --queue`), or --queue")
    actions = [bool(confirm or assignments), reject, bool(merge_with), bool(split_off)]
    if sum(actions) > 1:
        raise click.UsageError("one action at a time: --confirm/--set, --reject, --merge or --split")
    try:
        _review(event_id, db, reviewer, confirm, reject, assignments, merge_with, split_off, note, any(actions))
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None


def _review(event_id: str, db: str, reviewer: str | None, confirm: bool, reject: bool, assignments: tuple[str, ...],
            merge_with: tuple[str, ...], split_off: tuple[str, ...], note: str | None, acting: bool) -> None:
    from .corrections import parse_assignments

    with _open(db) as store:
        if not acting:
            click.echo(format_record(store.review_record(event_id)))
            return
        if merge_with:
            target = store.merge_events([event_id, *merge_with], reviewer=reviewer or "", note=note)
            click.echo(f"merged into {target}", err=True)
        elif split_off:
            target, moved = store.split_event(event_id, list(split_off), reviewer=reviewer or "", note=note)
            click.echo(f"split: {target} keeps its other reports; the moved ones are now {moved}", err=True)
        else:
            changes = parse_assignments(assignments)
            action = "reject" if reject else "correct" if changes else "confirm"
            target = store.review(event_id, reviewer=reviewer or "", action=action, changes=changes, note=note)
            click.echo(f"{target}: {PAST[action]} by {reviewer}", err=True)
        click.echo(format_record(store.review_record(target)))


@click.command("export-reviews")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Store: a SQLite file or a postgresql:// URL.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder for articles.jsonl and gold.jsonl (the layout of ../shared/eval/*).")
@click.option("--complete-only", is_flag=True, help="Only the articles whose every event was reviewed.")
def export_reviews(db: str, output: str, complete_only: bool) -> None:
    """Write the reviewed articles as training gold (articles.jsonl + gold.jsonl), for `sitrep eval`
    and score.py. An article only partly reviewed keeps its unreviewed events as `optional`."""
    from .reviewed_gold import write_gold_folder

    with _open(db) as store:
        items = [g for g in store.reviewed_gold() if g.complete or not complete_only]
    folder = write_gold_folder(items, Path(output))
    events = sum(1 for g in items for e in g.gold["events"] if not e.get("optional"))
    complete = sum(1 for g in items if g.complete)
    click.echo(f"sitrep: {len(items)} reviewed articles ({complete} reviewed in full), {events} gold events -> "
               f"{folder}", err=True)
