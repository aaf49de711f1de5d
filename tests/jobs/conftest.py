"""Fixtures for the job tests: a migrated PostgreSQL database with the queue's schema, emptied per test
(skipped when PostgreSQL is unreachable, FAILS when ``CI=true``), and the web world on it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from msinfusion.db import Database, scratch, upgrade
from msinfusion.settings import Settings
from tests.web.web_world import FAST, FakeClock, World, build_world

QUEUE_TABLES = "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    try:
        url = scratch.create_postgres_database(prefix=f"msinfusion_jobs_{worker_id}")
    except OperationalError as exc:
        message = f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc.orig}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    database = Database.connect(url)
    upgrade(database.engine)
    database.dispose()
    yield url
    scratch.drop_postgres_database(url)


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
