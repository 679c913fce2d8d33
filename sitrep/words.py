"""Small word lists of `sitrep/data` shared by several stages."""
from __future__ import annotations

from functools import cache

from .datafiles import word_set


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of a one-word-a-line data file, checked against its schema."""
    return word_set(name)


def role_nouns() -> frozenset[str]:
    """Nouns for roles and offices ('spokesperson', 'governor')."""
    return word_list("role_nouns.txt")


def time_nouns() -> frozenset[str]:
    """Nouns for spans of time ('month', 'feast'): 'the month of X' names a time, not a place."""
    return word_list("time_nouns.txt")
