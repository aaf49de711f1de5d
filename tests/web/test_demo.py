"""The demo data: one center, one account per staff role, 40 patients covering every therapy."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from sqlalchemy import func, select

from msinfusion.db.demo import DEMO_PASSWORD, is_empty, load_demo
from msinfusion.db.models import Appointment, Chair, GivenDose, NurseShift, Prescription, User
from msinfusion.therapies import load_catalog
from tests.web.web_world import TestClient, sign_in


def test_demo_covers_every_therapy_with_doses_and_visits(app: FastAPI) -> None:
    database = app.state.database
    assert is_empty(database)
    summary = load_demo(database, app.state.settings, today=date(2027, 3, 1))
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
        upcoming = db.scalars(select(Appointment.day)).all()
        assert len(upcoming) == summary.appointments > 20
        assert all(day >= date(2027, 3, 1) for day in upcoming)


def test_demo_accounts_sign_in(app: FastAPI, client: TestClient) -> None:
    load_demo(app.state.database, app.state.settings, today=date(2027, 3, 1))
    app.state.clock.now = app.state.clock.now.replace(year=2099)  # accounts were created "now"
    for username in ("admin", "scheduler", "nurse", "patient01", "patient40"):
        assert sign_in(client, username, DEMO_PASSWORD).status_code == 303, username
        client.cookies.clear()


def test_demo_cards_pass_the_card_model_and_the_center_has_a_profile(app: FastAPI) -> None:
    from msinfusion.card import card_details
    from msinfusion.center import CenterProfile
    from msinfusion.db.models import Center, CheckAnswers, Patient

    load_demo(app.state.database, app.state.settings, today=date(2027, 3, 1))
    with app.state.database.session() as db:
        cards = [card_details(p.card, region="US") for p in db.scalars(select(Patient)).all()]
        filled = [c for c in cards if c.emergency_contacts]
        assert len(filled) >= 25 and len(cards) - len(filled) >= 10  # some cards are left to fill in
        assert any(c.allergies for c in filled) and any(c.no_known_allergies for c in filled)
        [center] = db.scalars(select(Center)).all()
        assert center.profile is not None
        assert CenterProfile.model_validate(center.profile).phone
        outcomes = {c.outcome for c in db.scalars(select(CheckAnswers)).all()}
        assert {"proceed", "call-center", "do-not-come"} <= outcomes
