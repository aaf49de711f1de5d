"""The audit trail is append-only in the database and every change to it is detectable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from msinfusion.db import Database, audit

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def fill(database: Database, count: int = 4) -> None:
    for index in range(count):
        with database.session() as db:
            audit.record(
                db,
                at=T0 + timedelta(minutes=index),
                action="read",
                object_type="patient",
                object_id=index,
                actor_user_id=1,
                actor_role="nurse",
                patient_id=index,
                details={"n": index},
            )


def test_a_clean_chain_verifies(database: Database) -> None:
    fill(database)
    with database.session() as db:
        report = audit.verify(db)
    assert report.intact and report.checked == 4


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"])
def test_the_app_cannot_change_or_delete_entries(database: Database, statement: str) -> None:
    fill(database)
    with pytest.raises(DBAPIError), database.session() as db:
        db.execute(text(statement))


def _tamper(database: Database, statement: str) -> None:
    """Change rows as a superuser would, with the triggers out of the way."""
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(statement))
        else:
            connection.execute(text("DROP TRIGGER audit_events_append_only_UPDATE"))
            connection.execute(text("DROP TRIGGER audit_events_append_only_DELETE"))
            connection.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "first_broken"),
    [
        ("UPDATE audit_events SET object_id = '99' WHERE id = 3", 3),
        ("DELETE FROM audit_events WHERE id = 2", 3),
        ("UPDATE audit_events SET id = 10 WHERE id = 1", 2),
    ],
)
def test_tampering_is_found_and_the_first_broken_link_named(
    database: Database, statement: str, first_broken: int
) -> None:
    fill(database)
    _tamper(database, statement)
    with database.session() as db:
        assert audit.verify(db).first_broken_id == first_broken
