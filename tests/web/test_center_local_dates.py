"""Dates in a center's records are the center's dates, not UTC; phone numbers are read in its country."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from msinfusion.center import demo_center
from msinfusion.db.models import Center
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in


def _prescribe(client: TestClient, world: World, start: str) -> tuple[int, str]:
    sign_in(client, "scheduler_a")
    token = csrf_token(client, "/staff")
    response = client.post(
        f"/api/patients/{world.patients['a1']}/prescriptions",
        json={"therapy_id": "ocrelizumab-iv", "start_date": start},
        headers={"x-csrf-token": token},
    )
    assert response.status_code == 201, response.text
    prescription = response.json()["id"]
    check = {"dose_number": 1, "check_id": "infection"}  # required before each OCREVUS dose
    recorded = client.post(f"/api/prescriptions/{prescription}/checks", json=check, headers={"x-csrf-token": token})
    assert recorded.status_code == 201, recorded.text
    return prescription, token


def test_a_dose_dated_tomorrow_in_new_york_is_refused_in_the_evening(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    clock.now = datetime(2027, 3, 2, 2, 30, tzinfo=UTC)  # 21:30 on 1 March in New York
    prescription, token = _prescribe(client, world, "2027-03-01")
    tomorrow = client.post(
        f"/api/prescriptions/{prescription}/doses", json={"given_on": "2027-03-02"}, headers={"x-csrf-token": token}
    )
    assert tomorrow.status_code == 422
    today = client.post(
        f"/api/prescriptions/{prescription}/doses", json={"given_on": "2027-03-01"}, headers={"x-csrf-token": token}
    )
    assert today.status_code == 201, today.text


def test_todays_dose_is_accepted_in_a_center_east_of_utc(
    app: FastAPI, client: TestClient, world: World, clock: FakeClock
) -> None:
    with app.state.database.session() as db:
        db.get_one(Center, world.centers["a"]).timezone = "Asia/Tokyo"
    clock.now = datetime(2027, 3, 1, 23, 0, tzinfo=UTC)  # 08:00 on 2 March in Tokyo
    prescription, token = _prescribe(client, world, "2027-03-02")
    response = client.post(
        f"/api/prescriptions/{prescription}/doses", json={"given_on": "2027-03-02"}, headers={"x-csrf-token": token}
    )
    assert response.status_code == 201, response.text


def test_the_card_api_reads_local_phone_numbers_in_the_centers_country(
    app: FastAPI, client: TestClient, world: World
) -> None:
    profile = demo_center().model_dump(mode="json")
    profile["address"]["country"] = "ES"
    profile["phone"] = "+34912345678"
    with app.state.database.session() as db:
        center = db.get_one(Center, world.centers["a"])
        center.profile = profile
        center.timezone = "Europe/Madrid"
    sign_in(client, "patient_a1")
    token = csrf_token(client, "/patient")
    body = {"emergency_contacts": [{"name": "Ana", "phone": "612 345 678"}]}
    response = client.put("/api/patient/card", json=body, headers={"x-csrf-token": token})
    assert response.status_code == 200, response.text
    assert "+34" in response.json()["emergency_contacts"][0]["phone"].replace(" ", "")
    extra = client.put("/api/patient/card", json={**body, "role": "admin"}, headers={"x-csrf-token": token})
    assert extra.status_code == 422
