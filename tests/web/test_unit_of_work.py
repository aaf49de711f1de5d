"""The request ritual: the unit of work commits the route's changes and its audit entries together when
the route returns, and rolls both back when it raises or refuses."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI, HTTPException
from sqlalchemy import func, select

from msinfusion.db.models import AuditEvent, Patient
from msinfusion.web.dependencies import Principal
from msinfusion.web.policies import policy, route_table
from msinfusion.web.unit_of_work import UnitOfWork, audited
from tests.web.web_world import TestClient, World, csrf_token, sign_in

RENAMED = "Renamed In The Request"


@pytest.fixture
def renaming(app: FastAPI, world: World) -> TestClient:
    """The app with one extra route that renames patient a1, then finishes as ``outcome`` says."""

    def rename(
        outcome: str,
        principal: Annotated[Principal, policy("staff-center")],
        work: Annotated[UnitOfWork, audited("update", "patient")],
    ) -> dict[str, str]:
        patient = work.db.get_one(Patient, world.patients["a1"])
        patient.display_name = RENAMED
        work.audit(object_id=patient.id, patient_id=patient.id)
        if outcome == "raise":
            raise HTTPException(409, "Refused after the change.")
        if outcome == "discard":
            work.discard()
        return {"outcome": outcome}

    app.add_api_route("/test/rename", rename, methods=["POST"])
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "nurse_a").status_code == 303
    return client


def _state(app: FastAPI, world: World) -> tuple[str, int]:
    with app.state.database.session() as db:
        name = db.get_one(Patient, world.patients["a1"]).display_name
        entries = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "patient"))
    return name, entries or 0


def _post(client: TestClient, outcome: str) -> int:
    headers = {"X-CSRF-Token": csrf_token(client, "/staff")}
    return int(client.post("/test/rename", params={"outcome": outcome}, headers=headers).status_code)


def test_a_route_that_returns_commits_its_change_with_its_audit_entry(
    app: FastAPI, world: World, renaming: TestClient
) -> None:
    assert _post(renaming, "ok") == 200
    assert _state(app, world) == (RENAMED, 1)


def test_a_route_that_raises_leaves_neither_the_change_nor_the_entry(
    app: FastAPI, world: World, renaming: TestClient
) -> None:
    before = _state(app, world)
    assert _post(renaming, "raise") == 409
    assert _state(app, world) == before


def test_a_refusal_discards_the_change_and_the_entry(app: FastAPI, world: World, renaming: TestClient) -> None:
    before = _state(app, world)
    assert _post(renaming, "discard") == 200
    assert _state(app, world) == before


def test_the_route_table_shows_the_audit_event_declared_next_to_the_policy(app: FastAPI, renaming: TestClient) -> None:
    row = next(r for r in route_table(app) if r.path == "/test/rename")
    assert (row.policy, row.audit) == ("staff-center", "update patient")
