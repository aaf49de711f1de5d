"""The center's recorded visits read from the board's steps, and the day builder planning with them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from msinfusion.db import Database
from msinfusion.db.day_schedule import build_day
from msinfusion.db.models import Appointment, Center, CenterHours, Patient, User
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.db.visit_history import dose_step_label, learned_durations, recorded_visits
from tests.db.db_world import Place

DAY = date(2027, 3, 8)  # a Monday
STEPS = ("checked_in", "infusing", "observation", "discharged")


def nurse(database: Database, place: Place) -> int:
    with database.session() as db:
        user = User(
            username="nurse",
            display_name="Nurse",
            password_hash="x",
            role="nurse",
            center_id=place.center_id,
            password_changed_at=datetime(2027, 1, 1, tzinfo=UTC),
            created_at=datetime(2027, 1, 1, tzinfo=UTC),
        )
        db.add(user)
        db.flush()
        return user.id


def visit(
    database: Database,
    place: Place,
    user_id: int,
    day: date,
    minutes: tuple[int, ...],
    *,
    treatment: str = "ocrelizumab-600",
    dose: int | None = 3,
    status: str = "completed",
) -> int:
    """A visit with board steps at check-in 14:00 UTC plus the running sums of ``minutes``."""
    with database.session() as db:
        appointment = Appointment(
            center_id=place.center_id,
            patient_id=place.patient_id,
            dose_index=dose,
            treatment=treatment,
            day=day,
            status=status,
            board_state="discharged",
        )
        db.add(appointment)
        db.flush()
        at = datetime.combine(day, time(14), tzinfo=UTC)
        for state, offset in zip(STEPS, (0, *minutes), strict=False):
            at += timedelta(minutes=offset)
            db.add(BoardEvent(appointment_id=appointment.id, state=state, at=at, user_id=user_id))
        return appointment.id


def test_board_steps_become_check_in_infusion_and_discharge_times_in_the_centers_zone(
    database: Database, place: Place
) -> None:
    user = nurse(database, place)
    visit(database, place, user, DAY, (45, 210, 70))
    with database.session() as db:
        [times] = recorded_visits(db, place.center_id)
    assert times.treatment == "ocrelizumab-600" and times.dose_step == "3-"
    assert times.check_in == 9 * 60  # 14:00 UTC is 09:00 in New York in March before summer time
    assert (times.segment("before"), times.segment("infusion"), times.segment("after")) == (45, 210, 70)


def test_a_step_recorded_twice_counts_once_at_its_latest_time(database: Database, place: Place) -> None:
    user = nurse(database, place)
    identifier = visit(database, place, user, DAY, (45, 210, 70))
    with database.session() as db:
        db.add(
            BoardEvent(
                appointment_id=identifier, state="infusing", at=datetime(2027, 3, 8, 15, tzinfo=UTC), user_id=user
            )
        )
    with database.session() as db:
        [times] = recorded_visits(db, place.center_id)
    assert times.segment("before") == 60


def test_cancelled_visits_other_centers_and_later_days_are_left_out(database: Database, place: Place) -> None:
    user = nurse(database, place)
    visit(database, place, user, DAY, (45, 210, 70), status="cancelled")
    visit(database, place, user, DAY + timedelta(days=7), (45, 210, 70))
    with database.session() as db:
        other = Center(name="Other", timezone="UTC", max_patients_per_nurse=4)
        db.add(other)
        db.flush()
        assert recorded_visits(db, other.id) == []
        assert recorded_visits(db, place.center_id, before=DAY + timedelta(days=7)) == []
        assert len(recorded_visits(db, place.center_id)) == 1


def test_a_visit_without_an_observation_step_counts_only_for_its_stay(database: Database, place: Place) -> None:
    user = nurse(database, place)
    identifier = visit(database, place, user, DAY, (45,))
    with database.session() as db:
        db.add(
            BoardEvent(
                appointment_id=identifier, state="discharged", at=datetime(2027, 3, 8, 18, tzinfo=UTC), user_id=user
            )
        )
    with database.session() as db:
        learned = learned_durations(db, place.center_id)[("ocrelizumab-600", None)]
    assert set(learned.segments) == {"before", "chair"} and learned.segments["chair"].median == 240


def test_the_dose_step_is_the_dosing_rule_that_covers_the_dose() -> None:
    assert dose_step_label("ocrelizumab-300", 2) == "1-2"
    assert dose_step_label("ocrelizumab-300", None) == "1-2"
    assert dose_step_label("ocrelizumab-600", 7) == "3-"
    assert dose_step_label("not-a-code", 1) is None


@pytest.fixture
def open_monday(database: Database, place: Place) -> Place:
    with database.session() as db:
        db.add(CenterHours(center_id=place.center_id, weekday=0, opens=time(7), closes=time(19)))
        db.add(
            Appointment(center_id=place.center_id, patient_id=place.patient_id, treatment="ocrelizumab-600", day=DAY)
        )
    return place


@pytest.mark.parametrize(("basis", "infusion"), [("label", 210), ("median", 230), ("p80", 245)])
def test_the_day_builder_plans_with_the_chosen_basis_and_says_how_many_visits_are_behind_it(
    database: Database, open_monday: Place, basis: str, infusion: int
) -> None:
    user = nurse(database, open_monday)
    for week, minutes in enumerate((210, 220, 230, 240, 250), start=1):
        visit(database, open_monday, user, DAY - timedelta(days=7 * week), (45, minutes, 70))
    with database.session() as db:
        built = build_day(db, open_monday.center_id, DAY, basis)  # type: ignore[arg-type]
        patient = db.get_one(Patient, open_monday.patient_id)
    phases = {p.name: p.minutes for p in built.day.appointments[0].resolved_phases}
    assert phases["infusion"] == infusion and patient.reference == "P001"  # p80 242 rounds up to 245
    assert built.history == {"ocrelizumab-600": 5}
    assert built.learned == ({} if basis == "label" else {"ocrelizumab-600": 5})


def test_the_day_builder_keeps_the_label_with_too_few_recorded_visits(database: Database, open_monday: Place) -> None:
    user = nurse(database, open_monday)
    visit(database, open_monday, user, DAY - timedelta(days=7), (45, 300, 70))
    with database.session() as db:
        built = build_day(db, open_monday.center_id, DAY, "p80")
    assert {p.name: p.minutes for p in built.day.appointments[0].resolved_phases}["infusion"] == 210
    assert built.history == {"ocrelizumab-600": 1} and built.learned == {}
