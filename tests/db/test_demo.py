"""The demo data: one center, one account per staff role, 40 patients covering every therapy, filled cards,
check answers, and a scheduled first day."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from msinfusion.db import Database
from msinfusion.db.demo import is_empty, load_demo
from msinfusion.db.models import Appointment, Chair, GivenDose, NurseShift, Prescription, User
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog

FAST_HASHES = Settings(argon2_time_cost=1, argon2_memory_kib=256, argon2_parallelism=1)


@pytest.fixture
def empty(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database."""
    target = tmp_path / "demo.sqlite3"
    shutil.copyfile(sqlite_template, target)
    database = Database.connect(f"sqlite:///{target}")
    yield database
    database.dispose()


def test_demo_covers_every_therapy_with_doses_and_visits(empty: Database) -> None:
    database = empty
    assert is_empty(database)
    summary = load_demo(database, FAST_HASHES, today=date(2027, 3, 1))
    assert not is_empty(database)
    with database.session() as db:
        therapies = set(db.scalars(select(Prescription.therapy_id)).all())
        roles = db.scalars(select(User.role)).all()
        beds = [c for c in db.scalars(select(Chair)).all() if "bed" in c.features]
        assert therapies == set(load_catalog().ids)
        assert sorted(set(roles)) == ["admin", "nurse", "patient", "scheduler"]
        assert roles.count("patient") == summary.patients == 40
        assert len(beds) == 1
        assert db.scalar(select(func.count()).select_from(NurseShift))
        assert db.scalar(select(func.count()).select_from(GivenDose)) == summary.given_doses > 0
        upcoming = db.scalars(select(Appointment.day).where(Appointment.status == "booked")).all()
        assert len(upcoming) == summary.appointments > 20
        assert all(day >= date(2027, 3, 1) for day in upcoming)


def test_demo_cards_pass_the_card_model_and_the_center_has_a_profile(empty: Database) -> None:
    from msinfusion.card import card_details
    from msinfusion.center import CenterProfile
    from msinfusion.db.models import Center, CheckAnswers, Patient

    load_demo(empty, FAST_HASHES, today=date(2027, 3, 1))
    with empty.session() as db:
        cards = [card_details(p.card, region="US") for p in db.scalars(select(Patient)).all()]
        filled = [c for c in cards if c.emergency_contacts]
        assert len(filled) >= 25 and len(cards) - len(filled) >= 10  # some cards are left to fill in
        assert any(c.allergies for c in filled) and any(c.no_known_allergies for c in filled)
        [center] = db.scalars(select(Center)).all()
        assert center.profile is not None
        assert CenterProfile.model_validate(center.profile).phone
        outcomes = {c.outcome for c in db.scalars(select(CheckAnswers)).all()}
        assert {"proceed", "call-center", "do-not-come"} <= outcomes


def test_no_demo_visit_breaks_a_label_rule_or_falls_on_a_closed_day(empty: Database) -> None:
    """The booking engine placed every demo visit: inside its dose window, on an open day, at its interval."""
    from msinfusion.db.visit_changes import rule_breaks

    today = date(2027, 3, 1)
    load_demo(empty, FAST_HASHES, today=today)
    with empty.session() as db:
        visits = db.scalars(select(Appointment).where(Appointment.status == "booked").order_by(Appointment.day)).all()
        assert len(visits) > 40
        breaks = {
            (v.id, v.day): rule_breaks(
                db, db.get_one(Prescription, v.prescription_id), v.dose_index, v.day, today, "US"
            )
            for v in visits
            if v.prescription_id is not None and v.dose_index is not None
        }
        assert len(breaks) == len(visits)
        assert {key: found for key, found in breaks.items() if found} == {}
        assert min(v.day for v in visits) == today  # the first day has visits to schedule


def test_the_demo_has_a_synthetic_recorded_history_for_learned_durations(empty: Database) -> None:
    """Past given doses became completed visits with board steps (made-up demo data, not clinical)."""
    from msinfusion.db.schedule_models import BoardEvent
    from msinfusion.db.visit_history import learned_durations

    today = date(2027, 3, 1)
    load_demo(empty, FAST_HASHES, today=today)
    with empty.session() as db:
        past = db.scalars(select(Appointment).where(Appointment.status == "completed")).all()
        assert len(past) > 100 and all(a.day < today and a.board_state == "discharged" for a in past)
        states = set(db.scalars(select(BoardEvent.state)).all())
        assert states == {"checked_in", "premedication", "infusing", "observation", "discharged"}
        learned = learned_durations(db, past[0].center_id)
        enough = [key for key, found in learned.items() if key[1] is None and found.segments["chair"].count >= 5]
        assert len(enough) >= 5  # several treatments have enough visits to plan with
