"""Admin pages for the center's accounts: list, invite, reset link, disable, unlock.

Every change is audited through the unit of work. A set-password link is shown once, on the page that
made it; only its hash is stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.accounts import ROLES, AccountProblem
from msinfusion.db import accounts
from msinfusion.db.models import Patient, User
from msinfusion.i18n import N_
from msinfusion.limits import BrowserText, max_chars
from msinfusion.web.dependencies import AppSettings, DbSession, Now, Principal
from msinfusion.web.pages import page_translator, render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/staff/users", include_in_schema=False)


def _accounts(db: Session, center_id: int) -> list[dict[str, object]]:
    patients = dict(
        (row.user_id, row.reference)
        for row in db.execute(select(Patient.user_id, Patient.reference).where(Patient.center_id == center_id))
    )
    rows = []
    for user in db.scalars(select(User).where(User.center_id == center_id).order_by(User.role, User.username)):
        state = N_("Disabled") if not user.is_active else N_("Locked") if user.locked_at is not None else N_("Active")
        rows.append({"user": user, "state": state, "patient": patients.get(user.id)})
    return rows


def _page(request: Request, db: Session, principal: Principal, status_code: int = 200, **context: object) -> Response:
    page = {"accounts": _accounts(db, principal.center_id), "roles": ROLES, **context}
    return render(request, "staff/users.html", page, status_code=status_code)


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:  # the policy already checked the center; this is only for the type checker
        raise HTTPException(404, "Not found.")
    return user


def _link_page(request: Request, user: User, token: str, purpose: str, expires_at: object) -> Response:
    link = f"{str(request.base_url).rstrip('/')}/set-password/{token}"
    context = {"account": user, "link": link, "purpose": purpose, "expires_at": expires_at}
    return render(request, "staff/user_link.html", context)


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, principal: Annotated[Principal, policy("admin-center")], db: DbSession) -> Response:
    return _page(request, db, principal)


@router.post("/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    username: Annotated[BrowserText, Form(max_length=max_chars("account.username"))],
    display_name: Annotated[BrowserText, Form(max_length=max_chars("account.display_name"))],
    role: Annotated[BrowserText, Form(max_length=max_chars("account.role"))],
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("invite", "user")],
    at: Now,
    settings: AppSettings,
    patient_reference: Annotated[BrowserText, Form(max_length=max_chars("account.patient_reference"))] = "",
) -> Response:
    """Open an account without a password and show a one-time link for its person to set one."""
    new = accounts.NewAccount(username, display_name, role, patient_reference.strip() or None)
    try:
        user = accounts.create(work.db, new, principal.center_id, at)
        token, link = accounts.issue_link(
            work.db, user, "invite", at, settings.password_link_hours, created_by=principal.user_id
        )
    except AccountProblem as problem:
        work.discard()
        error = problem.in_language(page_translator(request).gettext)
        return _page(request, work.db, principal, 422, error=error, form=new)
    patient = accounts.linked_patient(work.db, user.id)
    work.audit(object_id=user.id, patient_id=patient.id if patient else None, details={"role": user.role})
    return _link_page(request, user, token, "invite", link.expires_at)


@router.post("/{user_id}/reset", response_class=HTMLResponse)
def reset(
    request: Request,
    user_id: int,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("reset", "user")],
    at: Now,
    settings: AppSettings,
) -> Response:
    """Show a one-time link to set a new password (earlier links stop working)."""
    user = _user(work.db, user_id)
    try:
        token, link = accounts.issue_link(
            work.db, user, "reset", at, settings.password_link_hours, created_by=principal.user_id
        )
    except AccountProblem as problem:
        work.discard()
        return _page(request, work.db, principal, 422, error=problem.in_language(page_translator(request).gettext))
    work.audit(object_id=user.id)
    return _link_page(request, user, token, "reset", link.expires_at)


@router.post("/{user_id}/disable")
def disable(
    request: Request,
    user_id: int,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("disable", "user")],
    at: Now,
) -> Response:
    """Disable an account: its sessions end, its calendar feeds and open links stop working."""
    if user_id == principal.user_id:
        work.discard()
        return _page(
            request,
            work.db,
            principal,
            422,
            error=page_translator(request).gettext(N_("You cannot disable your own account.")),
        )
    user = _user(work.db, user_id)
    accounts.disable(work.db, user, at)
    work.audit(object_id=user.id)
    return RedirectResponse(f"/staff/users#user-{user.id}", status_code=303)


@router.post("/{user_id}/unlock")
def unlock(
    request: Request,
    user_id: int,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("unlock", "user")],
) -> Response:
    """Lift the lock many failed sign-ins put on an account."""
    user = _user(work.db, user_id)
    accounts.unlock(work.db, user)
    work.audit(object_id=user.id)
    return RedirectResponse(f"/staff/users#user-{user.id}", status_code=303)
