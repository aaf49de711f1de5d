"""A transaction PostgreSQL aborted because it lost a race (deadlock, serialization failure) is a 409.

Two overlapping bookings checked by the chair's exclusion constraint can deadlock on PostgreSQL: one of
them is rolled back with ``deadlock_detected``. Nothing was written, so the answer is the same 409 as any
other concurrent change, not the 503 of a database outage.
"""

from __future__ import annotations

import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from msinfusion.web.problems import lost_a_race
from tests.web.web_world import TestClient


def _aborted(error: psycopg.Error) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("INSERT INTO appointments ...", {}, error)


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.errors.SerializationFailure("could not serialize access"), True),
        (psycopg.errors.AdminShutdown("terminating connection"), False),
    ],
    ids=["deadlock", "serialization", "outage"],
)
def test_only_a_lost_race_counts_as_one(error: psycopg.Error, lost: bool) -> None:
    assert lost_a_race(_aborted(error)) is lost


def test_a_deadlocked_write_answers_409_problem_json_and_an_outage_still_503(app: FastAPI) -> None:
    def deadlocked() -> None:
        raise _aborted(psycopg.errors.DeadlockDetected("deadlock detected"))

    def outage() -> None:
        raise _aborted(psycopg.errors.AdminShutdown("terminating connection"))

    app.add_api_route("/test-only/deadlocked", deadlocked)
    app.add_api_route("/test-only/outage", outage)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"Accept": "application/problem+json"}
        raced = client.get("/test-only/deadlocked", headers=headers)
        down = client.get("/test-only/outage", headers=headers)
    assert raced.status_code == 409 and raced.headers["content-type"] == "application/problem+json"
    assert "same moment" in raced.json()["detail"]
    assert down.status_code == 503 and "Retry-After" in down.headers
