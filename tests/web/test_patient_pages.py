"""The patient pages: my plan, tasks to tick, the pre-infusion check, the card, the language switch."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.center import demo_center
from msinfusion.db.models import Appointment, Center, CheckAnswers, Patient, Prescription
from msinfusion.db.patient_models import PreparationTick
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def patient(client: TestClient, world: World) -> TestClient:
    assert sign_in(client, "patient_a1").status_code == 303
    client.follow_redirects = False  # a saved form answers 303; the tests look at where it sends them
    return client


def _questions(page: str) -> list[str]:
    return sorted(set(re.findall(r'name="(q-[a-z0-9-]+)"', page)))


def test_my_plan_shows_the_upcoming_visits_with_their_timeline_and_expected_finish(patient: TestClient) -> None:
    page = patient.get("/patient")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Visit 1: March 8, 2027" in page.text
    assert "Expected finish: about" in page.text
    assert "What happens during the visit" in page.text
    assert "Booked" in page.text  # a1's first dose has an appointment


def test_a_task_ticked_off_stays_ticked_and_can_be_unticked(app: FastAPI, patient: TestClient) -> None:
    page = patient.get("/patient/prepare").text
    task_id = re.search(r'name="task_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = csrf_token(patient, "/patient/prepare")
    response = patient.post("/patient/prepare", data={"csrf_token": token, "task_id": task_id, "done": "true"})
    assert response.status_code == 303
    assert "1 of " in patient.get("/patient/prepare").text
    with app.state.database.session() as db:
        assert db.scalars(select(PreparationTick.task_id)).all() == [task_id]
    patient.post("/patient/prepare", data={"csrf_token": token, "task_id": task_id, "done": "false"})
    assert "0 of " in patient.get("/patient/prepare").text


def test_a_task_that_is_not_in_the_next_visit_is_refused(patient: TestClient) -> None:
    token = csrf_token(patient, "/patient/prepare")
    response = patient.post("/patient/prepare", data={"csrf_token": token, "task_id": "no-such-task", "done": "true"})
    assert response.status_code == 422


def test_the_check_outcome_is_stored_for_the_center_and_shown_to_the_patient(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    page = patient.get("/patient/check").text
    answers = dict.fromkeys(_questions(page), "no")
    answers["q-infection"] = "yes"
    response = patient.post("/patient/check", data={"csrf_token": csrf_token(patient, "/patient/check"), **answers})
    assert response.status_code == 303
    shown = patient.get(response.headers["location"]).text
    assert "Call the center before you come" in shown
    with app.state.database.session() as db:
        stored = db.scalars(select(CheckAnswers)).one()
    assert stored.outcome == "call-center"
    assert stored.answers["infection"] is True
    assert stored.appointment_id == world.appointments["a1"]


def test_an_incomplete_check_keeps_the_answers_given_and_names_the_missing_ones(
    app: FastAPI, patient: TestClient
) -> None:
    page = patient.get("/patient/check").text
    first, *rest = _questions(page)
    response = patient.post("/patient/check", data={"csrf_token": csrf_token(patient, "/patient/check"), first: "yes"})
    assert response.status_code == 422
    assert "Please answer every question." in response.text
    assert re.search(rf'id="{first}-yes" name="{first}" value="yes" checked', response.text)
    assert len(re.findall(r'class="error-text"', response.text)) == len(rest)
    with app.state.database.session() as db:
        assert db.scalars(select(CheckAnswers)).all() == []


def test_a_card_with_a_wrong_phone_is_not_saved_and_keeps_what_was_typed(app: FastAPI, patient: TestClient) -> None:
    form = {"name": "Ana Alvarez", "allergies": "Penicillin: rash", "contact1_name": "Bo", "contact1_phone": "12"}
    response = patient.post("/patient/card", data={"csrf_token": csrf_token(patient, "/patient/card"), **form})
    assert response.status_code == 422
    assert "Enter a phone number we can call" in response.text
    assert 'value="Ana Alvarez"' in response.text
    assert "Penicillin: rash</textarea>" in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_saved_card_shows_on_the_card_and_its_printable_page(app: FastAPI, patient: TestClient, world: World) -> None:
    form = {
        "name": "Ana Alvarez",
        "allergies": "Penicillin: rash",
        "medicines": "Vitamin D: 1000 units",
        "contact1_name": "Bo Alvarez",
        "contact1_phone": "413 555 0199",
        "checked": "1",
    }
    response = patient.post("/patient/card", data={"csrf_token": csrf_token(patient, "/patient/card"), **form})
    assert response.status_code == 303
    printable = patient.get("/patient/card/print").text
    assert "Penicillin: rash" in printable
    assert "Bo Alvarez" in printable
    with app.state.database.session() as db:
        card = db.get_one(Patient, world.patients["a1"]).card
    assert card["emergency_contacts"][0]["phone"] == "+14135550199"


def test_the_language_switch_is_stored_on_the_patient_and_the_page_follows_it(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    token = csrf_token(patient, "/patient")
    response = patient.post("/patient/language", data={"csrf_token": token, "locale": "es", "back": "/patient/card"})
    assert response.headers["location"] == "/patient/card"
    page = patient.get("/patient").text
    assert '<html lang="es">' in page
    assert "Mi plan" in page and "Próximas visitas" in page
    with app.state.database.session() as db:
        assert db.get_one(Patient, world.patients["a1"]).locale == "es"


def test_the_language_switch_refuses_other_languages_and_other_sites(patient: TestClient) -> None:
    token = csrf_token(patient, "/patient")
    assert patient.post("/patient/language", data={"csrf_token": token, "locale": "fr"}).status_code == 422
    response = patient.post("/patient/language", data={"csrf_token": token, "locale": "en", "back": "//evil.example"})
    assert response.headers["location"] == "/patient"


def test_a_patient_without_a_prescription_is_told_the_plan_is_not_set_up(app: FastAPI, world: World) -> None:
    with app.state.database.session() as db:
        for prescription in db.get_one(Patient, world.patients["a2"]).prescriptions:
            prescription.status = "stopped"
    with TestClient(app) as client:
        sign_in(client, "patient_a2")
        assert client.get("/patient/card").status_code == 200  # the card can be filled in before the plan
        for path in ("/patient", "/patient/prepare", "/patient/check"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "has not set up your plan yet" in response.text, path


@pytest.fixture
def both_backends(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, clock=FakeClock())
    build_world(app.state.database, settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_the_patient_journey_works_on_sqlite_and_postgresql(both_backends: TestClient) -> None:
    client = both_backends
    sign_in(client, "patient_a1")
    client.follow_redirects = False
    page = client.get("/patient/check").text
    data = {"csrf_token": csrf_token(client, "/patient/check"), **dict.fromkeys(_questions(page), "no")}
    assert client.post("/patient/check", data=data).status_code == 303
    assert client.get("/api/patient/plan").json()["check"]["unanswered"] == []


def test_phone_numbers_on_the_plan_and_the_card_can_be_tapped_to_call(patient: TestClient, world: World) -> None:
    # Only a center with a stored profile has a real phone to show (an unlisted one says to ask the team).
    with patient.app.state.database.session() as db:  # type: ignore[attr-defined]
        db.get_one(Center, world.centers["a"]).profile = demo_center().model_dump(mode="json")
    plan = patient.get("/patient").text
    links = re.findall(r'<a href="tel:(\+[0-9]+)">([^<]+)</a>', plan)
    assert links, "the center's phone on the plan is a tel: link"
    assert all(number.startswith("+") for number, _shown in links)
    card = patient.get("/patient/card").text
    assert re.search(r'<a href="tel:\+[0-9]+">', card)


def test_get_ready_groups_tasks_by_stage_with_only_the_current_stage_open(patient: TestClient) -> None:
    page = patient.get("/patient/prepare").text
    stages = re.findall(r'<details class="stage" id="stage-([a-z-]+)"( open)?>', page)
    assert len(stages) >= 2
    assert [name for name, is_open in stages if is_open] == [stages[0][0]]  # nothing done yet: the first stage
    assert re.search(r"\d+ of \d+ done\.", page)  # the overall progress count


def test_past_due_tasks_are_marked_in_words_and_counted_per_stage(patient: TestClient, clock: FakeClock) -> None:
    late_now = patient.get("/patient/prepare").text.count(">Past due</span>")  # e.g. vaccines weeks before
    clock.advance(days=6)  # the day before the visit: the week-before tasks are late too
    assert sign_in(patient, "patient_a1").status_code == 303  # the session ended meanwhile
    page = patient.get("/patient/prepare").text
    assert page.count(">Past due</span>") > late_now
    assert re.search(r"<strong>\d+ past due</strong>", page)


def test_the_stage_of_a_task_just_ticked_stays_open(patient: TestClient) -> None:
    page = patient.get("/patient/prepare").text
    last_stage = re.findall(r'<details class="stage" id="stage-([a-z-]+)"', page)[-1]
    section = page.split(f'id="stage-{last_stage}"')[1]
    task_id = re.search(r'name="task_id" value="([^"]+)"', section).group(1)  # type: ignore[union-attr]
    token = csrf_token(patient, "/patient/prepare")
    response = patient.post("/patient/prepare", data={"csrf_token": token, "task_id": task_id, "done": "true"})
    assert response.headers["location"] == f"/patient/prepare?stage={last_stage}#task-{task_id}"
    shown = patient.get(response.headers["location"]).text
    assert f'id="stage-{last_stage}" open>' in shown


def test_a_phone_number_inside_a_task_can_be_tapped_to_call(patient: TestClient, world: World) -> None:
    # Natalizumab's tasks name the center's phone inside their sentences ("Call Center A at (413) ...").
    with patient.app.state.database.session() as db:  # type: ignore[attr-defined]
        db.get_one(Center, world.centers["a"]).profile = demo_center().model_dump(mode="json")
        db.get_one(Prescription, world.prescriptions["a1"]).therapy_id = "natalizumab"
        db.get_one(Appointment, world.appointments["a1"]).treatment = "natalizumab-300"
    page = patient.get("/patient/prepare").text
    tasks = re.findall(r'<p>Call Center A at <a class="tel" href="tel:(\+[0-9]+)">\(413\) 555-0142</a> [^<]+</p>', page)
    assert tasks and set(tasks) == {"+14135550142"}, "the center's phone inside a task's text is a tel: link"
