"""Signing in with a second factor: required in production for schedulers and admins, offered to others;
no session before the code; codes single-use and throttled; recovery codes work once; reset keeps MFA."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select

from msinfusion.db.account_models import RecoveryCode, TotpFactor
from msinfusion.db.models import AuditEvent
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def prod_app(settings_sqlite: Settings, clock: FakeClock) -> FastAPI:
    settings = settings_sqlite.model_copy(
        update={"environment": "production", "secret_key": "m" * 40, "proxy_headers": True}
    )
    return create_app(settings, clock=clock)


@pytest.fixture
def prod_world(prod_app: FastAPI) -> World:
    return build_world(prod_app.state.database, prod_app.state.settings)


def _browser_now(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def _post(client: TestClient, url: str, page: str, **data: str) -> Response:
    response: Response = client.post(url, data={"csrf_token": csrf_token(client, page), **data})
    return response


def _enrol(app: FastAPI, clock: FakeClock, username: str = "scheduler_a") -> tuple[TestClient, pyotp.TOTP, list[str]]:
    """Sign in with the password, read the key from the enrolment page, confirm it; returns the signed-in
    browser, the authenticator, and the recovery codes shown."""
    client = _browser_now(app)
    response = sign_in(client, username)
    assert response.status_code == 303 and response.headers["location"].startswith("/login/enrol")
    page = client.get("/login/enrol")
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page.text)
    assert key, "the enrolment page shows the key for typing by hand"
    totp = pyotp.TOTP(key.group(1).replace(" ", ""))
    done = _post(client, "/login/enrol", "/login/enrol", code=totp.at(clock()))
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    return client, totp, codes


def _password_step(app: FastAPI, username: str = "scheduler_a") -> TestClient:
    client = _browser_now(app)
    response = sign_in(client, username)
    assert response.status_code == 303 and response.headers["location"].startswith("/login/code")
    return client


def test_in_production_a_scheduler_has_no_session_until_enrolled(
    prod_app: FastAPI, prod_world: World, clock: FakeClock
) -> None:
    client = _browser_now(prod_app)
    assert sign_in(client, "scheduler_a").headers["location"] == "/login/enrol?next=%2F"
    assert client.get("/api/me").status_code == 401
    assert client.get("/staff").status_code == 303  # to the sign-in page
    client, _totp, _codes = _enrol(prod_app, clock)
    assert client.get("/api/me").json()["username"] == "scheduler_a"


def test_later_sign_ins_need_a_fresh_code_and_refuse_a_replayed_one(
    prod_app: FastAPI, prod_world: World, clock: FakeClock
) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    used = totp.at(clock())
    client = _password_step(prod_app)
    assert client.get("/api/me").status_code == 401
    assert _post(client, "/login/code", "/login/code", code=used).status_code == 400  # same step: replay
    clock.advance(seconds=30)
    assert _post(client, "/login/code", "/login/code", code=totp.at(clock())).status_code == 303
    assert client.get("/api/me").status_code == 200


def test_a_code_two_steps_old_is_refused(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    clock.advance(minutes=5)
    client = _password_step(prod_app)
    stale = totp.at(clock() - timedelta(seconds=60))
    assert _post(client, "/login/code", "/login/code", code=stale).status_code == 400


def test_a_recovery_code_works_once(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _client, _totp, codes = _enrol(prod_app, clock)
    first = _password_step(prod_app)
    assert _post(first, "/login/code", "/login/code", code=codes[0].upper()).status_code == 303
    second = _password_step(prod_app)
    assert _post(second, "/login/code", "/login/code", code=codes[0]).status_code == 400
    with prod_app.state.database.session() as db:
        stored = db.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(code in stored for code in codes)


def test_wrong_codes_are_throttled_like_wrong_passwords(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    clock.advance(seconds=30)
    client = _password_step(prod_app)
    for _ in range(prod_app.state.settings.login_attempts_per_15_minutes):
        assert _post(client, "/login/code", "/login/code", code="000000").status_code == 400
    assert _post(client, "/login/code", "/login/code", code=totp.at(clock())).status_code == 429
    with prod_app.state.database.session() as db:
        outcomes = db.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "login")).all()
    assert outcomes.count("failed") == 5 and "throttled" in outcomes


def test_the_key_is_stored_encrypted(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    with prod_app.state.database.session() as db:
        stored = db.scalars(select(TotpFactor.secret_encrypted)).all()
    assert len(stored) == 1 and totp.secret not in stored[0]


def test_the_half_signed_in_state_does_not_travel_to_another_browser(
    prod_app: FastAPI, prod_world: World, clock: FakeClock
) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    clock.advance(seconds=30)
    client = _password_step(prod_app)
    thief = _browser_now(prod_app)
    thief.cookies.set("__Host-msi_mfa", client.cookies["__Host-msi_mfa"], domain="testserver")
    assert thief.get("/login/code").status_code == 303
    assert _post(thief, "/login/code", "/login", code=totp.at(clock())).headers["location"] == "/login"
    assert thief.get("/api/me").status_code == 401


def test_the_half_signed_in_state_expires(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _client, totp, _codes = _enrol(prod_app, clock)
    client = _password_step(prod_app)
    clock.advance(minutes=6)
    assert _post(client, "/login/code", "/login/code", code=totp.at(clock())).headers["location"] == "/login"


def test_a_nurse_is_offered_not_forced_and_patients_never_asked(prod_app: FastAPI, prod_world: World) -> None:
    assert sign_in(_browser_now(prod_app), "nurse_a").headers["location"] == "/"
    assert sign_in(_browser_now(prod_app), "patient_a1").headers["location"] == "/"


def test_outside_production_nobody_is_forced(client: TestClient, world: World) -> None:
    assert sign_in(client, "scheduler_a").headers["location"] == "/"


def test_a_password_reset_keeps_the_second_factor(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    admin, _totp, _codes = _enrol(prod_app, clock, "admin_a")
    page = _post(admin, f"/staff/users/{prod_world.users['admin_a']}/reset", "/staff/users")
    link = re.search(r'readonly value="https://testserver(/set-password/[^"]+)"', page.text)
    assert link
    person = _browser_now(prod_app)
    new_password = "lantern-orchard-violet-42"
    done = _post(person, link.group(1), link.group(1), password=new_password, confirm=new_password)
    assert done.status_code == 303
    clock.advance(seconds=30)
    again = _browser_now(prod_app)
    assert sign_in(again, "admin_a", new_password).headers["location"].startswith("/login/code")


def test_a_nurse_turns_the_code_on_and_is_asked_for_it_next_time(
    prod_app: FastAPI, prod_world: World, clock: FakeClock
) -> None:
    nurse = _browser_now(prod_app)
    assert sign_in(nurse, "nurse_a").status_code == 303
    assert "Set up a sign-in code" in nurse.get("/account/mfa").text
    assert _post(nurse, "/account/mfa/start", "/account/mfa").status_code == 303
    page = nurse.get("/account/mfa")
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page.text)
    assert key and 'action="/account/mfa/confirm"' in page.text
    totp = pyotp.TOTP(key.group(1).replace(" ", ""))
    assert _post(nurse, "/account/mfa/confirm", "/account/mfa", code="000000").status_code == 400
    done = _post(nurse, "/account/mfa/confirm", "/account/mfa", code=totp.at(clock()))
    assert done.status_code == 200 and "Your recovery codes" in done.text
    assert "10 unused recovery codes" in nurse.get("/account/mfa").text
    clock.advance(seconds=30)
    _password_step(prod_app, "nurse_a")


def test_the_second_step_speaks_the_browsers_language(prod_app: FastAPI, prod_world: World, clock: FakeClock) -> None:
    _enrol(prod_app, clock)
    client = _password_step(prod_app)
    client.headers["Accept-Language"] = "es-MX,es;q=0.9"
    page = client.get("/login/code")
    assert '<html lang="es">' in page.text and "Escriba su código" in page.text
    assert 'action="/language"' in page.text  # the visible switch, as on the sign-in page
    wrong = _post(client, "/login/code", "/login/code", code="000000")
    assert wrong.status_code == 400 and "Ese código no funcionó." in wrong.text
    enrolling = _browser_now(prod_app)
    enrolling.headers["Accept-Language"] = "es"
    assert sign_in(enrolling, "admin_a").headers["location"].startswith("/login/enrol")
    enrol = enrolling.get("/login/enrol").text
    assert "Configure su código de inicio de sesión" in enrol and 'alt="Código QR para su aplicación' in enrol
