"""The links in our e-mails: confirm an address, and stop every message (RFC 8058 one-click unsubscribe).

Opening a link (GET) never changes anything: it shows a page with a button, because mail scanners and
link previews open links too. The button POSTs. ``POST /unsubscribe/{token}`` is also what a mail
provider sends for the ``List-Unsubscribe-Post`` header, without a session or CSRF token, so it uses the
``signed-link`` policy: the signed token in the path is the credential (:mod:`msinfusion.reminders.tokens`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from msinfusion.db.comms_models import PatientContact
from msinfusion.db.models import Patient
from msinfusion.db.patient_plan import patient_locale
from msinfusion.i18n import Translator, translator
from msinfusion.outbox.contacts import ContactProblem, confirm_email, unsubscribe
from msinfusion.reminders.tokens import Purpose, TokenError, verify_token
from msinfusion.web.dependencies import Mail, Now, Principal
from msinfusion.web.pages import browser_translator, render_translated
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)

MAX_TOKEN = 1000


def _language(
    work: UnitOfWork, request: Request, secret: str, purpose: Purpose, token: str, at: datetime
) -> Translator:
    """The patient's language when the link is theirs, else the browser's."""
    try:
        claims = verify_token(secret, purpose, token[:MAX_TOKEN], at)
    except TokenError:
        return browser_translator(request)
    contact = work.db.get(PatientContact, claims.contact_id)
    patient = work.db.get(Patient, contact.patient_id) if contact else None
    return translator(patient_locale(patient)) if patient else browser_translator(request)


def _page(request: Request, t: Translator, kind: str, state: str, token: str, status_code: int = 200) -> Response:
    context = {"kind": kind, "state": state, "action": f"/{kind}/{token}"}
    return render_translated(request, "mail/link.html", t, context, status_code=status_code)


def _use_link(
    work: UnitOfWork,
    request: Request,
    t: Translator,
    kind: Purpose,
    token: str,
    use: Callable[[], PatientContact],
) -> Response:
    """Do what the link is for, audit it, and show the outcome; a bad or expired link writes nothing (400)."""
    try:
        contact = use()
    except ContactProblem:
        work.discard()
        work.audit(outcome="refused", actor=None)
        return _page(request, t, kind, "bad", token, status_code=400)
    work.audit(object_id=contact.id, patient_id=contact.patient_id, actor=None)
    return _page(request, t, kind, "done", token)


@router.get("/verify-email/{token}", response_class=HTMLResponse)
def verify_page(
    token: str,
    request: Request,
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("open", "email_verification")],
    at: Now,
    mail: Mail,
) -> Response:
    t = _language(work, request, mail.signing_secret, "verify-email", token, at)
    return _page(request, t, "verify-email", "ask", token)


@router.post("/verify-email/{token}", response_class=HTMLResponse)
def verify(
    token: str,
    request: Request,
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("verify", "patient_contact")],
    at: Now,
    mail: Mail,
) -> Response:
    t = _language(work, request, mail.signing_secret, "verify-email", token, at)
    return _use_link(
        work,
        request,
        t,
        "verify-email",
        token,
        lambda: confirm_email(work.db, mail.signing_secret, token[:MAX_TOKEN], at),
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(
    token: str,
    request: Request,
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("open", "unsubscribe_link")],
    at: Now,
    mail: Mail,
) -> Response:
    t = _language(work, request, mail.signing_secret, "unsubscribe", token, at)
    return _page(request, t, "unsubscribe", "ask", token)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def one_click_unsubscribe(
    token: str,
    request: Request,
    _principal: Annotated[Principal | None, policy("signed-link")],
    work: Annotated[UnitOfWork, audited("unsubscribe", "patient_contact")],
    at: Now,
    mail: Mail,
) -> Response:
    t = _language(work, request, mail.signing_secret, "unsubscribe", token, at)
    return _use_link(
        work, request, t, "unsubscribe", token, lambda: unsubscribe(work.db, mail.signing_secret, token[:MAX_TOKEN], at)
    )
