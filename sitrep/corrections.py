"""An analyst's corrections of an event: which fields may change, what values they take, and a
place picked from the gazetteer.

The CLI gives `FIELD=VALUE` strings (`--set fatalities=9`), the API a JSON object; both go
through `check_changes`, which names the field and the problem when a value cannot be used
(a ReviewError, E040), so nothing half-checked reaches the store.  An empty value clears an
optional field (`--set actor2=`).  A place is either picked from the gazetteer
(`place=GEONAMEID` fills location, admin1, admin2, country and coordinates, precision from its
kind) or typed: a new `location` then needs its `latitude` and `longitude`.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import ReviewError
from .store.decisions import REVIEW_FIELDS

if TYPE_CHECKING:
    from .gazetteer.store import Gazetteer, Place

ALIASES = {"toll": "fatalities", "killed": "fatalities", "date": "event_date", "type": "event_type",
           "sub_type": "sub_event_type", "subtype": "sub_event_type", "date_precision": "time_precision"}
PLACE = "place"
TEXT_FIELDS = ("actor1", "actor2", "country", "admin1", "admin2", "location")
INT_RANGES = {"inter1": (0, 8), "inter2": (0, 8), "geo_precision": (1, 3), "time_precision": (1, 3),
              "fatalities": (0, 1_000_000), "geonameid": (1, 10**10)}
FLOAT_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
REQUIRED = ("event_type", "sub_event_type", "fatalities")
MAX_TEXT = 300


def _fail(detail: str) -> ReviewError:
    return ReviewError("E040", detail=detail)


def field_names() -> list[str]:
    """Every name `--set` accepts, aliases and `place` included."""
    return sorted({*REVIEW_FIELDS, *ALIASES, PLACE})


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """['fatalities=9', 'actor2='] -> {'fatalities': '9', 'actor2': ''} (names checked later)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise _fail(f"--set {pair!r}: give FIELD=VALUE, e.g. --set fatalities=9")
        out[name.strip()] = value.strip()
    return out


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(name: str, value: Any) -> str | None:
    if _is_empty(value):
        return None
    if not isinstance(value, str):
        raise _fail(f"{name}: {value!r} is not text")
    text = value.strip()
    if len(text) > MAX_TEXT or any(ord(c) < 32 or c == "\x7f" for c in text):
        raise _fail(f"{name}: text of at most {MAX_TEXT} characters, without control characters")
    return text


def _as_int(name: str, value: Any) -> int | None:
    if _is_empty(value):
        return None
    try:
        number = int(value) if not isinstance(value, (bool, float)) else None
    except (TypeError, ValueError):
        number = None
    low, high = INT_RANGES[name]
    if number is None or not low <= number <= high:
        raise _fail(f"{name}: {value!r} is not a whole number from {low} to {high}")
    return number


def _as_float(name: str, value: Any) -> float | None:
    if _is_empty(value):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    low, high = FLOAT_RANGES[name]
    if not low <= number <= high:  # NaN fails too
        raise _fail(f"{name}: {value!r} is not a number from {low:g} to {high:g}")
    return number


def _as_date(value: Any) -> str | None:
    if _is_empty(value):
        return None
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise _fail(f"event_date: {value!r} is not a day; give YYYY-MM-DD") from None


def coerce(name: str, value: Any) -> Any:
    """One field's value, checked and in its stored type."""
    if name in TEXT_FIELDS or name in ("event_type", "sub_event_type"):
        out: Any = _as_text(name, value)
    elif name in INT_RANGES:
        out = _as_int(name, value)
    elif name in FLOAT_RANGES:
        out = _as_float(name, value)
    elif name == "event_date":
        out = _as_date(value)
    else:
        raise _fail(f"{name!r} is not a field that can be corrected; use one of {', '.join(field_names())}")
    if out is None and name in REQUIRED:
        raise _fail(f"{name} cannot be empty")
    return out


def normalise(raw: Mapping[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Field names resolved (aliases) and values coerced; the gazetteer place asked for, if any."""
    changes: dict[str, Any] = {}
    place: int | None = None
    for given, value in raw.items():
        name = ALIASES.get(given, given)
        if name == PLACE:
            place = _as_int("geonameid", value)
            if place is None:
                raise _fail("place: give a GeoNames id from the gazetteer, e.g. place=2332459")
            continue
        if name in changes:
            raise _fail(f"{name} is given twice")
        changes[name] = coerce(name, value)
    return changes, place


def place_fields(gazetteer: Gazetteer, place: Place) -> dict[str, Any]:
    """A gazetteer entry as an event's place fields (the precision an analyst's pick of that kind has)."""
    code = place.feature_code or ""
    precision = 3 if code.startswith("PCL") or code in ("ADM1", "CONT") else 2 if code == "ADM2" else 1
    admin1 = place.name if code == "ADM1" else gazetteer.admin1_name(place.country_code, place.admin1_code)
    return {"location": place.name, "geonameid": place.geonameid, "latitude": place.latitude,
            "longitude": place.longitude, "country": gazetteer.country_name(place.country_code), "admin1": admin1,
            "admin2": gazetteer.admin2_name(place.country_code, place.admin1_code, place.admin2_code),
            "geo_precision": precision}


def _open_gazetteer() -> Gazetteer:
    from .gazetteer.store import Gazetteer

    return Gazetteer.open()


def check_changes(raw: Mapping[str, Any], current: Mapping[str, Any], *,
                  gazetteer: Callable[[], Gazetteer] = _open_gazetteer) -> dict[str, Any]:
    """The corrections to record, checked against the event's current (reviewed) reading."""
    from .events.lexicon import event_types  # the ACLED codebook's type and sub-type pairs

    changes, place_id = normalise(raw)
    if place_id is not None:
        g = gazetteer()
        place = g.place(place_id)
        if place is None:
            raise _fail(f"place: the gazetteer has no entry {place_id}; search it with GET /gazetteer?q=NAME")
        for name, value in place_fields(g, place).items():
            changes.setdefault(name, value)
    elif "location" in changes:
        if "latitude" not in changes or "longitude" not in changes:
            raise _fail("a typed location needs its latitude and longitude too (or pick it from the gazetteer "
                        "with place=GEONAMEID)")
        changes.setdefault("geonameid", None)
    if ("latitude" in changes) != ("longitude" in changes):
        raise _fail("latitude and longitude are corrected together")
    kind = changes.get("event_type", current.get("event_type"))
    sub = changes.get("sub_event_type", current.get("sub_event_type"))
    pairs = event_types()
    if (kind, sub) not in pairs:
        allowed = ", ".join(s for t, s in pairs if t == kind)
        if not allowed:
            raise _fail(f"event_type {kind!r} is not an ACLED event type; use one of "
                        f"{', '.join(sorted({t for t, _ in pairs}))}")
        raise _fail(f"sub_event_type {sub!r} is not a sub-event type of {kind!r}; use one of {allowed}")
    return changes
