"""The language switches: before sign-in a visible choice kept in a cookie; after, staff keep theirs on the
account (patients on their record, :mod:`msinfusion.web.routes.patient.plan`), and the account's wins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from msinfusion.db.models import User
from msinfusion.i18n import LOCALES
from msinfusion.limits import BrowserText, max_chars
from msinfusion.web.csrf import cookie_header
from msinfusion.web.dependencies import AppSettings, Principal
from msinfusion.web.pages import LANGUAGE_COOKIE
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)

YEAR_SECONDS = 365 * 24 * 3600


def _local_page(back: str) -> str:
    """Only a path of this site: never another site or a scheme-relative URL."""
    return back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/login"


@router.post("/language")
def choose_language(
    locale: Annotated[BrowserText, Form(max_length=max_chars("form.locale"))],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("update", "language_choice")],
    settings: AppSettings,
    back: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/login",
) -> Response:
    if locale not in LOCALES:
        raise HTTPException(422, "Choose English or Español.")
    work.audit(details={"locale": locale}, actor=None)
    response = RedirectResponse(_local_page(back), status_code=303)
    response.headers.append("set-cookie", cookie_header(LANGUAGE_COOKIE, locale, settings, max_age=YEAR_SECONDS))
    return response


@router.post("/account/language")
def choose_account_language(
    locale: Annotated[BrowserText, Form(max_length=max_chars("form.locale"))],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("update", "account_locale")],
    back: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/staff",
) -> Response:
    if locale not in LOCALES:
        raise HTTPException(422, "Choose English or Español.")
    user = work.db.get(User, principal.user_id)
    if user is None:  # pragma: no cover - the policy just loaded this account
        raise HTTPException(404)
    user.locale = locale
    work.audit(object_id=user.id, details={"locale": locale})
    target = _local_page(back)
    return RedirectResponse(target if target.startswith(("/staff", "/account")) else "/staff", status_code=303)
