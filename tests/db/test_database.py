"""The engine and session lifecycle: read-only transactions next to the default write transactions."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from msinfusion.db import Database
from msinfusion.db.database import begin_read_only
from msinfusion.db.models import Patient
from tests.db.db_world import Place


def test_a_read_only_session_reads_but_any_write_in_it_fails(database: Database, place: Place) -> None:
    with database.read_session() as db:
        assert db.get(Patient, place.patient_id) is not None
    with pytest.raises(DBAPIError), database.read_session() as db:  # noqa: PT012 - the flush sends the write
        db.get_one(Patient, place.patient_id).display_name = "Changed"
        db.flush()
    with database.session() as db:
        assert db.get_one(Patient, place.patient_id).display_name == "Pat One"


def test_the_transaction_after_a_read_only_one_may_write_again(database: Database, place: Place) -> None:
    with database.sessions() as db:
        begin_read_only(db)
        patient = db.get_one(Patient, place.patient_id)
        db.commit()
        patient.display_name = "Pat Renamed"
        db.commit()
    with database.read_session() as db:
        assert db.get_one(Patient, place.patient_id).display_name == "Pat Renamed"


def test_a_session_already_in_a_transaction_cannot_switch_to_read_only(database: Database, place: Place) -> None:
    with database.sessions() as db:
        db.get(Patient, place.patient_id)
        with pytest.raises(RuntimeError):
            begin_read_only(db)


def test_on_sqlite_a_reader_does_not_wait_for_the_writer(tmp_path: Path, sqlite_template: Path) -> None:
    target = tmp_path / "busy.sqlite3"
    shutil.copyfile(sqlite_template, target)
    database = Database.connect(f"sqlite:///{target}")
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with database.session() as db:  # BEGIN IMMEDIATE: holds the write lock until it commits
            db.scalar(select(func.count()).select_from(Patient))
            writing.set()
            done.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(timeout=10)
        started = time.monotonic()
        with database.read_session() as db:
            assert db.scalar(select(func.count()).select_from(Patient)) == 0
        assert time.monotonic() - started < 1.0  # a default transaction would wait up to the 10 s busy timeout
    finally:
        done.set()
        thread.join()
        database.dispose()
