"""Backup drill: a database copied while writers commit restores elsewhere with the same rows and an intact chain."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import MetaData, Table, func, select, text

from msinfusion.db import Database, audit, backup, inventory, scratch
from msinfusion.db.models import AuditEvent, Patient
from tests.db.db_world import Place

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
SEED_PATIENTS = 600
WRITERS = 4


def _admit(database: Database, center_id: int, reference: str) -> None:
    """One writer transaction: a new patient and its audit entry, committed together."""
    with database.session() as db:
        patient = Patient(center_id=center_id, reference=reference, display_name="Drill", card={"n": reference})
        db.add(patient)
        db.flush()
        audit.record(db, at=T0, action="create", object_type="patient", object_id=patient.id, center_id=center_id)


def _seed(database: Database, center_id: int) -> None:
    with database.session() as db:
        for index in range(SEED_PATIENTS):
            patient = Patient(center_id=center_id, reference=f"S{index}", display_name="Seed", card={"n": index})
            db.add(patient)
            db.flush()
            audit.record(db, at=T0, action="create", object_type="patient", object_id=patient.id, center_id=center_id)


class Writers:
    """Threads that keep admitting patients until stopped, remembering when each commit happened."""

    def __init__(self, database: Database, center_id: int) -> None:
        self.database, self.center_id = database, center_id
        self.stop = threading.Event()
        self.commits: list[float] = []
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(WRITERS)]

    def _run(self, writer: int) -> None:
        count = 0
        while not self.stop.is_set():
            try:
                _admit(self.database, self.center_id, f"W{writer}-{count}")
            except BaseException as exc:  # pragma: no cover - reported by the test
                self.errors.append(exc)
                return
            self.commits.append(time.monotonic())
            count += 1

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def wait_for(self, commits: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.commits) < commits and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def restore_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty place to restore into, on the same back-end as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = scratch.create_postgres_database(prefix="msinfusion_restore")
    yield url
    scratch.drop_postgres_database(url)


def _rows_by_key(database: Database, name: str) -> dict[tuple[object, ...], tuple[object, ...]]:
    with database.engine.connect() as connection:
        table = Table(name, MetaData(), autoload_with=connection)
        keys = list(table.primary_key.columns) or list(table.columns)
        return {tuple(row[c.name] for c in keys): tuple(row) for row in connection.execute(select(table)).mappings()}


def test_a_backup_taken_while_writers_commit_restores_to_the_same_rows_and_an_intact_chain(
    database: Database, place: Place, restore_url: str, tmp_path: Path
) -> None:
    _seed(database, place.center_id)
    out = tmp_path / "drill.backup"
    with Writers(database, place.center_id) as writers:
        writers.wait_for(20)
        started = time.monotonic()
        manifest = backup.backup(database.engine.url.render_as_string(hide_password=False), out)
        finished = time.monotonic()
        committed_at_backup = len(writers.commits)
        writers.wait_for(committed_at_backup + 20)
    assert not writers.errors
    assert any(started <= at <= finished for at in writers.commits), "no writer committed during the backup"

    report = backup.restore(restore_url, out)

    assert report.ok, report.differences
    assert report.inventory == manifest.inventory
    assert report.chain.intact and report.chain.heads == manifest.chain.heads
    restored = Database.connect(restore_url)
    try:
        with restored.session() as db:
            patients = db.scalar(select(func.count()).select_from(Patient)) or 0
            entries = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
        # The snapshot fell between the writers' first and last commits, and no transaction was cut in half.
        assert SEED_PATIENTS + 1 + 20 <= patients < SEED_PATIENTS + 1 + len(writers.commits)
        assert entries == patients - 1  # the fixture's patient has no audit entry; every other one has its own
        assert report.chain.entries == entries
        # Every restored row is the source's row with the same key, byte for byte.
        with restored.engine.connect() as connection:
            names = inventory.table_names(connection)
        for name in names:
            source_rows, restored_rows = _rows_by_key(database, name), _rows_by_key(restored, name)
            assert {key: source_rows.get(key) for key in restored_rows} == restored_rows, name
        # The restored database takes new writes and its chain still verifies (sequences came along).
        _admit(restored, place.center_id, "after-restore")
        with restored.session() as db:
            assert audit.verify(db).intact
    finally:
        restored.dispose()


def test_restoring_over_a_database_that_holds_data_needs_force(
    database: Database, place: Place, tmp_path: Path
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "copy.backup"
    backup.backup(url, out)
    with pytest.raises(backup.BackupInputError, match="already holds data; pass --force"):
        backup.restore(url, out)
    _admit(database, place.center_id, "later")
    database.dispose()
    report = backup.restore(url, out, force=True)
    assert report.ok, report.differences
    assert report.inventory.tables["patients"].rows == 1


def test_a_restored_copy_that_differs_from_its_manifest_is_reported(
    database: Database, place: Place, restore_url: str, tmp_path: Path
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "copy.backup"
    backup.backup(url, out)
    manifest_file = backup.manifest_path(out)
    manifest_file.write_text(manifest_file.read_text().replace('"rows": 1', '"rows": 7', 1))
    report = backup.restore(restore_url, out)
    assert not report.ok
    assert any("expected 7" in line for line in report.differences)


def test_a_backup_refuses_to_overwrite_a_file(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "exists.backup"
    out.write_text("keep me")
    with pytest.raises(backup.BackupInputError, match="already exists"):
        backup.backup(database.engine.url.render_as_string(hide_password=False), out)
    assert out.read_text() == "keep me"


def test_a_backup_of_one_back_end_is_not_restored_into_the_other(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "copy.backup"
    backup.backup(db_url, out)
    other = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/none"
        if db_url.startswith("sqlite")
        else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    with pytest.raises(backup.BackupInputError, match="backup; restore it into a"):
        backup.restore(other, out)


def test_the_restored_sqlite_file_is_in_wal_mode_and_passes_the_integrity_check(tmp_path: Path) -> None:
    source = Database.connect(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with source.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO notes (body) VALUES ('one'), ('two')"))
    source.dispose()
    backup.backup(f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "copy.backup")
    report = backup.restore(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "copy.backup")
    assert report.inventory.tables["notes"].rows == 2
    target = Database.connect(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with target.engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
    target.dispose()


def test_the_password_goes_to_a_private_passfile_not_the_command_line() -> None:
    with backup._conninfo("postgresql://clinic:s3:cr\\et@db.example:5433/ms?sslmode=require") as conninfo:
        assert "s3" not in conninfo and "sslmode=require" in conninfo
        passfile = Path(unquote(conninfo.split("passfile=")[1].split("&")[0]))
        assert passfile.read_text() == "*:*:*:*:s3\\:cr\\\\et\n"
        assert passfile.stat().st_mode & 0o077 == 0
    assert not passfile.exists()
