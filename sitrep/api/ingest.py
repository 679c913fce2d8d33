"""The API's one writer: ingests posted articles through the pipeline, one request at a time."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..records import Article, RawDocument
from ..store import AnyStore, open_store
from .models import ArticleIn, IngestedArticle, IngestResult
from .settings import ApiSettings

log = logging.getLogger(__name__)
API_SOURCE = "api:POST /articles"


class Writer:
    """Holds the pipeline (loaded on first use: spaCy is slow to load) and serialises writes."""

    def __init__(self, pipeline_factory: Callable[[], Any] | None = None):
        self._factory = pipeline_factory
        self._pipeline: Any = None
        self.lock = threading.Lock()

    def pipeline(self) -> Any:
        if self._pipeline is None:
            if self._factory is None:
                from ..pipeline import Pipeline
                self._factory = Pipeline
            self._pipeline = self._factory()
        return self._pipeline


def to_raw(record: ArticleIn) -> RawDocument:
    """The record as a document, its names and text in the one stored form every reader gives them."""
    from ..readers.names import normalise

    raw = normalise(RawDocument(doc_id=record.id, text=record.text, source=API_SOURCE, url=record.url,
                                outlet=record.outlet, published=record.published, title=record.title))
    assert isinstance(raw, RawDocument)
    return raw


def ingest_records(records: list[ArticleIn], writer: Writer, settings: ApiSettings) -> IngestResult:
    """Clean, analyse and store the records; say per article whether it was stored and with how many events."""
    # Imported here: the pipeline pulls in spaCy, which a read-only server never needs.
    from ..ingest import ingest_items
    from ..pipeline import clean_documents

    cleaned = list(clean_documents(to_raw(r) for r in records))
    sent = [item.content_hash if isinstance(item, Article) else None for item in cleaned]
    with writer.lock:
        with open_store(settings.db_path) as store:
            report = ingest_items(cleaned, store, writer.pipeline())
            stored = store.known_doc_ids(list({r.id for r in records}))
            articles = [_outcome(store, r.id, sent_hash is not None and stored.get(r.id) == sent_hash)
                        for r, sent_hash in zip(records, sent, strict=True)]
    log.info("POST /articles: %d received, %d stored, %d rejected", len(records), report.added, len(report.rejected))
    return IngestResult(received=len(records), stored=report.added, articles=articles,
                        rejects=[str(r) for r in report.rejected])


def _outcome(store: AnyStore, doc_id: str, holds_this_text: bool) -> IngestedArticle:
    """`stored` is true only when the store holds this id with the text this request sent: an article
    refused for an id already stored with other text (E016), or as empty after cleaning, is not stored."""
    events = store.article_event_count(doc_id) if holds_this_text else None
    if events is None:
        return IngestedArticle(id=doc_id, stored=False, events=0, href=None)
    return IngestedArticle(id=doc_id, stored=True, events=events, href=f"/articles/{quote(doc_id, safe='')}")
