"""Actor dictionary: aliases, demonym + force noun, generic classes, user extensions."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.actors import ActorDataError, ActorDictionary, read_actor_entries


@pytest.fixture(scope="module")
def actors() -> ActorDictionary:
    return ActorDictionary.load()


@pytest.mark.parametrize(
    ("text", "country", "name", "inter"),
    [
        ("ISIS", "Iraq", "Islamic State (Iraq)", 2),
        ("Daesh", "Syria", "Islamic State (Syria)", 2),
        ("ISIL militants", "Iraq", "Islamic State (Iraq)", 2),
        ("Islamic State (Iraq)", None, "Islamic State (Iraq)", 2),
        ("Hizbullah", None, "Hezbollah", 3),
        ("Hizballah fighters", "Lebanon", "Hezbollah", 3),
        ("the IDF", "Lebanon", "Military Forces of Israel", 1),
        ("Israeli warplanes", "Lebanon", "Military Forces of Israel", 1),
        ("Israeli drones", "Lebanon", "Military Forces of Israel", 1),
        ("an Israeli drone strike", "Lebanon", "Military Forces of Israel", 1),
        ("Iraqi Air Force", "Iraq", "Military Forces of Iraq", 1),
        ("Iraqi F-16 fighter jets", "Iraq", "Military Forces of Iraq", 1),
        ("Russian missiles", "Ukraine", "Military Forces of Russia", 1),
        ("Nigerian troops", None, "Military Forces of Nigeria", 1),
        ("Sudanese army", None, "Military Forces of Sudan", 1),
        ("Israel's army", None, "Military Forces of Israel", 1),
        ("the armed forces of Ukraine", None, "Military Forces of Ukraine", 1),
        ("U.S. forces", "Syria", "Military Forces of the United States", 1),
        ("American troops", "Iraq", "Military Forces of the United States", 1),
        ("federal police", "Iraq", "Police Forces of Iraq", 1),
        ("Iraqi security forces", None, "Military Forces of Iraq", 1),
        ("the army", "Mali", "Military Forces of Mali", 1),
        ("Hamas", None, "Hamas", 2),
        ("Houthi rebels", "Yemen", "Ansar Allah", 2),
        ("Al-Shabaab militants", "Somalia", "Al Shabaab", 2),
        ("Boko Haram", "Nigeria", "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", 2),
        ("ISWAP", "Nigeria", "Islamic State West Africa Province", 2),
        ("RSF", "Sudan", "Rapid Support Forces", 2),
        ("SAF", "Sudan", "Military Forces of Sudan", 1),
        ("Hashd al-Shaabi", "Iraq", "Popular Mobilization Forces", 3),
        ("UNIFIL peacekeepers", "Lebanon", "United Nations Interim Force in Lebanon", 8),
        ("the US-led coalition", "Iraq", "Global Coalition Against Daesh", 8),
        ("coalition warplanes", "Syria", "Global Coalition Against Daesh", 8),
        ("Taliban", "Afghanistan", "Taliban", 1),
        ("Wagner mercenaries", "Mali", "Wagner Group", 8),
        ("JNIM", "Burkina Faso", "JNIM: Jama'at Nusrat al-Islam wal-Muslimin", 2),
        ("gunmen", "Nigeria", "Unidentified Armed Group (Nigeria)", 3),
        ("unknown attackers", "Niger", "Unidentified Armed Group (Niger)", 3),
        ("armed men", "Mali", "Unidentified Armed Group (Mali)", 3),
        ("bandits", "Nigeria", "Unidentified Armed Group (Nigeria)", 3),
        ("suspected Fulani herders", "Nigeria", "Fulani Ethnic Militia (Nigeria)", 4),
        ("villagers", "Nigeria", "Civilians (Nigeria)", 7),
        ("worshippers", "Pakistan", "Civilians (Pakistan)", 7),
        ("a family", "Lebanon", "Civilians (Lebanon)", 7),
        ("Syrian nationals", "Lebanon", "Civilians (Lebanon)", 7),
        ("protesters", "Iraq", "Protesters (Iraq)", 6),
        ("demonstrators", "Kenya", "Protesters (Kenya)", 6),
        ("a mob", "India", "Rioters (India)", 5),
    ],
)
def test_normalise(actors: ActorDictionary, text: str, country: str | None, name: str, inter: int) -> None:
    actor = actors.normalise(text, country=country)
    assert actor is not None, text
    assert (actor.name, actor.inter) == (name, inter)


def test_civilians_take_the_event_country_not_the_nationality(actors: ActorDictionary) -> None:
    actor = actors.normalise("Lebanese civilians", country="Israel")
    assert actor is not None and actor.name == "Civilians (Israel)"


def test_security_forces_as_police_in_protests(actors: ActorDictionary) -> None:
    actor = actors.normalise("security forces", country="Iraq", security_as="police")
    assert actor is not None and actor.name == "Police Forces of Iraq"


def test_coalition_alone_depends_on_the_event_country(actors: ActorDictionary) -> None:
    assert actors.normalise("the coalition", country="Yemen").name == "Military Forces of Saudi Arabia"  # type: ignore[union-attr]
    assert actors.normalise("the coalition", country="Kenya") is None


@pytest.mark.parametrize("text", ["", "   ", "the weather", "is", "he said it is fine"])
def test_no_actor(actors: ActorDictionary, text: str) -> None:
    assert actors.normalise(text, country="Iraq") is None


def test_close_misspelling(actors: ActorDictionary) -> None:
    actor = actors.normalise("Hezbolah")
    assert actor is not None and actor.name == "Hezbollah"


def test_countries_and_demonyms(actors: ActorDictionary) -> None:
    assert actors.country("Iraqi").name == "Iraq"  # type: ignore[union-attr]
    assert actors.country("U.S.").name == "United States"  # type: ignore[union-attr]
    assert actors.country("Burkinabe").iso3 == "BFA"  # type: ignore[union-attr]
    assert actors.country("us") is None  # the pronoun is not the country


def test_find_actors_in_a_parsed_sentence(actors: ActorDictionary, nlp) -> None:
    doc = nlp("Israeli artillery shelled the hills overnight while Hezbollah fighters fired rockets "
              "at an Israeli army position, killing two civilians.")
    found = actors.find_actors(doc, country="Lebanon")
    assert [a.name for a in found] == ["Military Forces of Israel", "Hezbollah", "Military Forces of Israel",
                                       "Civilians (Lebanon)"]
    for a in found:
        assert doc.text[a.start:a.end] == a.text


def test_find_actors_in_a_span_keeps_doc_offsets(actors: ActorDictionary, nlp) -> None:
    doc = nlp("The village was quiet. Gunmen on motorcycles killed 17 villagers on Saturday.")
    sent = list(doc.sents)[1]
    found = actors.find_actors(sent, country="Nigeria")
    assert [a.name for a in found] == ["Unidentified Armed Group (Nigeria)", "Civilians (Nigeria)"]
    assert doc.text[found[0].start:found[0].end] == "Gunmen"


@pytest.mark.parametrize(("text", "name", "inter"), [
    # who has left the state's forces is a civilian: armed and unarmed are what people are at the event
    ("Gunmen shot a former soldier at his home.", "Civilians (Mali)", 7),
    ("Gunmen killed a retired police officer on Sunday.", "Civilians (Mali)", 7),
    ("Gunmen shot dead two ex-soldiers on Sunday.", "Civilians (Mali)", 7),
    ("Gunmen shot two soldiers at a checkpoint.", "Military Forces of Mali", 1),
])
def test_former_members_of_the_forces_are_civilians(actors: ActorDictionary, nlp, text: str, name: str,
                                                    inter: int) -> None:
    found = [a for a in actors.find_actors(nlp(text), country="Mali") if a.text.lower() != "gunmen"]
    assert [(a.name, a.inter) for a in found] == [(name, inter)]


def test_country_as_subject_or_agent(actors: ActorDictionary, nlp) -> None:
    doc = nlp("Israel struck a building in Beirut. The depot was hit by Russia.")
    assert [a.name for a in actors.find_actors(doc)] == ["Military Forces of Israel", "Military Forces of Russia"]
    assert actors.find_actors(nlp("Iraq's foreign minister flew to Iran.")) == []


def test_user_file_extends_the_dictionary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text("name\tinter\tcountry\tkind\taliases\twhere\n"
                     "Zintan Brigade\t3\tLibya\tgroup\tZintani brigade;Zintan militia\t\n", encoding="utf-8")
    assert ActorDictionary.load([extra]).normalise("the Zintan militia").name == "Zintan Brigade"  # type: ignore[union-attr]
    monkeypatch.setenv("SITREP_ACTORS", str(extra))
    assert ActorDictionary.load().normalise("Zintani brigade").name == "Zintan Brigade"  # type: ignore[union-attr]


def test_bad_inter_code_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tinter\tcountry\tkind\taliases\twhere\nX\t9\t\tgroup\tx\t\n", encoding="utf-8")
    with pytest.raises(ActorDataError, match=r"bad.tsv:2"):
        read_actor_entries(bad)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_normalise_never_crashes(text: str) -> None:
    actor = ActorDictionary.load().normalise(text, country="Iraq")
    assert actor is None or 1 <= actor.inter <= 8
