"""Fixtures for the job tests: the session's migrated PostgreSQL database (``postgres_url`` in
tests/conftest.py, whose migrations install the queue's schema), emptied per test, and the web world on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from msinfusion.db import Database, scratch
from msinfusion.settings import Settings
from tests.web.web_world import FAST, FakeClock, World, build_world

QUEUE_TABLES = "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"


def empty_queue(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {QUEUE_TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    database = Database.connect(postgres_url)
    scratch.empty_all_tables(database.engine)
    empty_queue(database)
    yield database
    database.dispose()


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    """Jobs on the queue (no in-process runner), short solves on one CP-SAT worker."""
    options = {**FAST, "jobs_in_process": "off", "solver_time_limit_seconds": 1, "solver_workers": 1}
    return Settings(database_url=postgres_url, **options)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(database: Database, settings: Settings) -> World:
    return build_world(database, settings)
