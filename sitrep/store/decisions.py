"""What the analysts' reviews decide, applied wherever the store fuses events.

The rule that keeps a review attached to its event
--------------------------------------------------
A fused event's id is `f` and a hash of its reports, so it would change whenever a report joins
or leaves it.  A review therefore records two things: the id the analyst reviewed, and the
reports (per-article events, whose ids never change: they hash the article and the reading) the
event had then, its *anchors*.  After every fusion, incremental or whole:

* the fused event that holds a review's anchors takes that review's corrections;
* its id is pinned to the id of the latest review among those it holds, so it keeps the id the
  analyst saw through re-ingest, `sitrep fuse` and new reports joining it (when two events claim
  one id, the one holding more of its anchors keeps it);
* a merge joins the events that hold its anchors; a split takes the reports it moved out of the
  event, and out of the anchors of that event's earlier reviews, for good: fusion never puts
  them back together, and the moved reports start as an unreviewed event of their own.

`refresh` then rewrites `reviewed_events`: for each reviewed fused event, and each of its reports,
the machine's reading overlaid with the corrections, its status, who reviewed it last and when,
and whether the machine's reading has changed since (a new report joined and moved a field the
analyst did not correct: the event goes back in the queue).  The machine's own rows
(`events`, `fused_events`) are never changed by a review.

In a report's (per-article) row a correction of the toll applies only when that report's own
figure was the fused toll the analyst corrected (always so for an event with one report): the
articles of one event may rightly count its dead differently.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..fusion import Report

Sql = Callable[[str, Sequence[Any]], list[dict[str, Any]]]

# The fields an analyst may correct; `geonameid` is kept for reviewed events only (fused events
# take theirs from their lead report).
REVIEW_FIELDS = ("event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country", "admin1",
                 "admin2", "location", "latitude", "longitude", "geo_precision", "geonameid", "event_date",
                 "time_precision", "fatalities")
MACHINE_FUSED_FIELDS = tuple(f for f in REVIEW_FIELDS if f != "geonameid")
VERDICTS = ("confirm", "correct", "reject")
STRUCTURE = ("merge", "split")
ACTIONS = VERDICTS + STRUCTURE
CHUNK = 500


@dataclass(frozen=True)
class Review:
    """One analyst's review as recorded (`reviews` and its `review_reports`)."""

    id: int
    event_id: str
    action: str
    reviewer: str
    reviewed_at: str
    changes: dict[str, Any]
    machine: dict[str, Any]
    note: str | None
    reports: frozenset[str]  # the event's reports when reviewed (for a split: those that stay)
    moved: frozenset[str] = frozenset()  # a split: the reports taken out


@dataclass
class ReviewState:
    """What an event's reviews add up to."""

    status: str  # confirmed | corrected | rejected | merged | split
    reviewed_by: str
    reviewed_at: str
    reviews: int
    changes: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)  # the machine's reading at the latest verdict


def _in(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _chunks(values: Sequence[str]) -> list[list[str]]:
    items = list(values)
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def load_reviews(sql: Sql) -> list[Review]:
    """Every review, oldest first, with the reports it covers."""
    rows = sql("SELECT id, event_id, action, reviewer, reviewed_at, changes, machine, note FROM reviews ORDER BY id", [])
    if not rows:
        return []
    parts: dict[int, tuple[set[str], set[str]]] = {int(r["id"]): (set(), set()) for r in rows}
    for r in sql("SELECT review_id, report_id, part FROM review_reports", []):
        parts[int(r["review_id"])][1 if r["part"] else 0].add(r["report_id"])
    return [Review(id=int(r["id"]), event_id=r["event_id"], action=r["action"], reviewer=r["reviewer"],
                   reviewed_at=r["reviewed_at"], changes=json.loads(r["changes"] or "{}"),
                   machine=json.loads(r["machine"] or "{}"), note=r["note"],
                   reports=frozenset(parts[int(r["id"])][0]), moved=frozenset(parts[int(r["id"])][1]))
            for r in rows]


def anchors_of(reviews: Sequence[Review]) -> dict[int, frozenset[str]]:
    """The reports each review covers now: a split takes the reports it moved out of every earlier
    review that covered the event it split (one that also holds a report that stayed)."""
    anchors: dict[int, set[str]] = {}
    for review in reviews:
        if review.action == "split":
            for earlier in anchors.values():
                if earlier & review.reports:
                    earlier -= review.moved
        anchors[review.id] = set(review.reports)
    return {k: frozenset(v) for k, v in anchors.items()}


def reviews_by_report(reviews: Sequence[Review], anchors: dict[int, frozenset[str]]) -> dict[str, list[int]]:
    """report id -> the positions (in `reviews`, oldest first) of the reviews that cover it now."""
    index: dict[str, list[int]] = {}
    for position, review in enumerate(reviews):
        for report_id in anchors[review.id]:
            index.setdefault(report_id, []).append(position)
    return index


def holding(report_ids: Iterable[str], index: dict[str, list[int]]) -> list[int]:
    """Positions of the reviews that cover any of the reports, oldest first."""
    return sorted({position for report_id in report_ids for position in index.get(report_id, ())})


def apply_decisions(groups: Sequence[Sequence[Report]], reviews: Sequence[Review],
                    anchors: dict[int, frozenset[str]]) -> list[list[Report]]:
    """Fusion's clusters, with the analysts' merges and splits applied in the order they were made."""
    structural = [r for r in reviews if r.action in STRUCTURE]
    if not structural:
        return [list(g) for g in groups]
    by_id = {m.event_id: m for g in groups for m in g}
    sets = [{m.event_id for m in g} for g in groups]
    where = {report_id: i for i, s in enumerate(sets) for report_id in s}
    for review in structural:
        if review.action == "merge":
            held = sorted({where[x] for x in anchors[review.id] if x in where})
            for i in held[1:]:
                for report_id in sets[i]:
                    where[report_id] = held[0]
                sets[held[0]] |= sets[i]
                sets[i] = set()
            continue
        for i in sorted({where[x] for x in review.reports if x in where}):
            out = sets[i] & review.moved
            if out and out != sets[i]:
                sets[i] -= out
                sets.append(set(out))
                for report_id in out:
                    where[report_id] = len(sets) - 1
    groups_out = [sorted((by_id[x] for x in s), key=lambda r: r.event_id) for s in sets if s]
    return sorted(groups_out, key=lambda g: g[0].event_id)


def pinned_ids(groups: Sequence[Sequence[Report]], reviews: Sequence[Review], anchors: dict[int, frozenset[str]],
               taken: set[str] | None = None) -> list[str | None]:
    """For each group, the reviewed id it keeps (the latest review it holds), or None for its own id."""
    index = reviews_by_report([r for r in reviews if r.event_id.startswith("f")], anchors)
    fused_reviews = [r for r in reviews if r.event_id.startswith("f")]
    claims: list[tuple[int, str, int, str]] = []
    for i, group in enumerate(groups):
        ids = {m.event_id for m in group}
        positions = holding(ids, index)
        if positions:
            latest = fused_reviews[positions[-1]]
            claims.append((-len(anchors[latest.id] & ids), group[0].event_id, i, latest.event_id))
    out: list[str | None] = [None] * len(groups)
    used = set(taken or ())
    for _, _, i, event_id in sorted(claims):
        if event_id not in used:
            out[i] = event_id
            used.add(event_id)
    return out


def fold(reviews: Sequence[Review]) -> ReviewState:
    """The state an event's reviews (oldest first) leave it in: corrections add up, the latest verdict
    (confirm, correct, reject) decides the status; merges and splits alone leave it 'merged' or 'split'."""
    changes: dict[str, Any] = {}
    verdict: str | None = None
    machine: dict[str, Any] = {}
    for review in reviews:
        changes.update(review.changes)
        if review.action in VERDICTS:
            verdict = review.action
            machine = review.machine
    last = reviews[-1]
    if verdict == "reject":
        status = "rejected"
    elif verdict is not None:
        status = "corrected" if changes else "confirmed"
    else:
        status = "merged" if last.action == "merge" else "split"
    return ReviewState(status=status, reviewed_by=last.reviewer, reviewed_at=last.reviewed_at, reviews=len(reviews),
                       changes=changes, machine=machine)


def _changed_since(state: ReviewState, machine: dict[str, Any]) -> bool:
    """The machine's reading of a field the analyst did not correct differs from the one they saw."""
    return any(field in state.machine and state.machine[field] != machine.get(field)
               for field in MACHINE_FUSED_FIELDS if field not in state.changes)


INSERT_REVIEWED = (
    "INSERT INTO reviewed_events(kind, event_id, status, reviewed_by, reviewed_at, reviews, machine_changed, "
    + ", ".join(REVIEW_FIELDS) + f") VALUES (?, ?, ?, ?, ?, ?, ?, {_in(REVIEW_FIELDS)})"
)


def _write_state(sql: Sql, kind: str, event_id: str, state: ReviewState, values: dict[str, Any], stale: bool) -> None:
    sql(INSERT_REVIEWED, [kind, event_id, state.status, state.reviewed_by, state.reviewed_at, state.reviews,
                          int(stale), *(values.get(f) for f in REVIEW_FIELDS)])


def _members(sql: Sql, report_ids: Sequence[str]) -> dict[str, list[str]]:
    """fused id -> its reports, for the fused events holding any of `report_ids`."""
    fused: set[str] = set()
    for chunk in _chunks(sorted(report_ids)):
        fused |= {r["fused_id"] for r in sql(f"SELECT fused_id FROM fused_members WHERE event_id IN ({_in(chunk)})",
                                             chunk)}
    members: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(fused)):
        for r in sql(f"SELECT fused_id, event_id FROM fused_members WHERE fused_id IN ({_in(chunk)})"
                     " ORDER BY event_id", chunk):
            members.setdefault(r["fused_id"], []).append(r["event_id"])
    return members


def _rows_by(sql: Sql, table: str, key: str, ids: Sequence[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(ids)):
        for r in sql(f"SELECT {key}, {', '.join(columns)} FROM {table} WHERE {key} IN ({_in(chunk)})", chunk):
            out[r[key]] = r
    return out


def refresh(sql: Sql) -> int:
    """Rewrite `reviewed_events` from the reviews and the current fusion; returns how many fused events
    are reviewed."""
    sql("DELETE FROM reviewed_events", [])
    reviews = load_reviews(sql)
    if not reviews:
        return 0
    anchors = anchors_of(reviews)
    members = _members(sql, sorted(set().union(*anchors.values())))
    fused_rows = _rows_by(sql, "fused_events", "fused_id", list(members), MACHINE_FUSED_FIELDS)
    report_ids = [m for ms in members.values() for m in ms]
    report_rows = _rows_by(sql, "events", "event_id", report_ids, REVIEW_FIELDS)
    index = reviews_by_report(reviews, anchors)
    for fused_id, reports in sorted(members.items()):
        state = fold([reviews[i] for i in holding(reports, index)])
        machine = fused_rows[fused_id]
        stale = _changed_since(state, machine)
        _write_state(sql, "fused", fused_id, state, {**machine, "geonameid": None, **state.changes}, stale)
        for report_id in reports:
            own = report_rows[report_id]
            changes = dict(state.changes)
            if "fatalities" in changes and len(reports) > 1 and own["fatalities"] != machine["fatalities"]:
                del changes["fatalities"]
            _write_state(sql, "report", report_id, state, {**own, **changes}, stale)
    return len(members)
