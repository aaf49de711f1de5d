"""The migrations build exactly the models' schema, with the guarantees only the database can give."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, text

from msinfusion.db import Database, audit, migrate
from msinfusion.db.migration import downgrade, is_current, is_ours, upgrade
from msinfusion.db.models import AuditEvent, Base
from msinfusion.settings import Settings


def test_migrations_reach_the_newest_revision(database: Database) -> None:
    assert is_current(database.engine)


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": is_ours})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(database: Database) -> None:
    downgrade(database.engine, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(database.engine)
    assert is_current(database.engine)


def test_the_database_itself_refuses_double_booking_and_audit_edits(database: Database) -> None:
    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            exclusions = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_constraint "
                    "WHERE contype = 'x' AND conname = 'ex_appointments_chair_overlap'"
                )
            )
            triggers = connection.scalars(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal")
            ).all()
            assert exclusions == 1
            assert set(triggers) == {"audit_events_append_only", "audit_events_no_truncate"}
        else:
            triggers = connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
            assert set(triggers) == {
                "appointments_no_chair_overlap_INSERT",
                "appointments_no_chair_overlap_UPDATE",
                "audit_events_append_only_UPDATE",
                "audit_events_append_only_DELETE",
            }


def test_migrate_from_settings_creates_the_sqlite_file_and_its_folder(tmp_path: object) -> None:
    path = tmp_path / "var" / "app.sqlite3"  # type: ignore[operator]
    migrate(Settings(database_url=f"sqlite:///{path}"))
    database = Database.connect(f"sqlite:///{path}")
    assert is_current(database.engine)
    database.dispose()


def test_the_single_audit_chain_of_release_0004_continues_as_chain_0(database: Database) -> None:
    downgrade(database.engine, "0004")
    at = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    prev = audit.GENESIS
    with database.engine.begin() as connection:
        for index in range(3):  # appended as 0004 did: one chain from the genesis value, in id order
            fields = {"at": at, "action": "read", "object_type": "patient", "object_id": str(index), "outcome": "ok"}
            event = AuditEvent(**fields, details={"n": index})
            row_hash = audit.chain_hash(prev, event)
            connection.execute(
                insert(AuditEvent).values(**fields, details={"n": index}, prev_hash=prev, row_hash=row_hash)
            )
            prev = row_hash
    upgrade(database.engine)
    with database.session() as db:
        migrated = audit.verify(db)
        audit.record(db, at=at, action="read", object_type="patient", object_id=3)
    with database.session() as db:
        appended = audit.verify(db)
    assert migrated.intact and migrated.checked == 3 and migrated.heads == {0: prev}
    assert appended.intact and appended.checked == 4 and list(appended.heads) == [0]
