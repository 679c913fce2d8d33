"""Event dates: relative expressions against the publication date, with ACLED precision."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.timeexpr import DateRef, find_date, is_historical, resolve_event_date

SAT = date(2024, 8, 17)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("on Friday", date(2024, 8, 16), 1),
        ("on Saturday", SAT, 1),
        ("early on Monday", date(2024, 8, 12), 1),
        ("late Tuesday", date(2024, 8, 13), 1),
        ("throughout Thursday night into Friday", date(2024, 8, 15), 1),
        ("on Monday night", date(2024, 8, 12), 1),
        ("Saturday afternoon", SAT, 1),
        ("yesterday", date(2024, 8, 16), 1),
        ("in the early hours of yesterday", date(2024, 8, 16), 1),
        ("today", SAT, 1),
        ("overnight", date(2024, 8, 16), 1),
        ("that night", date(2024, 8, 16), 1),
        ("last week", date(2024, 8, 10), 2),
        ("two weeks ago", date(2024, 8, 3), 2),
        ("on January 31", date(2024, 1, 31), 1),
        ("31 January", date(2024, 1, 31), 1),
        ("on December 25", date(2023, 12, 25), 1),  # never after publication
        ("Jan. 31, 2024", date(2024, 1, 31), 1),
        ("on March 28, 2025", date(2025, 3, 28), 1),
        ("last month", date(2024, 7, 15), 3),
        ("earlier this month", date(2024, 8, 15), 3),
        ("last December", date(2023, 12, 15), 3),
    ],
)
def test_resolve(text: str, expected: date, precision: int) -> None:
    ref = resolve_event_date(text, SAT)
    assert ref is not None
    assert (ref.date, ref.precision) == (expected, precision)
    assert text[ref.start:ref.end] == ref.text


@pytest.mark.parametrize("text", ["on Friday", "yesterday", "last week", "on January 31", "overnight"])
def test_no_publication_date_no_date(text: str) -> None:
    ref = resolve_event_date(text, None)
    assert ref is not None and ref.date is None and ref.text


@pytest.mark.parametrize("count", ["3000000", "999999999", "9" * 5000, "36501"])
def test_impossible_count_ago_is_no_date(count: str) -> None:
    ref = resolve_event_date(f"The village was shelled {count} days ago.", SAT)
    assert ref is not None and ref.date is None and ref.precision == 1


def test_count_ago_within_a_century_is_dated() -> None:
    ref = resolve_event_date("The village was shelled 36500 days ago.", SAT)
    assert ref is not None and ref.date == date(1924, 9, 11)


def test_absolute_date_needs_no_publication_date() -> None:
    ref = resolve_event_date("The raid took place on 5 March 2023.", None)
    assert ref is not None and ref.date == date(2023, 3, 5)


def test_no_date_expression() -> None:
    assert resolve_event_date("Gunmen attacked the village.", SAT) is None


def test_a_day_after_uses_the_anchor() -> None:
    friday = DateRef(date(2025, 2, 7), 1, "on Friday", 0, 9)
    ref = resolve_event_date("The attack comes a day after strikes killed seven.", None, sentence_dates=[friday])
    assert ref is not None and ref.date == date(2025, 2, 6)
    ref = resolve_event_date("The next day, protesters gathered.", None, sentence_dates=[friday])
    assert ref is not None and ref.date == date(2025, 2, 8)


def test_night_reported_on_a_weekday_is_the_day_before() -> None:
    ref = resolve_event_date("Strikes overnight killed nine, the governor said on Thursday.", date(2022, 8, 18))
    assert ref is not None and ref.date == date(2022, 8, 17)


def test_is_historical() -> None:
    assert is_historical(resolve_event_date("last December", SAT), SAT)
    assert not is_historical(resolve_event_date("on Friday", SAT), SAT)
    assert not is_historical(resolve_event_date("on Friday", None), None)


@pytest.mark.parametrize(
    ("sentence", "published", "expected", "text"),
    [
        ("A total of 18 people were killed late Tuesday in an attack, officials said Wednesday morning.",
         date(2012, 10, 31), date(2012, 10, 30), "late Tuesday"),
        ("At least two militants were killed in an airstrike, the army said on Friday.",
         date(2025, 3, 29), date(2025, 3, 28), "on Friday"),
        ("The military on Saturday announced the killing of two commanders.", None, None, "on Saturday"),
    ],
)
def test_find_date(nlp, sentence: str, published: date | None, expected: date | None, text: str) -> None:
    doc = nlp(sentence)
    ref = find_date(doc[:], published)
    assert ref is not None and (ref.date, ref.text) == (expected, text)
    assert doc.text[ref.start:ref.end] == ref.text


def test_find_date_prefers_the_event_verb_over_the_report(nlp) -> None:
    doc = nlp("Officials said on Monday that gunmen killed seven villagers on Saturday.")
    killed = next(t for t in doc if t.lemma_ == "kill")
    ref = find_date(doc[:], date(2024, 5, 21), verb=killed)
    assert ref is not None and ref.text == "on Saturday"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1))))
def test_resolve_never_crashes(text: str, published: date | None) -> None:
    ref = resolve_event_date(text, published)
    assert ref is None or ref.precision in (1, 2, 3)
