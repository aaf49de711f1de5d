"""Admins invite, reset, disable and unlock accounts; a one-time link sets the password and is stored hashed."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select

from msinfusion.db import calendar_feeds
from msinfusion.db.account_models import PasswordLink
from msinfusion.db.models import AuditEvent, Patient, User
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

NEW_PASSWORD = "lantern-orchard-violet-42"


@pytest.fixture
def admin(client: TestClient, world: World) -> TestClient:
    assert sign_in(client, "admin_a").status_code == 303
    client.follow_redirects = False
    return client


def _post(client: TestClient, url: str, **data: str) -> Response:
    response: Response = client.post(url, data={"csrf_token": csrf_token(client, "/staff/users"), **data})
    return response


def _link_path(response: Response) -> str:
    match = re.search(r'id="link" class="link-box" type="text" readonly value="http://testserver(/set-password/[^"]+)"',
                      response.text)  # fmt: skip
    assert match, "the link is shown once, on the page that made it"
    return match.group(1)


def _set_password(app: FastAPI, path: str, password: str = NEW_PASSWORD, confirm: str | None = None) -> int:
    person = TestClient(app, follow_redirects=False)
    assert person.get(path).status_code in (200, 404)
    response = person.post(path, data={"csrf_token": csrf_token(person, "/login"),
                                       "password": password, "confirm": confirm or password})  # fmt: skip
    return int(response.status_code)


def _audit_actions(app: FastAPI) -> list[tuple[str, str, str]]:
    with app.state.database.session() as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")).all()
        return [(row.action, row.outcome, row.object_id or "") for row in rows]


def test_an_admin_invites_a_patient_linked_to_their_record_who_then_signs_in(
    app: FastAPI, admin: TestClient, world: World
) -> None:
    with app.state.database.session() as db:
        db.add(Patient(center_id=world.centers["a"], reference="PA9", display_name="Patient A9", card={}))
    response = _post(admin, "/staff/users/invite", username="Rosa.M", display_name="Rosa M", role="patient",
                     patient_reference="PA9")  # fmt: skip
    assert response.status_code == 200
    path = _link_path(response)
    token = path.removeprefix("/set-password/")
    with app.state.database.session() as db:
        user = db.scalar(select(User).where(User.username == "rosa.m"))
        assert user is not None and user.role == "patient"
        assert db.scalar(select(Patient.user_id).where(Patient.reference == "PA9")) == user.id
        assert db.scalars(select(PasswordLink.token_hash)).all() == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in admin.get("/staff/users").text  # shown once only
    assert sign_in(TestClient(app), "rosa.m", "anything-at-all-long").status_code == 400  # no password yet

    assert _set_password(app, path) == 303
    patient = TestClient(app)
    assert sign_in(patient, "rosa.m", NEW_PASSWORD).status_code == 303
    assert patient.get("/api/me").json()["patient_id"] is not None
    assert ("invite", "ok", str(user.id)) in _audit_actions(app)
    assert ("update", "ok", str(user.id)) in _audit_actions(app)


def test_a_link_works_once(app: FastAPI, admin: TestClient, world: World) -> None:
    path = _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))
    assert _set_password(app, path) == 303
    assert _set_password(app, path, "another-long-password-1") == 404
    assert sign_in(TestClient(app), "nurse_a", NEW_PASSWORD).status_code == 303


def test_a_link_expires(app: FastAPI, admin: TestClient, world: World, clock: FakeClock) -> None:
    path = _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))
    clock.advance(hours=app.state.settings.password_link_hours, seconds=1)
    assert TestClient(app).get(path).status_code == 404
    assert _set_password(app, path) == 404


def test_a_newer_link_turns_the_older_one_off(app: FastAPI, admin: TestClient, world: World) -> None:
    first = _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))
    second = _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))
    assert _set_password(app, first) == 404
    assert _set_password(app, second) == 303


def test_the_new_password_follows_the_password_rules(app: FastAPI, admin: TestClient, world: World) -> None:
    path = _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))
    assert _set_password(app, path, "short") == 422
    assert _set_password(app, path, NEW_PASSWORD, "something-else-entirely") == 422
    assert _set_password(app, path) == 303  # the refused tries did not use the link up


def test_setting_a_password_ends_every_session_of_the_account(app: FastAPI, admin: TestClient, world: World) -> None:
    nurse = TestClient(app, follow_redirects=False)
    assert sign_in(nurse, "nurse_a").status_code == 303
    assert nurse.get("/api/me").status_code == 200
    assert _set_password(app, _link_path(_post(admin, f"/staff/users/{world.users['nurse_a']}/reset"))) == 303
    assert nurse.get("/api/me").status_code == 401


def test_disabling_ends_sessions_calendar_feeds_and_open_links(app: FastAPI, admin: TestClient, world: World) -> None:
    patient = TestClient(app, follow_redirects=False)
    assert sign_in(patient, "patient_a1").status_code == 303
    with app.state.database.session() as db:
        feed, _row = calendar_feeds.issue(db, world.patients["a1"], app.state.clock())
    assert TestClient(app).get(f"/feeds/{feed}.ics").status_code == 200
    link = _link_path(_post(admin, f"/staff/users/{world.users['patient_a1']}/reset"))

    response = _post(admin, f"/staff/users/{world.users['patient_a1']}/disable")
    assert response.status_code == 303
    assert patient.get("/api/me").status_code == 401
    assert TestClient(app).get(f"/feeds/{feed}.ics").status_code == 404
    assert _set_password(app, link) == 404
    assert sign_in(TestClient(app), "patient_a1").status_code == 400
    assert ("disable", "ok", str(world.users["patient_a1"])) in _audit_actions(app)


def test_an_admin_unlocks_a_locked_account(app: FastAPI, admin: TestClient, world: World, clock: FakeClock) -> None:
    with app.state.database.session() as db:
        user = db.get(User, world.users["nurse_a"])
        assert user is not None
        user.locked_at, user.failed_logins = clock(), 50
    assert sign_in(TestClient(app), "nurse_a").status_code == 400
    assert "Unlock nurse_a" in admin.get("/staff/users").text
    assert _post(admin, f"/staff/users/{world.users['nurse_a']}/unlock").status_code == 303
    assert sign_in(TestClient(app), "nurse_a").status_code == 303
    assert ("unlock", "ok", str(world.users["nurse_a"])) in _audit_actions(app)


def test_refused_invitations_say_why_and_change_nothing(app: FastAPI, admin: TestClient, world: World) -> None:
    taken = _post(admin, "/staff/users/invite", username="nurse_a", display_name="Someone", role="nurse")
    assert taken.status_code == 422 and "is taken" in taken.text
    other_center = _post(admin, "/staff/users/invite", username="newbie", display_name="New", role="patient",
                         patient_reference="PB1")  # fmt: skip
    assert other_center.status_code == 422 and "no patient with reference" in other_center.text
    already = _post(admin, "/staff/users/invite", username="newbie", display_name="New", role="patient",
                    patient_reference="PA1")  # fmt: skip
    assert already.status_code == 422 and "already has an account" in already.text
    with app.state.database.session() as db:
        assert db.scalar(select(User).where(User.username == "newbie")) is None
        assert db.scalars(select(PasswordLink)).all() == []


def test_an_admin_cannot_disable_their_own_account(app: FastAPI, admin: TestClient, world: World) -> None:
    response = _post(admin, f"/staff/users/{world.users['admin_a']}/disable")
    assert response.status_code == 422
    assert admin.get("/api/me").status_code == 200


def test_the_accounts_page_lists_only_this_centers_accounts(admin: TestClient) -> None:
    page = admin.get("/staff/users").text
    assert "nurse_a" in page and "patient_a1" in page and "PA1" in page
    assert "nurse_b" not in page


def test_the_sign_in_page_promises_only_what_exists(client: TestClient) -> None:
    page = client.get("/login").text
    assert "administrator" in page and "link to set a new password" in page
    assert "reset it for you" not in page
    assert "Your password is set" in client.get("/login?password=set").text


def test_a_spanish_speaking_patient_sets_a_password_in_spanish(app: FastAPI, admin: TestClient, world: World) -> None:
    with app.state.database.session() as db:
        db.add(Patient(center_id=world.centers["a"], reference="PA8", display_name="Lucía", locale="es", card={}))
    path = _link_path(_post(admin, "/staff/users/invite", username="lucia", display_name="Lucía", role="patient",
                            patient_reference="PA8"))  # fmt: skip
    page = TestClient(app).get(path)
    assert '<html lang="es">' in page.text and "Elija su contraseña" in page.text
    assert _set_password(app, path, "corto", "corto") == 422
    assert _set_password(app, path) == 303
