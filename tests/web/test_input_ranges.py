"""Ranges: every id, date, time and number sent has a range; out of range is 404 or 422 (problem+json in
the API), never a 500, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
from fastapi import FastAPI

from msinfusion.db.models import Nurse, NurseShift
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in

HUGE_IDS = ["9223372036854775808", "99999999999999999999999", "-1", "0"]
BAD_DAYS = ["9999-12-31", "0001-01-01", "0", "1", "20270308", "1999-12-31", "2100-01-01", "2027-02-30"]


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    made = create_app(settings.model_copy(update={"solver_time_limit_seconds": 1}), clock=FakeClock())
    yield made
    made.state.database.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    return build_world(app.state.database, app.state.settings)


def signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/staff" if "patient" not in username else "/patient")
    return client


def is_problem(response: object) -> bool:
    headers = getattr(response, "headers", {})
    return bool(headers.get("content-type") == "application/problem+json")


@pytest.mark.parametrize("raw", HUGE_IDS)
def test_ids_out_of_range_are_not_found_not_errors(app: FastAPI, world: World, raw: str) -> None:
    scheduler = signed_in(app, "scheduler_a")
    api = scheduler.get(f"/api/patients/{raw}")
    assert api.status_code in (404, 422) and is_problem(api)
    assert scheduler.get(f"/staff/patients/{raw}").status_code in (404, 422)
    dose = scheduler.post(f"/api/prescriptions/{raw}/doses", json={"given_on": "2027-03-08"})
    assert dose.status_code in (404, 422) and is_problem(dose)
    nurse = signed_in(app, "nurse_a")  # only nurses record board steps
    board = nurse.post(
        f"/staff/board/appointments/{raw}/state",
        data={"csrf_token": nurse.headers["X-CSRF-Token"], "from_state": "expected", "to_state": "checked_in"},
    )
    assert board.status_code in (404, 422)
    accept = scheduler.post(
        "/staff/schedule/accept", data={"csrf_token": scheduler.headers["X-CSRF-Token"], "job_id": raw}
    )
    assert accept.status_code in (404, 422)


@pytest.mark.parametrize("day", BAD_DAYS)
def test_days_outside_the_clinical_range_or_not_written_as_dates_are_422(app: FastAPI, world: World, day: str) -> None:
    scheduler = signed_in(app, "scheduler_a")
    for url in (f"/api/schedule?day={day}", f"/api/schedule/status?day={day}"):
        response = scheduler.get(url)
        assert response.status_code == 422 and is_problem(response), (url, response.status_code)
        assert response.json()["errors"][0]["field"] == "query.day"
    assert scheduler.get(f"/staff/schedule?day={day}").status_code == 422
    assert scheduler.get(f"/staff/board?day={day}").status_code == 422
    run = scheduler.post("/api/schedule/runs", json={"day": day})
    assert run.status_code == 422 and is_problem(run)


@pytest.mark.parametrize("given_on", ["0001-03-08", "1900-03-08", "9999-12-31"])
def test_dose_dates_in_years_1_and_1900_are_refused(app: FastAPI, world: World, given_on: str) -> None:
    nurse = signed_in(app, "nurse_a")
    response = nurse.post(f"/api/prescriptions/{world.prescriptions['a1']}/doses", json={"given_on": given_on})
    assert response.status_code == 422 and is_problem(response)
    assert response.json()["errors"][0]["field"] == "body.given_on"
    page = nurse.post(
        f"/staff/prescriptions/{world.prescriptions['a1']}/doses",
        data={"csrf_token": nurse.headers["X-CSRF-Token"], "given_on": given_on},
    )
    assert page.status_code == 422


def test_amounts_must_be_finite_and_in_range(app: FastAPI, world: World) -> None:
    nurse = signed_in(app, "nurse_a")
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    for amount in (-1, 0, 10**12, "NaN", "Infinity"):
        response = nurse.post(url, json={"given_on": "2027-02-01", "amount_mg": amount})
        assert response.status_code == 422 and is_problem(response), amount


def test_nul_bytes_are_refused_not_errors(app: FastAPI, world: World) -> None:
    patient = signed_in(app, "patient_a1")
    card = patient.put("/api/patient/card", json={"name": "Ana\u0000Lopez"})
    assert card.status_code == 422 and is_problem(card)
    form = patient.post("/patient/card", data={"csrf_token": patient.headers["X-CSRF-Token"], "name": "Ana\u0000Lopez"})
    assert form.status_code == 422
    anonymous = TestClient(app, raise_server_exceptions=False)
    token = csrf_token(anonymous, "/login")
    login = anonymous.post("/login", data={"csrf_token": token, "username": "nurse\u0000a", "password": "x" * 12})
    assert login.status_code < 500
    nurse = signed_in(app, "nurse_a")
    note = nurse.post(
        f"/api/prescriptions/{world.prescriptions['a1']}/doses", json={"given_on": "2027-02-01", "note": "a\u0000b"}
    )
    assert note.status_code == 422 and is_problem(note)
    assert nurse.get("/feeds/abc%00defghijklmnopqrstuvwxyz.ics").status_code == 404
    assert nurse.get("/api/schedule?day=2027-03-08%00").status_code == 422


def _run(app: FastAPI, world: World) -> tuple[TestClient, int, str]:
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=world.centers["a"], code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))
    scheduler = signed_in(app, "scheduler_a")
    status = scheduler.post("/api/schedule/runs", json={"day": "2027-03-08"}).json()
    app.state.schedule_runner.wait(status["id"])
    visit = scheduler.get("/api/schedule?day=2027-03-08").json()["assignments"][0]["appointment"]
    return scheduler, int(status["id"]), str(visit)


@pytest.mark.parametrize(
    ("start", "says"), [("24:00", "like 09:30"), ("23:30", "after midnight"), ("99:99", "like 09:30")]
)
def test_a_move_to_midnight_or_past_it_is_422_with_the_reason(
    app: FastAPI, world: World, start: str, says: str
) -> None:
    scheduler, job_id, visit = _run(app, world)
    response = scheduler.post(
        "/staff/schedule/move",
        data={
            "csrf_token": scheduler.headers["X-CSRF-Token"],
            "job_id": job_id,
            "appointment": visit,
            "chair": "C01",
            "start": start,
        },
    )
    assert response.status_code == 422 and says in response.text


def test_the_dose_form_bounds_its_date_field(app: FastAPI, world: World) -> None:
    app.state.clock.now = datetime(2027, 3, 10, 15, tzinfo=UTC)
    page = signed_in(app, "nurse_a").get(f"/staff/patients/{world.patients['a1']}").text
    assert 'min="2000-01-01"' in page
