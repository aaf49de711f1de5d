"""The one-time set-password link: an invited person chooses their password, or someone sets a new one.

The link is its own credential (public route, looked up by hash); it works once, until it expires.
Setting the password ends every session of the account.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from msinfusion import passwords
from msinfusion.db import accounts
from msinfusion.db.account_models import PasswordLink
from msinfusion.i18n import translator
from msinfusion.web.dependencies import DbSession, Hasher, Now, Principal, app_settings
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: Session, link: PasswordLink | None, status_code: int = 200, **context: Any) -> Response:
    """The page in the language of the patient the account belongs to (staff: the default language)."""
    locale = app_settings(request).default_locale
    if link is not None:
        patient = accounts.linked_patient(db, link.user_id)
        locale = patient.locale if patient is not None else locale
    t = translator(locale)
    request.state.locale = t.locale
    page = {"_": t.gettext, "dead": link is None, **context}
    if link is not None:
        page["purpose"] = link.purpose
    return render(request, "set_password.html", page, status_code=status_code)


def _problem(password: str, confirm: str) -> str | None:
    """Which rule the new password breaks (the page words it), or None."""
    if len(password) < passwords.MIN_LENGTH:
        return "short"
    if len(password) > passwords.MAX_LENGTH:
        return "long"
    if passwords.password_problem(password) is not None:
        return "common"
    return "mismatch" if password != confirm else None


@router.get("/set-password/{token}", response_class=HTMLResponse)
def set_password_page(
    request: Request, token: str, _principal: Annotated[Principal | None, policy("public")], db: DbSession, at: Now
) -> Response:
    link = accounts.live_link(db, token, at)
    response = _page(request, db, link, 404 if link is None else 200, token=token)
    db.commit()
    return response


@router.post("/set-password/{token}", response_class=HTMLResponse)
def set_password(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    confirm: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("update", "user")],
    at: Now,
    hasher: Hasher,
) -> Response:
    problem = _problem(password, confirm)
    # Hash before touching the database, so the slow part holds no write lock.
    hashed = hasher.hash(password) if problem is None else None
    link = accounts.live_link(work.db, token, at)
    if link is None or hashed is None:
        response = _page(request, work.db, link, 404 if link is None else 422, token=token, error=problem)
        work.discard()
        return response
    user = accounts.set_password(work.db, link, hashed, at)
    work.audit(object_id=user.id, actor=None, details={"password": "set", "purpose": link.purpose})
    return RedirectResponse("/login?password=set", status_code=303)
