"""Small word lists of `sitrep/data` shared by several stages."""
from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of a one-word-a-line data file (comments after '#')."""
    text = resources.files("sitrep.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def role_nouns() -> frozenset[str]:
    """Nouns for roles and offices ('spokesperson', 'governor')."""
    return word_list("role_nouns.txt")


def time_nouns() -> frozenset[str]:
    """Nouns for spans of time ('month', 'feast'): 'the month of X' names a time, not a place."""
    return word_list("time_nouns.txt")
