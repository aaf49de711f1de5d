"""The board's "another day" for an add-on, on SQLite and PostgreSQL: the center's next open day (weekday
hours, its own closures), that day's visits at their booked places, a token that changes with any visit
booked there, and the add-on booked like a single visit (the chair-overlap constraint refusing a taken chair)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from msinfusion.db import Database
from msinfusion.db.add_on_booking import book_add_on, day_token, next_day, next_open_day
from msinfusion.db.board_demo import seed_board_day
from msinfusion.db.booking_models import CenterBookingSettings, VisitChange
from msinfusion.db.live_day import DayChanged
from msinfusion.db.models import Appointment, Center, Patient, User
from msinfusion.scheduling.schedule import Assignment

DAY = date(2027, 3, 8)  # a Monday: the seeded center opens on Mondays only
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)
EARLIER = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def center(database: Database) -> tuple[int, int, int]:
    """A center open on Mondays with a 40-visit day on DAY: (center, user, patient)."""
    with database.session() as db:
        row = Center(name="Riverside", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(row)
        db.flush()
        user = User(
            username="sched",
            display_name="Sched",
            password_hash="x",
            role="scheduler",
            center_id=row.id,
            password_changed_at=EARLIER,
            created_at=EARLIER,
        )
        db.add(user)
        db.flush()
        board = seed_board_day(db, row.id, DAY, user.id, EARLIER)
        return row.id, user.id, board.patient_ids[0]


def test_the_next_open_day_is_the_next_weekday_with_hours_that_is_not_closed(
    database: Database, center: tuple[int, int, int]
) -> None:
    center_id, user_id, _ = center
    with database.session() as db:
        assert next_open_day(db, center_id, DAY) == DAY + timedelta(days=7)
        db.add(
            CenterBookingSettings(
                center_id=center_id,
                closures=[(DAY + timedelta(days=n)).isoformat() for n in (7, 14, 21, 28)],
                headroom=0.0,
                updated_by=user_id,
                updated_at=EARLIER,
            )
        )
        db.flush()
        assert next_open_day(db, center_id, DAY) is None  # nothing open within the search
        found = next_day(db, center_id, DAY - timedelta(days=7), TEN - timedelta(days=7))
        assert found is not None and found.date == DAY
        assert len(found.day.appointments) == len(found.schedule.assignments) + len(found.schedule.unscheduled)


def test_the_token_changes_with_a_visit_booked_that_day_and_a_taken_chair_is_refused(
    database: Database, center: tuple[int, int, int]
) -> None:
    center_id, user_id, patient_id = center
    on = DAY + timedelta(days=7)
    placed = Assignment(appointment="NEW", chair="C01", start=600, end=660, nurse_tasks=[])
    with database.session() as db:
        before = day_token(db, center_id, on)
        row = book_add_on(db, center_id, patient_id, "natalizumab-300", on, placed, user_id, TEN)
        db.flush()
        assert day_token(db, center_id, on) != before
        assert (row.day, row.status) == (on, "booked")
        assert row.starts_at is not None and row.starts_at.replace(tzinfo=UTC) == datetime(2027, 3, 15, 14, tzinfo=UTC)
        change = db.scalars(select(VisitChange).where(VisitChange.appointment_id == row.id)).one()
        assert change.kind == "book" and change.user_id == user_id
        db.commit()
    with database.session() as db:
        other = db.scalars(select(Patient).where(Patient.center_id == center_id)).all()[1].id
        with pytest.raises(IntegrityError):
            book_add_on(db, center_id, other, "natalizumab-300", on, placed, user_id, TEN)
    with database.session() as db:
        with pytest.raises(DayChanged):  # a Tuesday: the center is closed
            book_add_on(db, center_id, patient_id, "natalizumab-300", on + timedelta(days=1), placed, user_id, TEN)
        assert db.scalars(select(Appointment).where(Appointment.day == on + timedelta(days=1))).all() == []
