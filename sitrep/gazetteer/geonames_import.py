"""Import official GeoNames dump files into a built (or new) gazetteer.

    sitrep gazetteer import allCountries.zip alternateNamesV2.zip admin1CodesASCII.txt admin2Codes.txt

Accepted files (plain `.txt` or the `.zip` GeoNames serves):
- a country dump (`allCountries`, `LB`, `cities500`, ...): 19 tab-separated columns;
- `alternateNamesV2` (or `alternateNames`): extra names for places already present;
- `admin1CodesASCII.txt`, `admin2Codes.txt`: admin unit names.
Rows replace earlier rows with the same GeoNames id, so importing twice is harmless.
"""
from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sitrep.gazetteer.names import exact_form, fold_key, is_latin_name
from sitrep.gazetteer.store import SCHEMA, SCHEMA_VERSION

BATCH = 20_000
SKIPPED_LANGUAGES = {"link", "post", "iata", "icao", "faac", "abbr", "wkdt", "unlc", "fr_1793", "phon", "piny"}


class GeoNamesFileError(ValueError):
    """A GeoNames file that cannot be read; the message names the file and line."""


@dataclass
class ImportReport:
    places: int = 0
    names: int = 0
    admins: int = 0
    files: list[str] = field(default_factory=list)


def file_kind(path: Path) -> str:
    stem = path.name.split(".")[0].lower()
    if stem.startswith("alternatenames"):
        return "alternates"
    if stem.startswith("admin1codes"):
        return "admin1"
    if stem.startswith("admin2codes"):
        return "admin2"
    return "places"


@contextmanager
def open_lines(path: Path) -> Iterator[TextIO]:
    """The text of a GeoNames file, unzipping `X.zip` to its `X.txt` member."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n.lower()]
            wanted = [n for n in members if n.split("/")[-1].split(".")[0].lower() == path.stem.lower()]
            if not (wanted or members):
                raise GeoNamesFileError(f"{path}: no .txt member in the archive")
            with archive.open((wanted or members)[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            yield handle


def _rows(handle: TextIO, path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(handle, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.rstrip("\n").split("\t")
        if len(cells) < width:
            raise GeoNamesFileError(f"{path}:{number}: expected {width} tab-separated columns, found {len(cells)}")
        yield number, cells


NameRow = tuple[str, str, int, str, str]


def _name_rows(geonameid: int, names: list[str], kind: str, country: str) -> list[NameRow]:
    rows = []
    for name in names:
        if name and is_latin_name(name):
            key = fold_key(name)
            if len(key) >= 2 and not key.isdigit():
                rows.append((key, exact_form(name), geonameid, kind, country))
    return rows


class GeoNamesImporter:
    """Writes GeoNames rows into a gazetteer file (one writer, batched transactions)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.executescript(SCHEMA)
        with self.connection:
            self.connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        self.report = ImportReport()

    def import_files(self, paths: list[Path]) -> ImportReport:
        order = {"admin1": 0, "admin2": 1, "places": 2, "alternates": 3}
        for path in sorted(paths, key=lambda p: order[file_kind(p)]):
            if not path.is_file():
                raise GeoNamesFileError(f"{path}: file not found")
            getattr(self, f"_import_{file_kind(path)}")(path)
            self.report.files.append(str(path))
        self.connection.execute("ANALYZE")
        self.connection.commit()
        return self.report

    def _import_places(self, path: Path) -> None:
        places, names = [], []
        with open_lines(path) as handle:
            for number, cells in _rows(handle, path, 15):
                try:
                    geonameid = int(cells[0])
                    row = (geonameid, cells[1], float(cells[4]), float(cells[5]), cells[6], cells[7],
                           cells[8], cells[10], cells[11], int(cells[14] or 0), "geonames-dump")
                except ValueError as error:
                    raise GeoNamesFileError(f"{path}:{number}: {error}") from error
                places.append(row)
                names += _name_rows(geonameid, [cells[1]], "name", cells[8])
                names += _name_rows(geonameid, [cells[2], *cells[3].split(",")], "alt", cells[8])
                if len(places) >= BATCH:
                    self._write_places(places, names)
                    places, names = [], []
        self._write_places(places, names)

    def _write_places(self, places: Sequence[tuple[object, ...]], names: list[NameRow]) -> None:
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?)", places)
            self.connection.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?,?,?)", names)
        self.report.places += len(places)
        self.report.names += len(names)

    def _import_alternates(self, path: Path) -> None:
        known = dict(self.connection.execute("SELECT geonameid, country_code FROM place").fetchall())
        names: list[NameRow] = []
        with open_lines(path) as handle:
            for _, cells in _rows(handle, path, 4):
                geonameid = int(cells[1])
                historic = len(cells) > 7 and cells[7] == "1"
                if geonameid in known and cells[2] not in SKIPPED_LANGUAGES and not historic:
                    names += _name_rows(geonameid, [cells[3]], "alt", known[geonameid])
                if len(names) >= BATCH:
                    self._write_names(names)
                    names = []
        self._write_names(names)

    def _write_names(self, names: list[NameRow]) -> None:
        with self.connection:
            self.connection.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?,?,?)", names)
        self.report.names += len(names)

    def _import_admin1(self, path: Path) -> None:
        self._import_admins(path, level=1)

    def _import_admin2(self, path: Path) -> None:
        self._import_admins(path, level=2)

    def _import_admins(self, path: Path, level: int) -> None:
        rows = []
        with open_lines(path) as handle:
            for number, cells in _rows(handle, path, 4):
                parts = cells[0].split(".")
                if len(parts) != level + 1:
                    raise GeoNamesFileError(f"{path}:{number}: code {cells[0]!r} is not an admin-{level} code")
                rows.append((parts[0], parts[1], parts[2] if level == 2 else "", cells[1],
                             int(cells[3]) if cells[3] else None))
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO admin VALUES (?,?,?,?,?)", rows)
        self.report.admins += len(rows)

    def close(self) -> None:
        self.connection.close()


def import_files(paths: list[Path], gazetteer: Path) -> ImportReport:
    """Import GeoNames files into the gazetteer at `gazetteer` (created if missing)."""
    importer = GeoNamesImporter(gazetteer)
    try:
        return importer.import_files(paths)
    finally:
        importer.close()
