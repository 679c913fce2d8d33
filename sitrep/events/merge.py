"""ACLED's unit inside one article: one event per place, day and actor pair.

Events of one article that share type, actors and day are merged when their
places are the same or one holds the other (the most specific place wins).
Fatalities take the lowest credible figure, unless a later report updates
the toll.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from .. import geography
from ..geography import COUNTRY, Spot
from ..geography import place_core as place_core  # re-exported: the event stages import it from here
from ..records import Event

PROTEST_SEVERITY = ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]


def _specificity(e: Event) -> int:
    """Lower is more specific: 1 the place itself ... 3 only the province/country."""
    return e.geo_precision or 3


def same_place(a: Event, b: Event) -> bool:
    """The two events' places are one (see `geography.same_place`)."""
    return geography.same_place(Spot.of_record(a), Spot.of_record(b))


def holds(outer: Event, inner: Event) -> bool:
    """`outer`'s place is a country, province or district that holds `inner`'s place (or names the
    province's seat: 'Baghdad' holds 'Tahrir Square'); see `geography.contains`."""
    return geography.contains(Spot.of_record(outer), Spot.of_record(inner))


def is_country_level(e: Event) -> bool:
    return Spot.of_record(e).level == COUNTRY


DEMONSTRATIONS = {"Protests", "Riots"}


def compatible(a: Event, b: Event) -> bool:
    if a.event_type != b.event_type and not {a.event_type, b.event_type} <= DEMONSTRATIONS:
        return False  # (a protest that turned to stone-throwing at one place and day is one event)
    if a.actor1 and b.actor1 and a.actor1 != b.actor1 and a.event_type not in DEMONSTRATIONS \
            and not (a.event_type == "Battles" and a.actor1 == b.actor2 and (not a.actor2 or a.actor2 == b.actor1)):
        return False  # (a battle's sides are one pair whichever attacked: "JNIM attacked the base"; "the army's counter-attack")
    if a.event_date and b.event_date and a.event_date != b.event_date:
        return "context" in (a.date_from, b.date_from)  # a date carried from an earlier sentence may be wrong
    return True


def days_agree(a: Event, b: Event) -> bool:
    """The same day, or one of them undated."""
    return not (a.event_date and b.event_date and a.event_date != b.event_date)


def merge_pair(keep: Event, other: Event) -> Event:
    """Fold `other` into `keep` (the more specific or earlier one)."""
    if holds(other, keep) and keep.fatalities and not other.toll_update:
        other = replace(other, fatalities=keep.fatalities, fatalities_text=keep.fatalities_text)
        # a province-wide toll covers several places: the place's own figure stands
    first, later = (keep, other) if keep.evidence_start <= other.evidence_start else (other, keep)
    if later.toll_update and later.fatalities:
        toll = later  # "the death toll rose to four" replaces earlier figures
    elif first.toll_update and first.fatalities:
        toll = first
    else:
        toll = first if first.fatalities else later  # the figure the article leads with
    keep.fatalities, keep.fatalities_text, keep.toll_update = toll.fatalities, toll.fatalities_text, toll.toll_update
    keep.actor1 = keep.actor1 or other.actor1
    keep.inter1 = keep.inter1 or other.inter1
    keep.actor2 = keep.actor2 or other.actor2
    keep.inter2 = keep.inter2 or other.inter2
    if other.event_date and (not keep.event_date or (keep.date_from == "context" and other.date_from == "sentence")):
        keep.event_date, keep.time_precision = other.event_date, other.time_precision
        keep.date_text, keep.date_from = other.date_text, other.date_from
    keep.reported_by = keep.reported_by or other.reported_by
    if keep.event_type == "Protests" and other.event_type == "Protests":
        keep.sub_event_type = max(keep.sub_event_type, other.sub_event_type, key=PROTEST_SEVERITY.index)
    keep.confidence = max(keep.confidence, other.confidence)
    return keep


PLACE_FIELDS = ("country", "admin1", "admin2", "location", "location_text", "latitude", "longitude",
                "geo_precision", "geonameid")


def take_place(target: Event, source: Event) -> None:
    """Move `target` to `source`'s (more specific) place."""
    for name in PLACE_FIELDS:
        setattr(target, name, getattr(source, name))


def _absorbs(strong: Event, weak: Event) -> bool:
    """A killing told without its attacker belongs to a typed event of the same kind, or to the strike
    or shelling that killed them."""
    return strong.event_type == weak.event_type or (
        weak.event_type == "Violence against civilians" and strong.event_type == "Explosions/Remote violence")


def absorb_weak(events: list[Event], weak: set[int]) -> list[Event]:
    """An event told only by a killing word with no named attacker ('two men were killed in Zolochiv')
    is the report of a typed event at the same place and day when there is one; alone and without
    deaths it is too thin to code."""
    strong = [e for e in events if id(e) not in weak]
    out = list(strong)
    for e in events:
        if id(e) not in weak:
            continue
        target = next((s for s in strong if _absorbs(s, e) and (same_place(s, e) or holds(e, s) or holds(s, e))
                       and days_agree(s, e)), None)
        if target is not None:
            if holds(target, e):
                take_place(target, e)  # the province-wide report moves to the place; its figure is a sum
                target.fatalities = e.fatalities or target.fatalities
            target.fatalities = target.fatalities or e.fatalities
            target.fatalities_text = target.fatalities_text or e.fatalities_text
            target.actor2 = target.actor2 or e.actor2
            target.inter2 = target.inter2 or e.inter2
        elif e.fatalities:
            out.append(e)
    return sorted(out, key=lambda e: e.evidence_start)


def fold_remote_harm(events: list[Event]) -> list[Event]:
    """'Shells fired by X struck the market in Y, killing nine people': the killing is the shelling's.
    ACLED codes remote violence that harms civilians as the explosion, with the civilians as actor2:
    an Attack told in the same sentence, at the same place and day, by the same (or no named) attacker,
    folds into the explosion, which takes its toll and its victims."""
    out = list(events)
    for attack in events:
        if (attack.event_type, attack.sub_event_type) != ("Violence against civilians", "Attack"):
            continue
        blast = next((e for e in out if e.event_type == "Explosions/Remote violence"
                      and e.evidence_start == attack.evidence_start and same_place(e, attack)
                      and (not e.actor1 or not attack.actor1 or e.actor1 == attack.actor1)
                      and days_agree(e, attack)), None)
        if blast is None:
            continue
        blast.fatalities = blast.fatalities or attack.fatalities
        blast.fatalities_text = blast.fatalities_text or attack.fatalities_text
        blast.actor1, blast.inter1 = blast.actor1 or attack.actor1, blast.inter1 or attack.inter1
        blast.actor2, blast.inter2 = blast.actor2 or attack.actor2, blast.inter2 or attack.inter2
        out.remove(attack)
    return out


def fold_protest_arrests(events: list[Event]) -> list[Event]:
    """'Police fired tear gas to disperse protesters ..., arresting at least 14 people': arrests made at a
    demonstration are its intervention, not an event of their own (ACLED codes the demonstration)."""
    out = list(events)
    for arrest in events:
        if arrest.sub_event_type != "Arrests":
            continue
        demo = next((e for e in out if e.event_type in DEMONSTRATIONS and e.evidence_start == arrest.evidence_start
                     and (same_place(e, arrest) or holds(arrest, e))
                     and days_agree(e, arrest)), None)
        if demo is None:
            continue
        if demo.sub_event_type == "Peaceful protest":
            demo.sub_event_type = "Protest with intervention"
        if demo.event_type == "Protests" and not demo.actor2:
            demo.actor2, demo.inter2 = arrest.actor1, arrest.inter1
        out.remove(arrest)
    return out


def place_unplaced(events: list[Event], unplaced: set[int], told_again: Collection[int] = ()) -> list[Event]:
    """An event whose sentence names no place ('gunmen killed 17 people over the weekend') is the
    story's event told before or after its place: it joins the next compatible placed event of the
    article (else the previous one; first the previous one when it refers back, 'in the gunfight');
    alone, it keeps the article's fallback place."""
    placed = [e for e in events if id(e) not in unplaced]
    out = list(placed)
    for e in (e for e in events if id(e) in unplaced):
        later = [p for p in placed if p.evidence_start > e.evidence_start and compatible(p, e)]
        earlier = [p for p in placed if p.evidence_start < e.evidence_start and compatible(p, e)]
        target: Event | None
        if id(e) in told_again and earlier:
            target = earlier[-1]
        else:
            target = later[0] if later else (earlier[-1] if earlier else None)
        if target is None:
            out.append(e)
            continue
        if not target.fatalities:  # the placed report's own figure stands
            target.fatalities, target.fatalities_text = e.fatalities, e.fatalities_text
        for name in ("actor1", "inter1", "actor2", "inter2"):
            setattr(target, name, getattr(target, name) or getattr(e, name))
        if not target.event_date and e.event_date:
            target.event_date, target.time_precision, target.date_text = e.event_date, e.time_precision, e.date_text
    return sorted(out, key=lambda e: e.evidence_start)


def drop_sums(events: list[Event]) -> list[Event]:
    """A province-wide report whose toll sums several places' events of the article goes: its places'
    own events carry the figures ('11 killed in Kharkiv region': 9 in Kharkiv, 2 in Krasnohrad)."""
    out = []
    for e in events:
        held = [o for o in events if o is not e and o.fatalities and compatible(o, e) and holds(e, o)]
        if len(held) < 2:
            out.append(e)
    return out


def merge_events(events: list[Event], focus: str | None = None) -> list[Event]:
    """Merge events of one article that ACLED would count once."""
    merged: list[Event] = []
    for event in events:
        target = None
        for existing in merged:
            if not compatible(existing, event):
                continue
            if same_place(existing, event) or holds(existing, event) or holds(event, existing):
                target = existing
                break
        if target is None:
            merged.append(event)
            continue
        if holds(target, event) or (_specificity(event) < _specificity(target) and not holds(event, target)):
            merged[merged.index(target)] = merge_pair(event, target)
        else:
            merge_pair(target, event)
    for e in merged:
        if e.actor2 and e.actor2 == e.actor1:
            e.actor2, e.inter2 = None, None
    return drop_vague(merged, focus)


def drop_vague(events: list[Event], focus: str | None) -> list[Event]:
    """Country-level events outside the article's focus country, or beside a more specific one, go."""
    out = []
    for e in events:
        if is_country_level(e) and (e.country != focus or any(
                o is not e and o.event_type == e.event_type and not is_country_level(o) for o in events)):
            continue
        out.append(e)
    return out
