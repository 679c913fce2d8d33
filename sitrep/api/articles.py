"""GET /articles/{doc_id} (text and spans) and POST /articles (ingest, token needed)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request

from .deps import Reader, Settings, no_control_characters, require_token
from .errors import ApiError
from .ingest import ingest_records
from .models import ArticleDetail, ArticleIn, IngestResult, Piece, Span

router = APIRouter(tags=["articles"])


@router.get("/articles/{doc_id:path}", response_model=ArticleDetail,
            summary="An article's text with the spans of its places, actors and event evidence")
def article(doc_id: Annotated[str, Path(max_length=300, description=(
        "The article's id; it may hold '/' (a zip member's id does), sent as is or as %2F"))],
        store: Reader) -> ArticleDetail:
    no_control_characters("doc_id", doc_id)
    row = store.article(doc_id)
    if row is None:
        raise ApiError(404, "not_found", f"No article with id {doc_id!r}.")
    article_id = row.pop("id")
    spans = [*store.place_spans(article_id), *store.actor_spans(article_id, row["text"]),
             *store.evidence_spans(article_id)]
    spans.sort(key=lambda s: (s["start"], -s["end"]))
    return ArticleDetail(**row, pieces=[Piece(**p) for p in store.article_pieces(article_id)],
                         spans=[Span(**s) for s in spans], event_ids=store.article_event_ids(article_id))


@router.post("/articles", response_model=IngestResult, status_code=201,
             dependencies=[Depends(require_token)],
             summary="Ingest one article or a list of them (runs the whole pipeline; slow)")
def post_articles(request: Request, payload: Annotated[ArticleIn | list[ArticleIn], Body()],
                  settings: Settings) -> IngestResult:
    records = payload if isinstance(payload, list) else [payload]
    if not records:
        raise ApiError(422, "invalid_body", "Send at least one article.")
    if len(records) > settings.max_batch:
        raise ApiError(413, "too_many_articles",
                       f"{len(records)} articles in one request; send at most {settings.max_batch}.")
    return ingest_records(records, request.app.state.writer, settings)
