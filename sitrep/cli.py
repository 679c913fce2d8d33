"""The `sitrep` command: a thin layer over the library."""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from . import __version__
from .errors import SitrepError
from .export import FORMATS, acled_fused_row, acled_row, write_parquet, write_rows
from .records import Reject

if TYPE_CHECKING:
    from .store import AnyStore

DEFAULT_DB = "sitrep.db"
log = logging.getLogger("sitrep")


@click.group()
@click.version_option(__version__)
@click.option("-v", "--verbose", is_flag=True, help="Log progress and rejects.")
def main(verbose: bool) -> None:
    """sitrep: raw English conflict news in, ACLED-style event data out."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh


def _report_reject(reject: Reject) -> None:
    click.echo(f"sitrep: rejected {reject}", err=True)


def _day(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> date | None:
    return value.date() if value else None


published_option = click.option(
    "--published", type=click.DateTime(["%Y-%m-%d"]), callback=_day, default=None, metavar="YYYY-MM-DD",
    help="Publication date for every article of this run that gives none (e.g. when the dump was captured).")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "geojson"]), default="jsonl", show_default=True)
@click.option("-o", "--output", default=None, help="File to write (default: stdout).")
@published_option
@click.option("--fetch", is_flag=True, help="Fetch the pages that feed entries link to.")
@click.option("--workers", type=click.IntRange(1, 512), default=1, show_default=True,
              help="Worker processes, each loading the models once (with --dask local: the cluster's size).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local",
              help="Run on a Dask cluster: its scheduler's address, or 'local' for a LocalCluster.")
@click.option("--rules", "rules_only", is_flag=True,
              help="Code with the clause analysis' rules alone, without the decision model (the baseline).")
def extract(paths: tuple[str, ...], fmt: str, output: str | None, published: date | None, fetch: bool, workers: int,
            dask_address: str | None, rules_only: bool) -> None:
    """Stream events from PATHS without a store (the evaluation contract)."""
    from .parallel import open_extractor
    from .pipeline import PipelineOptions

    options = PipelineOptions(fetch=fetch, rules_only=rules_only, published=published, explain=False)
    with open_extractor(options, workers=workers, dask=dask_address) as extractor:

        def rows() -> Iterator[dict[str, object]]:
            for item in extractor.run(paths):
                if isinstance(item, Reject):
                    _report_reject(item)
                    continue
                for event in item.events:
                    yield event.to_json()

        with _output(output) as out:
            write_rows(rows(), fmt, out)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("-o", "--output", default=None, help="File to write (default: stdout).")
def places(paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Write every place mention in PATHS, resolved, one JSON object a line."""
    from .pipeline import Pipeline, PipelineOptions

    pipeline = Pipeline(PipelineOptions(with_events=False))

    def rows() -> Iterator[dict[str, object]]:
        for item in pipeline.run(paths):
            if isinstance(item, Reject):
                _report_reject(item)
                continue
            yield from (p.to_json() for p in item.places)

    with _output(output) as out:
        write_rows(rows(), fmt, out)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default=DEFAULT_DB, show_default=True,
              help="Store: a SQLite file, or a postgresql://user@host/dbname URL.")
@published_option
@click.option("--fetch", is_flag=True, help="Fetch the pages that feed entries link to.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=32, show_default=True,
              help="Articles written per transaction.")
@click.option("--workers", type=click.IntRange(1, 512), default=1, show_default=True,
              help="Worker processes, each loading the models once (with --dask local: the cluster's size).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local",
              help="Analyse on a Dask cluster; this process stays the store's one writer.")
def ingest(paths: tuple[str, ...], db: str, published: date | None, fetch: bool, batch_size: int, workers: int,
           dask_address: str | None) -> None:
    """Read, analyse and store PATHS (files, folders, globs, '-' for stdin)."""
    from .ingest import ingest_paths
    from .parallel import open_extractor
    from .pipeline import PipelineOptions
    from .store import open_store

    options = PipelineOptions(fetch=fetch, published=published)
    try:
        with open_store(db) as store, \
                open_extractor(options, workers=workers, dask=dask_address) as extractor:
            report = ingest_paths(paths, store, extractor, fetch=fetch, progress=True, batch_size=batch_size)
    except KeyboardInterrupt:
        # The batch being written was rolled back and the workers were ended; what was stored is whole.
        click.echo("sitrep: interrupted; the batches already written are kept. Run the same command again"
                   " to complete the ingest.", err=True)
        sys.exit(130)
    for reject in report.rejected:
        _report_reject(reject)
    click.echo(f"read {report.read} articles: {report.added} added, {report.skipped} already stored, "
               f"{len(report.rejected)} rejected, {report.events} events", err=True)


MIN_CONFIDENCE = click.option(
    "--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
    help="Only events the decision model gives at least this calibrated probability (reviewed events always pass).")


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--country")
@click.option("--admin1")
@click.option("--type", "event_type", help="ACLED event type, e.g. 'Battles'.")
@click.option("--actor", help="Part of an actor's name.")
@click.option("--since", help="YYYY-MM-DD")
@click.option("--until", help="YYYY-MM-DD")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.option("--unfused", is_flag=True, help="One row per article's reading instead of per fused event.")
@click.option("--rejected", is_flag=True, help="Only the events analysts rejected (left out of every other output).")
@MIN_CONFIDENCE
def events(db: str, country: str | None, admin1: str | None, event_type: str | None, actor: str | None,
           since: str | None, until: str | None, limit: int, as_json: bool, unfused: bool, rejected: bool,
           min_confidence: float | None) -> None:
    """Query the store's events (fused across sources unless --unfused; analysts' corrections applied)."""
    from .store.schema import EventQuery

    query = EventQuery(country=country, admin1=admin1, event_type=event_type, actor=actor, since=since,
                       until=until, limit=limit, rejected=rejected, min_confidence=min_confidence)
    with _open_db(db) as store:
        rows = store.events(query) if unfused else store.fused_events(query)
    if as_json:
        write_rows(rows, "jsonl", sys.stdout)
        return
    click.echo(format_table(rows))


TABLE_COLUMNS = [("event_id", 17), ("event_date", 10), ("sub_event_type", 28), ("actor1", 28), ("actor2", 24),
                 ("location", 20), ("geo_precision", 3), ("admin1", 14), ("country", 10), ("fatalities", 4),
                 ("source_count", 3), ("review_status", 9)]  # geo: ACLED's precision (1 place, 2 near it, 3 region)


def format_table(rows: list[dict[str, object]]) -> str:
    """Events as a fixed-width table; the first column is the id `sitrep review` takes."""
    head = "  ".join(name[:w].ljust(w) for name, w in TABLE_COLUMNS)
    lines = [head, "-" * len(head)]
    for r in rows:
        values = {**r, "event_id": r.get("event_id") or r.get("fused_id")}
        lines.append("  ".join(str(values.get(name) if values.get(name) is not None else "")[:w].ljust(w)
                               for name, w in TABLE_COLUMNS))
    lines.append(f"({len(rows)} events)")
    return "\n".join(lines)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="csv", show_default=True)
@click.option("-o", "--output", default=None, help="File to write (default: stdout; required for parquet).")
@click.option("--unfused", is_flag=True, help="One row per article's reading instead of per fused event.")
@MIN_CONFIDENCE
def export(db: str, fmt: str, output: str | None, unfused: bool, min_confidence: float | None) -> None:
    """Export every stored event with ACLED's column names (fused, with their sources); analysts'
    corrections applied, rejected events left out, each row saying who reviewed it and when."""
    from .store.schema import EventQuery

    everything = EventQuery(limit=10_000_000, min_confidence=min_confidence)
    with _open_db(db) as store:
        if unfused:
            rows = [acled_row(r) for r in store.events(everything)]
        else:
            rows = [acled_fused_row(r, flat=fmt in ("csv", "parquet")) for r in store.fused_events(everything)]
    reviewed = sum(1 for r in rows if r.get("review_status") in ("confirmed", "corrected"))
    click.echo(f"sitrep: {len(rows)} events, {reviewed} reviewed by an analyst", err=True)
    if fmt == "parquet":
        if not output or output == "-":
            raise click.UsageError("parquet needs -o FILE")
        write_parquet(rows, output)
        return
    with _output(output) as out:
        write_rows(rows, fmt, out)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
def rejects(db: str) -> None:
    """List the inputs the store rejected, and why."""
    with _open_db(db) as store:
        for r in store.rejects():
            where = f"{r['source']}:{r['line']}" if r["line"] else r["source"]
            click.echo(f"{where}: [{r['code']}] {r['reason']}")


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
def stats(db: str) -> None:
    """Row counts of the store."""
    with _open_db(db) as store:
        click.echo(json.dumps(store.counts(), indent=1))


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
def fuse(db: str) -> None:
    """Fuse the whole store again from its per-article events (ingest fuses incrementally)."""
    with _open_db(db) as store:
        click.echo(f"{store.refuse_all()} fused events", err=True)


def _open_db(db: str) -> AnyStore:
    """The store at DB (a file or postgresql:// URL), which must exist."""
    from .store import open_store

    if "://" not in db:
        _require_db(db)
    return open_store(db, create=False)


def _require_db(db: str) -> None:
    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such store; run `sitrep ingest PATH --db {db}` first")


def _register_analyst_commands() -> None:
    from .api.commands import report as report_command
    from .api.commands import serve
    from .decide.commands import eval_group, explain
    from .gazetteer.cli import gazetteer
    from .review_cli import export_reviews, review

    main.add_command(serve)
    main.add_command(report_command)
    main.add_command(gazetteer)
    main.add_command(eval_group)
    main.add_command(explain)
    main.add_command(review)
    main.add_command(export_reviews)


_register_analyst_commands()


def run() -> None:
    try:
        main(standalone_mode=True)
    except SitrepError as exc:
        click.echo(f"sitrep: {exc}", err=True)
        sys.exit(2)
