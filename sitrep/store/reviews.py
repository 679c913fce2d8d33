"""Recording analysts' reviews, on either store: confirm, correct or reject an event, merge two,
split one; each with the reviewer's name, the time and the machine's reading beside the change.

`ReviewWrites` is mixed into both stores; it needs their `_read` and `_write(action)` (run
`action(sql)` in one write transaction).  A review is of a real-world (fused) event: a report's
id is taken as the fused event it belongs to.  What a review decides, and how it stays attached
to its event, is store/decisions.py.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ReviewError
from .decisions import (
    MACHINE_FUSED_FIELDS,
    REVIEW_FIELDS,
    Review,
    Sql,
    anchors_of,
    holding,
    load_reviews,
    refresh,
    reviews_by_report,
)
from .fused import refuse

if TYPE_CHECKING:
    from ..reviewed_gold import ReviewedArticle

T = TypeVar("T")
FUSED_ID = re.compile(r"f[0-9a-f]{16}")
REPORT_ID = re.compile(r"[0-9a-f]{16}")
MAX_REVIEWER = 100
MAX_NOTE = 2000


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_reviewer(name: str | None) -> str:
    reviewer = (name or "").strip()
    if not reviewer:
        raise ReviewError("E040", detail="say who reviews: give the reviewer's name (--by NAME)")
    if len(reviewer) > MAX_REVIEWER or any(ord(c) < 32 or c == "\x7f" for c in reviewer):
        raise ReviewError("E040", detail=f"reviewer: a name of at most {MAX_REVIEWER} characters, "
                                         "without control characters")
    return reviewer


def check_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE or any((ord(c) < 32 and c not in "\n\t") or c == "\x7f" for c in note):
        raise ReviewError("E040", detail=f"note: at most {MAX_NOTE} characters, without control characters")
    return note.strip()


def resolve_event(sql: Sql, event_id: str) -> str:
    """The fused event an id names: a fused event's own id, or the one a report belongs to."""
    if FUSED_ID.fullmatch(event_id):
        if sql("SELECT fused_id FROM fused_events WHERE fused_id = ?", [event_id]):
            return event_id
    elif REPORT_ID.fullmatch(event_id):
        rows = sql("SELECT fused_id FROM fused_members WHERE event_id = ?", [event_id])
        if rows:
            return str(rows[0]["fused_id"])
    raise ReviewError("E041", event_id=event_id)


def members_of(sql: Sql, fused_id: str) -> list[str]:
    return [r["event_id"] for r in sql("SELECT event_id FROM fused_members WHERE fused_id = ? ORDER BY event_id",
                                       [fused_id])]


def machine_reading(sql: Sql, fused_id: str) -> dict[str, Any]:
    rows = sql(f"SELECT {', '.join(MACHINE_FUSED_FIELDS)} FROM fused_events WHERE fused_id = ?", [fused_id])
    return dict(rows[0]) if rows else {}


def current_reading(sql: Sql, fused_id: str) -> dict[str, Any]:
    """The event as outputs show it: the machine's reading with the corrections so far."""
    reviewed = sql(f"SELECT {', '.join(REVIEW_FIELDS)} FROM reviewed_events WHERE kind = 'fused' AND event_id = ?",
                   [fused_id])
    return dict(reviewed[0]) if reviewed else machine_reading(sql, fused_id)


def insert_review(sql: Sql, *, event_id: str, action: str, reviewer: str, changes: Mapping[str, Any],
                  machine: Mapping[str, Any], note: str | None, reports: Sequence[str],
                  moved: Sequence[str] = (), at: str | None = None) -> int:
    row = sql("INSERT INTO reviews(event_id, action, reviewer, reviewed_at, changes, machine, note)"
              " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
              [event_id, action, reviewer, at or utc_now(), json.dumps(dict(changes), sort_keys=True),
               json.dumps(dict(machine), sort_keys=True), note])
    review_id = int(row[0]["id"])
    for part, ids in ((0, reports), (1, moved)):
        for report_id in sorted(set(ids)):
            sql("INSERT INTO review_reports(review_id, report_id, part) VALUES (?, ?, ?)", [review_id, report_id, part])
    return review_id


def history(sql: Sql, fused_id: str) -> list[Review]:
    """The reviews that bear on the event now (those whose reports it holds), oldest first."""
    reviews = load_reviews(sql)
    index = reviews_by_report(reviews, anchors_of(reviews))
    return [reviews[i] for i in holding(members_of(sql, fused_id), index)]


class ReviewWrites:
    """The review methods both stores share (see the module's docstring)."""

    def _read(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _write(self, action: Callable[[Sql], T]) -> T:
        raise NotImplementedError

    def review(self, event_id: str, *, reviewer: str, action: str, changes: Mapping[str, Any] | None = None,
               note: str | None = None, gazetteer: Callable[[], Any] | None = None, at: str | None = None) -> str:
        """Confirm, correct or reject an event; returns its id (which it keeps from now on).

        `changes` maps fields to corrected values (see sitrep/corrections.py); giving any makes the
        review a correction.  Raises ReviewError (nothing written) for an unknown event or a bad value.
        """
        from ..corrections import check_changes

        reviewer, note = check_reviewer(reviewer), check_note(note)
        if action not in ("confirm", "correct", "reject"):
            raise ReviewError("E040", detail=f"action {action!r}: use confirm, correct or reject")
        if action == "reject" and changes:
            raise ReviewError("E040", detail="a rejected event is not corrected: reject it, or correct it")
        fused_id = resolve_event(self._read, event_id)
        current = current_reading(self._read, fused_id)
        options = {"gazetteer": gazetteer} if gazetteer else {}
        checked = check_changes(changes, current, **options) if changes else {}
        if action == "correct" and not checked:
            raise ReviewError("E040", detail="nothing to correct: give FIELD=VALUE (or confirm the event)")
        kind = "correct" if checked else action

        def write(sql: Sql) -> str:
            target = resolve_event(sql, fused_id)
            insert_review(sql, event_id=target, action=kind, reviewer=reviewer, changes=checked,
                          machine=machine_reading(sql, target), note=note, reports=members_of(sql, target), at=at)
            refresh(sql)
            return target

        return self._write(write)

    def merge_events(self, event_ids: Sequence[str], *, reviewer: str, note: str | None = None,
                     at: str | None = None) -> str:
        """Make several events one (the analyst's word over fusion's); the first id is the one kept."""
        reviewer, note = check_reviewer(reviewer), check_note(note)

        def write(sql: Sql) -> str:
            targets = list(dict.fromkeys(resolve_event(sql, e) for e in event_ids))
            if len(targets) < 2:
                raise ReviewError("E040", detail="merge: give two different events")
            reports = [m for t in targets for m in members_of(sql, t)]
            insert_review(sql, event_id=targets[0], action="merge", reviewer=reviewer, changes={},
                          machine=machine_reading(sql, targets[0]), note=note, reports=reports, at=at)
            refuse(sql, reports)
            return resolve_event(sql, reports[0])

        return self._write(write)

    def split_event(self, event_id: str, reports: Sequence[str], *, reviewer: str, note: str | None = None,
                    at: str | None = None) -> tuple[str, str]:
        """Take some reports (by their event id or their article's doc_id) out of a fused event, for good;
        returns (the event's id, the id of the event the moved reports now make)."""
        reviewer, note = check_reviewer(reviewer), check_note(note)

        def write(sql: Sql) -> tuple[str, str]:
            target = resolve_event(sql, event_id)
            members = members_of(sql, target)
            doc_of = {r["event_id"]: r["doc_id"] for r in sql(
                "SELECT m.event_id, a.doc_id FROM fused_members m JOIN events e ON e.event_id = m.event_id"
                " JOIN articles a ON a.id = e.article_id WHERE m.fused_id = ?", [target])}
            moved = sorted({m for m in members for given in reports if given in (m, doc_of.get(m))})
            unknown = [g for g in reports if not any(g in (m, doc_of.get(m)) for m in members)]
            if unknown:
                raise ReviewError("E040", detail=f"split: {', '.join(map(str, unknown))} is not a report of {target}; "
                                                 "give report ids or doc_ids from its sources")
            if not moved or len(moved) == len(members):
                raise ReviewError("E040", detail=f"split: move some, not all, of the {len(members)} reports of {target}")
            kept = [m for m in members if m not in moved]
            insert_review(sql, event_id=target, action="split", reviewer=reviewer, changes={},
                          machine=machine_reading(sql, target), note=note, reports=kept, moved=moved, at=at)
            refuse(sql, members)
            return resolve_event(sql, kept[0]), resolve_event(sql, moved[0])

        return self._write(write)

    def review_record(self, event_id: str) -> dict[str, Any]:
        """The event's review, machine's reading and correction side by side, with every review it holds."""
        fused_id = resolve_event(self._read, event_id)
        reviewed = self._read("SELECT * FROM reviewed_events WHERE kind = 'fused' AND event_id = ?", [fused_id])
        reviews = history(self._read, fused_id)
        machine = machine_reading(self._read, fused_id)
        changes: dict[str, Any] = {}
        for r in reviews:
            changes.update(r.changes)
        state = reviewed[0] if reviewed else None
        return {
            "event_id": fused_id,
            "status": state["status"] if state else None,
            "reviewed_by": state["reviewed_by"] if state else None,
            "reviewed_at": state["reviewed_at"] if state else None,
            "stale": bool(state["machine_changed"]) if state else False,
            "machine": machine,
            "corrected": changes,
            "history": [{"id": r.id, "action": r.action, "reviewer": r.reviewer, "reviewed_at": r.reviewed_at,
                         "changes": r.changes, "machine": r.machine, "note": r.note, "event_id": r.event_id,
                         "moved": sorted(r.moved)} for r in reviews],
        }

    def reviewed_gold(self) -> list[ReviewedArticle]:
        """The reviewed articles as training gold, in the format of `../shared/eval/*/gold.jsonl` and
        `articles.jsonl` (see sitrep/reviewed_gold.py for the rule on articles only partly reviewed)."""
        from ..reviewed_gold import reviewed_articles

        return reviewed_articles(self._read)
