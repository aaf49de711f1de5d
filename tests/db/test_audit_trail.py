"""The audit trail is append-only in the database and every change to it is detectable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from msinfusion.db import Database, audit, scratch
from msinfusion.db.models import AuditEvent

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[Database]:
    """The PostgreSQL database alone, emptied (for what only PostgreSQL can do: writers side by side)."""
    database = Database.connect(postgres_url)
    scratch.empty_all_tables(database.engine)
    yield database
    database.dispose()


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
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only_UPDATE"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only_DELETE"))
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


def test_a_quiet_trail_is_one_chain_and_its_head_is_recorded(database: Database) -> None:
    fill(database)
    with database.session() as db:
        report = audit.verify(db)
        last = db.scalar(text("SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1"))
        head = db.execute(text("SELECT head_hash, length FROM audit_chain_heads WHERE chain = 0")).one()
    assert report.heads == {0: last}
    assert tuple(head) == (last, 4)


def test_deleting_the_newest_entry_is_found_from_the_recorded_head(database: Database) -> None:
    fill(database)
    _tamper(database, "DELETE FROM audit_events WHERE id = 4")
    with database.session() as db:
        report = audit.verify(db)
    assert report.first_broken_id == 4
    assert report.reason and "entries at its end (up to entry 4) were deleted" in report.reason


def test_a_chain_rewritten_with_fresh_hashes_is_found_from_the_recorded_head(database: Database) -> None:
    fill(database, 2)
    with database.session() as db:
        first = db.get(AuditEvent, 1)
        assert first is not None
        forged = AuditEvent(**{name: getattr(first, name) for name in audit._CHAINED_FIELDS}, prev_hash=audit.GENESIS)
        forged.object_id = "forged"
        forged.row_hash = audit.chain_hash(audit.GENESIS, forged)
        second = db.get(AuditEvent, 2)
        assert second is not None
        rehashed = audit.chain_hash(forged.row_hash, second)
        db.expunge_all()
    _tamper(database, f"UPDATE audit_events SET object_id = 'forged', row_hash = '{forged.row_hash}' WHERE id = 1")
    _tamper(database, f"UPDATE audit_events SET prev_hash = '{forged.row_hash}', row_hash = '{rehashed}' WHERE id = 2")
    with database.session() as db:
        report = audit.verify(db)
    assert report.first_broken_id == 2 and report.reason and "the chain was rewritten" in report.reason


@pytest.mark.postgres
def test_a_writer_that_finds_chain_0_held_appends_to_chain_1_and_both_verify(postgres_db: Database) -> None:
    with postgres_db.session() as holder:
        audit.record(holder, at=T0, action="read", object_type="patient", object_id=1)
        with postgres_db.session() as other:
            audit.record(other, at=T0, action="read", object_type="patient", object_id=2)
        # The second writer did not wait for the first (which still holds chain 0): it committed already.
        audit.record(holder, at=T0, action="read", object_type="patient", object_id=3)
    with postgres_db.session() as db:
        report = audit.verify(db)
        chains: dict[int, int] = dict(
            db.execute(text("SELECT chain, length FROM audit_chain_heads WHERE length > 0")).all()
        )
    assert report.intact and report.checked == 3
    assert chains == {0: 2, 1: 1}
