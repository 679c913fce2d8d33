"""Near-duplicate articles: the same wire story in two outlets is linked, not dropped."""
from __future__ import annotations

from sitrep.dedup import DuplicateIndex, from_bytes, signature, to_bytes

from .conftest import dev_records, needs_shared


@needs_shared
def test_wire_copies_are_linked_and_distinct_reports_are_not():
    records = dev_records()
    index = DuplicateIndex()
    _, first = index.add("lb-wadi-kfour-ap", records["lb-wadi-kfour-ap"]["text"])
    assert first is None
    _, magami = index.add("ng-magami-cgtn", records["ng-magami-cgtn"]["text"])
    assert magami is None  # another story altogether
    copy = records["lb-wadi-kfour-ap"]["text"].replace("Associated Press", "AP wire")
    _, dup = index.add("copy", copy)
    assert dup is not None and dup[0] == "lb-wadi-kfour-ap" and dup[1] > 0.8


def test_signatures_round_trip_through_the_store():
    m = signature("Rebels fired mortar rounds into the eastern city on Friday, killing two people.")
    again = from_bytes(to_bytes(m))
    assert again.jaccard(m) == 1.0
    index = DuplicateIndex([("a", to_bytes(m))])
    _, dup = index.add("b", "Rebels fired mortar rounds into the eastern city on Friday, killing two people.")
    assert dup == ("a", 1.0)
