"""The information card: see it, edit it (errors keep what was typed), print it on one page."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from msinfusion.db.patient_plan import PatientPlan, load_plan, stored_card
from msinfusion.exports.printable import environment
from msinfusion.web import audit_trail, card_form
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.policies import policy
from msinfusion.web.routes.patient_pages import own_patient, render_patient

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
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    values = card_form.form_values(stored_card(patient, view.center.address.country))
    audit_trail.record(db, request, principal, "read", "card", object_id=patient.id, patient_id=patient.id)
    db.commit()
    context = {"values": values, "errors": {}, "card_html": card_fragment(view)}
    return render_patient(request, "patient/card.html", view, context)


@router.post("/card", response_class=HTMLResponse)
async def save_card(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, ""))[:2000] for name in (*card_form.TEXT_FIELDS, *card_form.CHECK_FIELDS)}
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    region = view.center.address.country
    today = at.astimezone(view.center.zone).date()
    card, errors = card_form.parse(values, today, stored_card(patient, region), region, view.t)
    if card is None:
        context = {"values": values, "errors": errors, "card_html": card_fragment(view)}
        return render_patient(request, "patient/card.html", view, context, status_code=422)
    patient.card = card.model_dump(mode="json", exclude_defaults=True)
    audit_trail.record(db, request, principal, "update", "card", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return RedirectResponse("/patient/card?saved=card#saved", status_code=303)


@router.get("/card/print", response_class=HTMLResponse)
def card_print(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    audit_trail.record(db, request, principal, "export", "card", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return render_patient(request, "patient/card_print.html", view, {"card_html": card_fragment(view)})


@router.get("/plan/print", response_class=HTMLResponse)
def plan_print(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    audit_trail.record(db, request, principal, "export", "plan", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return render_patient(request, "patient/plan_print.html", view, {"card_html": card_fragment(view)})
