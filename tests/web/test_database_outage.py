"""A database outage: requests get a 503 problem+json (never a 500 or a hang), and the app serves again
as soon as the database is back, without a restart (the pool checks connections before use).

PostgreSQL only: the test closes the app's database to new connections and terminates its open ones,
then opens it again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from msinfusion.db import scratch
from msinfusion.db.database import normalise_url
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[FastAPI]:
    made = create_app(pg_settings, clock=FakeClock())
    yield made
    made.state.database.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    return build_world(app.state.database, app.state.settings)


def _admin(sql: str, name: str) -> None:
    engine = create_engine(normalise_url(scratch.DEFAULT_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql.format(name=name)), {"name": name})
    engine.dispose()


def _cut_off(name: str) -> None:
    _admin('ALTER DATABASE "{name}" ALLOW_CONNECTIONS false', name)
    _terminate(name)


def _terminate(name: str) -> None:
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()", name
    )


def _restore(name: str) -> None:
    _admin('ALTER DATABASE "{name}" ALLOW_CONNECTIONS true', name)


def test_terminated_connections_are_replaced_without_an_error(app: FastAPI, world: World) -> None:
    nurse = TestClient(app, raise_server_exceptions=False)
    assert sign_in(nurse, "nurse_a").status_code == 303
    assert nurse.get("/api/patients").status_code == 200
    _terminate(make_url(app.state.settings.database_url).database or "")
    assert nurse.get("/api/patients").status_code == 200


def test_an_outage_is_503_problem_json_and_the_app_recovers_without_a_restart(app: FastAPI, world: World) -> None:
    name = make_url(app.state.settings.database_url).database or ""
    nurse = TestClient(app, raise_server_exceptions=False)
    assert sign_in(nurse, "nurse_a").status_code == 303
    token = csrf_token(nurse, "/staff")
    assert nurse.get("/api/patients").status_code == 200
    _cut_off(name)
    try:
        api = nurse.get("/api/patients")
        assert api.status_code == 503
        assert api.headers["content-type"] == "application/problem+json" and api.headers["Retry-After"]
        assert "database" in api.json()["detail"]
        page = nurse.get("/staff/patients")
        assert page.status_code == 503 and "try again" in page.text
        write = nurse.post(
            f"/api/prescriptions/{world.prescriptions['a1']}/doses",
            json={"given_on": "2027-02-01"},
            headers={"X-CSRF-Token": token},
        )
        assert write.status_code == 503
    finally:
        _restore(name)
    assert nurse.get("/api/patients").status_code == 200
    assert nurse.get("/staff/patients").status_code == 200
