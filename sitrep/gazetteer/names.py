"""Folding place names to comparable keys across transliterations.

`fold_key("Deir Mimas") == fold_key("Dayr Mimas") == fold_key("Deirmimas")`.
The variant rules (word synonyms, Arabic articles, letter substitutions) live in
`sitrep/data/place_name_variants.tsv`; this module only applies them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

VARIANTS_FILE = "place_name_variants.tsv"
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc\u02bb\u02bf\u02be`\u00b4]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Stroked and ligature letters that NFKD does not decompose.
_EXTRA_FOLDS = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
    "ł": "l", "ı": "i", "ħ": "h", "ŧ": "t",
})


@dataclass(frozen=True)
class VariantRules:
    """The transliteration rules read from the data file."""

    words: dict[str, str]
    articles: frozenset[str]
    joined: re.Pattern[str] | None  # an article written joined to a later word: 'Alsaqi'
    subs: tuple[tuple[re.Pattern[str], str], ...]


@lru_cache(maxsize=1)
def variant_rules() -> VariantRules:
    words: dict[str, str] = {}
    articles: set[str] = set()
    joined: list[str] = []
    subs: list[tuple[re.Pattern[str], str]] = []
    text = resources.files("sitrep.data").joinpath(VARIANTS_FILE).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        kind = parts[0]
        if kind == "word" and len(parts) == 3:
            words[parts[1]] = parts[2]
        elif kind == "article" and len(parts) >= 2:
            articles.add(parts[1])
        elif kind == "joined" and len(parts) == 2:
            joined.append(re.escape(parts[1]))
        elif kind == "sub" and len(parts) == 3:
            subs.append((re.compile(parts[1]), parts[2]))
        else:
            raise ValueError(f"{VARIANTS_FILE}:{number}: cannot read rule {line!r}")
    pattern = re.compile(rf"^(?:{'|'.join(joined)})(?=[^aeiou\W][a-z]{{3}})") if joined else None
    return VariantRules(words, frozenset(articles), pattern, tuple(subs))


def fold_text(name: str) -> str:
    """Lowercase ASCII words: accents, apostrophes and punctuation removed."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_EXTRA_FOLDS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def fold_words(name: str) -> list[str]:
    """The folded words of a name, with variant words unified and articles dropped."""
    rules = variant_rules()
    words = [rules.words.get(w, w) for w in fold_text(name).split()]
    if len(words) > 1:
        kept = [w for w in words if w not in rules.articles]
        words = kept or words
        if rules.joined is not None:
            words = words[:1] + [rules.joined.sub("", w) for w in words[1:]]
    return words


@lru_cache(maxsize=200_000)
def fold_key(name: str) -> str:
    """A key equal for spellings of one name: 'Kafr Kila', 'Kfar Kila', 'Kfarkila'."""
    key = "".join(fold_words(name))
    for pattern, repl in variant_rules().subs:
        key = pattern.sub(repl, key)
    return key


@lru_cache(maxsize=200_000)
def exact_form(name: str) -> str:
    """A light key: lowercase, accents, punctuation and spaces removed, no variants folded."""
    return fold_text(name).replace(" ", "")


def is_latin_name(name: str) -> bool:
    """True when a name is written in Latin letters (alternate names in other scripts are skipped)."""
    if not _LATIN_LETTER.search(unicodedata.normalize("NFKD", name)):
        return False
    for char in name:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True
