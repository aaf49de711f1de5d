"""Fifty writers append to the audit trail at once on PostgreSQL, side by side, and every chain verifies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from msinfusion.db import Database, audit, scratch
from msinfusion.db.database import normalise_url

pytestmark = pytest.mark.postgres

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
WRITERS = 50
APPENDS = 8


@pytest.fixture
def fifty_connections(postgres_url: str) -> Iterator[Database]:
    """The PostgreSQL test database, emptied, with a pool of one real connection per writer."""
    engine = create_engine(normalise_url(postgres_url), pool_size=WRITERS, max_overflow=0, pool_timeout=120)
    scratch.empty_all_tables(engine)
    with engine.begin() as connection:
        audit.open_chains(connection)  # as the migrations leave them
    yield Database(engine, sessionmaker(engine, expire_on_commit=False))
    engine.dispose()


def _write(database: Database, writer: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        start.wait()
        for index in range(APPENDS):
            with database.session() as db:
                audit.record(db, at=T0, action="read", object_type="patient", object_id=index, actor_user_id=writer)
                db.execute(text("SELECT pg_sleep(0.005)"))  # the rest of the page's work, chain still held
    except BaseException as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def test_fifty_concurrent_writers_append_side_by_side_and_every_chain_verifies(fifty_connections: Database) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_write, args=(fifty_connections, n, start, errors)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    with fifty_connections.session() as db:
        report = audit.verify(db)
        per_writer: dict[int, int] = dict(
            db.execute(text("SELECT actor_user_id, count(*) FROM audit_events GROUP BY 1")).all()
        )
    assert report.intact, report.reason
    assert report.checked == WRITERS * APPENDS
    assert per_writer == dict.fromkeys(range(WRITERS), APPENDS)
    # Writers did not queue behind one lock: appends landed on several chains at once.
    assert len(report.heads) > 1


def test_after_fifty_writers_a_deleted_entry_is_named_by_its_successor_in_the_same_chain(
    fifty_connections: Database,
) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_write, args=(fifty_connections, n, start, errors)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with fifty_connections.engine.begin() as connection:
        victim, row_hash = connection.execute(
            text("SELECT id, row_hash FROM audit_events ORDER BY id LIMIT 1 OFFSET :n"), {"n": WRITERS * APPENDS // 2}
        ).one()
        successor = connection.scalar(text("SELECT id FROM audit_events WHERE prev_hash = :h"), {"h": row_hash})
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim})
    with fifty_connections.session() as db:
        report = audit.verify(db)
    assert successor is not None
    assert report.first_broken_id == successor
