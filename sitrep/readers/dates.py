"""Publication dates: from metadata strings, URL paths and datelines."""
from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_URL_YMD = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/_.-]|$)")
_URL_YM_D = re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})(?=/)")
_URL_DMY = re.compile(r"/(\d{2})(\d{2})((?:19|20)\d{2})(?=[/_.-]|$)")
MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        1,
    )
    for m in names
}
_MONTH = (r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_MDY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})", re.I)
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+((?:19|20)\d{2})", re.I)
_MD = re.compile(_MONTH + r"\s+(\d{1,2})\b", re.I)


def month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")[:3]]


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_iso_date(value: str) -> date | None:
    """'2024-08-17' or '2024-08-17T10:00:00Z' -> date; anything else -> a written date or None."""
    m = _ISO.search(value)
    if m:
        return make_date(int(m[1]), int(m[2]), int(m[3]))
    return find_written_date(value)


def date_from_url(url: str | None) -> date | None:
    """/2019/11/02/, /2024-08-06/, /2012-10/31/ or /29032025 in a URL path."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    for pattern, order in ((_URL_YMD, "ymd"), (_URL_YM_D, "ymd"), (_URL_DMY, "dmy")):
        m = pattern.search(path)
        if m:
            a, b, c = (int(x) for x in m.groups())
            found = make_date(a, b, c) if order == "ymd" else make_date(c, b, a)
            if found and 1990 <= found.year <= date.today().year + 1:
                return found
    return None


def find_written_date(text: str) -> date | None:
    """The first full written date ('Aug. 17, 2024', '17 August 2024', '2024-08-17') in a text."""
    found: list[tuple[int, date]] = []
    for m in _MDY.finditer(text):
        d = make_date(int(m[3]), month_number(m[1]), int(m[2]))
        if d:
            found.append((m.start(), d))
    for m in _DMY.finditer(text):
        d = make_date(int(m[3]), month_number(m[2]), int(m[1]))
        if d:
            found.append((m.start(), d))
    for m in _ISO.finditer(text):
        d = make_date(int(m[1]), int(m[2]), int(m[3]))
        if d:
            found.append((m.start(), d))
    return min(found)[1] if found else None


def month_day(text: str) -> tuple[int, int] | None:
    """Month and day of a dateline without a year ('Oct 1', 'Dec 24')."""
    m = _MD.search(text)
    if not m:
        return None
    return month_number(m[1]), int(m[2])
