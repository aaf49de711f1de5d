"""Headers on every response, and errors that are problem+json under /api/ with no stack trace."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from msinfusion.settings import Settings, UnsafeSettings
from msinfusion.web import create_app
from msinfusion.web.policies import policy
from tests.web.web_world import TestClient, World, sign_in


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    def boom(_principal: object = policy("public")) -> None:
        raise RuntimeError("secret internals /srv/app.py line 42")

    app.add_api_route("/api/boom", boom, methods=["GET"])
    app.add_api_route("/boom", boom, methods=["GET"])
    return app


@pytest.mark.parametrize("path", ["/login", "/api/health", "/api/nowhere", "/nowhere", "/static/app.css"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "x-request-id" in headers
    assert headers["cache-control"] == ("public, max-age=3600" if path.startswith("/static/") else "no-store")
    assert "strict-transport-security" not in headers  # plain HTTP in tests


def test_production_adds_hsts_and_secure_host_only_cookies(settings_sqlite: Settings) -> None:
    settings = settings_sqlite.model_copy(
        update={"environment": "production", "secret_key": "x" * 40, "proxy_headers": True}
    )
    client = TestClient(create_app(settings), base_url="https://testserver")
    response = client.get("/login")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-msi_pre=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_api_errors_are_problem_json(client: TestClient, world: World) -> None:
    missing = client.get("/api/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and missing.json()["title"] == "Not Found"
    anonymous = client.get("/api/me")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == "application/problem+json"


def test_server_errors_show_no_internals(failing_app: FastAPI) -> None:
    client = TestClient(failing_app, raise_server_exceptions=False)
    api = client.get("/api/boom")
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in api.text and "Traceback" not in api.text
    assert "content-security-policy" in api.headers
    page = client.get("/boom")
    assert page.status_code == 500
    assert "secret internals" not in page.text and "Traceback" not in page.text


def test_pages_escape_what_users_typed(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a", '"><script>alert(1)</script>')
    response = client.get('/login?next="><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in response.text


def test_signed_in_pages_are_not_cached(client: TestClient, world: World) -> None:
    sign_in(client, "patient_a1")
    assert client.get("/patient").headers["cache-control"] == "no-store"


def test_the_app_factory_refuses_unsafe_production_settings(settings_sqlite: Settings) -> None:
    unsafe = settings_sqlite.model_copy(update={"environment": "production"})  # test secret, no TLS, no proxy
    with pytest.raises(UnsafeSettings, match="HTTPS"):
        create_app(unsafe)
    with pytest.raises(UnsafeSettings, match="MSINFUSION_DEBUG"):
        create_app(unsafe.model_copy(update={"debug": True, "proxy_headers": True, "secret_key": "x" * 40}))
