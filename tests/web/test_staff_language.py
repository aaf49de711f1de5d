"""Staff pages speak the staff member's language: the browser's until they choose one on the account,
then the account's, wherever they sign in; words built in Python (notices, errors, names) follow it."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.models import AuditEvent, User
from tests.web.web_world import TestClient, World, csrf_token, sign_in


def _signed_in(app: FastAPI, username: str, accept_language: str) -> TestClient:
    client = TestClient(app, headers={"Accept-Language": accept_language})
    assert sign_in(client, username).status_code == 303
    return client


def test_staff_pages_follow_the_browser_until_the_account_has_a_language(app: FastAPI, world: World) -> None:
    spanish = _signed_in(app, "nurse_a", "es-ES,es;q=0.9").get("/staff")
    assert '<html lang="es">' in spanish.text
    assert (
        ">Pacientes<" in spanish.text and ">Horario del día<" in spanish.text and "Inicio del personal" in spanish.text
    )
    english = _signed_in(app, "scheduler_a", "en-US").get("/staff/patients")
    assert '<html lang="en">' in english.text and "Patients of this center" in english.text


def test_a_staff_member_chooses_a_language_that_is_kept_on_the_account(app: FastAPI, world: World) -> None:
    client = _signed_in(app, "admin_a", "en")
    token = csrf_token(client, "/staff/users")
    response = client.post(
        "/account/language",
        data={"locale": "es", "back": "/staff/users?x=1", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/users?x=1"
    with app.state.database.session() as db:
        assert db.get_one(User, world.users["admin_a"]).locale == "es"
        audited = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "account_locale")).all()
        assert [(e.action, e.outcome) for e in audited] == [("update", "ok")]
    # Another browser, another day, an English browser: the account's choice wins.
    page = _signed_in(app, "admin_a", "en-US").get("/staff/users")
    assert '<html lang="es">' in page.text
    assert "Cuentas de este centro" in page.text and "Invitar a alguien" in page.text
    assert ">Enfermera<" in page.text and ">Administrador<" in page.text  # role names, not codes


def test_the_staff_switch_stays_on_staff_pages_and_takes_only_known_languages(app: FastAPI, world: World) -> None:
    client = _signed_in(app, "nurse_a", "en")
    token = csrf_token(client, "/staff")
    away = client.post(
        "/account/language",
        data={"locale": "en", "back": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/staff"
    unknown = client.post("/account/language", data={"locale": "fr", "csrf_token": token}, follow_redirects=False)
    assert unknown.status_code == 422


def test_every_staff_page_shows_the_switch_with_the_current_language_marked(app: FastAPI, world: World) -> None:
    page = _signed_in(app, "scheduler_a", "es").get("/staff/schedule?day=2027-03-08").text
    assert 'action="/account/language"' in page
    assert re.search(r'value="es" lang="es"[^>]*aria-current="true"', page)
    assert not re.search(r'value="en" lang="en"[^>]*aria-current="true"', page)


def test_account_problems_are_shown_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    client = _signed_in(app, "admin_a", "es")
    token = csrf_token(client, "/staff/users")
    data = {"username": "nurse_a", "display_name": "Otra", "role": "nurse", "csrf_token": token}
    page = client.post("/staff/users/invite", data=data)
    assert page.status_code == 422
    assert "El nombre de usuario &#39;nurse_a&#39; ya está en uso." in page.text


def test_a_closed_day_is_said_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    page = _signed_in(app, "scheduler_a", "es").get("/staff/schedule?day=2027-03-09")  # a Tuesday: closed
    assert "Center A está cerrado el martes, 9 de marzo de 2027." in page.text
    english = _signed_in(app, "nurse_a", "en").get("/staff/schedule?day=2027-03-09")
    assert "Center A is closed on Tuesday, March 9, 2027." in english.text


def test_a_refused_record_is_explained_in_the_staff_members_language(app: FastAPI, world: World) -> None:
    client = _signed_in(app, "nurse_a", "es")
    page = f"/staff/patients/{world.patients['a1']}"
    data = {"dose_number": "1", "occurred_on": "2027-01-04", "csrf_token": csrf_token(client, page)}
    refused = client.post(f"/staff/prescriptions/{world.prescriptions['a1']}/reactions", data=data)
    assert refused.status_code == 422
    assert "La fecha de la reacción es anterior al inicio de esta prescripción." in refused.text
    assert "No se guardó." in refused.text
