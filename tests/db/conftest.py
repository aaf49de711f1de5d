"""Fixtures for the database tests: ``db_url`` gives a migrated, empty database on SQLite and on
PostgreSQL (127.0.0.1:5432; skipped when unreachable, but FAILS when ``CI=true``), and ``database``
an open :class:`Database` on it with one center, two chairs and a patient.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from msinfusion.db import Database, scratch, upgrade
from msinfusion.db.models import Center, Chair, Patient
from tests.db.db_world import Place


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database.connect(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    try:
        url = scratch.create_postgres_database(prefix=f"msinfusion_dbtest_{worker_id}")
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


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database.connect(db_url)
    yield database
    database.dispose()


@pytest.fixture
def place(database: Database) -> Place:
    """One center with two chairs and one patient."""
    with database.session() as db:
        center = Center(name="Riverside", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(center)
        db.flush()
        chairs = [Chair(center_id=center.id, code=f"C0{i}", features=[]) for i in (1, 2)]
        patient = Patient(center_id=center.id, reference="P001", display_name="Pat One", card={})
        db.add_all([*chairs, patient])
        db.flush()
        return Place(center.id, [c.id for c in chairs], patient.id)
