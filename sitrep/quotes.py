"""Direct quotes with their speaker and the speaker's role, as the article gives them."""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .records import Article, Quote
from .words import role_nouns

_QUOTE = re.compile(r"[“\"]([^”\"]{8,1000})[”\"]")
SPEECH_VERBS = {"say", "tell", "add", "state", "write", "describe", "explain", "note", "stress", "warn", "ask"}
ROLE_NOUNS = role_nouns()
MIN_QUOTE_WORDS = 5


def find_quotes(article: Article, doc: Doc) -> list[Quote]:
    """Quoted passages and who said them ('“…,” Allawi said' -> Hussein Allawi, his role)."""
    people = _people(doc)
    quotes: list[Quote] = []
    for m in _QUOTE.finditer(article.text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        speaker_tok = _speaker(span.sent, span)
        speaker = role = None
        if speaker_tok is not None:
            speaker, role = _full_name(speaker_tok, people)
        if len(m.group(1).split()) < MIN_QUOTE_WORDS and not m.group(1).rstrip().endswith((",", ".", "?", "!")):
            continue  # a scare quote ('a “small incursion”'), not speech
        quotes.append(Quote(article.doc_id, m.group(1).strip(), m.start(1), m.end(1), speaker, role))
    return quotes


def _speaker(sent: Span, quote: Span) -> Token | None:
    """The subject of the speech verb of the quote's sentence, outside the quote."""
    for tok in sent:
        if quote.start <= tok.i < quote.end or tok.lemma_.lower() not in SPEECH_VERBS:
            continue
        for child in tok.children:
            if child.dep_ == "nsubj" and not (quote.start <= child.i < quote.end):
                return child
    return None


def _people(doc: Doc) -> list[Span]:
    return [e for e in doc.ents if e.label_ == "PERSON"]


def _full_name(token: Token, people: list[Span]) -> tuple[str | None, str | None]:
    """The full name a surname or pronoun stands for, and the role given beside its first mention."""
    if token.pos_ == "PRON":
        return None, None
    name = token.text
    own = next((p for p in people if p.start <= token.i < p.end), None)
    if own is not None:
        name = own.text
    first = next((p for p in people if p.text.split()[-1] == name.split()[-1]), None)
    if first is None:
        return name, None
    return first.text, _role(first)


def _role(person: Span) -> str | None:
    """'Matthew Morris, a spokesman for …' or '… professor at Nahrain University Dr. Hussein Allawi'."""
    doc = person.doc
    after = doc[person.end: min(len(doc), person.end + 14)]
    if len(after) > 1 and after[0].text == ",":
        words: list[str] = []
        for tok in after[1:]:
            if tok.text in (",", ";") or (tok.pos_ == "VERB" and tok.dep_ != "amod"):
                break
            words.append(tok.text_with_ws)
        role = "".join(words).strip()
        if any(w.lower() in ROLE_NOUNS for w in role.split()):
            return re.sub(r"^(?:a|an|the)\s+", "", role)
    before = doc[max(person.sent.start, person.start - 10): person.start]
    for i, tok in enumerate(before):
        if tok.lower_ in ROLE_NOUNS:
            phrase = before[i:]
            text = re.sub(r"\s*\b(?:Dr|Mr|Ms|Mrs)\.?\s*$", "", phrase.text).strip(" ,")
            start = before[:i]
            lead = [t for t in start if t.pos_ in ("ADJ", "NOUN", "PROPN") and t.dep_ in ("amod", "compound")]
            prefix = " ".join(t.text for t in lead[-2:])
            return (prefix + " " + text).strip() if prefix else text
    return None
