"""The second step of signing in: a code from the authenticator app (or a recovery code), and enrolment
for roles that must have one. The session starts only after this step (ASVS 6.3.3, 6.5).

Wrong codes count like wrong passwords: throttled per account and address, and towards the account lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from msinfusion import mfa
from msinfusion.db import mfa as mfa_store
from msinfusion.db.models import User
from msinfusion.i18n import N_
from msinfusion.limits import BrowserText, max_chars
from msinfusion.settings import Settings
from msinfusion.web import second_factor, sessions, throttle
from msinfusion.web.dependencies import AppSettings, DbSession, Now, Principal
from msinfusion.web.pages import render, safe_next
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)

WRONG_CODE = N_("That code did not work. Check the time on your phone and try the newest code, or use a recovery code.")
THROTTLED = N_("Too many attempts. Please wait 15 minutes and try again, or ask your center's administrator.")


def _pending_user(db: Session, request: Request, at: datetime, step: str) -> User | None:
    """The user whose password just matched, if this browser's pending sign-in is for ``step`` and still good."""
    found = second_factor.pending(request, at)
    if found is None or found.step != step:
        return None
    user = db.get(User, found.user_id)
    if user is None or not user.is_active or user.locked_at is not None:
        return None
    if user.password_changed_at.timestamp() > found.issued:
        return None  # the password changed since: start again
    return user


def _enrol_context(db: Session, user: User, settings: Settings) -> dict[str, Any]:
    found = mfa_store.factor(db, user.id)
    assert found is not None
    secret = mfa_store.secret_of(found, settings.secret_key)
    return {
        "key": mfa.grouped(secret),
        "qr": mfa.qr_svg_data_uri(mfa.provisioning_uri(secret, user.username)),
        "issuer": mfa.ISSUER,
        "username": user.username,
    }


def _refuse(
    work: UnitOfWork, request: Request, user: User, at: datetime, settings: Settings, page: str, context: dict[str, Any]
) -> Response:
    """Count a wrong code like a wrong password, and show the page again."""
    address = request.client.host if request.client else "unknown"
    throttle.record(work.db, user.username, address, at, success=False)
    user.failed_logins += 1
    if user.failed_logins >= settings.login_lock_after_failures and user.locked_at is None:
        user.locked_at = at
    work.audit(object_id=user.id, outcome="failed", actor=None, details={"factor": "code"})
    return render(request, page, {**context, "error": WRONG_CODE}, status_code=400)


def _throttled(work: UnitOfWork, request: Request, user: User, at: datetime, settings: Settings) -> bool:
    address = request.client.host if request.client else "unknown"
    if not throttle.is_throttled(work.db, user.username, address, at, settings):
        return False
    throttle.record(work.db, user.username, address, at, success=False)
    work.audit(object_id=user.id, outcome="throttled", actor=None, details={"factor": "code"})
    return True


def _start_session(
    work: UnitOfWork, request: Request, user: User, at: datetime, settings: Settings, response: Response, used: str
) -> Response:
    address = request.client.host if request.client else "unknown"
    user.failed_logins = 0
    token = sessions.start(work.db, user, at)
    throttle.record(work.db, user.username, address, at, success=True)
    principal = Principal(user.id, user.username, user.display_name, user.role, user.center_id, None)
    work.audit(object_id=user.id, actor=principal, details={"factor": used})
    sessions.set_cookie(response, token, settings)
    second_factor.forget(response, request)
    return response


@router.get("/login/code", response_class=HTMLResponse)
def code_page(
    request: Request, _principal: Annotated[Principal | None, policy("public")], db: DbSession, at: Now, next: str = "/"
) -> Response:
    user = _pending_user(db, request, at, "code")
    db.commit()
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "mfa_code.html", {"next": safe_next(next)})


@router.post("/login/code", response_class=HTMLResponse)
def submit_code(
    request: Request,
    code: Annotated[BrowserText, Form(max_length=max_chars("mfa.code"))],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("login", "user")],
    at: Now,
    settings: AppSettings,
    next: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/",
) -> Response:
    target = safe_next(next)
    user = _pending_user(work.db, request, at, "code")
    if user is None:
        work.discard()
        return RedirectResponse("/login", status_code=303)
    if _throttled(work, request, user, at, settings):
        return render(request, "mfa_code.html", {"next": target, "error": THROTTLED}, status_code=429)
    used = mfa_store.verify(work.db, user.id, code, at, settings.secret_key)
    if used is None:
        return _refuse(work, request, user, at, settings, "mfa_code.html", {"next": target})
    response = RedirectResponse(target, status_code=303)
    return _start_session(work, request, user, at, settings, response, used)


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_page(
    request: Request,
    _principal: Annotated[Principal | None, policy("public")],
    db: DbSession,
    at: Now,
    settings: AppSettings,
    next: str = "/",
) -> Response:
    user = _pending_user(db, request, at, "enrol")
    if user is None or mfa_store.factor(db, user.id) is None:
        db.commit()
        return RedirectResponse("/login", status_code=303)
    context = {"next": safe_next(next), **_enrol_context(db, user, settings)}
    db.commit()
    return render(request, "mfa_enrol.html", context)


@router.post("/login/enrol", response_class=HTMLResponse)
def confirm_enrolment(
    request: Request,
    code: Annotated[BrowserText, Form(max_length=max_chars("mfa.code"))],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("enrol", "mfa")],
    at: Now,
    settings: AppSettings,
    next: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/",
) -> Response:
    target = safe_next(next)
    user = _pending_user(work.db, request, at, "enrol")
    if user is None or mfa_store.factor(work.db, user.id) is None:
        work.discard()
        return RedirectResponse("/login", status_code=303)
    context = {"next": target, **_enrol_context(work.db, user, settings)}
    if _throttled(work, request, user, at, settings):
        return render(request, "mfa_enrol.html", {**context, "error": THROTTLED}, status_code=429)
    codes = mfa_store.confirm(work.db, user.id, code, at, settings.secret_key)
    if codes is None:
        return _refuse(work, request, user, at, settings, "mfa_enrol.html", context)
    response = render(request, "mfa_recovery.html", {"codes": codes, "next": target})
    return _start_session(work, request, user, at, settings, response, "totp")


# --- a signed-in staff member turns the second factor on (offered to every staff role) --------------


@router.get("/account/mfa", response_class=HTMLResponse)
def account_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
    settings: AppSettings,
) -> Response:
    found = mfa_store.factor(db, principal.user_id)
    context: dict[str, Any] = {"enrolled": found is not None and found.confirmed_at is not None}
    if context["enrolled"]:
        context["codes_left"] = mfa_store.recovery_codes_left(db, principal.user_id)
    elif found is not None:
        user = db.get_one(User, principal.user_id)
        context.update(_enrol_context(db, user, settings), action="/account/mfa/confirm", next="/account/mfa")
        db.commit()
        return render(request, "mfa_enrol.html", context)
    db.commit()
    return render(request, "mfa_account.html", context)


@router.post("/account/mfa/start")
def start_enrolment(
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("enrol", "mfa")],
    at: Now,
    settings: AppSettings,
) -> Response:
    """Make a key to add to the authenticator app (it counts once a first code confirms it)."""
    mfa_store.start_enrolment(work.db, principal.user_id, at, settings.secret_key)
    work.audit(object_id=principal.user_id, outcome="started")
    return RedirectResponse("/account/mfa", status_code=303)


@router.post("/account/mfa/confirm", response_class=HTMLResponse)
def confirm_account_enrolment(
    request: Request,
    code: Annotated[BrowserText, Form(max_length=max_chars("mfa.code"))],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("enrol", "mfa")],
    at: Now,
    settings: AppSettings,
) -> Response:
    user = work.db.get_one(User, principal.user_id)
    if mfa_store.factor(work.db, user.id) is None:
        work.discard()
        return RedirectResponse("/account/mfa", status_code=303)
    context = {"action": "/account/mfa/confirm", "next": "/account/mfa", **_enrol_context(work.db, user, settings)}
    if _throttled(work, request, user, at, settings):
        return render(request, "mfa_enrol.html", {**context, "error": THROTTLED}, status_code=429)
    codes = mfa_store.confirm(work.db, user.id, code, at, settings.secret_key)
    if codes is None:
        return _refuse(work, request, user, at, settings, "mfa_enrol.html", context)
    work.audit(object_id=user.id)
    return render(request, "mfa_recovery.html", {"codes": codes, "next": "/staff"})
