"""Cleaning: a RawDocument becomes an Article of title, captions and paragraphs.

General rules only (no per-site lists): repeated lines go (titles and captions
are often printed twice), page chrome goes (patterns in `data/chrome.tsv`),
bylines are kept as metadata, photo captions are kept as their own pieces
because a caption can be the only report of an event.  The publication date is
found from metadata, the URL, the dateline and date lines, in that order.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .errors import InputError
from .readers.dates import date_from_url, find_written_date, month_day
from .records import Article, Piece, PieceKind, RawDocument

_CREDIT = re.compile(
    r"(?:\((?:[^()]*\b(?:photo|photograph|pictured|file|image|screengrab|video|getty|reuters|afp|ap|epa|"
    r"anadolu|xinhua|aa|ap photo|credit)\b[^()]*)\)|\bphoto(?:graph)?\s*(?:by|:)\s*[^.]{2,60}"
    r"|\((?:EPA|AFP|AP|Reuters|Getty Images)\))\s*\.?\s*$",
    re.I,
)
# A wire photo's caption, its credit cut off: it ends with where and when the picture was taken, the place
# then the full date with no preposition ("... in Xtown, Yland, January 8, 2022."), which prose never does
# ("... on January 8, 2022").
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATED_CAPTION = re.compile(r"\b(?P<word>[A-Z][\w'’.-]+),?\s+" + _MONTH + r"\.?\s+\d{1,2},\s+(?:19|20)\d{2}\.\s*$")
CAPTION_MIN_WORDS = 8
_BYLINE = re.compile(r"^by\s+[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,6}(?:\s*[-–—,|]\s*.{0,60})?$", re.I)
_SEPARATOR_LINE = re.compile(r"^[\W_]+$")
_SENTENCE_END = re.compile(r"[.!?…:;”\"')\]]\s*$")
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_DATE_LINE = re.compile(
    r"^(?:date\s*:?\s*)?(?:" + _WEEKDAY + r"\s*,?\s*)?"
    r"(?:\d{4}-\d{1,2}-\d{1,2}|[A-Za-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*,?\s+\d{4}|\d{1,2}\s+[A-Za-z]+\.?,?\s+\d{4})"
    r"(?:\s*[-–|,]?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?)?(?:\s*\w{2,4})?$",
    re.I,
)
_DATE_PREFIX = re.compile(r"^date\s*:?\s*\d{4}-\d{1,2}-\d{1,2}\b\s*", re.I)
# "BEIRUT (AP) —", "BEIRUT, Oct 1, (AP):", "ERBIL, Kurdistan Region -", "Abuja, Dec 24 (IBNS):", "ANBAR —"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z'’.-]+(?:\s+[A-Z][A-Za-z'’.-]+){0,3})"
    r"(?:,\s*(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d)(?P<region>[A-Z][\w ]{1,30}?))?"
    r"(?:,?\s*(?P<md>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}))?"
    r"(?:,?\s*\((?P<agency>[^)]{1,40})\))?\s*[:—–-]+"
    r"(?(agency)\s*|\s+)(?=\S)"  # after an agency's name the dash may touch the text ("LUSAKA (AFP) -Gunmen")
)
MIN_PARAGRAPH_WORDS = 6
MAX_ARTICLE_CHARS = 1_000_000  # one article; bounds cleaning and parsing time (spaCy's max_length is 2M)
MAX_TITLE_WORDS = 30


@dataclass(frozen=True)
class ChromeRule:
    action: str  # 'cut' or 'drop'
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def chrome_rules() -> tuple[ChromeRule, ...]:
    """The chrome patterns of `data/chrome.tsv`, compiled once."""
    from .datafiles import read_table

    return tuple(ChromeRule(r["action"], re.compile(rf"(?:{r['pattern']})", re.I)) for r in read_table("chrome.tsv"))


def line_key(line: str) -> str:
    """Comparable form of a line: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", line).casefold().split())


def chrome_action(line: str) -> str | None:
    for rule in chrome_rules():
        if rule.pattern.fullmatch(line):
            return rule.action
    return None


def is_caption(line: str, *, doubled: bool) -> bool:
    """A photo caption: ends with a photo credit, or with the place and date of the picture, or was printed
    twice in a row."""
    if _CREDIT.search(line) or (doubled and len(line.split()) >= 5):
        return True
    dated = _DATED_CAPTION.search(line)
    if dated is None or len(line.split()) < CAPTION_MIN_WORDS:
        return False
    return not re.fullmatch(_WEEKDAY, dated["word"].rstrip(".,"), re.I)  # "... said Monday, March 3, 2024."


def is_date_line(line: str) -> bool:
    return bool(_DATE_LINE.match(line.strip())) and len(line) < 60


@dataclass
class _Line:
    text: str
    number: int  # 0-based line of the input
    doubled: bool = False


def clean(raw: RawDocument) -> Article:
    """Turn a reader's document into an Article, or raise InputError (E012 nothing left, E019 too long)."""
    size = len(raw.text) + sum(len(c) for c in raw.captions)
    if size > MAX_ARTICLE_CHARS:
        raise InputError("E019", source=f"{raw.source} ({raw.doc_id})", size=size, limit=MAX_ARTICLE_CHARS)
    lines = _lines(raw)
    pieces_spec: list[tuple[PieceKind, str, int]] = []
    seen: set[str] = set()
    title = raw.title.strip() if raw.title else None
    if title:
        seen.add(line_key(title))
        pieces_spec.append(("title", title, raw.line_offset))
    byline: str | None = raw.meta.get("author") if raw.meta else None
    header_dates: list[date] = []
    body_seen = False
    for line in lines:
        key = line_key(line.text)
        if not key or key in seen:
            continue
        seen.add(key)
        text = line.text.strip()
        prefix = _DATE_PREFIX.match(text)
        if prefix:
            found = find_written_date(prefix.group(0))
            if found:
                header_dates.append(found)
            text = text[prefix.end():].strip()
            if not text:
                continue
        action = chrome_action(text)
        if action == "cut" and body_seen:
            break
        if action is not None or _SEPARATOR_LINE.match(text):
            continue
        if is_date_line(text):
            found = find_written_date(text)
            if found:
                header_dates.append(found)
            continue
        if _BYLINE.match(text) and not _SENTENCE_END.search(text.rstrip("'\"")):
            byline = byline or re.sub(r"^by\s+", "", text, flags=re.I)
            continue
        if is_caption(text, doubled=line.doubled):
            pieces_spec.append(("caption", text, line.number))
            continue
        words = len(text.split())
        if words >= MIN_PARAGRAPH_WORDS and (body_seen or _SENTENCE_END.search(text) or words > MAX_TITLE_WORDS):
            pieces_spec.append(("paragraph", text, line.number))
            body_seen = True
        elif title is None and words >= 3 and not body_seen:
            title = text
            pieces_spec.append(("title", text, line.number))
        elif words >= MIN_PARAGRAPH_WORDS and body_seen:
            pieces_spec.append(("paragraph", text, line.number))
        # anything else (short labels before the body, lone words) is chrome
    for captions in raw.captions:
        key = line_key(captions)
        if key not in seen:
            seen.add(key)
            pieces_spec.append(("caption", captions.strip(), raw.line_offset))
    if not any(kind in ("paragraph", "caption", "title") for kind, _, _ in pieces_spec):
        raise InputError("E012", source=f"{raw.source} ({raw.doc_id})")  # (a headline alone is a short report)
    text, pieces = _join(pieces_spec)
    dateline = find_dateline(pieces)
    published, published_from = publication_date(raw, dateline, header_dates)
    return Article(
        doc_id=raw.doc_id, text=text, pieces=pieces, source=raw.source, url=raw.url,
        outlet=raw.outlet, published=published, published_from=published_from,
        title=title, byline=byline, dateline_place=dateline.place if dateline else None,
        dateline_span=(dateline.start, dateline.end) if dateline else None,
    )


def _lines(raw: RawDocument) -> list[_Line]:
    out: list[_Line] = []
    text = unicodedata.normalize("NFC", raw.text.replace("\r\n", "\n").replace("\r", "\n"))
    previous: _Line | None = None
    for n, line in enumerate(text.split("\n")):
        line = line.replace("\u00a0", " ").strip()
        if not line:
            previous = None
            continue
        if previous is not None and line_key(previous.text) == line_key(line):
            previous.doubled = True
            continue
        current = _Line(line, raw.line_offset + n)
        out.append(current)
        previous = current
    return out


def _join(spec: list[tuple[PieceKind, str, int]]) -> tuple[str, list[Piece]]:
    parts: list[str] = []
    pieces: list[Piece] = []
    pos = 0
    for kind, text, line in spec:
        if parts:
            parts.append("\n\n")
            pos += 2
        pieces.append(Piece(kind, text, pos, pos + len(text), line + 1))
        parts.append(text)
        pos += len(text)
    return "".join(parts), pieces


@dataclass(frozen=True)
class Dateline:
    place: str
    month_day: tuple[int, int] | None
    agency: str | None
    start: int  # offsets into the article text
    end: int


def find_dateline(pieces: list[Piece]) -> Dateline | None:
    """The dateline opening the first paragraphs ('BEIRUT, Oct 1, (AP):')."""
    for piece in [p for p in pieces if p.kind == "paragraph"][:3]:
        m = _DATELINE.match(piece.text)
        if not m:
            continue
        place = m["place"]
        if not (place.isupper() or m["agency"] or m["md"] or m["region"]):
            continue
        return Dateline(place.title() if place.isupper() else place,
                        month_day(m["md"]) if m["md"] else None, m["agency"], piece.start, piece.start + m.end())
    return None


def publication_date(raw: RawDocument, dateline: Dateline | None, header_dates: list[date]) -> tuple[date | None, str | None]:
    """Metadata, then the URL path, then a date line that agrees with the dateline."""
    if raw.published:
        return raw.published, "metadata"
    from_url = date_from_url(raw.url)
    if from_url:
        return from_url, "url"
    for found in header_dates:
        if dateline and dateline.month_day and dateline.month_day != (found.month, found.day):
            continue  # the page's own header date, not the story's
        return found, "date-line"
    return None, None
