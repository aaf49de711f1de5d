"""Fixtures shared by every test package.

Databases: ``sqlite_template`` (a migrated SQLite file to copy), ``postgres_url`` (a migrated throwaway
PostgreSQL database on 127.0.0.1:5432 for the session; skipped when unreachable, but FAILS when
``CI=true``) and ``db_url`` (a migrated, empty database, once on each back-end). A package may narrow
``db_url`` (the web tests tie it to their settings).

Days: ``ratio_day`` and ``ratio_schedule``, a small solved day whose nurse ratio binds, shared by the
load sweep's tests and the charts' tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from msinfusion.db import Database, scratch, upgrade
from msinfusion.scheduling import Day, Schedule, parse_day, solve


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, built once and copied for every test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database.connect(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for this test session (dropped at the end)."""
    try:
        url = scratch.create_postgres_database(prefix=f"msinfusion_test_{worker_id}")
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    database = Database.connect(url)
    scratch.empty_all_tables(database.engine)
    database.dispose()
    return url


@pytest.fixture(scope="session")
def ratio_day() -> Day:
    """Two chairs (one with a bed), two nurses on overlapping shifts, one patient per nurse, two visits."""
    return parse_day(
        {
            "format": "msinfusion.day/1",
            "center": {
                "name": "Test center",
                "date": "2027-03-08",
                "timezone": "America/New_York",
                "opens": "08:00",
                "closes": "17:00",
                "chairs": [{"id": "C01"}, {"id": "C02", "features": ["bed"]}],
                "nurses": [
                    {"id": "N1", "shift_start": "08:00", "shift_end": "12:00"},
                    {"id": "N2", "shift_start": "10:00", "shift_end": "17:00"},
                ],
                "max_patients_per_nurse": 1,
            },
            "appointments": [
                {
                    "id": "A1",
                    "patient": "P<1>",
                    "treatment": "ocrelizumab-600",
                    "preferred_start": "08:00",
                    "phases": [
                        {"name": "check-in", "minutes": 15, "nurse_minutes": 15},
                        {"name": "infusion", "minutes": 120, "nurse_minutes": 10},
                        {"name": "observation", "minutes": 60, "nurse_minutes": 0},
                    ],
                },
                {
                    "id": "A2",
                    "patient": "P2",
                    "treatment": "natalizumab-300",
                    "preferred_start": "10:00",
                    "phases": [{"name": "infusion", "minutes": 60, "nurse_minutes": 10}],
                },
            ],
        }
    )


@pytest.fixture(scope="session")
def ratio_schedule(ratio_day: Day) -> Schedule:
    """:func:`ratio_day` solved by the greedy solver."""
    return solve(ratio_day, solver="greedy")
