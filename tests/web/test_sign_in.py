"""Signing in and out through the forms, and the session cookie that results."""

from __future__ import annotations

from sqlalchemy import select

from msinfusion.db.models import User, WebSession
from msinfusion.settings import Settings
from msinfusion.web import create_app
from msinfusion.web.sessions import hash_token
from tests.web.web_world import PASSWORD, FakeClock, TestClient, World, csrf_token, sign_in


def test_staff_sign_in_lands_on_the_staff_home(client: TestClient, world: World) -> None:
    response = sign_in(client, "scheduler_a")
    assert response.status_code == 303
    page = client.get("/", follow_redirects=True)
    assert page.url.path == "/staff"
    assert "Staff home" in page.text


def test_patient_sign_in_lands_on_my_plan(client: TestClient, world: World) -> None:
    sign_in(client, "patient_a1")
    page = client.get("/", follow_redirects=True)
    assert page.url.path == "/patient"
    assert "My plan" in page.text


def test_username_is_case_and_space_insensitive(client: TestClient, world: World) -> None:
    assert sign_in(client, "  Nurse_A ").status_code == 303


def test_session_cookie_is_httponly_lax_host_only_and_not_secure_in_tests(client: TestClient, world: World) -> None:
    response = sign_in(client, "nurse_a")
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "msi_session" in v)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert "secure" not in attributes


def test_each_sign_in_gets_a_new_session_id(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    first = client.cookies["msi_session"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/staff")}, follow_redirects=False)
    sign_in(client, "nurse_a")
    assert client.cookies["msi_session"] != first
    assert len(first) >= 43  # 256 random bits, url-safe base64


def test_only_the_hash_of_the_session_id_is_stored(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    token = client.cookies["msi_session"]
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        stored = db.scalars(select(WebSession.id_hash)).all()
    assert stored == [hash_token(token)]
    assert token not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient, world: World) -> None:
    wrong = sign_in(client, "nurse_a", "not-the-password-at-all")
    unknown = sign_in(client, "nobody_here", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 400

    def strip(text: str) -> str:
        return text.split('name="csrf-token"')[0]

    assert strip(wrong.text) == strip(unknown.text)


def test_sign_out_ends_the_session_on_the_server(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    token = client.cookies["msi_session"]
    assert (
        client.post("/logout", data={"csrf_token": csrf_token(client, "/staff")}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set("msi_session", token)  # replay the old cookie
    assert client.get("/api/me").status_code == 401
    assert client.get("/staff", follow_redirects=False).headers["location"].startswith("/login")


def test_idle_session_ends(client: TestClient, world: World, clock: FakeClock) -> None:
    sign_in(client, "nurse_a")
    clock.advance(minutes=29)
    assert client.get("/api/me").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/api/me").status_code == 200  # activity keeps it alive
    clock.advance(minutes=31)
    assert client.get("/api/me").status_code == 401


def test_session_ends_after_the_absolute_limit_even_when_active(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    sign_in(client, "nurse_a")
    for _ in range(21):
        clock.advance(minutes=29)
        client.get("/api/me")
    assert client.get("/api/me").status_code == 401


def test_disabling_an_account_ends_its_sessions(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        db.get(User, world.users["nurse_a"]).is_active = False
    assert client.get("/api/me").status_code == 401
    assert sign_in(client, "nurse_a").status_code == 400


def test_sign_in_redirects_only_to_local_pages(client: TestClient, world: World) -> None:
    token = csrf_token(client)
    for target, expected in (("/staff/patients", "/staff/patients"), ("https://evil.example/", "/"), ("//evil", "/")):
        response = client.post(
            "/login",
            data={"username": "nurse_a", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected
        client.cookies.delete("msi_session")


def test_a_password_changed_while_it_is_being_checked_does_not_sign_in(
    client: TestClient, world: World, monkeypatch: object
) -> None:
    from msinfusion import passwords

    database = client.app.state.database  # type: ignore[attr-defined]
    real_verify = passwords.verify

    def verify_then_change(hasher: object, stored: str, password: str) -> bool:
        matched: bool = real_verify(hasher, stored, password)  # type: ignore[arg-type]
        with database.session() as db:  # an admin resets the password meanwhile
            db.scalar(select(User).where(User.username == "nurse_a")).password_hash = "$argon2id$reset"
        return matched

    monkeypatch.setattr(passwords, "verify", verify_then_change)  # type: ignore[attr-defined]
    assert sign_in(client, "nurse_a").status_code == 400


def test_signing_in_upgrades_a_hash_made_with_an_older_cost(
    settings_sqlite: Settings, client: TestClient, world: World
) -> None:
    stronger = settings_sqlite.model_copy(update={"argon2_time_cost": 2})
    app = create_app(stronger)
    with app.state.database.session() as db:
        before = db.scalar(select(User.password_hash).where(User.username == "nurse_a"))
    assert sign_in(TestClient(app), "nurse_a").status_code == 303
    with app.state.database.session() as db:
        after = db.scalar(select(User.password_hash).where(User.username == "nurse_a"))
    assert before is not None and after is not None
    assert ",t=1," in before and ",t=2," in after
