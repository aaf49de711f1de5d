"""The half-way state of a sign-in with a second factor: the password matched, the code is still due.

No session exists yet. A short-lived cookie says who passed the password and which step is next
("code", or "enrol" for a required role without a factor); it is signed with the app secret and bound
to this browser's pre-session nonce, so it cannot be forged or carried to another browser.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from fastapi import Request, Response
from sqlalchemy.orm import Session

from msinfusion.db import mfa as mfa_store
from msinfusion.db.models import STAFF_ROLES, User
from msinfusion.settings import Settings
from msinfusion.web.dependencies import app_settings
from msinfusion.web.sessions import is_secure

Step = Literal["code", "enrol"]
LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Pending:
    """Who passed the password, which step is next, and when."""

    user_id: int
    step: Step
    issued: int  # epoch seconds


def cookie_name(settings: Settings) -> str:
    return "__Host-msi_mfa" if is_secure(settings) else "msi_mfa"


def required_step(db: Session, user: User, settings: Settings) -> Step | None:
    """What must follow the password: a code when enrolled, enrolment when the role requires it, or nothing."""
    if user.role not in STAFF_ROLES:
        return None
    if mfa_store.is_enrolled(db, user.id):
        return "code"
    return "enrol" if settings.requires_mfa(user.role) else None


def _sign(request: Request, body: str) -> str:
    binding = f"mfa:{request.state.pre_session}:{body}"
    return hmac.new(app_settings(request).secret_key.encode(), binding.encode(), hashlib.sha256).hexdigest()


def remember(response: Response, request: Request, user_id: int, step: Step, now: datetime) -> None:
    """Set the pending cookie on ``response``."""
    settings = app_settings(request)
    body = f"{user_id}.{step}.{int(now.timestamp())}"
    response.set_cookie(
        cookie_name(settings),
        f"{body}.{_sign(request, body)}",
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_secure(settings),
    )


def pending(request: Request, now: datetime) -> Pending | None:
    """The pending sign-in of this browser, if the cookie is genuine and fresh."""
    raw = request.cookies.get(cookie_name(app_settings(request)), "")
    parts = raw.split(".")
    if len(parts) != 4 or not parts[0].isdigit() or parts[1] not in ("code", "enrol") or not parts[2].isdigit():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(request, body)):
        return None
    issued = int(parts[2])
    if not 0 <= now.timestamp() - issued <= LIFETIME.total_seconds():
        return None
    step: Step = "code" if parts[1] == "code" else "enrol"
    return Pending(int(parts[0]), step, issued)


def forget(response: Response, request: Request) -> None:
    """Remove the pending cookie (the sign-in finished or was abandoned)."""
    settings = app_settings(request)
    response.delete_cookie(cookie_name(settings), path="/", httponly=True, samesite="lax", secure=is_secure(settings))
