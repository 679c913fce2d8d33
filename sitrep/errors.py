"""A numbered catalogue of sitrep's errors; each message says what to do.

Codes are stable: they appear in logs, in the store's rejects table and in API
error bodies.
"""
from __future__ import annotations


class Errors:
    E001 = "File not found."
    E002 = "Empty input: the file holds no text."
    E003 = "Binary data, not text (NUL bytes or an undecodable byte pattern). Convert it to text first."
    E004 = "Text is not valid UTF-8 and no other encoding could be detected with confidence."
    E005 = "Input of {size} bytes is over the limit of {limit} bytes. Split it, or raise `max_bytes`."
    E006 = "Not a JSON object on this line: {detail}"
    E007 = "JSON record lacks a 'text' field (needs id, url, outlet, published, text)."
    E008 = "HTML page yielded no main text: {detail}"
    E009 = "Feed could not be parsed: {detail}"
    E010 = "CSV row could not be read: {detail}"
    E011 = "Unsupported input: {detail}"
    E012 = "Article has no text left after cleaning."
    E013 = "Store error: {detail}"
    E014 = "Path escapes the folder being ingested (symlink or '..'): {detail}"
    E015 = "Could not fetch {url}: {detail}"
    E016 = "An article with this id and other text is already stored; the stored one is kept."
    E017 = "Analysis of {doc_id} failed ({detail}); the article was skipped. Please report it with the input."
    E018 = "Archive member could not be read: {detail}"
    E019 = ("Article of {size} characters is over the limit of {limit} characters one article may have"
            " (the parser's bound on time and memory). Split it into articles.")
    E020 = "Gazetteer not built at {path}. Run `sitrep gazetteer build` (the setup script does)."
    # the decision layer and its data (30-39)
    E030 = "Gold folder cannot be used: {detail}"
    E031 = ("Decision model {path} cannot be used: {detail}. Retrain it with "
            "`sitrep eval train --gold ../shared/eval -o {path}`, or run with `--rules`.")
    E032 = "Data file is malformed: {detail}. Fix the line it names."
    # analysts' reviews (40-49)
    E040 = "Review not recorded: {detail}"
    E041 = ("No event {event_id} in this store. List events with `sitrep events` (ids in the first column)"
            " or `sitrep review --queue`.")


class SitrepError(Exception):
    """Base error: carries a stable code and the file (and line) it concerns."""

    def __init__(self, code: str, *, source: str | None = None, line: int | None = None, **fmt: object):
        template = getattr(Errors, code)
        self.code = code
        self.source = source
        self.line = line
        self.reason = template.format(**fmt) if fmt else template
        where = ""
        if source:
            where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(f"{where}[{code}] {self.reason}")


class InputError(SitrepError):
    """An input document that cannot be read; the batch goes on without it."""


class StoreError(SitrepError):
    """The store cannot be opened or written."""


class ReviewError(SitrepError):
    """A review that cannot be recorded: an unknown event, field or value (nothing was written)."""
