"""Shared fixtures: paths to ../shared, the spaCy pipeline loaded once per session, and a fresh store
on either back end (a SQLite file, or a new PostgreSQL database: `store_target`)."""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
SAMPLE = SHARED / "samples" / "000_88aa7ddcd16cc528.txt"
DEV_ARTICLES = SHARED / "eval" / "dev" / "articles.jsonl"
SCORER = SHARED / "eval" / "score.py"

needs_shared = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared (samples and gold sets) is not beside the checkout")


def dev_records() -> dict[str, dict]:
    with open(DEV_ARTICLES, encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


@pytest.fixture(scope="session")
def nlp():
    from sitrep.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def pipeline():
    from sitrep.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def rules_pipeline():
    """The clause analysis' own reading, without the decision model: what the rules propose and code."""
    from sitrep.pipeline import Pipeline, PipelineOptions

    return Pipeline(PipelineOptions(rules_only=True))


# ---------------------------------------------------------------- PostgreSQL
# The server is $SITREP_TEST_POSTGRES (default: the machine's one on 127.0.0.1:5432, which
# scripts/setup-test-system.sh starts); each test gets a fresh database, dropped afterwards.
ADMIN_URL = os.environ.get("SITREP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


def pg_admin():  # -> psycopg.Connection
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL} (run scripts/setup-test-system.sh): {exc}")


def with_dbname(url: str, dbname: str) -> str:
    return urlsplit(url)._replace(path=f"/{dbname}").geturl()


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database; dropped (with any stray connection) afterwards."""
    name = f"sitrep_test_{uuid.uuid4().hex[:12]}"
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_dbname(ADMIN_URL, name)
    finally:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database for one test."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """One database for the session's back-end-parametrized tests, migrated once (creating and dropping
    a database takes a second or two; emptying one, milliseconds)."""
    from sitrep.store import open_store

    with fresh_database() as url:
        open_store(url).close()
        yield url


@pytest.fixture
def pg_empty_url(pg_session_url: str) -> str:
    """The session's database, emptied for this test (schema and migration records kept; DELETE with the
    foreign keys' triggers off is far quicker than TRUNCATE on tables this small)."""
    import psycopg

    with psycopg.connect(pg_session_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                             " AND tablename <> 'schema_migrations'")]
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                conn.execute(f'DELETE FROM "{table}"')
    return pg_session_url


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives: a new SQLite file in tmp_path, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return str(request.getfixturevalue("pg_empty_url"))
