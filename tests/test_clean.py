"""Cleaning: repeated lines and chrome go, captions stay as their own pieces, dates are found."""
from __future__ import annotations

from datetime import date

import pytest

from sitrep.clean import clean, is_caption
from sitrep.readers import read_inputs
from sitrep.records import RawDocument

from .conftest import DEV_ARTICLES, SAMPLE, needs_shared


def articles(path):
    return {d.doc_id: clean(d) for d in read_inputs([str(path)]) if isinstance(d, RawDocument)}


@needs_shared
def test_sample_captions_are_kept_once_and_chrome_dropped():
    arts = articles(SAMPLE)
    first = arts["000_88aa7ddcd16cc528#1"]
    assert first.title == "Iraq Collaborates With NATO to Fight ISIS"
    captions = [p.text for p in first.captions]
    assert len(captions) == 1 and "Wadi al-Shai" in captions[0]
    assert first.text.count("Wadi al-Shai") == 1  # printed four times in the dump
    assert "\nTT\n" not in first.text and not first.text.startswith("TT")
    assert first.text.count("Iraq Collaborates With NATO") == 1
    second = arts["000_88aa7ddcd16cc528#2"]
    assert [p.text.endswith("(EPA)") for p in second.captions] == [True]


@needs_shared
def test_piece_offsets_point_into_article_text():
    for article in articles(SAMPLE).values():
        for piece in article.pieces:
            assert article.text[piece.start:piece.end] == piece.text
            assert piece.source_line is not None and piece.source_line >= 1


@needs_shared
def test_comment_forms_and_teasers_are_cut():
    arts = articles(DEV_ARTICLES)
    makhoul = arts["iq-makhoul-4"].text
    assert "Leave a Reply" not in makhoul and "Required fields" not in makhoul
    assert "Makhoul mountains" in makhoul
    tahrir = arts["iq-tahrir-protest-2019-10-01"].text
    assert "Check Also" not in tahrir and "US House votes" not in tahrir and "Translate" not in tahrir
    assert "(AP Photo/Khalid Mohammed)" in " ".join(p.text for p in arts["iq-tahrir-protest-2019-10-01"].captions)


@needs_shared
def test_bylines_are_metadata():
    arts = articles(DEV_ARTICLES)
    ap = arts["lb-wadi-kfour-ap"]
    assert ap.byline and "KAREEM CHEHAYEB" in ap.byline
    assert "By KAREEM CHEHAYEB" not in ap.text


def test_page_header_date_is_not_the_story_date():
    raw = RawDocument(
        doc_id="x", source="t",
        text="Friday , September 17 2021\n\nPolice fire on protesters\n\nBEIRUT, Oct 1, (AP): Security forces fired tear gas at protesters in Baghdad on Tuesday, officials said.",
    )
    assert clean(raw).published is None
    agreeing = RawDocument(doc_id="y", source="t", text="October 1, 2019\n\nBEIRUT, Oct 1, (AP): Security forces fired tear gas at protesters in Baghdad on Tuesday, officials said.")
    assert clean(agreeing).published == date(2019, 10, 1)


def test_date_from_url_path():
    raw = RawDocument(doc_id="x", source="t", url="https://example.org/international/2019/11/02/massive-protests",
                      text="Tens of thousands of people marched in the capital on Friday, witnesses said.")
    article = clean(raw)
    assert article.published == date(2019, 11, 2) and article.published_from == "url"


@pytest.mark.parametrize("line, caption", [
    # a wire photo's caption with its credit cut off: the place, then the date, and no preposition
    ("A protester throws a tear gas canister back at police during clashes in Westport, Eastland, March 3, 2024.", True),
    ("Soldiers patrol a street near the market in Northtown, Eastland April 9, 2023.", True),
    # prose dates its events with a preposition or a weekday
    ("The governor said gunmen attacked the market in Northtown on March 3, 2024.", False),
    ("The governor said gunmen attacked the market in Northtown on Sunday, March 3, 2024.", False),
    ("Published Mar 3, 2024", False),  # a date line, too short to be a caption
])
def test_a_caption_may_end_with_the_place_and_date_of_the_picture(line: str, caption: bool) -> None:
    assert is_caption(line, doubled=False) is caption


@pytest.mark.parametrize("opening, place", [
    ("LUSAKA (AFP) -Gunmen shot dead four farmers in Gombe State on Sunday, police said.", "Lusaka"),
    ("MAPUTO (Reuters)-Police fired tear gas at traders in the capital on Monday.", "Maputo"),
    ("DODOMA (Reuters) - Police fired tear gas at traders in the capital on Monday.", "Dodoma"),
])
def test_a_dateline_dash_may_touch_the_text_after_an_agency(opening: str, place: str) -> None:
    """'CITY (Agency) -Word': the wire's dateline, though the dash touches the first word; the city is where
    the story was filed, blanked out of the text the events are read from."""
    article = clean(RawDocument(doc_id="d", source="t", text=f"Farmers killed\n\n{opening}"))
    assert article.dateline_place == place
    start, end = article.dateline_span
    assert article.text[start:end].rstrip(" -").endswith(")")


@pytest.mark.parametrize("opening", [
    "UN-backed forces took the town of Baga on Sunday, the army said.",
    "AU-led troops (a new force) -backed by jets- held the road, officials said.",
])
def test_a_hyphenated_opening_word_is_no_dateline(opening: str) -> None:
    assert clean(RawDocument(doc_id="d", source="t", text=f"Troops advance\n\n{opening}")).dateline_place is None
