"""The packaged server in production mode, as a center runs it: behind a real TLS-terminating nginx on
127.0.0.1 with two web workers, and serving TLS itself. A browser signs in (an admin: password, then
enrolling the required second factor), records a change and signs out.

Uses Debian's nginx (``make browser-deps`` installs it) and a self-signed certificate made with openssl.
Without nginx or openssl the tests skip locally and FAIL when ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from msinfusion.db import Database
from msinfusion.settings import Settings
from tests.web.web_world import FAST, PASSWORD, build_world

NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl")
MSINFUSION = Path(sys.executable).with_name("msinfusion")

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def _need(tool: Path | str | None, what: str) -> None:
    if tool is None or not Path(tool).exists():
        message = f"{what} is missing (make browser-deps installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, *, tls: bool, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Wait until ``port`` accepts a connection (a TLS handshake when ``tls``)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if tls:
                    with context.wrap_socket(sock, server_hostname="127.0.0.1"):
                        return
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    _need(OPENSSL, "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def production_env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """The environment of a production server on a seeded SQLite copy (cheap Argon2 for speed)."""
    target = tmp_path / "served.sqlite3"
    shutil.copyfile(sqlite_template, target)
    url = f"sqlite:///{target}"
    database = Database.connect(url)
    build_world(database, Settings(database_url=url, **FAST), now=datetime.now(UTC))
    database.dispose()
    env = {key: value for key, value in os.environ.items() if not key.startswith("MSINFUSION_")}
    env.update(
        DATABASE_URL=url,
        MSINFUSION_ENVIRONMENT="production",
        MSINFUSION_SECRET_KEY="served-over-tls-" + "s" * 32,
        MSINFUSION_ARGON2_TIME_COST="1",
        MSINFUSION_ARGON2_MEMORY_KIB="256",
        MSINFUSION_ARGON2_PARALLELISM="1",
    )
    return env


def _serve(env: dict[str, str], tmp_path: Path, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    with (tmp_path / f"serve-{port}.log").open("wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [str(MSINFUSION), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, port


@pytest.fixture
def behind_nginx(production_env: dict[str, str], certificate: tuple[Path, Path], tmp_path: Path) -> Iterator[str]:
    """Two web workers on plain HTTP, trusting only nginx on 127.0.0.1, which terminates TLS."""
    _need(NGINX, str(NGINX))
    app, upstream = _serve(
        production_env, tmp_path, "--workers", "2", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"
    )
    port = _free_port()
    (tmp_path / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp_path, port=port, upstream=upstream))
    proxy = subprocess.Popen(
        [str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(upstream, tls=False, process=app)
        _wait_for(port, tls=True, process=proxy)
        yield f"https://127.0.0.1:{port}"
    finally:
        _stop(proxy)
        _stop(app)


@pytest.fixture
def direct_tls(production_env: dict[str, str], certificate: tuple[Path, Path], tmp_path: Path) -> Iterator[str]:
    """The server terminating TLS itself with the certificate."""
    cert, key = certificate
    app, port = _serve(production_env, tmp_path, "--ssl-certfile", str(cert), "--ssl-keyfile", str(key))
    try:
        _wait_for(port, tls=True, process=app)
        yield f"https://127.0.0.1:{port}"
    finally:
        _stop(app)


def _sign_in_record_and_sign_out(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, ignore_https_errors=True)
    page: Page = context.new_page()
    try:
        page.goto("/login")
        assert page.url.startswith("https://")
        page.fill("#username", "admin_a")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/enrol**")  # admins need a second factor in production
        totp = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Turn on").click()
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url("**/staff")
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        session = cookies["__Host-msi_session"]
        assert session["secure"] and session["httpOnly"]
        page.goto("/staff/catalog/ocrelizumab-iv")
        page.focus("#field")
        page.select_option("#field", "infusions.initial.volume_ml")
        page.keyboard.press("Tab")
        page.keyboard.type("300")
        page.keyboard.press("Tab")
        page.keyboard.type("Bag size over TLS")
        page.keyboard.press("Tab")  # the clinician's reason (not needed for a bag size)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/staff/catalog/ocrelizumab-iv#history")
        assert "Bag size over TLS" in page.locator("#history + .table-wrap").inner_text()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login")
    finally:
        context.close()


def test_a_browser_signs_in_and_works_through_a_tls_proxy(browser: Browser, behind_nginx: str) -> None:
    _sign_in_record_and_sign_out(browser, behind_nginx)


def test_a_browser_signs_in_and_works_over_direct_tls(browser: Browser, direct_tls: str) -> None:
    _sign_in_record_and_sign_out(browser, direct_tls)


def test_a_scheduler_enrols_a_second_factor_and_signs_in_with_it(
    browser: Browser, direct_tls: str, axe: Callable[[Page], None]
) -> None:
    context = browser.new_context(base_url=direct_tls, ignore_https_errors=True)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", "scheduler_a")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/enrol**")
        axe(page)
        _shot(page, "mfa-enrol")
        totp = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Turn on").click()
        page.wait_for_selector("h1:has-text('Your recovery codes')")
        axe(page)
        _shot(page, "mfa-recovery")
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url("**/staff")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login")

        page.fill("#username", "scheduler_a")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/code**")
        axe(page)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/staff")
    finally:
        context.close()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("MSINFUSION_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
