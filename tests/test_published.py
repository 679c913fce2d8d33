"""`--published DATE` for inputs that carry no date: every article of the run without one takes it (so
'on Sunday' becomes a day), an article with its own date keeps it; for extract and ingest. The articles
are written for the test."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from sitrep.cli import main
from sitrep.store import open_store

UNDATED = ("Gunmen kill four villagers near Maiduguri\n\n"
           "Gunmen killed four villagers in an attack near Maiduguri in Borno State on Sunday, residents said. "
           "The attackers stormed the village on motorcycles and set homes on fire, a local official told reporters.\n")
DATED = {"id": "dated-1", "published": "2024-06-12", "url": None, "outlet": "Example Wire",
         "text": "Police fired tear gas at hundreds of protesters in Khartoum on Saturday, witnesses said."}


def sitrep(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def inputs(tmp_path: Path) -> list[str]:
    (tmp_path / "undated.txt").write_text(UNDATED, encoding="utf-8")
    (tmp_path / "dated.jsonl").write_text(json.dumps(DATED) + "\n", encoding="utf-8")
    return [str(tmp_path / "undated.txt"), str(tmp_path / "dated.jsonl")]


def dates(done: Result) -> dict[str, set[str | None]]:
    """doc_id -> the dates of its events."""
    assert done.exit_code == 0, done.output
    out: dict[str, set[str | None]] = {}
    for event in map(json.loads, done.stdout.splitlines()):
        out.setdefault(event["doc_id"], set()).add(event["event_date"])
    return out


def test_extract_gives_undated_articles_the_run_s_date(tmp_path: Path) -> None:
    paths = inputs(tmp_path)
    assert dates(sitrep("extract", *paths)) == {"undated": {None}, "dated-1": {"2024-06-08"}}
    # 5 March 2024 was a Tuesday: 'on Sunday' is the 3rd; the dated article keeps its own date
    assert dates(sitrep("extract", *paths, "--published", "2024-03-05")) == {"undated": {"2024-03-03"},
                                                                             "dated-1": {"2024-06-08"}}
    rules = sitrep("extract", *paths, "--published", "2024-03-05", "--rules")
    assert dates(rules) == {"undated": {"2024-03-03"}, "dated-1": {"2024-06-08"}}


def test_ingest_stores_the_date_and_says_where_it_came_from(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    assert sitrep("ingest", *inputs(tmp_path), "--db", db, "--published", "2024-03-05").exit_code == 0
    with open_store(db) as store:
        rows = store._read("SELECT doc_id, published, published_from FROM articles ORDER BY doc_id", [])
        assert [tuple(r.values()) for r in rows] == [("dated-1", "2024-06-12", "metadata"),
                                                     ("undated", "2024-03-05", "option")]
        days = {e["event_date"] for e in store.events() if e["doc_id"] == "undated"}
        assert days == {"2024-03-03"}


def test_a_bad_date_is_a_clear_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["extract", *inputs(tmp_path), "--published", "05/03/2024"])
    assert done.exit_code == 2 and "--published" in done.output and "does not match the format" in done.output
