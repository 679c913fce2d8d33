"""Cross-source fusion: one real-world event, many reports.

Events of different articles that describe the same event (compatible type, dates a day
apart at most, the same or nested places, compatible actors) are fused into one event
that keeps every source and every per-article reading.  Wire copies (near-duplicate
articles) count as one source, never as corroboration.

Fusion is deterministic: clusters are the connected components of a symmetric relation,
and every fused field is computed from the members in a canonical order, so the same
reports in any order give the same fused events.  It is incremental: the store refuses
only the clusters a new report touches (see `Store.fuse_new`).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .geography import Spot, contains, place_core, same_place

MAX_DAYS_APART = 1
MAX_PUBLISHED_DAYS_APART = 2
TOLL_RATIO = 1.5


@dataclass(frozen=True)
class Report:
    """One article's reading of an event, as stored."""

    event_id: str
    doc_id: str
    origin: str  # the article this one copies (near-duplicate), else its own doc_id
    outlet: str | None
    url: str | None
    published: str | None
    evidence: str
    event_type: str
    sub_event_type: str
    actor1: str | None
    actor2: str | None
    inter1: int | None
    inter2: int | None
    country: str | None
    admin1: str | None
    admin2: str | None
    location: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    event_date: str | None
    time_precision: int | None
    fatalities: int
    toll_update: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Report:
        names = cls.__dataclass_fields__
        values: dict[str, Any] = {k: row.get(k) for k in names}
        values["origin"] = row.get("duplicate_of") or row["doc_id"]
        values["fatalities"] = int(row.get("fatalities") or 0)
        values["toll_update"] = bool(row.get("toll_update"))
        return cls(**values)

    @property
    def vague(self) -> bool:
        """Placed at a province or country as such (a named village the gazetteer lacks is not vague)."""
        where = place_core(self.location)
        return not where or where in (place_core(self.admin1), place_core(self.country))


@dataclass
class FusedEvent:
    fused_id: str
    members: list[Report]
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def source_count(self) -> int:
        return len({m.origin for m in self.members})

    def to_json(self) -> dict[str, Any]:
        sources = [{"doc_id": m.doc_id, "outlet": m.outlet, "url": m.url, "evidence": m.evidence,
                    "event_id": m.event_id, "copy_of": m.origin if m.origin != m.doc_id else None}
                   for m in self.members]
        return {"fused_id": self.fused_id, **self.fields, "source_count": self.source_count,
                "sources": sources}


# ---------------------------------------------------------------- the relation
def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def dates_agree(a: Report, b: Report) -> bool | None:
    """True or False when the dates (or, failing them, the publication dates) can be compared; None when not."""
    da, db = _day(a.event_date), _day(b.event_date)
    if da and db:
        return abs((da - db).days) <= MAX_DAYS_APART
    pa, pb = _day(a.published), _day(b.published)
    if pa and pb:
        return abs((pa - pb).days) <= MAX_PUBLISHED_DAYS_APART
    return None


def tolls_agree(a: Report, b: Report) -> bool:
    """Tolls far apart (13 and 2) are different events, unless one updates the other."""
    if not (a.fatalities and b.fatalities) or a.toll_update or b.toll_update:
        return True
    return max(a.fatalities, b.fatalities) <= TOLL_RATIO * min(a.fatalities, b.fatalities)


def places_agree(a: Report, b: Report) -> bool:
    """The same place, or one place inside the other's province or country (see `geography`)."""
    here, there = Spot.of_record(a), Spot.of_record(b)
    return same_place(here, there) or contains(here, there) or contains(there, here)


def actors_agree(a: Report, b: Report) -> bool:
    return not (a.actor1 and b.actor1 and a.actor1 != b.actor1)


def same_event(a: Report, b: Report) -> bool:
    """Two reports from different articles of one real-world event.  When their days cannot be
    compared, a report placed only at province level must also give the same toll."""
    if a.doc_id == b.doc_id or a.event_type != b.event_type or not actors_agree(a, b) or not tolls_agree(a, b):
        return False
    if not places_agree(a, b):
        return False
    days = dates_agree(a, b)
    if days is not None:
        return days
    if a.sub_event_type != b.sub_event_type:
        return False  # undated: an air strike and a shelling at one town are two events
    if a.vague or b.vague:
        return bool(a.fatalities) and a.fatalities == b.fatalities
    return True


# ---------------------------------------------------------------- clustering
def cluster(reports: Iterable[Report]) -> list[list[Report]]:
    """Specific reports are joined by the relation (connected components); a vague report then
    joins the one cluster it agrees with best, so a province-level report cannot chain two
    distinct village events together."""
    ordered = sorted(reports, key=lambda r: r.event_id)
    specific = [r for r in ordered if not r.vague]
    vague = [r for r in ordered if r.vague]
    parent = {r.event_id: r.event_id for r in ordered}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    docs = {r.event_id: {r.doc_id} for r in ordered}

    def join(a: Report, b: Report) -> None:
        """Union, unless it would put two events of one article together (they are distinct by coding)."""
        ra, rb = find(a.event_id), find(b.event_id)
        if ra != rb and not docs[ra] & docs[rb]:
            union(ra, rb)
            docs[find(ra)] = docs[ra] | docs[rb]

    for i, a in enumerate(specific):
        for b in specific[i + 1:]:
            if same_event(a, b):
                join(a, b)
    groups: dict[str, list[Report]] = {}
    for r in specific:
        groups.setdefault(find(r.event_id), []).append(r)
    for r in vague:
        # the one cluster (of other articles) whose every member agrees with it; vague reports of one
        # event fuse with each other the same way
        fits = sorted((root for root, members in groups.items()
                       if all(m.doc_id != r.doc_id and same_event(r, m) for m in members)),
                      key=lambda root: (-len(groups[root]), root))
        groups.setdefault(fits[0] if fits else r.event_id, []).append(r)
    return sorted((sorted(g, key=lambda r: r.event_id) for g in groups.values()), key=lambda g: g[0].event_id)


# ---------------------------------------------------------------- reconciling
def fuse(members: Sequence[Report]) -> FusedEvent:
    """One event from its reports: every field reconciled by a rule an analyst can check."""
    members = sorted(members, key=lambda r: r.event_id)
    place = min(members, key=lambda r: (r.geo_precision or 3, -_support(members, r.location), r.event_id))
    fields: dict[str, Any] = {
        "event_type": _majority(m.event_type for m in members),
        "sub_event_type": _majority(m.sub_event_type for m in members),
        "actor1": _majority(m.actor1 for m in members if m.actor1),
        "actor2": _majority(m.actor2 for m in members if m.actor2),
        "inter1": _majority(m.inter1 for m in members if m.inter1),
        "inter2": _majority(m.inter2 for m in members if m.inter2),
        "country": place.country, "admin1": place.admin1, "admin2": place.admin2,
        "location": place.location, "location_text": place.location_text,
        "latitude": place.latitude, "longitude": place.longitude, "geo_precision": place.geo_precision,
        "event_date": _majority(m.event_date for m in members if m.event_date),
        "time_precision": min((m.time_precision for m in members if m.time_precision), default=None),
        "fatalities": reconcile_fatalities(members),
    }
    if fields["sub_event_type"] not in {m.sub_event_type for m in members if m.event_type == fields["event_type"]}:
        fields["sub_event_type"] = next(m.sub_event_type for m in members if m.event_type == fields["event_type"])
    digest = hashlib.sha1("|".join(m.event_id for m in members).encode()).hexdigest()[:16]
    return FusedEvent(fused_id=f"f{digest}", members=list(members), fields=fields)


def reconcile_fatalities(members: Sequence[Report]) -> int:
    """The lowest credible figure, unless a later report updates the toll ('rose to four')."""
    updates = [m for m in members if m.toll_update and m.fatalities]
    if updates:
        latest = max(updates, key=lambda m: (m.published or "", m.fatalities))
        return latest.fatalities
    figures = [m.fatalities for m in members if m.fatalities]
    return min(figures) if figures else 0


def _majority(values: Iterable[Any]) -> Any:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


def _support(members: Sequence[Report], location: str | None) -> int:
    return sum(1 for m in members if m.location == location)


def affected(new: Sequence[Report], candidates: Sequence[Report]) -> list[Report]:
    """Candidates that a new report could fuse with."""
    return [c for c in candidates if any(c.event_id != n.event_id and same_event(c, n) for n in new)]


def day_window(value: str | None) -> tuple[str, str] | None:
    d = _day(value)
    if d is None:
        return None
    return (d - timedelta(days=MAX_DAYS_APART)).isoformat(), (d + timedelta(days=MAX_DAYS_APART)).isoformat()
