"""Patient pages: my reminders (add and verify an e-mail address, choose which reminders, stop them).

An address gets reminders only once the patient opens the verification link sent to it
(:mod:`msinfusion.web.routes.mail_links`); the page says which state the address is in. SMS is never
offered while no SMS provider is configured (none is implemented yet).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from msinfusion.db.patient_plan import load_plan
from msinfusion.limits import BrowserText, max_chars, max_items
from msinfusion.outbox.contacts import ContactProblem, email_contact, restart, set_email, stop
from msinfusion.outbox.producers import enqueue_verification
from msinfusion.reminders.rules import RULE_IDS
from msinfusion.web.dependencies import Mail, Now, Principal, own_patient
from msinfusion.web.pages import render_patient
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/patient", include_in_schema=False)


@router.get("/reminders", response_class=HTMLResponse)
def reminders_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "reminder_choices")],
    at: Now,
    mail: Mail,
) -> Response:
    with work.reading() as db:
        patient = own_patient(db, principal)
        view = load_plan(db, patient, at, quiet_hours=mail.quiet_hours)
        contact = email_contact(db, patient.id)
    work.audit(object_id=patient.id, patient_id=patient.id)
    context = {"contact": contact, "rule_ids": RULE_IDS, "entered": None, "error": None, "quiet": mail.quiet_hours}
    return render_patient(request, "patient/reminders.html", view, context)


@router.post("/reminders", response_class=HTMLResponse)
def save_reminders(
    request: Request,
    email: Annotated[BrowserText, Form(max_length=max_chars("reminders.email"))],
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "patient_contact")],
    at: Now,
    mail: Mail,
    rule: Annotated[
        list[Annotated[BrowserText, Field(max_length=max_chars("reminders.rule"))]] | None,
        Form(max_length=max_items("reminders.rules")),
    ] = None,
) -> Response:
    patient = own_patient(work.db, principal)
    before = email_contact(work.db, patient.id)
    address_before = before.address if before else None
    chosen = [r for r in (rule or []) if r in RULE_IDS]
    try:
        contact = set_email(work.db, patient.id, email, chosen, at)
    except ContactProblem:
        work.discard()
        view = load_plan(work.db, patient, at, quiet_hours=mail.quiet_hours)
        error = view.t.gettext("Enter an e-mail address like name@example.com.")
        context = {
            "contact": before,
            "rule_ids": RULE_IDS,
            "entered": email,
            "error": error,
            "chosen": chosen,
            "quiet": mail.quiet_hours,
        }
        return render_patient(request, "patient/reminders.html", view, context, status_code=422)
    new_address = contact.address != address_before or contact.verified_at is None
    if new_address and contact.address != address_before:
        enqueue_verification(work.db, contact, mail, at)
    work.audit(
        object_id=contact.id, patient_id=patient.id, details={"rules": list(contact.reminder_rules), "new": new_address}
    )
    saved = "sent" if contact.address != address_before else "saved"
    return RedirectResponse(f"/patient/reminders?saved={saved}#status", status_code=303)


@router.post("/reminders/resend")
def resend_verification(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "email_verification")],
    at: Now,
    mail: Mail,
) -> Response:
    patient = own_patient(work.db, principal)
    contact = email_contact(work.db, patient.id)
    if contact is None or contact.verified_at is not None:
        raise HTTPException(409, "There is no address waiting to be confirmed.")
    enqueue_verification(work.db, contact, mail, at)
    work.audit(object_id=contact.id, patient_id=patient.id)
    return RedirectResponse("/patient/reminders?saved=sent#status", status_code=303)


@router.post("/reminders/stop")
def stop_reminders(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("unsubscribe", "patient_contact")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    contact = email_contact(work.db, patient.id)
    if contact is None:
        raise HTTPException(409, "There is no e-mail address on file.")
    stop(contact, at)
    work.audit(object_id=contact.id, patient_id=patient.id)
    return RedirectResponse("/patient/reminders?saved=stopped#status", status_code=303)


@router.post("/reminders/start")
def restart_reminders(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("resubscribe", "patient_contact")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    contact = email_contact(work.db, patient.id)
    if contact is None:
        raise HTTPException(409, "There is no e-mail address on file.")
    restart(contact, at)
    work.audit(object_id=contact.id, patient_id=patient.id)
    return RedirectResponse("/patient/reminders?saved=started#status", status_code=303)
