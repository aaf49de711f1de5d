"""Behind a TLS proxy: X-Forwarded-* is believed from trusted proxies only, so the CSRF origin check sees
the browser's own origin and sign-in throttling keys on the real client, not the proxy's address."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_network

import pytest
from fastapi import FastAPI

from msinfusion.settings import Settings
from msinfusion.web import create_app
from msinfusion.web.proxy import client_address, is_trusted
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in

PROXIES = (ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32"))
ORIGIN = "https://infusion.example.org"


@pytest.fixture
def proxied_app(settings_sqlite: Settings, clock: FakeClock) -> FastAPI:
    settings = settings_sqlite.model_copy(update={"proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8"})
    return create_app(settings, clock=clock)


@pytest.fixture
def proxied_world(proxied_app: FastAPI) -> World:
    return build_world(proxied_app.state.database, proxied_app.state.settings)


def _client(app: FastAPI, peer: str, real_client: str | None = None) -> Iterator[TestClient]:
    """A browser at ``real_client`` reaching the app through a TLS proxy at ``peer`` (https, own host)."""
    headers = {"x-forwarded-proto": "https", "x-forwarded-host": "infusion.example.org", "origin": ORIGIN}
    if real_client is not None:
        headers["x-forwarded-for"] = real_client
    with TestClient(app, client=(peer, 40000), base_url="http://10.0.0.2:8000", headers=headers) as client:
        yield client


def test_the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy() -> None:
    assert client_address("203.0.113.7", "10.0.0.1", PROXIES) == "203.0.113.7"
    assert client_address("198.51.100.1, 203.0.113.7, 10.0.0.5", "10.0.0.1", PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.9, 10.0.0.5", "10.0.0.1", PROXIES) == "10.0.0.9"
    assert client_address("", "10.0.0.1", PROXIES) == "10.0.0.1"


def test_only_ip_addresses_inside_the_trusted_networks_are_trusted() -> None:
    assert is_trusted("10.20.30.40", PROXIES) and is_trusted("127.0.0.1", PROXIES)
    assert not is_trusted("192.168.1.1", PROXIES)
    assert not is_trusted("testclient", PROXIES) and not is_trusted(None, PROXIES)


def test_proxies_are_trusted_only_when_proxy_headers_is_on() -> None:
    assert Settings(forwarded_allow_ips="10.0.0.0/8").trusted_proxies == ()
    assert Settings(proxy_headers=True, forwarded_allow_ips="10.0.0.0/8, ::1").trusted_proxies == (
        ip_network("10.0.0.0/8"),
        ip_network("::1/128"),
    )


def test_a_sign_in_through_a_trusted_tls_proxy_passes_the_origin_check(
    proxied_app: FastAPI, proxied_world: World
) -> None:
    for client in _client(proxied_app, "10.0.0.1", "203.0.113.7"):
        response = sign_in(client, "nurse_a")
        assert response.status_code == 303, response.text


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(proxied_app: FastAPI, proxied_world: World) -> None:
    for client in _client(proxied_app, "192.168.1.50", "203.0.113.7"):
        response = sign_in(client, "nurse_a")
        assert response.status_code == 403  # its claimed https origin does not match what it reached


def test_the_same_proxy_headers_are_ignored_when_proxy_headers_is_off(app: FastAPI, world: World) -> None:
    for client in _client(app, "10.0.0.1", "203.0.113.7"):
        assert sign_in(client, "nurse_a").status_code == 403


def test_one_attacker_behind_the_proxy_does_not_lock_out_everyone_else(
    proxied_app: FastAPI, proxied_world: World
) -> None:
    for attacker in _client(proxied_app, "10.0.0.1", "203.0.113.66"):
        for index in range(50):
            sign_in(attacker, f"guess{index}", "wrong-password-here")
        assert sign_in(attacker, "nurse_a").status_code == 429
    for colleague in _client(proxied_app, "10.0.0.1", "198.51.100.20"):
        assert sign_in(colleague, "nurse_a").status_code == 303


def test_a_client_cannot_escape_the_throttle_by_forging_x_forwarded_for(
    proxied_app: FastAPI, proxied_world: World
) -> None:
    for index in range(50):
        for attacker in _client(proxied_app, "10.0.0.1", f"198.51.100.{index}, 203.0.113.66"):
            sign_in(attacker, f"guess{index}", "wrong-password-here")
    for attacker in _client(proxied_app, "10.0.0.1", "1.2.3.4, 203.0.113.66"):
        assert sign_in(attacker, "nurse_a").status_code == 429


def test_the_request_url_is_the_one_the_browser_used(proxied_app: FastAPI, proxied_world: World) -> None:
    for client in _client(proxied_app, "10.0.0.1", "203.0.113.7"):
        token = csrf_token(client)
        assert token
        page = client.get("/login")
        assert page.status_code == 200
