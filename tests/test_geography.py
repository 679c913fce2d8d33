"""The one home of place relations: distance, containment, "same place" (records of our own)."""
from __future__ import annotations

import pytest

from sitrep.fusion import Report, places_agree
from sitrep.gazetteer.names import fold_key
from sitrep.geography import COUNTRY, DISTRICT, PROVINCE, Spot, contains, distance_km, same_place
from sitrep.records import Event, PlaceMention


def _event(location: str, *, admin1: str | None = "Eastland", admin2: str | None = None, country: str = "Freedonia",
           precision: int = 1, lat: float | None = None, lon: float | None = None, gid: int | None = None,
           text: str | None = None) -> Event:
    return Event(doc_id="d", event_type="Battles", sub_event_type="Armed clash", country=country, admin1=admin1,
                 admin2=admin2, location=location, location_text=text or location, latitude=lat, longitude=lon,
                 geo_precision=precision, geonameid=gid)


def _report(location: str, **kw) -> Report:
    e = _event(location, **kw)
    return Report(event_id="e", doc_id="d", origin="d", outlet=None, url=None, published=None, evidence="",
                  event_type=e.event_type, sub_event_type=e.sub_event_type, actor1=None, actor2=None, inter1=None,
                  inter2=None, country=e.country, admin1=e.admin1, admin2=e.admin2, location=e.location,
                  location_text=e.location_text, latitude=e.latitude, longitude=e.longitude,
                  geo_precision=e.geo_precision, event_date=None, time_precision=None, fatalities=0, toll_update=False)


def test_levels_are_read_off_the_names() -> None:
    assert Spot.of_record(_event("Freedonia", precision=3)).level == COUNTRY
    assert Spot.of_record(_event("Eastland Province", precision=3)).level == PROVINCE
    assert Spot.of_record(_event("Marsh", admin2="Marsh District", precision=2)).level == DISTRICT
    assert Spot.of_record(_event("Eastland", precision=1)).level is None  # the province's namesake town
    assert Spot.of_record(_event("Freedonia City", country="Freedonia")).level is None  # a capital, not its country


def test_a_report_has_the_same_spot_as_its_event() -> None:
    kw = {"admin2": "Marsh", "precision": 2, "lat": 1.0, "lon": 2.0}
    assert Spot.of_record(_report("Marsh", **kw)) == Spot.of_record(_event("Marsh", **kw))


@pytest.mark.parametrize("outer, inner, expected", [
    (_event("Freedonia", precision=3), _event("Brook"), True),  # a country holds its towns
    (_event("Eastland", precision=3), _event("Brook"), True),  # a province its towns
    (_event("Westland", precision=3, admin1="Westland"), _event("Brook"), False),  # not another province's
    (_event("Eastland", precision=3), _event("Sylvania", country="Sylvania", precision=3, admin1=None), False),
    (_event("Marsh", admin2="Marsh", precision=2), _event("Brook", admin2="Marsh"), True),  # a district its towns
    (_event("Eastland", precision=1, gid=1), _event("Old Square", precision=3), True),  # the seat: its unknown parts
    (_event("Eastland", precision=1, gid=1), _event("Brook", gid=2), False),  # but no other known town
    (_event("Brook"), _event("Brook"), False),  # nothing holds itself
])
def test_containment(outer: Event, inner: Event, expected: bool) -> None:
    assert contains(Spot.of_record(outer), Spot.of_record(inner)) is expected


def test_a_mention_contains_by_its_feature_code() -> None:
    province = PlaceMention("d", "Eastland", 0, 8, name="Eastland", country="Freedonia", admin1="Eastland",
                            feature_class="A", feature_code="ADM1", geo_precision=3)
    town = PlaceMention("d", "Brook", 20, 25, name="Brook", country="Freedonia", admin1="Eastland",
                        feature_class="P", feature_code="PPL", geo_precision=1)
    assert contains(Spot.of_mention(province), Spot.of_mention(town))
    assert not contains(Spot.of_mention(town), Spot.of_mention(province))


@pytest.mark.parametrize("a, b, expected", [
    (_event("Brook", gid=7), _event("Brook Town", gid=7), True),  # one gazetteer entry
    (_event("Brook", gid=7), _event("Brook", gid=8), False),  # two entries of one name
    (_event("Deir Brook"), _event("Dayr Brook"), True),  # one name, two transliterations
    (_event("Brook", text="the Brook junction"), _event("Brook"), True),  # kind words aside
    (_event("Brook", lat=10.0, lon=10.0), _event("Fen", lat=10.0, lon=10.02), True),  # ~2 km: within SAME_PLACE_KM
    (_event("Brook", lat=10.0, lon=10.0), _event("Fen", lat=10.0, lon=10.05), False),  # ~5 km: two villages
    (_event("Brook", lat=10.0, lon=10.0, precision=3), _event("Fen", lat=10.0, lon=10.0), False),  # a centre point
    (_event("Eastland", precision=3), _event("Eastland", precision=1), False),  # a province, its namesake town
    (_event("Brook"), _event("Brook", country="Sylvania"), False),  # never across countries
])
def test_same_place(a: Event, b: Event, expected: bool) -> None:
    assert same_place(Spot.of_record(a), Spot.of_record(b)) is expected


def test_distance() -> None:
    here, there = Spot.of_record(_event("A", lat=0.0, lon=0.0)), Spot.of_record(_event("B", lat=0.0, lon=1.0))
    assert distance_km(here, there) == pytest.approx(111.2, abs=0.1)
    assert distance_km(here, Spot.of_record(_event("C"))) is None


def test_a_word_has_one_kind_after_a_name_and_may_also_open_one(monkeypatch, tmp_path) -> None:
    from sitrep import datafiles, geography

    path = tmp_path / "place_types.tsv"
    real = geography.read_table
    monkeypatch.setattr(geography, "read_table", lambda name: datafiles.read_table(name, path)
                        if name == "place_types.tsv" else real(name))
    geography.place_words.cache_clear()
    try:
        path.write_text("lake\tnatural\nlake\thead\n", encoding="utf-8")
        words = geography.place_words()
        assert words.kind("lake") == "natural" and "lake" in words.heads  # 'Chad lake', 'Lake Chad'
        path.write_text("lake\tnatural\nlake\thead\nlake\tsettlement\n", encoding="utf-8")
        geography.place_words.cache_clear()
        with pytest.raises(datafiles.DataFileError, match=r"place_types.tsv:3: 'lake' already has the kind natural"):
            geography.place_words()
    finally:
        geography.place_words.cache_clear()


# ---------------------------------------------------------------- transliteration folding (names of our own)

TRANSLITERATIONS = [
    ("Kamianivka", "Kamianovka"),  # Ukrainian -ivka, Russian -ovka
    ("Zelenopilske", "Zelenopilskoye"),  # Ukrainian -ske, Russian -skoye / -skoe
    ("Zelenopilske", "Zelenopilskoe"),
    ("Dubrivske", "Dubrovskoye"),  # -ivske / -ovskoye
    ("Sokilne", "Sokilnoye"),  # -ne / -noye
    ("Kup'yansk", "Kupiansk"),  # apostrophe for the soft sign
    ("Bir Alsaqi", "Bir al-Saqi"),  # the Arabic article written joined to a later word
    ("Hayy Alsalam", "Hayy es-Salam"),  # ... or assimilated and hyphenated
    ("Tal Hamra", "Tall el-Hamra"),  # al-/el- dropped, doubled letters
    ("Wad Hashim", "Ud Hashim"),  # Sudanese Wad / Ud
    ("Sa'dah", "Saada"),  # 'ayn and a final -h
    ("Ceelgaab", "El Gaab"),  # Somali Ceel (C for 'ayn) and the English El
    ("Ceel Gaab", "El Gaab"),
    ("Caabudhaq", "Abudhaq"),  # Somali C before a long vowel
    ("Ţūrmasa", "Turmasa"),  # diacritics
]


@pytest.mark.parametrize("a, b", TRANSLITERATIONS)
def test_transliterations_fold_to_one_key(a: str, b: str) -> None:
    assert fold_key(a) == fold_key(b)


@pytest.mark.parametrize("a, b", TRANSLITERATIONS)
def test_transliterations_are_one_place_in_merging_and_fusion(a: str, b: str) -> None:
    first, second = _event(a, precision=2), _event(b, precision=2)  # unknown villages: no id, no shared point
    assert same_place(Spot.of_record(first), Spot.of_record(second))
    assert places_agree(_report(a, precision=2), _report(b, precision=2))


@pytest.mark.parametrize("a, b", [("Alexandria", "Lexandria"), ("Cooper", "Oper"), ("Kamianivka", "Kamianka")])
def test_folding_keeps_other_names_apart(a: str, b: str) -> None:
    assert fold_key(a) != fold_key(b)  # a first word keeps its 'Al'; 'oo' is no Somali long vowel


def test_an_article_geography_gives_each_share_besides_a_name() -> None:
    """Shares are computed once per name left out: the same figures as summing the votes each time."""
    from sitrep.geography import ArticleGeography

    geo = ArticleGeography({"FR": {"freedonia": 1.0, "eastland": 1.5}, "SY": {"sylvania": 0.3}}, {})
    assert geo.share("FR") == 2.5 / 2.8 and geo.share("SY") == 0.3 / 2.8 and geo.share("XX") == 0.0
    assert geo.share("FR", "eastland") == 1.0 / 1.3 and geo.share(None, "eastland") == 0.0
    assert geo.share("FR") == 2.5 / 2.8  # asked again, the same
    assert geo.main == "FR" and geo.main_besides("freedonia") == "FR"
    assert ArticleGeography({"SY": {"sylvania": 0.3}}, {}).main_besides("sylvania") is None
    assert ArticleGeography({}, {}).share("FR") == 0.0
