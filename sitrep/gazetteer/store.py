"""The built gazetteer: an SQLite file opened once per process, read-only.

Lookups go through folded keys (`names.fold_key`), so transliteration variants of
a name meet.  Exact lookups are cached; fuzzy lookups search one country's keys
with rapidfuzz.  `admin_at` finds the admin-1 area that contains a point.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from sitrep.errors import SitrepError
from sitrep.gazetteer.geo import Polygon, polygons_contain
from sitrep.gazetteer.names import exact_form, fold_key

ENV_PATH = "SITREP_GAZETTEER"
SCHEMA_VERSION = "4"
FUZZY_MIN_KEY = 6  # shorter keys match too many villages at one letter's distance
FUZZY_PREFIX = 1  # fuzzy matches share the first letter of their folded key

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS place(
  geonameid INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  latitude REAL, longitude REAL,
  feature_class TEXT, feature_code TEXT,
  country_code TEXT, admin1_code TEXT, admin2_code TEXT,
  population INTEGER NOT NULL DEFAULT 0,
  source TEXT);
CREATE TABLE IF NOT EXISTS name(
  key TEXT NOT NULL, exact TEXT NOT NULL, geonameid INTEGER NOT NULL, kind TEXT NOT NULL,
  country_code TEXT,
  PRIMARY KEY(key, exact, geonameid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS name_country ON name(country_code, key);
CREATE TABLE IF NOT EXISTS country(
  code TEXT PRIMARY KEY, iso3 TEXT, name TEXT NOT NULL, geonameid INTEGER,
  capital TEXT, capital_geonameid INTEGER, neighbours TEXT);
CREATE TABLE IF NOT EXISTS admin(
  country_code TEXT NOT NULL, admin1_code TEXT NOT NULL, admin2_code TEXT NOT NULL,
  name TEXT NOT NULL, geonameid INTEGER,
  PRIMARY KEY(country_code, admin1_code, admin2_code));
CREATE TABLE IF NOT EXISTS area(
  id INTEGER PRIMARY KEY, level INTEGER NOT NULL, country_code TEXT, admin1_code TEXT, geonameid INTEGER, name TEXT,
  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL, geometry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS area_lat ON area(min_lat, max_lat);
CREATE INDEX IF NOT EXISTS place_country ON place(country_code);
"""


def default_path() -> Path:
    """Env `SITREP_GAZETTEER`, else `<sys.prefix>/share/sitrep/gazetteer.sqlite`."""
    env = os.environ.get(ENV_PATH)
    return Path(env) if env else Path(sys.prefix) / "share" / "sitrep" / "gazetteer.sqlite"


@dataclass(frozen=True)
class Place:
    """One gazetteer entry (a GeoNames feature)."""

    geonameid: int
    name: str
    latitude: float | None
    longitude: float | None
    feature_class: str | None
    feature_code: str | None
    country_code: str | None
    admin1_code: str | None
    admin2_code: str | None
    population: int

    @property
    def is_country(self) -> bool:
        return (self.feature_code or "").startswith("PCL")

    @property
    def admin_level(self) -> int | None:
        code = self.feature_code or ""
        if code.startswith("PCL"):
            return 0
        if code in ("ADM1", "ADM2", "ADM3"):
            return int(code[-1])
        return None


@dataclass(frozen=True)
class AdminArea:
    """The admin-1 area containing a point."""

    country_code: str
    admin1_code: str | None
    name: str
    geonameid: int | None


_PLACE_COLUMNS = ("geonameid, name, latitude, longitude, feature_class, feature_code, "
                  "country_code, admin1_code, admin2_code, population")


class Gazetteer:
    """Read access to a built gazetteer file."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path
        self._countries: dict[str, tuple[str, int | None, str | None, int | None, frozenset[str]]] | None = None
        self._country_keys: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
        self._kinds: dict[tuple[str, int], frozenset[str]] = {}
        self._spellings: dict[tuple[str, int], frozenset[str]] = {}
        self._own_spellings: dict[tuple[str, int], frozenset[str]] = {}
        self._areas: dict[int, tuple[str, str | None, int | None, str, list[Polygon]]] = {}
        self.candidates = lru_cache(maxsize=50_000)(self._candidates)
        self._admin = lru_cache(maxsize=20_000)(self._admin_row)

    @classmethod
    def open(cls, path: Path | str | None = None) -> Gazetteer:
        """Open a built gazetteer (read-only); raises E020 when it is not built."""
        target = Path(path) if path is not None else default_path()
        if not target.is_file():
            raise SitrepError("E020", path=str(target))
        connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True, check_same_thread=False)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise SitrepError("E020", path=f"{target} (unreadable: {error})") from error
        if row is not None and row[0] != SCHEMA_VERSION:
            connection.close()
            raise SitrepError("E020", path=f"{target} (schema {row[0]}, this sitrep needs {SCHEMA_VERSION})")
        return cls(connection, target)

    # ------------------------------------------------------------ names
    def _candidates(self, key: str) -> tuple[Place, ...]:
        rows = self.connection.execute(
            f"SELECT {_PLACE_COLUMNS}, (SELECT group_concat(n.kind) FROM name n "
            "WHERE n.key = ? AND n.geonameid = place.geonameid), (SELECT group_concat(n.kind || ':' || n.exact, '|') "
            "FROM name n WHERE n.key = ? AND n.geonameid = place.geonameid) FROM place WHERE geonameid IN "
            "(SELECT geonameid FROM name WHERE key = ?)", (key, key, key)).fetchall()
        for row in rows:
            self._kinds[(key, row[0])] = frozenset((row[-2] or "").split(","))
            spellings = [item.partition(":") for item in (row[-1] or "").split("|")]
            self._spellings[(key, row[0])] = frozenset(exact for _, _, exact in spellings)
            self._own_spellings[(key, row[0])] = frozenset(exact for kind, _, exact in spellings if kind != "alt")
        return tuple(Place(*row[:-2]) for row in rows)

    def spelled_as(self, name: str, place: Place) -> bool:
        """True when one of the place's names is `name` itself (case, accents and spacing
        aside), not only a transliteration variant of it."""
        key = fold_key(name)
        if (key, place.geonameid) not in self._spellings:
            self.candidates(key)
        return exact_form(name) in self._spellings.get((key, place.geonameid), frozenset())

    def named_as(self, name: str, place: Place) -> bool:
        """True when the place's own name (not an alternate: a former, foreign or transliterated
        name) is `name` itself, case, accents and spacing aside: a town named 'Qaryat Zahr', also
        known as 'Zahr', is named so by the first only."""
        key = fold_key(name)
        if (key, place.geonameid) not in self._own_spellings:
            self.candidates(key)
        return exact_form(name) in self._own_spellings.get((key, place.geonameid), frozenset())

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Places whose name or alternate name folds to the same key as `name`."""
        key = fold_key(name)
        return self.candidates(key) if key else ()

    def name_kinds(self, key: str, geonameid: int) -> frozenset[str]:
        """How `key` names the place: 'name', 'alt', 'demonym' (empty if it does not)."""
        if (key, geonameid) not in self._kinds:
            self.candidates(key)
        return self._kinds.get((key, geonameid), frozenset())

    def fuzzy(self, name: str, country_code: str, *, limit: int = 5,
              cutoff: float = 88.0) -> list[tuple[Place, float]]:
        """Places of one country whose folded names are close to `name` (rapidfuzz ratio
        over the keys that share its first letter)."""
        key = fold_key(name)
        if len(key) < FUZZY_MIN_KEY:
            return []
        keys, ids = self._keys_of(country_code, key[:FUZZY_PREFIX])
        hits = process.extract(key, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        found: list[tuple[Place, float]] = []
        for _, score, index in hits:
            place = self.place(ids[index])
            if place is not None:
                found.append((place, float(score)))
        return found

    def _keys_of(self, country_code: str, prefix: str) -> tuple[list[str], list[int]]:
        if (country_code, prefix) not in self._country_keys:
            rows = self.connection.execute(
                "SELECT key, geonameid FROM name WHERE country_code = ? AND key >= ? AND key < ?",
                (country_code, prefix, prefix + "\uffff")).fetchall()
            self._country_keys[(country_code, prefix)] = ([r[0] for r in rows], [r[1] for r in rows])
        return self._country_keys[(country_code, prefix)]

    def place(self, geonameid: int) -> Place | None:
        row = self.connection.execute(
            f"SELECT {_PLACE_COLUMNS} FROM place WHERE geonameid = ?", (geonameid,)).fetchone()
        return Place(*row) if row else None

    # ------------------------------------------------------------ countries and admins
    def _country_table(self) -> dict[str, tuple[str, int | None, str | None, int | None, frozenset[str]]]:
        if self._countries is None:
            rows = self.connection.execute(
                "SELECT code, name, geonameid, capital, capital_geonameid, neighbours FROM country")
            self._countries = {code: (name, gid, cap, cap_id, frozenset((near or "").split(",")) - {""})
                               for code, name, gid, cap, cap_id, near in rows}
        return self._countries

    def neighbours(self, code: str | None) -> frozenset[str]:
        """ISO codes of the countries that share a land border with country `code`."""
        entry = self._country_table().get((code or "").upper())
        return entry[4] if entry else frozenset()

    def country_name(self, code: str | None) -> str | None:
        if not code:
            return None
        entry = self._country_table().get(code.upper())
        return entry[0] if entry else None

    def country_place(self, code: str) -> Place | None:
        entry = self._country_table().get(code.upper())
        return self.place(entry[1]) if entry and entry[1] else None

    def capital_id(self, code: str | None) -> int | None:
        entry = self._country_table().get((code or "").upper())
        return entry[3] if entry else None

    def country(self, text: str) -> str | None:
        """ISO alpha-2 code of a country named, adjectived or coded in `text`."""
        stripped = text.strip()
        if len(stripped) == 2 and stripped.isupper() and stripped in self._country_table():
            return stripped
        for place in self.lookup(stripped):
            if place.is_country:
                return place.country_code
        return None

    def _admin_row(self, country_code: str, admin1_code: str, admin2_code: str) -> tuple[str, int | None] | None:
        row = self.connection.execute(
            "SELECT name, geonameid FROM admin WHERE country_code = ? AND admin1_code = ? AND admin2_code = ?",
            (country_code, admin1_code, admin2_code)).fetchone()
        return (row[0], row[1]) if row else None

    def admin1_name(self, country_code: str | None, admin1_code: str | None) -> str | None:
        if not country_code or not admin1_code:
            return None
        entry = self._admin(country_code, admin1_code, "")
        return entry[0] if entry else None

    def admin2_name(self, country_code: str | None, admin1_code: str | None,
                    admin2_code: str | None) -> str | None:
        if not country_code or not admin1_code or not admin2_code:
            return None
        entry = self._admin(country_code, admin1_code, admin2_code)
        return entry[0] if entry else None

    def admin_place(self, country_code: str | None, admin1_code: str | None,
                    admin2_code: str = "") -> Place | None:
        """The gazetteer entry of an admin-1 (or, with `admin2_code`, admin-2) unit."""
        if not country_code or not admin1_code:
            return None
        entry = self._admin(country_code, admin1_code, admin2_code)
        return self.place(entry[1]) if entry and entry[1] else None

    # ------------------------------------------------------------ geometry
    def admin_at(self, latitude: float, longitude: float) -> AdminArea | None:
        """The admin-1 area (Natural Earth polygon) containing the point; else its country."""
        rows = self.connection.execute(
            "SELECT id FROM area WHERE min_lat <= ? AND max_lat >= ? AND min_lon <= ? AND max_lon >= ? "
            "ORDER BY level DESC",
            (latitude, latitude, longitude, longitude)).fetchall()
        for (area_id,) in rows:
            country, admin1, geonameid, name, polygons = self._area(area_id)
            if polygons_contain(polygons, longitude, latitude):
                return AdminArea(country, admin1, name, geonameid)
        return None

    def _area(self, area_id: int) -> tuple[str, str | None, int | None, str, list[Polygon]]:
        if area_id not in self._areas:
            row = self.connection.execute(
                "SELECT country_code, admin1_code, geonameid, name, geometry FROM area WHERE id = ?",
                (area_id,)).fetchone()
            self._areas[area_id] = (row[0], row[1], row[2], row[3], json.loads(row[4]))
        return self._areas[area_id]

    def meta(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT key, value FROM meta").fetchall())

    def close(self) -> None:
        self.connection.close()
