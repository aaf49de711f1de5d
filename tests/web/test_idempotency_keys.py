"""The Idempotency-Key header on the API's POSTs: a retry gets the first response, a second body with the
same key is refused, keys are per user, and simultaneous retries make one record (both back-ends).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from msinfusion.db.models import GivenDose
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, record_required_checks, sign_in


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    made = create_app(settings, clock=FakeClock(datetime(2027, 3, 10, 15, tzinfo=UTC)))
    yield made
    made.state.database.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    built = build_world(app.state.database, app.state.settings)
    record_required_checks(app.state.database, built, "a1")
    return built


def signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/staff")
    return client


def doses(app: FastAPI, world: World) -> int:
    with app.state.database.session() as db:
        return int(db.scalar(select(func.count()).where(GivenDose.prescription_id == world.prescriptions["a1"])) or 0)


def test_a_retry_with_the_same_key_gets_the_first_response_and_records_once(app: FastAPI, world: World) -> None:
    nurse = signed_in(app, "nurse_a")
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    first = nurse.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "dose-1"})
    again = nurse.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "dose-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert doses(app, world) == 1
    without_key = nurse.post(url, json={"given_on": "2027-03-08"})
    assert without_key.status_code == 409  # a plain repeat is a conflict, not a second dose
    assert doses(app, world) == 1


def test_the_same_key_with_another_body_is_422(app: FastAPI, world: World) -> None:
    nurse = signed_in(app, "nurse_a")
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    assert nurse.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "k"}).status_code == 201
    other = nurse.post(url, json={"given_on": "2027-03-09"}, headers={"Idempotency-Key": "k"})
    assert other.status_code == 422 and other.headers["content-type"] == "application/problem+json"
    assert doses(app, world) == 1


def test_keys_belong_to_their_user(app: FastAPI, world: World) -> None:
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    nurse, scheduler = signed_in(app, "nurse_a"), signed_in(app, "scheduler_a")
    assert nurse.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "shared"}).status_code == 201
    theirs = scheduler.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "shared"})
    assert theirs.status_code == 409 and "Idempotent-Replayed" not in theirs.headers  # ran, as a duplicate dose


def test_a_bad_key_is_422(app: FastAPI, world: World) -> None:
    nurse = signed_in(app, "nurse_a")
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    response = nurse.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422 and doses(app, world) == 0


def test_simultaneous_retries_with_one_key_make_one_record_and_no_500(app: FastAPI, world: World) -> None:
    clients = [signed_in(app, "nurse_a") for _ in range(10)]
    url = f"/api/prescriptions/{world.prescriptions['a1']}/doses"
    barrier = threading.Barrier(len(clients))
    codes: list[Any] = []

    def send(client: TestClient) -> None:
        barrier.wait()
        response = client.post(url, json={"given_on": "2027-03-08"}, headers={"Idempotency-Key": "burst"})
        codes.append(response.status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(codes) == 10 and set(codes) <= {201, 409} and 201 in codes, codes
    assert doses(app, world) == 1
