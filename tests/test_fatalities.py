"""Fatality counts: number words, the dependency parse, conflicting and aggregate figures."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.fatalities import (
    FatalityMention,
    find_fatalities,
    lowest_credible,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("five", 5), ("one", 1), ("two", 2), ("13", 13), ("1,200", 1200), ("twenty-five", 25),
        ("one hundred and twenty", 120), ("a dozen", 12), ("dozens", 12), ("scores", 40),
        ("hundreds", 100), ("at least 10", 10), ("more than 40", 40), ("over 40", 40),
        ("a family of six", 6), ("10-15", 10), ("between 10 and 15", 10), ("dozens of people", 12),
        ("no one", 0), ("Seven", 7), ("2.5 million", 2_500_000),
    ],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "the village", "a lot", "people", "-", "at least"])
def test_parse_number_none(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("Five militants died when their camp was destroyed by an airstrike on Friday.", 5),
        ("Gunmen stormed the village late on Monday, killing seven.", 7),
        ("The blast left 13 people dead and 20 wounded.", 13),
        ("One dead as gunmen attack village.", 1),
        ("A family of six was killed in the strike.", 6),
        ("At least 10 people were killed in the raid.", 10),
        ("Dozens of civilians were killed in the shelling.", 12),
        ("Gunmen killed two and wounded five in the attack.", 2),
        ("An airstrike hit a hideout, killing one senior leader and three other subordinates.", 4),
        ("The attack killed 10 people, including three children.", 10),
        ("Two soldiers were shot dead at a checkpoint.", 2),
        ("The strike claimed the lives of seven people.", 7),
        ("A civilian was killed when a shell hit his house.", 1),
        ("Two people were killed and five injured in the explosion.", 2),
        ("Police said nine people were killed, but residents put the toll at more than 40.", 9),
        ("Ten killed in attack on market", 10),
        ("Twenty-three persons were killed in the two villages.", 23),
        ("No one was killed in the attack.", 0),
        ("Protesters marched peacefully through the capital.", 0),
        ("Security forces wounded 30 protesters.", 0),
        ("At least 12 people were killed or wounded.", 0),
        # "to death" completes a verb of bodily harm: its object, or its passive subject, is dead
        ("A crowd beat three suspected thieves to death on Sunday.", 3),
        ("Two farmers were hacked to death in their fields.", 2),
        ("Gunmen stabbed to death four traders at the market.", 4),
        # a judgement, or a figure of speech, kills nobody
        ("A military court sentenced five officers to death on Monday.", 0),
        ("Residents said they were scared to death by the gunfire.", 0),
    ],
)
def test_sentence_count(nlp, sentence: str, count: int) -> None:
    assert lowest_credible(find_fatalities(nlp(sentence)[:])) == count


def test_toll_update_replaces_earlier_figure(nlp) -> None:
    doc = nlp("Two people were killed in the strike. The death toll later rose to four.")
    mentions = [m for s in doc.sents for m in find_fatalities(s)]
    assert [m.update for m in mentions] == [False, True]
    assert lowest_credible(mentions) == 4


def test_aggregate_over_a_long_span_is_flagged(nlp) -> None:
    mentions = find_fatalities(nlp("Fighting has killed 250 people over the past month.")[:])
    assert len(mentions) == 1 and mentions[0].aggregate and mentions[0].count == 250
    assert lowest_credible(mentions) == 0


def test_mention_offsets_point_into_the_doc(nlp) -> None:
    doc = nlp("Officials said on Sunday that Five ISIS terrorists died in the strike.")
    (m,) = find_fatalities(doc[:])
    assert doc.text[m.start:m.end] == m.text
    assert m.about is not None and "ISIS terrorists" in m.about


def test_lowest_credible() -> None:
    def mention(count: int, **kw: bool) -> FatalityMention:
        return FatalityMention(count, str(count), 0, 1, **kw)

    assert lowest_credible([]) == 0
    assert lowest_credible([mention(9), mention(40)]) == 9
    assert lowest_credible([mention(250, aggregate=True)]) == 0


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_parse_number_never_crashes(text: str) -> None:
    value = parse_number(text)
    assert value is None or value >= 0


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc killed dead 12 seven , . and wounded of the toll rose to")),
               max_size=80))
def test_find_fatalities_never_crashes(nlp, text: str) -> None:
    for m in find_fatalities(nlp(text)[:]):
        assert m.count >= 0
