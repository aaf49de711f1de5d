"""CSRF: every unsafe request needs this browser's token and must come from this site (login included)."""

from __future__ import annotations

from sqlalchemy import func, select

from msinfusion.db.models import WebSession
from tests.web.web_world import PASSWORD, TestClient, World, csrf_token, sign_in


def _login(client: TestClient, token: str | None, **headers: str) -> int:
    data = {"username": "nurse_a", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    return int(client.post("/login", data=data, headers=headers, follow_redirects=False).status_code)


def _sessions(client: TestClient) -> int:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        return db.scalar(select(func.count()).select_from(WebSession)) or 0


def test_login_without_a_token_is_refused(client: TestClient, world: World) -> None:
    csrf_token(client)
    assert _login(client, None) == 403
    assert _sessions(client) == 0


def test_login_with_another_browsers_token_is_refused(app: object, client: TestClient, world: World) -> None:
    other = TestClient(client.app)
    assert _login(client, csrf_token(other)) == 403
    assert _sessions(client) == 0


def test_cross_site_and_foreign_origin_requests_are_refused(client: TestClient, world: World) -> None:
    token = csrf_token(client)
    assert _login(client, token, origin="https://evil.example") == 403
    assert _login(client, token, **{"sec-fetch-site": "cross-site"}) == 403
    assert _sessions(client) == 0
    assert _login(client, token, origin="http://testserver", **{"sec-fetch-site": "same-origin"}) == 303


def test_signed_in_forms_need_the_session_bound_token(client: TestClient, world: World) -> None:
    before = csrf_token(client)
    sign_in(client, "nurse_a")
    after = csrf_token(client, "/staff")
    assert before != after  # the token changes with the session
    assert client.post("/logout", data={"csrf_token": before}, follow_redirects=False).status_code == 403
    assert client.get("/api/me").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": after}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_api_requests_can_send_the_token_in_a_header(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    token = csrf_token(client, "/staff")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False).status_code == 303


def test_get_never_signs_out(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    assert client.get("/logout").status_code == 405
    assert client.get("/api/me").status_code == 200
