"""Sentences the core builds (calendar notes, dose-record refusals and flags, booking and optimizer reasons)
follow the staff member's language on the pages, while the API keeps the English text. Today in these tests
is 1 March 2027 (the world's clock)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import FastAPI

from msinfusion.db.booking_models import CenterBookingSettings
from msinfusion.db.models import Nurse, NurseShift, User
from msinfusion.settings import Settings
from tests.web.booking_helpers import plan_regimen
from tests.web.lifecycle_world import open_weekdays
from tests.web.test_staff_schedule import DAY, make_app, run_and_wait
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


def _signed_in(app: FastAPI, username: str, accept_language: str) -> TestClient:
    client = TestClient(app, headers={"Accept-Language": accept_language})
    assert sign_in(client, username).status_code == 303
    return client


def _refuse_a_future_dose(client: TestClient, world: World) -> str:
    form = {"given_on": "2027-06-01", "amount_mg": "300", "csrf_token": csrf_token(client, "/staff")}
    refused = client.post(f"/staff/prescriptions/{world.prescriptions['a1']}/doses", data=form)
    assert refused.status_code == 422
    text: str = refused.text
    return text


def test_a_refused_dose_record_gives_its_reasons_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    spanish = _refuse_a_future_dose(_signed_in(app, "nurse_a", "es"), world)
    assert "2027-06-01 es una fecha futura (hoy es 2027-03-01)" in spanish
    assert "is in the future" not in spanish
    english = _refuse_a_future_dose(_signed_in(app, "nurse_a", "en"), world)
    assert "2027-06-01 is in the future (today is 2027-03-01)" in english


def test_calendar_notes_show_in_spanish_on_the_page_and_in_english_in_the_api(app: FastAPI, world: World) -> None:
    scheduler = _signed_in(app, "scheduler_a", "en")
    body = {"therapy_id": "ocrelizumab-iv", "start_date": "2026-12-01"}
    headers = {"X-CSRF-Token": csrf_token(scheduler, "/staff")}
    created = scheduler.post(f"/api/patients/{world.patients['a2']}/prescriptions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert "missed: give as soon as possible" in scheduler.get(f"/api/patients/{world.patients['a2']}").text

    page = _signed_in(app, "nurse_a", "es").get(f"/staff/patients/{world.patients['a2']}")
    assert "dosis perdida: administrar lo antes posible" in page.text
    assert "missed: give as soon as possible" not in page.text
    english = _signed_in(app, "nurse_a", "en").get(f"/staff/patients/{world.patients['a2']}")
    assert "missed: give as soon as possible" in english.text


def test_the_booking_engines_reasons_show_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    open_weekdays(app.state.database, world)
    with app.state.database.session() as db:
        db.add(
            CenterBookingSettings(
                center_id=world.centers["a"],
                closures=["2027-03-08"],  # dose 1 of patient A1 is due that Monday
                headroom=0.1,
                updated_by=world.users["admin_a"],
                updated_at=datetime(2027, 3, 1, tzinfo=UTC),
            )
        )
    rx = world.prescriptions["a1"]
    spanish = _signed_in(app, "scheduler_a", "es")
    assert "2027-03-08: centro cerrado (cierre)" in plan_regimen(spanish, rx).text  # the plan, stored as a job's
    assert "centro cerrado los sábados" in spanish.get("/staff/load?start=2027-03-01").text
    english = _signed_in(app, "scheduler_a", "en")
    assert "2027-03-08: center closed (closure)" in english.get(f"/staff/prescriptions/{rx}/booking/run").text
    assert "center closed on Saturdays" in english.get("/staff/load?start=2027-03-01").text


def test_a_stored_flag_is_read_back_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    scheduler = _signed_in(app, "scheduler_a", "en")
    body = {"therapy_id": "alemtuzumab", "start_date": "2026-12-01"}
    headers = {"X-CSRF-Token": csrf_token(scheduler, "/staff")}
    created = scheduler.post(f"/api/patients/{world.patients['a2']}/prescriptions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    nurse = _signed_in(app, "nurse_a", "en")
    form = {
        "given_on": "2026-12-01",
        "amount_mg": "99999",
        "clinician_confirms": "yes",
        "clinician_reason": "Checked with Dr Lee",
        "csrf_token": csrf_token(nurse, "/staff"),
    }
    stored = nurse.post(f"/staff/prescriptions/{created.json()['id']}/doses", data=form, follow_redirects=False)
    assert stored.status_code == 303, stored.text

    page = f"/staff/patients/{world.patients['a2']}"
    spanish = _signed_in(app, "nurse_a", "es").get(page).text
    assert "amount: la dosis 1 de alemtuzumab es de 12 mg" in spanish
    assert "(confirmado por Nurse A: Checked with Dr Lee)" in spanish
    english = nurse.get(page).text
    assert (
        "amount: dose 1 of alemtuzumab is 12 mg" in english and "(confirmed by Nurse A: Checked with Dr Lee)" in english
    )


def test_the_optimizers_reasons_show_in_the_staff_members_language(settings_sqlite: Settings, clock: FakeClock) -> None:
    app = make_app(settings_sqlite.database_url, clock)
    world = build_world(app.state.database, app.state.settings)
    with app.state.database.session() as db:  # one nurse for an hour: no visit fits the day
        nurse = Nurse(center_id=world.centers["a"], code="N1", name="Nurse N1")
        db.add(nurse)
        db.flush()
        db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=time(7), ends=time(8)))
        db.get_one(User, world.users["scheduler_a"]).locale = "es"
    client = _signed_in(app, "scheduler_a", "es")
    run_and_wait(app, client)
    page = client.get(f"/staff/schedule?day={DAY}").text
    assert "no hay ninguna enfermera de turno" in page or "no hay enfermeras de turno" in page, page
    assert "extend a shift" not in page
    english = client.get(f"/api/schedule?day={DAY}").json()
    assert all("extend a shift" in u["reason"] for u in english["unscheduled"]) and english["unscheduled"]


def test_a_visit_booked_on_a_closed_day_is_refused_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    open_weekdays(app.state.database, world)
    saturday = {"dose": "1", "day": "2027-03-06", "start": "09:00", "chair": "C02"}
    visits = f"/staff/prescriptions/{world.prescriptions['a1']}/visits"
    answers = {}
    for language in ("es", "en"):
        client = _signed_in(app, "scheduler_a", language)
        answers[language] = client.post(visits, data={"csrf_token": csrf_token(client, "/staff"), **saturday})
        assert answers[language].status_code == 422
    assert "Esta visita no cumple una regla" in answers["es"].text
    assert "2027-03-06: centro cerrado los sábados" in answers["es"].text
    assert "center closed" not in answers["es"].text
    assert "This visit breaks a rule" in answers["en"].text
    assert "2027-03-06: center closed on Saturdays" in answers["en"].text


def test_the_dose_calendars_warnings_show_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    scheduler = _signed_in(app, "scheduler_a", "en")
    body = {"therapy_id": "alemtuzumab", "start_date": "2026-12-01"}
    headers = {"X-CSRF-Token": csrf_token(scheduler, "/staff")}
    created = scheduler.post(f"/api/patients/{world.patients['a2']}/prescriptions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    page = f"/staff/patients/{world.patients['a2']}"
    spanish = _signed_in(app, "nurse_a", "es").get(page).text
    assert "más ciclos de 3 días solo si hacen falta, no antes del" in spanish
    assert "courses only if needed" not in spanish
    assert "further 3-day courses only if needed, not before" in _signed_in(app, "nurse_a", "en").get(page).text
