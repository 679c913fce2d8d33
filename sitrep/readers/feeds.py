"""RSS and Atom feeds through feedparser; linked pages fetched only when asked."""
from __future__ import annotations

import io
import re
import urllib.request
from collections.abc import Iterator
from datetime import date

import feedparser

from ..errors import InputError
from ..records import RawDocument, Reject
from .dates import make_date
from .html import read_html

FETCH_TIMEOUT_S = 10
FETCH_MAX_BYTES = 5 * 1024 * 1024
_TAGS = re.compile(r"<[^>]+>")


def read_feed(text: str, *, source: str, stem: str, fetch: bool = False) -> Iterator[RawDocument | Reject]:
    """Each feed entry becomes a document; with `fetch`, the linked page replaces the summary."""
    # Given a string, feedparser fetches it when it looks like a URL and opens it when it names a file
    # ("file:///etc/passwd", "/etc/passwd"): hand it the text as a stream, so it only ever parses it.
    # It never resolves external entities (no XXE).
    parsed = feedparser.parse(io.BytesIO(text.encode("utf-8", "surrogatepass")),
                              response_headers={"content-type": "application/xml; charset=utf-8"})
    if parsed.bozo and not parsed.entries:
        yield Reject(source, f"Feed could not be parsed: {parsed.get('bozo_exception')}", "E009")
        return
    outlet = parsed.feed.get("title")
    for n, entry in enumerate(parsed.entries, 1):
        link = entry.get("link")
        doc_id = entry.get("id") or link or f"{stem}#{n}"
        published = _entry_date(entry)
        if fetch and link:
            try:
                page = fetch_page(link)
                doc = read_html(page, source=link, doc_id=doc_id, url=link)
                doc.published = doc.published or published
                doc.outlet = doc.outlet or outlet
                yield doc
                continue
            except InputError as exc:
                yield Reject(exc.source or link, exc.reason, exc.code)
        body = _entry_text(entry)
        if not body.strip():
            yield Reject(source, f"feed entry {n} has no text", "E002")
            continue
        yield RawDocument(doc_id=str(doc_id), text=body, source=source, url=link, outlet=outlet,
                          published=published, title=entry.get("title"))


def fetch_page(url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = FETCH_MAX_BYTES) -> str:
    """GET one page with a timeout and a size cap (only when the user asked for fetching)."""
    if not url.startswith(("http://", "https://")):
        raise InputError("E015", source=url, url=url, detail="only http(s) links are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "sitrep/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            data = response.read(max_bytes + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except OSError as exc:
        raise InputError("E015", source=url, url=url, detail=str(exc)) from exc
    if len(data) > max_bytes:
        raise InputError("E015", source=url, url=url, detail=f"page larger than {max_bytes} bytes")
    return data.decode(charset, errors="replace")


def _entry_text(entry: feedparser.FeedParserDict) -> str:
    parts = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    text = "\n\n".join(_TAGS.sub(" ", p) for p in parts if p)
    return re.sub(r"[ \t]+", " ", text)


def _entry_date(entry: feedparser.FeedParserDict) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return make_date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
