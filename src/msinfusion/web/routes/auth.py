"""Sign-in and sign-out."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion import passwords
from msinfusion.db.database import begin_read_only
from msinfusion.db.models import User
from msinfusion.settings import Settings
from msinfusion.web import audit_trail, sessions, throttle
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(include_in_schema=False)

WRONG_CREDENTIALS = "That username and password do not match. Please check them and try again."
THROTTLED = "Too many attempts. Please wait 15 minutes and try again, or ask the center for help."


def safe_next(target: str) -> str:
    """Only local paths: never another site (open redirect) or a scheme-relative URL."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _dummy_hash(request: Request) -> str:
    # Verify against a real hash when the user is unknown so both cases take the same time.
    state = request.app.state
    if getattr(state, "dummy_hash", None) is None:
        state.dummy_hash = state.hasher.hash(secrets.token_urlsafe(16))
    value: str = state.dummy_hash
    return value


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", principal: Principal | None = policy("public")) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    _principal: Principal | None = policy("public"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    settings: Settings = request.app.state.settings
    name = username.strip().lower()
    address = request.client.host if request.client else "unknown"
    target = safe_next(next)

    # The slow password check runs outside any transaction, so on SQLite it holds no write lock:
    # read what it needs, check, then write, re-checking under the write lock what may have changed.
    begin_read_only(db)
    throttled = throttle.is_throttled(db, name, address, at, settings)
    stored_hash = db.scalar(select(User.password_hash).where(User.username == name))
    db.commit()
    hasher = request.app.state.hasher
    matches = False
    if not throttled:
        matches = passwords.verify(hasher, stored_hash or _dummy_hash(request), password)
    if throttled or throttle.is_throttled(db, name, address, at, settings):
        throttle.record(db, name, address, at, success=False)
        audit_trail.record(db, request, None, "login", "user", outcome="throttled")
        db.commit()
        return render(request, "login.html", {"next": target, "error": THROTTLED}, status_code=429)

    user = db.scalar(select(User).where(User.username == name))
    if user is not None and user.password_hash != stored_hash:
        matches = False  # the password changed while it was being checked
    if user is None or not matches or not user.is_active or user.locked_at is not None:
        throttle.record(db, name, address, at, success=False)
        if user is not None and matches is False:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_lock_after_failures and user.locked_at is None:
                user.locked_at = at
                sessions.end_all_for(db, user.id, at)
        audit_trail.record(db, request, None, "login", "user", object_id=user.id if user else None, outcome="failed")
        db.commit()
        return render(request, "login.html", {"next": target, "error": WRONG_CREDENTIALS}, status_code=400)

    user.failed_logins = 0
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    token = sessions.start(db, user, at)
    throttle.record(db, name, address, at, success=True)
    principal = Principal(user.id, user.username, user.display_name, user.role, user.center_id, None)
    audit_trail.record(db, request, principal, "login", "user", object_id=user.id)
    db.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        sessions.cookie_name(settings),
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=sessions.is_secure(settings),
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    principal: Principal = policy("authenticated"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    settings: Settings = request.app.state.settings
    sessions.end(db, request.state.session_token, at)
    audit_trail.record(db, request, principal, "logout", "user", object_id=principal.user_id)
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        sessions.cookie_name(settings), path="/", httponly=True, samesite="lax", secure=sessions.is_secure(settings)
    )
    return response
