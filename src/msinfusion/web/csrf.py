"""CSRF defence for every unsafe request, sign-in included (ASVS 3.5).

The token is an HMAC of a per-browser secret: the sign-in session token once signed in, before that a
random pre-session nonce kept in its own HttpOnly cookie. Unsafe requests must carry the token (form
field or ``X-CSRF-Token`` header) and must not come from another site (``Sec-Fetch-Site``/``Origin``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msinfusion.settings import Settings
from msinfusion.web.dependencies import app_settings
from msinfusion.web.sessions import is_secure

FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def pre_session_cookie_name(settings: Settings) -> str:
    return "__Host-msi_pre" if is_secure(settings) else "msi_pre"


def cookie_header(name: str, value: str, settings: Settings, *, max_age: int | None = None) -> str:
    """A Set-Cookie value: host-only, Path=/, HttpOnly, SameSite=Lax, Secure outside development."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if is_secure(settings):
        parts.append("Secure")
    return "; ".join(parts)


def _sign(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), binding.encode(), hashlib.sha256).hexdigest()


def expected_token(request: Request) -> str:
    """The token this browser must send back with unsafe requests."""
    settings = app_settings(request)
    session_token = getattr(request.state, "session_token", None)
    if session_token:
        return _sign(settings.secret_key, "session:" + session_token)
    return _sign(settings.secret_key, "pre:" + request.state.pre_session)


async def check(request: Request) -> None:
    """Raise 403 unless an unsafe request is same-site and carries this browser's token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise HTTPException(403, "Cross-site request refused.")
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own:
        raise HTTPException(403, "Cross-origin request refused.")
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(FORM_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, expected_token(request)):
        raise HTTPException(403, "The form has expired or did not come from this site. Please try again.")


class PreSessionMiddleware:
    """Give every browser a random pre-session nonce cookie (the CSRF binding before sign-in)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.name = pre_session_cookie_name(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = _read_cookie(scope, self.name)
        fresh = nonce is None or len(nonce) != 43
        if fresh:
            nonce = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["pre_session"] = nonce
        header = cookie_header(self.name, str(nonce), self.settings).encode("latin-1")

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"set-cookie", header)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _read_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            if name in jar:
                return jar[name].value
    return None
