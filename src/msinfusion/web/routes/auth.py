"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from msinfusion import passwords
from msinfusion.db import mfa as mfa_store
from msinfusion.db.models import User
from msinfusion.limits import BrowserText, max_chars
from msinfusion.web import second_factor, sessions, throttle
from msinfusion.web.dependencies import (
    AppSettings,
    Hasher,
    Now,
    Principal,
    dummy_hash,
)
from msinfusion.web.pages import render, safe_next
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)

WRONG_CREDENTIALS = "That username and password do not match. Please check them and try again."
THROTTLED = "Too many attempts. Please wait 15 minutes and try again, or ask the center for help."


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: Annotated[Principal | None, policy("public")], next: str = "/") -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    password_set = request.query_params.get("password") == "set"
    return render(request, "login.html", {"next": safe_next(next), "password_set": password_set})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[BrowserText, Form(max_length=max_chars("login.username"))],
    password: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("login", "user")],
    at: Now,
    settings: AppSettings,
    hasher: Hasher,
    next: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/",
) -> Response:
    name = username.strip().lower()
    address = request.client.host if request.client else "unknown"
    target = safe_next(next)

    # The slow password check runs outside any transaction, so on SQLite it holds no write lock:
    # read what it needs, check, then write, re-checking under the write lock what may have changed.
    with work.reading() as db:
        throttled = throttle.is_throttled(db, name, address, at, settings)
        stored_hash = db.scalar(select(User.password_hash).where(User.username == name))
    matches = False
    if not throttled:
        matches = passwords.verify(hasher, stored_hash or dummy_hash(request, hasher), password)
    if throttled or throttle.is_throttled(work.db, name, address, at, settings):
        throttle.record(work.db, name, address, at, success=False)
        work.audit(outcome="throttled", actor=None)
        context = {"next": target, "error": THROTTLED, "username": username.strip()}
        return render(request, "login.html", context, status_code=429)

    user = work.db.scalar(select(User).where(User.username == name))
    if user is not None and user.password_hash != stored_hash:
        matches = False  # the password changed while it was being checked
    if user is None or not matches or not user.is_active or user.locked_at is not None:
        throttle.record(work.db, name, address, at, success=False)
        if user is not None and matches is False:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_lock_after_failures and user.locked_at is None:
                user.locked_at = at
                sessions.end_all_for(work.db, user.id, at)
        work.audit(object_id=user.id if user else None, outcome="failed", actor=None)
        context = {
            "next": target,
            "error": WRONG_CREDENTIALS,
            "username": username.strip(),
        }  # kept: retype only the password
        return render(request, "login.html", context, status_code=400)

    user.failed_logins = 0
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    step = second_factor.required_step(work.db, user, settings)
    if step is not None:  # no session until the second factor is shown (ASVS 6.3.3)
        if step == "enrol":
            mfa_store.start_enrolment(work.db, user.id, at, settings.secret_key)
        work.audit(object_id=user.id, outcome="password_ok", actor=None, details={"next": step})
        response = RedirectResponse(f"/login/{step}?{urlencode({'next': target})}", status_code=303)
        second_factor.remember(response, request, user.id, step, at)
        return response
    token = sessions.start(work.db, user, at)
    throttle.record(work.db, name, address, at, success=True)
    principal = Principal(user.id, user.username, user.display_name, user.role, user.center_id, None)
    work.audit(object_id=user.id, actor=principal)
    response = RedirectResponse(target, status_code=303)
    sessions.set_cookie(response, token, settings)
    return response


@router.post("/logout")
def logout(
    request: Request,
    principal: Annotated[Principal, policy("authenticated")],
    work: Annotated[UnitOfWork, audited("logout", "user")],
    at: Now,
    settings: AppSettings,
) -> Response:
    sessions.end(work.db, request.state.session_token, at)
    work.audit(object_id=principal.user_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        sessions.cookie_name(settings), path="/", httponly=True, samesite="lax", secure=sessions.is_secure(settings)
    )
    return response
