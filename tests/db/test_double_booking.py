"""No chair is ever double-booked, whatever the code path: the database refuses it (bar 13)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from msinfusion.db import Database
from msinfusion.db.models import Appointment
from tests.db.db_world import Place

DAY = date(2027, 3, 2)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 2, hour, minute, tzinfo=UTC)


def book(
    database: Database, place: Place, start: datetime, end: datetime, chair: int = 0, status: str = "booked"
) -> int:
    with database.session() as db:
        appointment = Appointment(
            center_id=place.center_id,
            patient_id=place.patient_id,
            treatment="natalizumab-300",
            day=DAY,
            starts_at=start,
            ends_at=end,
            chair_id=place.chair_ids[chair],
            status=status,
        )
        db.add(appointment)
        db.flush()
        return appointment.id


def test_overlapping_booking_on_one_chair_is_refused(database: Database, place: Place) -> None:
    book(database, place, at(10), at(11))
    with pytest.raises(IntegrityError):
        book(database, place, at(10, 30), at(11, 30))


def test_back_to_back_bookings_fit(database: Database, place: Place) -> None:
    book(database, place, at(10), at(11))
    book(database, place, at(11), at(12))


def test_the_same_time_on_another_chair_fits(database: Database, place: Place) -> None:
    book(database, place, at(10), at(11))
    book(database, place, at(10), at(11), chair=1)


def test_a_cancelled_slot_can_be_booked_again(database: Database, place: Place) -> None:
    book(database, place, at(10), at(11), status="cancelled")
    book(database, place, at(10), at(11))


def test_moving_a_booking_onto_another_is_refused(database: Database, place: Place) -> None:
    book(database, place, at(10), at(11))
    second = book(database, place, at(12), at(13))
    with pytest.raises(IntegrityError), database.session() as db:  # noqa: PT012 - refused at commit
        moved = db.get(Appointment, second)
        assert moved is not None
        moved.starts_at, moved.ends_at = at(10, 30), at(11, 30)


def test_a_chair_needs_a_time_range(database: Database, place: Place) -> None:
    with pytest.raises(IntegrityError), database.session() as db:
        db.add(
            Appointment(
                center_id=place.center_id,
                patient_id=place.patient_id,
                treatment="x",
                day=DAY,
                chair_id=place.chair_ids[0],
            )
        )


def test_concurrent_overlapping_bookings_let_exactly_one_through(database: Database, place: Place) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def attempt(minute: int) -> None:
        barrier.wait()
        try:
            book(database, place, at(10, minute), at(11, minute))
            outcomes.append("booked")
        except IntegrityError:
            outcomes.append("refused")
        except OperationalError as exc:  # PostgreSQL may abort one of two conflicting inserts as a deadlock
            deadlock = getattr(exc.orig, "sqlstate", None) == "40P01"
            outcomes.append("refused" if deadlock else f"failed: {exc}")

    threads = [threading.Thread(target=attempt, args=(m,)) for m in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * 11
    with database.session() as db:
        overlapping = db.scalar(
            text(
                "SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id "
                "AND a.chair_id = b.chair_id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        )
        assert overlapping == 0
        assert len(db.scalars(select(Appointment)).all()) == 1
