"""``/api/patient``: the signed-in patient's own plan, tasks, card and check as JSON; problem+json errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from msinfusion.db.models import Patient
from tests.web.web_world import TestClient, World, csrf_token, sign_in


@pytest.fixture
def patient(client: TestClient, world: World) -> TestClient:
    assert sign_in(client, "patient_a1").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/patient")
    return client


def test_the_plan_is_the_patients_own(patient: TestClient) -> None:
    plan = patient.get("/api/patient/plan").json()
    assert plan["patient"]["id"].startswith("p")
    assert plan["visits"][0]["date"] == "2027-03-08"
    assert plan["visits"][0]["times"]["finish"]


def test_tasks_can_be_ticked_through_the_api(patient: TestClient) -> None:
    tasks = patient.get("/api/patient/preparation").json()["tasks"]
    first = tasks[0]["id"]
    assert patient.post("/api/patient/preparation/ticks", json={"task_id": first, "done": True}).status_code == 204
    again = patient.get("/api/patient/preparation").json()["tasks"]
    assert [t["id"] for t in again if t["done"]] == [first]


def test_the_card_refuses_fields_it_does_not_know(app: FastAPI, patient: TestClient, world: World) -> None:
    response = patient.put("/api/patient/card", json={"name": "Ana", "patient_id": 999, "role": "admin"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    with app.state.database.session() as db:
        assert db.get_one(Patient, world.patients["a1"]).card == {"allergies": "none known"}


def test_the_card_round_trips(patient: TestClient) -> None:
    card = {"name": "Ana", "no_known_allergies": True, "emergency_contacts": [{"name": "Bo", "phone": "413 555 0199"}]}
    assert patient.put("/api/patient/card", json=card).status_code == 200
    stored = patient.get("/api/patient/card").json()
    assert stored["emergency_contacts"][0]["phone"] == "+14135550199"


def test_the_check_needs_every_answer_and_then_gives_the_outcome(patient: TestClient) -> None:
    questions = [q["id"] for q in patient.get("/api/patient/check").json()["questions"]]
    partial = patient.post("/api/patient/check", json={"answers": {questions[0]: False}})
    assert partial.status_code == 422
    assert partial.headers["content-type"] == "application/problem+json"
    unknown = patient.post("/api/patient/check", json={"answers": {"not-a-question": True}})
    assert unknown.status_code == 422
    answers = dict.fromkeys(questions, False) | {"infection": True}
    result = patient.post("/api/patient/check", json={"answers": answers})
    assert result.status_code == 201
    assert result.json()["outcome"] == "call-center"


def test_the_feed_link_is_made_and_turned_off_through_the_api(app: FastAPI, patient: TestClient) -> None:
    made = patient.post("/api/patient/calendar-feed")
    assert made.status_code == 201
    path = made.json()["url"].removeprefix("http://testserver")
    assert TestClient(app).get(path).status_code == 200
    assert patient.delete("/api/patient/calendar-feed").status_code == 204
    assert TestClient(app).get(path).status_code == 404


def test_staff_cannot_use_the_patient_api(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    response = client.get("/api/patient/plan")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
