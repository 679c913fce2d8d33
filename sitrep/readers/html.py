"""Web pages through trafilatura: main text, title, date, captions."""
from __future__ import annotations

import re
from datetime import date

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError

from ..errors import InputError
from ..records import RawDocument
from .dates import parse_iso_date

_CAPTION_XPATHS = ("//figcaption", "//*[contains(@class,'caption')]")
MAX_CAPTIONS = 20
MIN_WORDS = 5
MAX_HTML_CHARS = 5_000_000  # a page over this is refused before parsing (trafilatura takes ~3 s a MB); fetch's cap too


def read_html(text: str, *, source: str, doc_id: str, url: str | None = None) -> RawDocument:
    """Extract one article from an HTML page, or raise an InputError saying why not."""
    if "<" not in text:
        raise InputError("E008", source=source, detail="no markup at all")
    if len(text) > MAX_HTML_CHARS:
        raise InputError("E008", source=source, detail=f"page of {len(text)} characters, over the limit of "
                         f"{MAX_HTML_CHARS} for one HTML page; save the article's own page")
    try:
        result = trafilatura.bare_extraction(
            text, url=url, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True,
        )
    except (ValueError, TypeError, ParserError) as exc:
        raise InputError("E008", source=source, detail=str(exc)) from exc
    if result is None or not (getattr(result, "text", None) or "").strip():
        raise InputError("E008", source=source, detail="trafilatura found no main text")
    body = str(getattr(result, "text", "") or "")
    if len(re.findall(r"[^\W\d_]{2,}", body)) < MIN_WORDS:
        raise InputError("E008", source=source, detail=f"main text has fewer than {MIN_WORDS} words")
    published = _date(getattr(result, "date", None))
    return RawDocument(
        doc_id=doc_id,
        text=body,
        source=source,
        url=url or getattr(result, "url", None),
        outlet=getattr(result, "sitename", None) or getattr(result, "hostname", None),
        published=published,
        title=getattr(result, "title", None),
        captions=extract_captions(text),
        meta={"author": getattr(result, "author", None)},
    )


def extract_captions(page: str) -> list[str]:
    """Photo captions of a page (figcaption and caption-classed elements), deduplicated."""
    try:
        tree = lxml_html.fromstring(page)
    except (ParserError, ValueError):
        return []
    seen: list[str] = []
    for xpath in _CAPTION_XPATHS:
        for node in tree.xpath(xpath):
            caption = re.sub(r"\s+", " ", node.text_content()).strip()
            if len(caption) > 20 and caption not in seen:
                seen.append(caption)
            if len(seen) >= MAX_CAPTIONS:
                return seen
    return seen


def _date(value: object) -> date | None:
    if not value:
        return None
    return parse_iso_date(str(value))
