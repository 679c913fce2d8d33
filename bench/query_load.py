"""GET /events under load on a 1-million-event SQLite store: p50 and p99 of each filter, and the plan behind it.

Run by hand (not in CI):

    nice -n 10 .venv/bin/python bench/query_load.py /tmp/qload/store-1m.db [--events 1000000] [--runs 30]

The store is built once and reused (the path is the cache): synthetic but realistic rows written straight into
the store's own schema (its migrations, so the indexes are the real ones; no NLP): 40 countries and their
regions (Zipf-weighted), the ACLED event types, 3,000 actors, six years of dates, two reports an article, fused
events of one to three reports (and their full-text rows, as `summarise` writes them), and analysts' reviews
(confirmed, corrected, rejected) of 0.4% of them, whose reviewed values come from the store's own `refresh`. Opening it applies any newer migration (so a built store
is measured under the current indexes).

Each query goes through the API app (FastAPI's TestClient: parsing, the three reads GET /events makes, and the
JSON serialisation all count); `--runs` times each, then its p50 and p99 and, from EXPLAIN QUERY PLAN of the SQL
it ran, how it reads `events` (the index, or SCAN for a full scan). Target: every p99 under 200 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitrep.store import Store  # noqa: E402
from sitrep.store.decisions import refresh  # noqa: E402
from sitrep.store.fused import index_texts  # noqa: E402

TARGET_MS = 200.0
EVENT_TYPES = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Air/drone strike", "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Suicide bomb"),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Arrests", "Looting/property destruction", "Disrupted weapons use", "Agreement"),
}
TYPE_WEIGHTS = (30, 22, 20, 15, 6, 7)
COUNTRIES = ("Sudan", "Nigeria", "Somalia", "Ukraine", "Syria", "Yemen", "Mali", "Burkina Faso", "Myanmar", "Iraq",
             "Afghanistan", "Ethiopia", "Kenya", "Niger", "Cameroon", "Chad", "Libya", "Pakistan", "India", "Mexico",
             "Colombia", "Brazil", "Haiti", "Mozambique", "South Sudan", "Uganda", "Lebanon", "Israel", "Palestine",
             "Iran", "Turkey", "Egypt", "Algeria", "Tunisia", "Morocco", "Philippines", "Bangladesh", "Nepal",
             "Venezuela", "Peru")
ACTOR_KINDS = ("Military Forces of {c}", "Police Forces of {c}", "Unidentified Armed Group ({c})", "Protesters ({c})",
               "Rioters ({c})", "Civilians ({c})", "Militia ({c})", "Rebel Group {n} ({c})")
GROUPS = ("Al Shabaab", "Boko Haram", "ISWAP", "JNIM", "Rapid Support Forces", "Houthis", "Taliban", "Wagner Group",
          "Hamas", "Hezbollah", "Fano Militia", "Arakan Army", "ELN", "CJNG", "Gang Coalition G9")
OUTLETS = tuple(f"Outlet {i}" for i in range(30))
WORDS = tuple(f"w{i}" for i in range(3000))  # article vocabulary, Zipf-drawn ("w0" common, "w2999" rare)
START = date(2020, 1, 1)
DAYS = 6 * 365


# ------------------------------------------------------------------ building the store
def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def hex16(i: int, salt: int) -> str:
    return f"{(i * 0x9E3779B97F4A7C15 + salt) % 2**64:016x}"  # a bijection of i: unique, hex like real ids


class Synth:
    """Deterministic synthetic rows (seeded)."""

    def __init__(self, seed: int = 16):
        self.rng = random.Random(seed)
        self.country_w = zipf_weights(len(COUNTRIES))
        self.actors = [(k.format(c=c, n=n), c) for c in COUNTRIES for k in ACTOR_KINDS for n in range(1, 4)
                       if "{n}" in k or n == 1]
        self.actors += [(g, self.rng.choice(COUNTRIES)) for g in GROUPS]
        self.actor_w = zipf_weights(len(self.actors), 0.8)
        self.word_w = zipf_weights(len(WORDS), 1.0)

    def words(self, n: int) -> str:
        return " ".join(self.rng.choices(WORDS, self.word_w, k=n))

    def fused_fields(self) -> dict[str, Any]:
        rng = self.rng
        country = rng.choices(COUNTRIES, self.country_w)[0]
        event_type = rng.choices(tuple(EVENT_TYPES), TYPE_WEIGHTS)[0]
        a1 = rng.choices(self.actors, self.actor_w)[0][0]
        a2 = rng.choices(self.actors, self.actor_w)[0][0] if rng.random() < 0.6 else None
        day = None if rng.random() < 0.03 else (START + timedelta(days=rng.randrange(DAYS))).isoformat()
        lat, lon = rng.uniform(-30, 50), rng.uniform(-90, 120)
        return {"event_type": event_type, "sub_event_type": rng.choice(EVENT_TYPES[event_type]), "actor1": a1,
                "actor2": a2, "inter1": rng.randrange(1, 9), "inter2": rng.randrange(1, 9) if a2 else None,
                "country": country, "admin1": f"{country} Region {int(rng.paretovariate(1.2)) % 12}",
                "admin2": None, "location": f"Town {rng.randrange(5000)}", "location_text": None,
                "latitude": lat, "longitude": lon, "geo_precision": rng.choice((1, 1, 2, 3)), "event_date": day,
                "time_precision": 1, "fatalities": 0 if rng.random() < 0.6 else int(rng.paretovariate(1.3))}


def build(path: Path, n_events: int, seed: int = 16, reviewed_one_in: int = 250) -> None:
    """A store of about `n_events` reports, written in one transaction after the store's migrations, with
    one fused event in `reviewed_one_in` reviewed."""
    syn, rng = Synth(seed), random.Random(seed + 1)
    n_articles = max(1, n_events // 2)
    started = time.perf_counter()
    store = Store(path)  # the store's own migrations
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO actors(id, name, country) VALUES (?, ?, ?)",
                     [(i + 1, name, c) for i, (name, c) in enumerate(syn.actors)])
    actor_ids = {name: i + 1 for i, (name, _) in enumerate(syn.actors)}

    def articles() -> Iterator[tuple[Any, ...]]:
        for i in range(n_articles):
            day = (START + timedelta(days=rng.randrange(DAYS))).isoformat()
            text = f"{syn.words(40)}. {syn.words(30)}."
            yield (i + 1, f"qload-{i}", hex16(i, 7), "bench", f"https://example.org/{i}", rng.choice(OUTLETS), day,
                   syn.words(6), text)

    conn.executemany("INSERT INTO articles(id, doc_id, content_hash, source, url, outlet, published, title, text)"
                     " VALUES (?,?,?,?,?,?,?,?,?)", articles())
    print(f"  articles: {n_articles} ({time.perf_counter() - started:.0f} s)", flush=True)
    events, sources, fused, members = [], [], [], []
    counts: dict[int, list[int]] = {}  # each article's events and fused events led (article_event_counts)
    n = f_index = 0
    while n < n_events:
        fields = syn.fused_fields()
        size = min(rng.choices((1, 2, 3), (55, 30, 15))[0], n_events - n)
        fused_id = "f" + hex16(f_index, 3)
        best, lead, lead_article, reports = -1.0, 0, 0, []
        for _ in range(size):
            event_id, article = hex16(n, 11), rng.randrange(1, n_articles + 1)
            confidence = round(rng.betavariate(5, 2), 4)
            if confidence > best:  # the lead report: the surest, then the first by event id
                best, lead, lead_article = confidence, n + 1, article
            own = dict(fields, fatalities=fields["fatalities"] + (rng.random() < 0.1))
            events.append((n + 1, event_id, article, actor_ids[own["actor1"]],
                           actor_ids[own["actor2"]] if own["actor2"] else None, *(own[c] for c in FIELDS),
                           confidence))
            sources.append((event_id, article, f"qload-{article - 1}", "Outlet", None, None,
                            f"Evidence sentence for {event_id}.", 0, 20))
            reports.append((fused_id, event_id, article))
            counts.setdefault(article, [0, 0])[0] += 1
            n += 1
        members += [(*member, lead, lead_article) for member in reports]
        counts[lead_article][1] += 1
        fused.append((fused_id, *(fields[c] for c in FIELDS), size, best, lead, lead_article))
        f_index += 1
        if len(events) >= 50_000 or n >= n_events:
            _flush(conn, events, sources, fused, members)
            print(f"  events: {n} ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.executemany("INSERT INTO article_event_counts(article_id, events, leads) VALUES (?, ?, ?)",
                     [(article, *c) for article, c in sorted(counts.items())])
    _index_texts(conn, f_index)
    _reviews(conn, rng, f_index, reviewed_one_in)
    conn.execute("COMMIT")
    store.close()
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


FIELDS = ("event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "country", "admin1", "admin2",
          "location", "location_text", "latitude", "longitude", "geo_precision", "event_date", "time_precision",
          "fatalities")


def _flush(conn: Any, events: list[Any], sources: list[Any], fused: list[Any], members: list[Any]) -> None:
    marks = ",".join("?" * (len(FIELDS) + 6))
    conn.executemany(f"INSERT INTO events(id, event_id, article_id, actor1_id, actor2_id, {', '.join(FIELDS)},"
                     f" confidence) VALUES ({marks})", events)
    conn.executemany("INSERT INTO event_sources(event_id, article_id, doc_id, outlet, url, reported_by, evidence,"
                     " evidence_start, evidence_end) VALUES (?,?,?,?,?,?,?,?,?)", sources)
    conn.executemany(f"INSERT INTO fused_events(fused_id, {', '.join(FIELDS)}, source_count, confidence, lead_id,"
                     f" lead_article) VALUES ({','.join('?' * (len(FIELDS) + 5))})", fused)
    conn.executemany("INSERT INTO fused_members(fused_id, event_id, article_id, lead_id, lead_article)"
                     " VALUES (?, ?, ?, ?, ?)", members)
    for rows in (events, sources, fused, members):
        rows.clear()


def _index_texts(conn: Any, n_fused: int) -> None:
    """The fused events' full-text rows (migration 0014_fused_fts), as `summarise` writes them, in key order."""
    started = time.perf_counter()
    ids = [r[0] for r in conn.execute("SELECT fused_id FROM fused_events ORDER BY lead_id")]
    assert len(ids) == n_fused
    index_texts(lambda text, params: [dict(r) for r in conn.execute(text, list(params))], ids)
    print(f"  fused events' full-text rows: {time.perf_counter() - started:.0f} s", flush=True)


def _reviews(conn: Any, rng: random.Random, n_fused: int, one_in: int) -> None:
    """Reviews of one fused event in `one_in` (60% confirmed, 25% corrected, 15% rejected), through `refresh`."""
    def sql(text: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        cur = conn.execute(text, list(params))
        names = [d[0] for d in cur.description] if cur.description else []
        return [dict(zip(names, row)) for row in cur.fetchall()]

    picked = rng.sample(range(n_fused), max(1, n_fused // one_in))
    for k, i in enumerate(picked):
        fused_id = "f" + hex16(i, 3)
        machine = sql(f"SELECT {', '.join(FIELDS)} FROM fused_events WHERE fused_id = ?", [fused_id])[0]
        roll = rng.random()
        action, changes = ("confirm", {}) if roll < 0.6 else ("reject", {}) if roll < 0.75 else ("correct", {
            "country": rng.choice(COUNTRIES), "event_type": "Battles", "sub_event_type": "Armed clash",
            "event_date": (START + timedelta(days=rng.randrange(DAYS))).isoformat()})
        at = f"2026-01-{1 + k % 28:02d}T12:00:00Z"
        review_id = conn.execute("INSERT INTO reviews(event_id, action, reviewer, reviewed_at, changes, machine)"
                                 " VALUES (?,?,?,?,?,?)", (fused_id, action, "bench", at, json.dumps(changes),
                                                            json.dumps(machine))).lastrowid
        conn.execute("INSERT INTO review_reports(review_id, report_id) SELECT ?, event_id FROM fused_members"
                     " WHERE fused_id = ?", (review_id, fused_id))
    print(f"  reviewed fused events: {refresh(sql)}", flush=True)


# ------------------------------------------------------------------ the queries
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("all", {}),
    ("country (common)", {"country": "Sudan"}),
    ("country (rare)", {"country": "peru"}),
    ("admin1", {"admin1": "Nigeria Region 1"}),
    ("event_type", {"event_type": "Battles"}),
    ("sub_event_type", {"sub_event_type": "Suicide bomb"}),
    ("actor (common)", {"actor": "military"}),
    ("actor (rare)", {"actor": "Arakan"}),
    ("since+until (a month)", {"since": "2023-03-01", "until": "2023-03-31"}),
    ("since (a year)", {"since": "2025-01-01"}),
    ("until (old)", {"until": "2020-02-01"}),
    ("bbox", {"bbox": "30,10,40,20"}),
    ("q (common word)", {"q": "w20"}),
    ("q (stop word: 89% of articles)", {"q": "w3"}),
    ("q (word of 3% of articles)", {"q": "w300"}),
    ("q (rare word)", {"q": "w2500"}),
    ("q (two words)", {"q": "w5 w40"}),
    ("min_confidence 0.5", {"min_confidence": 0.5}),
    ("min_confidence 0.95", {"min_confidence": 0.95}),
    ("rejected", {"rejected": "true"}),
    ("offset 10000", {"offset": 10000}),
    ("limit 1000", {"limit": 1000}),
    ("geojson", {"format": "geojson"}),
    ("country+type+since", {"country": "Nigeria", "event_type": "Battles", "since": "2024-01-01"}),
    ("country+min_confidence", {"country": "Somalia", "min_confidence": 0.8}),
    ("fused", {"fused": "true"}),
    ("fused country", {"fused": "true", "country": "Ukraine"}),
    ("fused event_type", {"fused": "true", "event_type": "Protests"}),
    ("fused actor", {"fused": "true", "actor": "Police"}),
    ("fused since+until", {"fused": "true", "since": "2022-06-01", "until": "2022-06-30"}),
    ("fused q", {"fused": "true", "q": "w17"}),
    ("fused min_confidence 0.9", {"fused": "true", "min_confidence": 0.9}),
    ("fused rejected", {"fused": "true", "rejected": "true"}),
    ("fused offset 5000", {"fused": "true", "offset": 5000}),
    ("fused bbox", {"fused": "true", "bbox": "30,10,40,20"}),
    ("fused country+since+conf", {"fused": "true", "country": "Mali", "since": "2023-01-01", "min_confidence": 0.7}),
]


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def plan_of(path: Path, params: dict[str, Any]) -> str:
    """How the SQL GET /events runs for these parameters reads `events` (and `fused_events`): its indexes."""
    from sitrep.api.events import event_query
    from sitrep.api.settings import ApiSettings
    from sitrep.store.common_words import HEAD_SQL, SAMPLE_SQL
    from sitrep.store.queries import ReadOnlyStore

    args = {k: v for k, v in params.items() if k != "format"}
    for flag in ("fused", "rejected"):
        if flag in args:
            args[flag] = args[flag] == "true"
    query = event_query(ApiSettings(db_path=str(path)), **args)
    store = ReadOnlyStore(path)
    seen: list[tuple[str, list[Any]]] = []

    read = store._read

    def record(sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        if sql in (SAMPLE_SQL, HEAD_SQL):  # how common a search's words are decides its plan: measured
            return read(sql, values)
        seen.append((sql, list(values)))
        return []  # the SQL is only explained

    store._read = record  # type: ignore[method-assign]
    store.listing(query)  # (a search's hits, built by the connection itself, are not explained)
    uses: list[str] = []
    for sql, values in seen:
        for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", values):
            detail = row["detail"]
            if any(f" {t} " in f" {detail} " for t in ("x", "e", "f", "events", "fused_events", "c", "ev", "e2",
                                                          "articles_fts", "reviewed_fts")):
                step = detail.replace("USING COVERING INDEX", "covering").replace("USING INDEX", "index")
                if step not in uses:
                    uses.append(step)
    store.close()
    return "; ".join(uses)


def run(path: Path, runs: int, only: str | None) -> int:
    from fastapi.testclient import TestClient

    from sitrep.api.app import create_app

    client = TestClient(create_app(path, read_token_from_env=False, rate_limit=None, query_timeout_ms=60_000))
    slow = 0
    print(f"{'query':<28} {'p50 ms':>8} {'p99 ms':>8} {'total':>8}  plan (events)")
    for name, params in QUERIES:
        if only and not any(part in name for part in only.split(",")):
            continue
        times, total = [], None
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get("/events", params=params)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                break
            total = response.json()["total"]
        if response.status_code != 200:
            slow += 1
            print(f"{name:<28} failed: {response.status_code} {response.text[:200]}", flush=True)
            continue
        p50, p99 = statistics.median(times), percentile(times, 99)
        slow += p99 >= TARGET_MS
        flag = " " if p99 < TARGET_MS else "!"
        print(f"{name:<28} {p50:8.1f} {p99:8.1f}{flag}{total:>8}  {plan_of(path, params)}", flush=True)
    print(f"{slow} of the queries have a p99 of {TARGET_MS:.0f} ms or more" if slow
          else f"every p99 under {TARGET_MS:.0f} ms")
    return 1 if slow else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="the store file: built there if missing, else reused")
    parser.add_argument("--events", type=int, default=1_000_000, help="reports to build (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=30, help="times each query is run (default 30)")
    parser.add_argument("--only", help="run only the queries whose name holds one of these texts (comma-separated)")
    args = parser.parse_args(argv)
    if not args.store.exists():
        args.store.parent.mkdir(parents=True, exist_ok=True)
        build(args.store, args.events)
    else:
        Store(args.store).close()  # apply any newer migration (new indexes) to the cached store
    return run(args.store, args.runs, args.only)


if __name__ == "__main__":
    raise SystemExit(main())
