"""The gazetteer: name folding, lookups, point-in-polygon, the GeoNames importer."""
from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sitrep.errors import SitrepError
from sitrep.gazetteer import Gazetteer, default_path, fold_key
from sitrep.gazetteer.cli import gazetteer as gazetteer_cli
from sitrep.gazetteer.geonames_import import GeoNamesFileError, import_files

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    path = default_path()
    if not path.is_file():
        pytest.skip(f"gazetteer not built at {path}: run `sitrep gazetteer build` (scripts/setup.sh does)")
    return Gazetteer.open(path)


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("variants", [
    ("Deirmimas", "Deir Mimas", "Dayr Mimas", "Dair Mimas"),
    ("Kfar Kila", "Kafr Kila", "Kafr Kilā", "Kfarkila"),
    ("Tall al-Nahas", "Tell en-Nahas", "Tal an Nahas"),
    ("Salah al-Din", "Salah ad Din", "Şalāḩ ad Dīn"),
    ("Marjayoun", "Marjaayoun", "Marj 'Ayoun", "Marjayoûn"),
    ("Nabatieh", "Nabatiyah", "An Nabaţīyah"),
])
def test_fold_key_joins_transliterations(variants: tuple[str, ...]) -> None:
    assert len({fold_key(v) for v in variants}) == 1


@pytest.mark.parametrize("a, b", [("Beirut", "Tripoli"), ("Kfar Kila", "Kfar Shouba"), ("Iran", "Iraq")])
def test_fold_key_keeps_different_places_apart(a: str, b: str) -> None:
    assert fold_key(a) != fold_key(b)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40))
def test_fold_key_is_plain_ascii_and_ignores_case(text: str) -> None:
    key = fold_key(text)
    assert re.fullmatch(r"[a-z0-9]*", key)
    if text.isascii():
        assert fold_key(text.upper()) == fold_key(text.lower())


# ---------------------------------------------------------------- the built gazetteer

def test_open_missing_file_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(SitrepError) as caught:
        Gazetteer.open(tmp_path / "none.sqlite")
    assert caught.value.code == "E020" and "gazetteer build" in str(caught.value)


def test_lookup_finds_a_village_under_another_spelling(gaz: Gazetteer) -> None:
    places = gaz.lookup("Kafr Kila")
    assert [(p.name, p.country_code) for p in places] == [("Kfar Kila", "LB")]
    assert places[0].latitude == pytest.approx(33.277, abs=0.01)


def test_lookup_has_admin_units_with_aliases(gaz: Gazetteer) -> None:
    salah = [p for p in gaz.lookup("Salah al-Din Governorate") if p.country_code == "IQ"]
    assert salah and salah[0].feature_code == "ADM1" and salah[0].latitude is not None
    marjayoun = {p.feature_code for p in gaz.lookup("Caza de Marjayoun") if p.country_code == "LB"}
    assert "ADM2" in marjayoun


def test_units_that_share_a_code_are_named_by_the_one_that_holds_them(gaz: Gazetteer) -> None:
    # The West Bank's governorates carry the territory's own admin-1 code: a town in any of them is in the
    # West Bank, not in whichever governorate the source happens to list last.
    nablus = next(p for p in gaz.lookup("Nablus") if p.country_code == "PS" and p.feature_class == "P")
    assert gaz.admin1_name(nablus.country_code, nablus.admin1_code) == "West Bank"


@pytest.mark.parametrize("text, code", [
    ("Lebanon", "LB"), ("Lebanese", "LB"), ("U.S.", "US"), ("United States of America", "US"),
    ("Iraqi", "IQ"), ("GB", "GB"), ("Britain", "GB"),
])
def test_country_by_name_demonym_or_code(gaz: Gazetteer, text: str, code: str) -> None:
    assert gaz.country(text) == code


def test_country_names_follow_acled(gaz: Gazetteer) -> None:
    assert gaz.country_name("LB") == "Lebanon"
    assert gaz.country_name("US") == "United States"


@pytest.mark.parametrize("lat, lon, country, admin1", [
    (33.378, 35.484, "LB", "07"),    # Nabatieh
    (34.196, 43.886, "IQ", "18"),    # Samarra, Salah ad Din
    (48.857, 2.352, "FR", None),     # Paris
])
def test_admin_at_finds_the_enclosing_area(gaz: Gazetteer, lat: float, lon: float,
                                           country: str, admin1: str | None) -> None:
    area = gaz.admin_at(lat, lon)
    assert area is not None and area.country_code == country
    if admin1:
        assert area.admin1_code == admin1


def test_admin_at_open_sea_is_none(gaz: Gazetteer) -> None:
    assert gaz.admin_at(0.0, -30.0) is None


def test_fuzzy_finds_close_spellings_in_one_country(gaz: Gazetteer) -> None:
    names = {p.name for p, _ in gaz.fuzzy("Marjeyoun", "LB")}
    assert "Marjayoun" in names
    assert not gaz.fuzzy("Marjeyoun", "JP")


# ---------------------------------------------------------------- the GeoNames importer

def _import(tmp_path: Path, *files: Path) -> Gazetteer:
    target = tmp_path / "g.sqlite"
    import_files(list(files), target)
    return Gazetteer.open(target)


def test_import_country_dump_and_admin_codes(tmp_path: Path) -> None:
    gaz = _import(tmp_path, FIXTURES / "LB.txt", FIXTURES / "admin1CodesASCII.txt")
    kfar = gaz.lookup("Kafr Kilā")
    assert [(p.geonameid, p.feature_class, p.country_code) for p in kfar] == [(272849, "P", "LB")]
    assert gaz.admin1_name("LB", kfar[0].admin1_code) == "An Nabaţīyah"
    assert not gaz.lookup("Beirut")  # only what was imported


def test_import_zip_and_reimport_is_idempotent(tmp_path: Path) -> None:
    archive = tmp_path / "LB.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "LB.txt", "LB.txt")
    target = tmp_path / "g.sqlite"
    first = import_files([archive], target)
    import_files([archive], target)
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM place").fetchone()[0] == first.places == 9


def test_import_alternate_names_for_known_places(tmp_path: Path) -> None:
    alternates = tmp_path / "alternateNamesV2.txt"
    alternates.write_text("1\t271226\ten\tMarj Uyun\t\t\t\t\t\t\n2\t999999999\ten\tNowhere\t\t\t\t\t\t\n",
                          encoding="utf-8")
    gaz = _import(tmp_path, FIXTURES / "LB.txt", alternates)
    assert [p.geonameid for p in gaz.lookup("Marj Uyun")] == [271226]
    assert not gaz.lookup("Nowhere")


def test_import_rejects_a_malformed_row_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "XX.txt"
    bad.write_text("1\tOnly\tthree columns\n", encoding="utf-8")
    with pytest.raises(GeoNamesFileError, match=r"XX.txt:1: expected 15"):
        import_files([bad], tmp_path / "g.sqlite")


def test_cli_import(tmp_path: Path) -> None:
    target = tmp_path / "g.sqlite"
    result = CliRunner().invoke(gazetteer_cli, ["import", str(FIXTURES / "LB.txt"), "--gazetteer", str(target)])
    assert result.exit_code == 0, result.output
    assert "imported 9 places" in result.output
    assert Gazetteer.open(target).lookup("Marjayoun")
