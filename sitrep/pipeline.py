"""The one data path: read -> clean -> analyse -> places -> events (-> store).

`Pipeline` loads the models once per process and streams: inputs are read
lazily, parsed in batches with `nlp.pipe`, and each article's Extraction is
yielded as soon as its batch is done.  Bad documents become Rejects, counted
and reported, never a stopped batch.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from .clean import clean
from .errors import Errors, InputError
from .events import EventCoder
from .events.proposals import ArticleProposals
from .nlp import BATCH_SIZE, load_nlp
from .places import PlaceResolver
from .quotes import find_quotes
from .readers import read_inputs
from .records import Article, Event, Extraction, RawDocument, Reject

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(frozen=True)
class PipelineOptions:
    batch_size: int = BATCH_SIZE
    fetch: bool = False  # fetch pages linked from feeds
    with_events: bool = True
    rules_only: bool = False  # the clause analysis' own reading, without the decision model
    published: date | None = None  # publication date of every article that gives none (`--published`)
    explain: bool = True  # keep the decision model's record of why (stored by ingest; `extract` writes only events)


class Pipeline:
    """Models, gazetteer and lexicons, loaded once; `run` streams Extractions and Rejects."""

    def __init__(self, options: PipelineOptions = PipelineOptions()):
        self.options = options
        self.nlp = load_nlp()
        self.places = PlaceResolver.load()
        self.coder = EventCoder.load(rules_only=options.rules_only) if options.with_events else None

    def run(self, paths: Iterable[str]) -> Iterator[Extraction | Reject]:
        return self.extract(clean_documents(read_inputs(paths, fetch=self.options.fetch)))

    def extract(self, items: Iterable[Article | Reject]) -> Iterator[Extraction | Reject]:
        """Parse articles in batches; pass Rejects through in order."""
        return self._batched(items, self.analyse)

    def propose(self, paths: Iterable[str]) -> Iterator[ArticleProposals | Reject]:
        """What the clause analysis proposes for each article, before any decision (for training)."""
        return self.propose_articles(clean_documents(read_inputs(paths, fetch=self.options.fetch)))

    def propose_articles(self, items: Iterable[Article | Reject]) -> Iterator[ArticleProposals | Reject]:
        coder = self.coder or EventCoder.load(rules_only=True)

        def propose_one(article: Article, doc: Doc) -> ArticleProposals:
            return coder.propose(article, doc, self.places.resolve(article, doc))

        return self._batched(items, propose_one)

    def _batched(self, items: Iterable[Article | Reject], analyse: Callable[[Article, Doc], R]) -> Iterator[R | Reject]:
        batch: list[Article] = []
        for item in items:
            if isinstance(item, Reject):
                yield from self._flush(batch, analyse)
                batch = []
                yield item
                continue
            batch.append(self.dated(item))
            if len(batch) >= self.options.batch_size:
                yield from self._flush(batch, analyse)
                batch = []
        yield from self._flush(batch, analyse)

    def dated(self, article: Article) -> Article:
        """The article with the run's `--published` date when neither it nor its text gives one."""
        if article.published is not None or self.options.published is None:
            return article
        return replace(article, published=self.options.published, published_from="option")

    def _flush(self, batch: list[Article], analyse: Callable[[Article, Doc], R]) -> Iterator[R | Reject]:
        if not batch:
            return
        pairs = ((analysable_text(a), a) for a in batch)
        for doc, article in self.nlp.pipe(pairs, batch_size=self.options.batch_size, as_tuples=True):
            try:
                yield analyse(article, doc)
            except Exception as exc:  # noqa: BLE001 - the batch error policy: one article's failure is its reject
                log.exception("analysis of %s failed", article.doc_id)
                yield Reject(article.source, Errors.E017.format(doc_id=article.doc_id, detail=f"{type(exc).__name__}: {exc}"),
                             "E017")

    def analyse(self, article: Article, doc: Doc) -> Extraction:
        places = self.places.resolve(article, doc)
        events: list[Event]
        why: dict[str, Any] | None
        if self.coder is None:
            events, why = [], None
        elif self.options.explain:
            events, why = self.coder.code_explained(article, doc, places)
        else:
            events, why = self.coder.code(article, doc, places), None
        quotes = find_quotes(article, doc)
        return Extraction(article, places, events, quotes, why)


def analysable_text(article: Article) -> str:
    """The article text with its dateline ('ERBIL, Kurdistan Region - ') blanked out, offsets unchanged:
    the filing place is metadata, and left in it breaks the parse of the lead sentence."""
    if not article.dateline_span:
        return article.text
    start, end = article.dateline_span
    return article.text[:start] + " " * (end - start) + article.text[end:]


def clean_documents(docs: Iterable[RawDocument | Reject]) -> Iterator[Article | Reject]:
    """The cleaning stage: RawDocuments become Articles; an empty one becomes a Reject."""
    for doc in docs:
        if isinstance(doc, Reject):
            yield doc
            continue
        try:
            yield clean(doc)
        except InputError as exc:
            yield Reject(doc.source, f"{doc.doc_id}: {exc.reason}", exc.code, doc.line_offset + 1 if doc.line_offset else None)
