"""Writing events out: JSONL, CSV, GeoJSON and Parquet, with ACLED's column names."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

FORMATS = ("jsonl", "csv", "geojson", "parquet")

# ACLED's columns (as in its public exports), then sitrep's traceability columns.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "inter1", "actor2", "inter2", "interaction", "country", "admin1", "admin2", "location",
    "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)
SITREP_COLUMNS = ("doc_id", "source_url", "location_text", "date_text", "evidence", "evidence_start",
                  "evidence_end", "reported_by", "confidence", "trigger", "weapon", "plover", "cameo")
# An analyst's review: the verdict (confirmed, corrected; rejected events are not exported), who, when (UTC).
REVIEW_COLUMNS = ("review_status", "reviewed_by", "reviewed_at")


def acled_row(event: dict[str, Any]) -> dict[str, Any]:
    """One event (from the store or an Event's JSON) in ACLED's column names plus sitrep's evidence columns."""
    date = event.get("event_date")
    inter1, inter2 = event.get("inter1"), event.get("inter2")
    row = {
        "event_id_cnty": event.get("event_id"),
        "event_date": date,
        "year": int(date[:4]) if date else None,
        "time_precision": event.get("time_precision"),
        "event_type": event.get("event_type"),
        "sub_event_type": event.get("sub_event_type"),
        "actor1": event.get("actor1"),
        "inter1": inter1,
        "actor2": event.get("actor2"),
        "inter2": inter2,
        "interaction": int(f"{min(inter1, inter2)}{max(inter1, inter2)}") if inter1 and inter2 else
        (int(f"{inter1}0") if inter1 else None),
        "country": event.get("country"),
        "admin1": event.get("admin1"),
        "admin2": event.get("admin2"),
        "location": event.get("location"),
        "latitude": event.get("latitude"),
        "longitude": event.get("longitude"),
        "geo_precision": event.get("geo_precision"),
        "source": event.get("source"),
        "notes": event.get("evidence"),
        "fatalities": event.get("fatalities") or 0,
    }
    for col in (*SITREP_COLUMNS, *REVIEW_COLUMNS):
        row[col] = event.get(col)
    return row


def acled_fused_row(fused: dict[str, Any], *, flat: bool = False) -> dict[str, Any]:
    """A fused event in ACLED's columns: every source's outlet, and the sources themselves."""
    sources = fused.get("sources") or []
    row = acled_row({**fused, "event_id": fused.get("fused_id"),
                     "source": "; ".join(sorted({s.get("outlet") or s.get("doc_id") for s in sources})),
                     "evidence": sources[0]["evidence"] if sources else None})
    for col in SITREP_COLUMNS:
        row.pop(col, None)
    row["source_count"] = fused.get("source_count")
    row["confidence"] = fused.get("confidence")  # its surest report's calibrated probability
    row["doc_ids"] = "; ".join(s["doc_id"] for s in sources)
    row["sources"] = json.dumps(sources, ensure_ascii=False) if flat else sources
    for col in REVIEW_COLUMNS:
        row[col] = row.pop(col)  # after the sources
    return row


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer: csv.DictWriter[str] | None = None
    n = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row.keys()), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(row)
        n += 1
    return n


def geojson_features(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        lat, lon = row.get("latitude"), row.get("longitude")
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        yield {"type": "Feature", "geometry": geometry, "properties": row}


def write_geojson(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A FeatureCollection, streamed feature by feature."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for feature in geojson_features(rows):
        out.write((",\n" if n else "") + json.dumps(feature, ensure_ascii=False, default=str))
        n += 1
    out.write("\n]}\n")
    return n


def write_parquet(rows: Iterable[dict[str, Any]], path: str) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows))
    pq.write_table(table, path)
    return table.num_rows


def write_rows(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    if fmt == "jsonl":
        return write_jsonl(rows, out)
    if fmt == "csv":
        return write_csv(rows, out)
    if fmt == "geojson":
        return write_geojson(rows, out)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
