"""Every knowledge file is checked against its schema when it is loaded."""
from __future__ import annotations

from importlib import resources

import pytest

from sitrep.datafiles import SCHEMAS, DataFileError, read_table


def test_every_data_file_has_a_schema_and_meets_it():
    files = {p.name for p in resources.files("sitrep.data").iterdir() if p.is_file()}
    assert files <= SCHEMAS.keys(), files - SCHEMAS.keys()
    for name in sorted(files):
        assert read_table(name), name


def test_a_key_given_twice_names_the_file_and_both_lines(tmp_path):
    path = tmp_path / "triggers.tsv"
    path.write_text("phrase\tkind\tevent_type\tsub_event_type\trank\n"
                    "ambush\tevent\tBattles\tArmed clash\t4\n"
                    "# a comment line\n"
                    "Ambush\tharm\tViolence against civilians\tAttack\t6\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"triggers\.tsv:4: ambush is already given on line 2"):
        read_table("triggers.tsv", path)


def test_a_word_may_be_of_two_kinds_but_each_kind_once(tmp_path):
    path = tmp_path / "place_types.tsv"
    path.write_text("lake\tnatural\nlake\thead\n", encoding="utf-8")
    assert len(read_table("place_types.tsv", path)) == 2
    path.write_text("lake\tnatural\nlake\thead\nlake\tnatural\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"place_types\.tsv:3"):
        read_table("place_types.tsv", path)


@pytest.mark.parametrize(("text", "problem"), [
    ("phrase\tkind\tevent_type\tsub_event_type\trank\nshelled\tweapon\tX\tY\t2\n", "not one of"),
    ("phrase\tkind\tevent_type\tsub_event_type\trank\nshelled\tmeans\tX\tY\ttwo\n", "not a number"),
    ("phrase\tkind\tevent_type\tsub_event_type\trank\nshelled\tmeans\tX\n", "3 columns"),
    ("phrase\tkind\n", "the header should be"),
])
def test_a_malformed_line_is_an_error_naming_it(tmp_path, text, problem):
    path = tmp_path / "triggers.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=problem):
        read_table("triggers.tsv", path)


def test_a_users_actor_file_is_checked_like_the_projects(tmp_path):
    from sitrep.actors import ActorDataError, read_actor_entries

    path = tmp_path / "mine.tsv"
    path.write_text("name\tinter\tcountry\tkind\taliases\twhere\nNew Front\t9\t\tgroup\tNew Front\t\n", encoding="utf-8")
    with pytest.raises(ActorDataError, match=r"mine\.tsv:2"):
        read_actor_entries(path)


def test_two_trigger_phrases_the_parser_reads_alike_are_an_error(monkeypatch):
    # 'sit-in' and 'sit - in' are both the tokens 'sit', '-', 'in': one would win silently
    from sitrep import datafiles
    from sitrep.datafiles import Row
    from sitrep.events import lexicon

    rows = [Row(5, {"phrase": "sit-in", "kind": "event", "event_type": "Protests", "sub_event_type": "Peaceful protest",
                    "rank": "8"}),
            Row(9, {"phrase": "sit - in", "kind": "cue", "event_type": "Protests", "sub_event_type": "Peaceful protest",
                    "rank": "8"})]
    monkeypatch.setattr(datafiles, "read_table", lambda name, path=None: rows)
    lexicon.triggers.cache_clear()
    try:
        with pytest.raises(DataFileError, match="line 9.*line 5"):
            lexicon.triggers()
    finally:
        monkeypatch.undo()
        lexicon.triggers.cache_clear()


def test_a_hyphenated_trigger_is_the_parsers_tokens():
    from sitrep.events.lexicon import phrase_words

    assert phrase_words("Cease-fire") == ("cease", "-", "fire")
    assert phrase_words("f-16") == ("f-16",)  # a hyphen before a digit does not split the token
