"""Fixtures for the database tests: ``database``, an open :class:`Database` on ``db_url`` (a migrated, empty
database on SQLite and on PostgreSQL, from tests/conftest.py), and ``place``: one center, two chairs and
a patient in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from msinfusion.db import Database
from msinfusion.db.models import Center, Chair, Patient
from tests.db.db_world import Place


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
