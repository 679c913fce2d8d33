"""When an event happened: date expressions resolved against the publication date.

ACLED conventions (shared/eval/CODING.md):

* "on Friday" is the most recent Friday on or before publication; "late Tuesday", "early on
  Monday", "Monday night" are that day; "Thursday night into Friday" starts Thursday.
* A night reported on a day ("overnight", "that night", "last night") is the night into that
  day: the day before.  With a weekday in the same text ("overnight ..., officials said on
  Thursday") it is the day before that weekday.
* "yesterday" is the day before publication; "on January 31" takes the publication year unless
  that would put it after publication (then the year before).
* Precision: 1 the day, 2 the week ("last week", "two weeks ago"), 3 the month ("last month",
  "earlier this month", "last December").  Week-precision dates are the stated number of days
  back; month-precision dates are the 15th (or the publication day, when earlier).
* Without a publication date, only an absolute date with a year gives a date; otherwise the
  date is None and the text is kept.

Relative phrases and reporting verbs live in ``data/date_words.tsv``.
"""
from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from spacy.tokens import Span, Token

DATA_DIR = Path(__file__).parent / "data"
DAY, WEEK, MONTH = 1, 2, 3
HISTORY_DAYS = 31
MID_MONTH = 15
MAX_COUNT = 36_500  # 'N days ago' beyond a century back is no event date


class DateDataError(ValueError):
    """The date lexicon is malformed."""


@dataclass(frozen=True)
class DateRef:
    """A resolved date expression; offsets point into the text (or Doc) it was found in."""

    date: date | None
    precision: int  # 1 day, 2 week, 3 month
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: str
    priority: int
    match: re.Match[str]


# ---------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Words:
    relative: dict[str, tuple[str, int]]  # phrase -> (kind, value)
    report: frozenset[str]


@functools.cache
def _words() -> _Words:
    from .datafiles import read_table

    relative: dict[str, tuple[str, int]] = {}
    report = set()
    for row in read_table("date_words.tsv"):
        term, kind = row["term"].strip().lower(), row["kind"].strip()
        if kind == "report":
            report.add(term)
            continue
        try:
            relative[term] = (kind, int(row["value"]))
        except ValueError as exc:
            raise DateDataError(f"sitrep/data/date_words.tsv:{row.line}: '{kind}' needs an integer value") from exc
    return _Words(relative, frozenset(report))


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)


_WEEKDAY_NAMES = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES["sept"] = 9
_WD = _alternation(list(_WEEKDAY_NAMES))
_MON = rf"(?:{_alternation(list(_MONTH_NAMES))})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_NUMBER = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|a couple of)"
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3, "a couple of": 2}


@functools.cache
def _patterns() -> list[tuple[str, int, re.Pattern[str]]]:
    """(kind, priority, regex): lower priority wins when several expressions are present."""
    rel = _words().relative
    by_kind = {k: [t for t, (kind, _) in rel.items() if kind == k] for k in ("day", "night", "week", "month")}
    flags = re.IGNORECASE
    return [
        ("iso", 0, re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
        ("mdy", 0, re.compile(rf"\b({_MON})\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})\b", flags)),
        ("dmy", 0, re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MON}),?\s+(\d{{4}})\b", flags)),
        ("md", 1, re.compile(rf"\b({_MON})\s+(\d{{1,2}}){_ORD}\b(?!,?\s*\d{{4}})(?!:)", flags)),
        ("dm", 1, re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MON})\b(?!,?\s*\d{{4}})", flags)),
        ("weekday", 2, re.compile(
            rf"\b(?:(?:early|late|earlier|later|throughout|overnight)\s+)?(?:(?:on|since|by|from)\s+)?"
            rf"(?:the\s+night\s+of\s+)?({_WD})(?:'s)?"
            rf"(?:\s+(morning|afternoon|evening|night|nighttime|overnight))?"
            rf"(?:\s+into\s+({_WD}))?\b", flags)),
        ("day", 2, re.compile(rf"\b(?:{_alternation(by_kind['day'])})\b", flags)),
        ("ago", 3, re.compile(rf"\b{_NUMBER}\s+(days?|weeks?|fortnights?|months?)\s+ago\b", flags)),
        ("after", 3, re.compile(
            rf"\b(?:(comes?|came)\s+(?:just\s+|only\s+)?)?{_NUMBER}\s+days?\s+(after|later|before|earlier)\b"
            r"|\bthe\s+(next|following|previous)\s+day\b|\bthe\s+day\s+(before|after)\b", flags)),
        ("monthyear", 4, re.compile(rf"\b(?:in\s+)?({_MON})\s+(\d{{4}})\b", flags)),
        ("week", 4, re.compile(rf"\b(?:{_alternation(by_kind['week'])})\b", flags)),
        ("month", 5, re.compile(rf"\b(?:{_alternation(by_kind['month'])})\b", flags)),
        ("lastmonth", 5, re.compile(rf"\b(last|in|earlier in|since|early|late|mid)[\s-]+({_MON})\b(?!\s+\d)", flags)),
        ("night", 6, re.compile(rf"\b(?:{_alternation(by_kind['night'])})\b", flags)),
    ]


@functools.lru_cache(maxsize=4096)
def _candidates(text: str) -> tuple[_Candidate, ...]:
    """The date expressions of a text, overlaps settled (a pure function of the text, so cached: each
    clause of a sentence asks again for its sentence's)."""
    found = []
    for kind, priority, pattern in _patterns():
        for m in pattern.finditer(text):
            if kind == "monthyear" and not 1900 <= int(m.group(2)) <= 2100:
                continue
            found.append(_Candidate(m.start(), m.end(), kind, priority, m))
    return _drop_nested(found)


def _drop_nested(found: list[_Candidate]) -> tuple[_Candidate, ...]:
    """Keep the wider or more specific of two overlapping expressions."""
    keep: list[_Candidate] = []
    for c in sorted(found, key=lambda c: (c.priority, -(c.end - c.start), c.start)):
        if any(c.start < k.end and k.start < c.end for k in keep):
            continue
        keep.append(c)
    return tuple(keep)


# ---------------------------------------------------------------- resolving


def resolve_event_date(text: str, published: date | None, *,
                       sentence_dates: Sequence[DateRef] | None = None) -> DateRef | None:
    """The event date that ``text`` states, resolved against ``published``; None if it states none.

    ``sentence_dates`` are dates already resolved nearby (earlier sentences, the article's own
    dates): they anchor "a day after", "the next day", and weekdays when ``published`` is None.
    """
    if not text:
        return None
    cands = _candidates(text)
    if not cands:
        return None
    best = min(cands, key=lambda c: (c.priority, c.start))
    ref = _resolve(best, published, _anchor(sentence_dates), text)
    if best.kind == "weekday" and ref.date is not None and _night_before(best, cands):
        ref = replace(ref, date=_shift(ref.date, -1))
    return ref


def _anchor(sentence_dates: Sequence[DateRef] | None) -> date | None:
    for ref in sentence_dates or ():
        if ref.date is not None:
            return ref.date
    return None


def _night_before(weekday: _Candidate, cands: Sequence[_Candidate]) -> bool:
    """'overnight ... said on Thursday': a night reported on a weekday is the night into it."""
    if weekday.match.group(2) or weekday.match.group(3):  # "Monday night", "Thursday night into Friday"
        return False
    return any(c.kind == "night" for c in cands)


def _resolve(c: _Candidate, published: date | None, anchor: date | None, text: str) -> DateRef:
    m = c.match
    value, precision = _RESOLVERS[c.kind](m, published, anchor)
    return DateRef(value, precision, text[c.start:c.end], c.start, c.end)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int:
    return _MONTH_NAMES[word.lower().rstrip(".")]


def _not_after(d: date | None, published: date) -> date | None:
    """A date without a year: this year's, unless that is after publication."""
    if d is not None and d > published:
        return _safe_date(d.year - 1, d.month, d.day)
    return d


def _iso(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))), DAY


def _mdy(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    return _safe_date(int(m.group(3)), _month(m.group(1)), int(m.group(2))), DAY


def _dmy(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    return _safe_date(int(m.group(3)), _month(m.group(2)), int(m.group(1))), DAY


def _month_day(month: int, day: int, published: date | None, anchor: date | None) -> tuple[date | None, int]:
    ref = published or anchor
    if ref is None:
        return None, DAY
    return _not_after(_safe_date(ref.year, month, day), ref), DAY


def _md(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    return _month_day(_month(m.group(1)), int(m.group(2)), published, anchor)


def _dm(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    return _month_day(_month(m.group(2)), int(m.group(1)), published, anchor)


def _weekday(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    ref = published or anchor
    if ref is None:
        return None, DAY
    wanted = _WEEKDAY_NAMES[m.group(1).lower()]
    return _shift(ref, -((ref.weekday() - wanted) % 7)), DAY


def _relative(phrase: str) -> tuple[str, int]:
    return _words().relative[" ".join(phrase.lower().split())]


def _day(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    _, back = _relative(m.group(0))
    return (_shift(published, -back) if published else None), DAY


def _night(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    _, back = _relative(m.group(0))
    return (_shift(published, -back) if published else None), DAY


def _week(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    _, back = _relative(m.group(0))
    return (_shift(published, -back) if published else None), WEEK


def _mid_month(year: int, month: int, published: date) -> date:
    d = date(year, month, MID_MONTH)
    return min(d, published)


def _months_back(published: date, back: int) -> tuple[int, int]:
    index = published.year * 12 + published.month - 1 - back
    return index // 12, index % 12 + 1


def _month_rel(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    if published is None:
        return None, MONTH
    _, back = _relative(m.group(0))
    year, month = _months_back(published, back)
    return _mid_month(year, month, published), MONTH


def _last_month_name(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    """'last December' (strictly before this month), 'in March' (this year's unless in the future)."""
    if published is None:
        return None, MONTH
    month = _month(m.group(2))
    strict = m.group(1).lower() == "last"
    year = published.year if (month < published.month or (month == published.month and not strict)) \
        else published.year - 1
    return _mid_month(year, month, published), MONTH


def _month_year(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    year, month = int(m.group(2)), _month(m.group(1))
    d = date(year, month, MID_MONTH)
    return (min(d, published) if published else d), MONTH


def _count(word: str) -> int | None:
    """'3' or 'three' as a number; None for a count no real date expression has ("3000000 days")."""
    word = word.lower()
    if not word.isdigit():
        return _SMALL.get(word, 1)
    if len(word) > len(str(MAX_COUNT)):
        return None
    n = int(word)
    return n if n <= MAX_COUNT else None


def _shift(d: date, days: int) -> date | None:
    """``d`` moved by ``days``, or None past the calendar's ends."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _ago(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    n, unit = _count(m.group(1)), m.group(2).lower().rstrip("s")
    precision = DAY if unit == "day" else WEEK if unit in ("week", "fortnight") else MONTH
    if published is None or n is None:
        return None, precision
    if unit == "day":
        return _shift(published, -n), DAY
    if unit in ("week", "fortnight"):
        return _shift(published, -n * (14 if unit == "fortnight" else 7)), WEEK
    year, month = _months_back(published, n)
    return (_mid_month(year, month, published) if year >= 1 else None), MONTH


def _after(m: re.Match[str], published: date | None, anchor: date | None) -> tuple[date | None, int]:
    """'a day after' / 'the next day' / 'the day before', relative to an anchor date from context.

    "X comes a day after Y": Y is a day before the anchor (X's date); otherwise the event is
    N days after (or before) the anchor.
    """
    if anchor is None:
        return None, DAY
    if m.group(2):  # "<n> days after|later|before|earlier"
        n, direction = _count(m.group(2)), m.group(3).lower()
        if n is None:
            return None, DAY
        back = direction in ("before", "earlier") or (direction == "after" and bool(m.group(1)))
        return _shift(anchor, -n if back else n), DAY
    word = (m.group(4) or m.group(5) or "").lower()
    return _shift(anchor, -1 if word in ("previous", "before") else 1), DAY


_RESOLVERS = {
    "iso": _iso, "mdy": _mdy, "dmy": _dmy, "md": _md, "dm": _dm, "weekday": _weekday, "day": _day,
    "night": _night, "week": _week, "month": _month_rel, "lastmonth": _last_month_name,
    "monthyear": _month_year, "ago": _ago, "after": _after,
}


# ---------------------------------------------------------------- history


def is_historical(ref: DateRef | None, published: date | None) -> bool:
    """True when the date is more than about a month before publication (ACLED codes no history)."""
    if ref is None or ref.date is None or published is None:
        return False
    return (published - ref.date).days > HISTORY_DAYS


# ---------------------------------------------------------------- in a parsed sentence


def find_date(span: Span, published: date | None, *, verb: Token | None = None,
              sentence_dates: Sequence[DateRef] | None = None) -> DateRef | None:
    """The date expression of the event a sentence reports, offsets into the Doc.

    Prefers an expression attached to the event verb (``verb``, else any non-reporting verb)
    over one attached to a reporting verb ("..., officials said on Wednesday").
    """
    text = span.text
    cands = _candidates(text)
    if not cands:
        return None
    anchor = _anchor(sentence_dates)
    best = min(cands, key=lambda c: (_attachment_rank(span, c, verb), c.priority, c.start))
    ref = _resolve(best, published, anchor, text)
    if best.kind == "weekday" and ref.date is not None and _night_before(best, cands):
        ref = replace(ref, date=_shift(ref.date, -1))
    if best.kind == "after" and anchor is not None and _inside_after_clause(verb):
        n = _count(best.match.group(2) or "1")
        ref = replace(ref, date=_shift(anchor, -n) if n is not None else None)
    return replace(ref, start=ref.start + span.start_char, end=ref.end + span.start_char)


def _token_at(span: Span, char: int) -> Token | None:
    target = span.start_char + char
    for tok in span:
        if tok.idx <= target < tok.idx + len(tok.text):
            return tok
    return None


def _governing_verb(tok: Token) -> Token | None:
    seen = 0
    while seen < 20:
        if tok.pos_ in ("VERB", "AUX") or (tok.dep_ == "ROOT"):
            return tok
        if tok.head.i == tok.i:
            return None
        tok = tok.head
        seen += 1
    return None


def _attachment_rank(span: Span, c: _Candidate, verb: Token | None) -> int:
    """0 on the event verb, 1 elsewhere, 2 on a reporting verb."""
    tok = _token_at(span, c.start)
    gov = _governing_verb(tok) if tok is not None else None
    if gov is None:
        return 1
    if verb is not None and (gov.i == verb.i or gov.i in {x.i for x in verb.conjuncts}):
        return 0
    if gov.lemma_.lower() in _words().report:
        return 2
    return 1 if verb is not None else 0


def _inside_after_clause(verb: Token | None) -> bool:
    """'comes a day after Israeli strikes killed seven': the event verb sits in the 'after' clause."""
    if verb is None:
        return False
    return any(anc.lower_ == "after" for anc in verb.ancestors)
