"""GET /events/{event_id}/explanation: why the decision model coded the event (`sitrep explain`)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from .deps import Reader
from .errors import ApiError
from .events import EVENT_ID_PATTERN

router = APIRouter(tags=["events"])


@router.get("/events/{event_id}/explanation",
            summary="Why the event was coded: trigger, strongest features, places and tolls considered, "
                    "and the candidates of its article that were dropped")
def explanation(event_id: Annotated[str, Path(pattern=EVENT_ID_PATTERN,
                                                description="16 hex digits; 'f' and 16 hex digits for a fused event")],
                store: Reader) -> dict[str, Any]:
    found = store.explanation(event_id)
    if found is None:
        raise ApiError(404, "not_found", f"No event with id {event_id}.")
    event, body = found
    if body is None:
        return {"event_id": event_id, "report_id": event["report_id"], "decider": "rules", "event": None,
                "dropped": []}
    explained = next((e for e in body.get("events", []) if e["event_id"] == event["report_id"]), None)
    return {"event_id": event_id, "report_id": event["report_id"], "decider": "model", "threshold": body["threshold"],
            "event": explained, "dropped": body.get("dropped", [])}
