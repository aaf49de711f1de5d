"""The information card: see it, edit it (errors keep what was typed), print it on one page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.patient_plan import PatientPlan, load_plan, stored_card
from msinfusion.exports.printable import environment
from msinfusion.web.dependencies import (
    Now,
    Principal,
    own_patient,
)
from msinfusion.web.pages import render_patient
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import card_form

router = APIRouter(prefix="/patient", include_in_schema=False)


def card_fragment(view: PatientPlan) -> Markup | None:
    """The card as the printable exports draw it (``exports/templates/_card_fragment.html``)."""
    if view.plan is None:
        return None
    html = environment(view.t).get_template("_card_fragment.html").render(card=view.plan.card)
    return Markup(html)


@router.get("/card", response_class=HTMLResponse)
def card_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "card")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    values = card_form.form_values(stored_card(patient, view.center.address.country))
    work.audit(object_id=patient.id, patient_id=patient.id)
    context = {**_form(values, {}, patient.version), "card_html": card_fragment(view)}
    return render_patient(request, "patient/card.html", view, context)


@router.post("/card", response_class=HTMLResponse)
async def save_card(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "card")],
    at: Now,
) -> Response:
    form = await request.form()
    values = card_form.submitted(form)
    seen_version = card_form.version_of(form)
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    region = view.center.address.country
    today = at.astimezone(view.center.zone).date()
    if seen_version is not None and seen_version != patient.version:
        return _changed_elsewhere(request, work, view, values)
    card, errors = card_form.parse(values, today, stored_card(patient, region), region, view.t)
    if card is None:
        context = {**_form(values, errors, seen_version or patient.version), "card_html": card_fragment(view)}
        return render_patient(request, "patient/card.html", view, context, status_code=422)
    patient.card = card.model_dump(mode="json", exclude_defaults=True)
    try:
        work.db.flush()  # the row's version check: a save from another tab at the same moment fails here
    except StaleDataError:
        work.discard()
        return _changed_elsewhere(request, work, load_plan(work.db, own_patient(work.db, principal), at), values)
    work.audit(object_id=patient.id, patient_id=patient.id)
    return RedirectResponse("/patient/card?saved=card#saved", status_code=303)


def _form(values: dict[str, str], errors: dict[str, str], version: int) -> dict[str, object]:
    return {"values": values, "errors": errors, "version": version, "maxlength": card_form.MAXLENGTH}


def _changed_elsewhere(request: Request, work: UnitOfWork, view: PatientPlan, values: dict[str, str]) -> Response:
    """409: the card changed since the form was shown; show the saved card and keep what was typed."""
    work.discard()
    errors = {"card": card_form.changed_elsewhere(view.t)}
    context = {**_form(values, errors, view.patient.version), "card_html": card_fragment(view)}
    return render_patient(request, "patient/card.html", view, context, status_code=409)


@router.get("/card/print", response_class=HTMLResponse)
def card_print(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("export", "card")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    work.audit(object_id=patient.id, patient_id=patient.id)
    return render_patient(request, "patient/card_print.html", view, {"card_html": card_fragment(view)})


@router.get("/plan/print", response_class=HTMLResponse)
def plan_print(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("export", "plan")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    work.audit(object_id=patient.id, patient_id=patient.id)
    return render_patient(request, "patient/plan_print.html", view, {"card_html": card_fragment(view)})
