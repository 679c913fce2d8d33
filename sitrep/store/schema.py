"""What both stores share about an event row and an event query: the stored columns, an Event's
values in their order, the filters a query may carry, and FTS5's quoting of user text."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..records import Event

EVENT_COLUMNS = (
    "event_id", "event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country",
    "admin1", "admin2", "location", "location_text", "latitude", "longitude", "geo_precision",
    "geonameid", "event_date", "time_precision", "date_text", "fatalities", "fatalities_text",
    "trigger", "weapon", "confidence", "plover", "cameo", "toll_update",
)


def event_values(e: Event) -> list[Any]:
    """An Event's values in EVENT_COLUMNS order, booleans as 0/1 for both dialects."""
    row = e.to_json()
    return [int(row[c]) if isinstance(row[c], bool) else row[c] for c in EVENT_COLUMNS]


@dataclass(frozen=True)
class EventQuery:
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    q: str | None = None
    limit: int = 100
    offset: int = 0
    fused: bool = False  # one row per real-world event (fused over its reports), not per report
    rejected: bool = False  # only the events an analyst rejected (which every other query leaves out)
    min_confidence: float | None = None  # the decision model's calibrated probability, at least (reviewed events pass)


# A fused event's full-text rows (migration 0014_fused_fts, `fused_texts`) are keyed by its integer key (its lead
# report's row id) shifted left by this many bits, plus the rank of the row's article in the event: `id >> 20` is
# the fused event's key. (An event with more than 2^20 articles would need more bits.)
TEXT_KEY_BITS = 20


def fts_phrase(text: str) -> str:
    """Quote user text so FTS5 reads it as words, never as query syntax."""
    words = [w.replace('"', '""') for w in text.replace("\x00", " ").split()]
    return " ".join(f'"{w}"' for w in words) or '""'
