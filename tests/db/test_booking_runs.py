"""Regimen booking runs, on SQLite and PostgreSQL: one active run per prescription, planned outside the
request; confirming writes the stored plan without planning again, once, and only while it still holds
against the bookings as they are now; lost runs fail with a clear message and a late plan never revives one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from msinfusion.booking import book
from msinfusion.db import Database, booking_runs
from msinfusion.db.booking_models import BookingRun, CenterBookingSettings
from msinfusion.db.bookings import BookingConflict, chair_id, instant
from msinfusion.db.models import Appointment, Prescription
from msinfusion.i18n import Message, translator
from msinfusion.settings import Settings
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FAST, START, World, build_world

TODAY = date(2027, 3, 1)


@pytest.fixture
def world(database: Database, db_url: str) -> World:
    made = build_world(database, Settings(database_url=db_url, **FAST))
    open_weekdays(database, made)
    return made


def _queue(database: Database, world: World, at: datetime = START) -> tuple[int, bool]:
    with database.session() as db:
        prescription = db.get_one(Prescription, world.prescriptions["a1"])
        run, created = booking_runs.queue_booking(db, prescription, world.users["scheduler_a"], at, TODAY)
        db.flush()
        return run.id, created


def _run(database: Database, run_id: int) -> BookingRun:
    with database.read_session() as db:
        run = db.get_one(BookingRun, run_id)
        db.expunge(run)
        return run


def _confirm(database: Database, world: World, run_id: int, at: datetime = START) -> list[int]:
    with database.session() as db:
        run = db.get_one(BookingRun, run_id)
        prescription = db.get_one(Prescription, world.prescriptions["a1"])
        made = booking_runs.confirm_run(db, run, prescription, TODAY, world.users["scheduler_a"], at)
        return [a.id for a in made]


def _booked(database: Database, world: World) -> list[Appointment]:
    with database.read_session() as db:
        rows = db.scalars(
            select(Appointment)
            .where(Appointment.prescription_id == world.prescriptions["a1"], Appointment.status == "booked")
            .order_by(Appointment.day)
        ).all()
        db.expunge_all()
        return list(rows)


def test_a_prescription_has_one_active_run_which_is_planned_outside_the_request(
    database: Database, world: World
) -> None:
    run_id, created = _queue(database, world)
    assert created and _queue(database, world) == (run_id, False)  # a second press finds the same run
    queued = _run(database, run_id)
    assert queued.status == "queued" and queued.result is None and queued.request_input["patients"][0]["id"] == "rx1"
    booking_runs.plan_run(database, lambda: START, run_id)
    done = _run(database, run_id)
    status = booking_runs.status_of(done, START)
    assert status.status == "done" and status.booked and status.booked >= 2 and status.error is None
    planned, _ = booking_runs.stored_plan(done)
    assert [b.dose for b in planned] == list(range(1, len(planned) + 1))
    assert _booked(database, world) == []  # nothing is booked until a scheduler confirms
    again, created = _queue(database, world)
    assert created and again != run_id  # the done run no longer holds the prescription


def test_confirming_writes_the_stored_plan_without_planning_again_and_only_once(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = _queue(database, world)
    booking_runs.plan_run(database, lambda: START, run_id)
    planned, _ = booking_runs.stored_plan(_run(database, run_id))

    def no_engine(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("confirming must not plan again")

    monkeypatch.setattr(booking_runs, "book", no_engine)
    made = _confirm(database, world, run_id)
    visits = _booked(database, world)
    assert sorted(made) == sorted(v.id for v in visits) and len(visits) == len(planned)
    zone = ZoneInfo("America/New_York")
    assert [(v.dose_index, v.day, v.starts_at) for v in visits] == [
        (b.dose, b.date, instant(b.date, time(b.start // 60, b.start % 60), zone)) for b in planned
    ]
    confirmed = _run(database, run_id)
    assert confirmed.confirmed_at is not None and confirmed.confirmed_by == world.users["scheduler_a"]
    with pytest.raises(BookingConflict, match="already booked"):
        _confirm(database, world, run_id)
    assert len(_booked(database, world)) == len(planned)


def test_a_plan_whose_chair_was_taken_meanwhile_is_refused_and_books_nothing(database: Database, world: World) -> None:
    run_id, _ = _queue(database, world)
    booking_runs.plan_run(database, lambda: START, run_id)
    first = booking_runs.stored_plan(_run(database, run_id))[0][0]
    with database.session() as db:  # another scheduler books patient a2 into that chair at that time
        begins = instant(first.date, time(first.start // 60, first.start % 60), ZoneInfo("America/New_York"))
        db.add(
            Appointment(
                center_id=world.centers["a"], patient_id=world.patients["a2"], treatment="natalizumab-300",
                day=first.date, starts_at=begins, ends_at=begins + timedelta(minutes=60),
                chair_id=chair_id(db, world.centers["a"], first.chair),
            )
        )  # fmt: skip
    with pytest.raises(BookingConflict) as refused:
        _confirm(database, world, run_id)
    assert str(refused.value) == booking_runs.SCHEDULE_CHANGED
    assert _booked(database, world) == [] and _run(database, run_id).confirmed_at is None


def test_a_plan_on_a_day_closed_meanwhile_is_refused(database: Database, world: World) -> None:
    run_id, _ = _queue(database, world)
    booking_runs.plan_run(database, lambda: START, run_id)
    first = booking_runs.stored_plan(_run(database, run_id))[0][0]
    with database.session() as db:
        db.add(
            CenterBookingSettings(
                center_id=world.centers["a"], closures=[first.date.isoformat()], headroom=0.1,
                updated_by=world.users["admin_a"], updated_at=START,
            )
        )  # fmt: skip
    with pytest.raises(BookingConflict, match="schedule changed"):
        _confirm(database, world, run_id)
    assert _booked(database, world) == []


def test_a_run_keeps_its_reasons_as_messages_for_the_page_language(database: Database, world: World) -> None:
    with database.session() as db:
        db.add(
            CenterBookingSettings(
                center_id=world.centers["a"], closures=["2027-03-08"], headroom=0.1,
                updated_by=world.users["admin_a"], updated_at=START,
            )
        )  # fmt: skip
    run_id, _ = _queue(database, world)
    booking_runs.plan_run(database, lambda: START, run_id)
    first = booking_runs.stored_plan(_run(database, run_id))[0][0]
    assert isinstance(first.moved, Message) and first.moved == "2027-03-08: center closed (closure)"
    assert translator("es").message(first.moved) == "2027-03-08: centro cerrado (cierre)"


def test_lost_runs_fail_with_a_clear_message_and_a_late_plan_never_revives_one(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = _queue(database, world)
    late = START + booking_runs.QUEUE_GRACE + timedelta(seconds=1)
    shown = booking_runs.status_of(_run(database, run_id), late)
    assert shown.status == "failed" and shown.stale and shown.error == booking_runs.STALE_ERROR
    assert booking_runs.expire_lost_runs(database, late) == 1
    assert _run(database, run_id).status == "failed" and _run(database, run_id).error == booking_runs.STALE_ERROR
    booking_runs.plan_run(database, lambda: late, run_id)  # a worker reaching it now leaves it alone
    assert _run(database, run_id).result is None
    second, created = _queue(database, world, late)
    assert created  # the prescription is free again

    def lost_while_planning(*args: Any, **kwargs: Any) -> Any:
        assert booking_runs.fail_lost_run(database, second, late)  # the queue gave up on its worker meanwhile
        return book(*args, **kwargs)

    monkeypatch.setattr(booking_runs, "book", lost_while_planning)
    booking_runs.plan_run(database, lambda: late, second)
    lost = _run(database, second)
    assert lost.status == "failed" and lost.error == booking_runs.WORKER_LOST_ERROR and lost.result is None


def test_an_engine_error_is_stored_as_a_failed_run_not_raised(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = _queue(database, world)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(booking_runs, "book", broken)
    booking_runs.plan_run(database, lambda: START, run_id)
    failed = _run(database, run_id)
    assert failed.status == "failed" and failed.error == booking_runs.FAILED_ERROR
    with pytest.raises(BookingConflict, match="not ready"):
        _confirm(database, world, run_id)
