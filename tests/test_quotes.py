"""Direct quotes go to the store with their speaker and the speaker's role as the article gives it."""
from __future__ import annotations

from sitrep.clean import clean
from sitrep.quotes import find_quotes
from sitrep.readers import read_inputs
from sitrep.records import RawDocument

from .conftest import SAMPLE, needs_shared


@needs_shared
def test_speakers_and_roles_of_the_seed_quotes(nlp):
    article = next(clean(d) for d in read_inputs([str(SAMPLE)]) if isinstance(d, RawDocument) and d.doc_id.endswith("#1"))
    quotes = find_quotes(article, nlp(article.text))
    by_speaker = {q.speaker: q for q in quotes if q.speaker}
    assert set(by_speaker) == {"Hussein Allawi", "Matthew Morris"}
    assert "professor at Nahrain University" in by_speaker["Hussein Allawi"].speaker_role
    assert by_speaker["Matthew Morris"].speaker_role.startswith("spokesman for the US-led mission")
    for q in quotes:
        assert article.text[q.start:q.end].strip() == q.text


def test_scare_quotes_are_not_speech(nlp):
    text = "Israeli forces made a “small incursion” into the town, the mayor said."
    article = clean(RawDocument(doc_id="x", text=text, source="t"))
    assert find_quotes(article, nlp(article.text)) == []
