"""Calendar copies for the patient: one file per booked visit, and a private feed link (shown once, revocable)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from msinfusion.db import calendar_feeds
from msinfusion.db.patient_models import PatientPreferences
from msinfusion.db.patient_plan import load_plan
from msinfusion.exports.ical import visit_ics
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.policies import policy
from msinfusion.web.routes.patient_pages import own_patient, render_patient

router = APIRouter(prefix="/patient", include_in_schema=False)

ICS = "text/calendar; charset=utf-8"


def _calendar_page(
    request: Request, db: Session, principal: Principal, at: datetime, new_url: str | None = None
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    live = calendar_feeds.live_token(db, patient.id)
    prefs = db.get(PatientPreferences, patient.id)
    audit_trail.record(db, request, principal, "read", "calendar", object_id=patient.id, patient_id=patient.id)
    db.commit()
    context = {
        "live": live,
        "new_url": new_url,
        "shows_treatment": bool(prefs and prefs.calendar_shows_treatment),
    }
    return render_patient(request, "patient/calendar.html", view, context, status_code=201 if new_url else 200)


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    return _calendar_page(request, db, principal, at)


@router.post("/calendar/link", response_class=HTMLResponse)
def make_link(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    token, row = calendar_feeds.issue(db, patient.id, at)
    audit_trail.record(db, request, principal, "create", "calendar_feed", object_id=row.id, patient_id=patient.id)
    db.commit()
    # Shown in this response only: the secret is never stored, so it cannot be shown again.
    url = str(request.base_url).rstrip("/") + calendar_feeds.feed_path(token)
    return _calendar_page(request, db, principal, at, new_url=url)


@router.post("/calendar/link/revoke")
def revoke_link(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    revoked = calendar_feeds.revoke_all(db, patient.id, at)
    audit_trail.record(
        db, request, principal, "revoke", "calendar_feed", object_id=patient.id, patient_id=patient.id,
        details={"revoked": revoked},
    )  # fmt: skip
    db.commit()
    return RedirectResponse("/patient/calendar?saved=revoked#feed", status_code=303)


@router.post("/calendar/preferences")
def calendar_preferences(
    request: Request,
    show_treatment: Annotated[bool, Form()] = False,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    prefs = db.get(PatientPreferences, patient.id)
    if prefs is None:
        prefs = PatientPreferences(patient_id=patient.id, updated_at=at)
        db.add(prefs)
    prefs.calendar_shows_treatment = show_treatment
    prefs.updated_at = at
    audit_trail.record(db, request, principal, "update", "calendar_preferences", patient_id=patient.id)
    db.commit()
    return RedirectResponse("/patient/calendar?saved=preferences#titles", status_code=303)


@router.get("/appointments/{appointment_id}.ics")
def visit_file(
    request: Request,
    appointment_id: int,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    visit = view.visit_for_appointment(appointment_id)
    if view.plan is None or visit is None:
        raise HTTPException(404, view.t.gettext("This visit is not in your plan any more."))
    audit_trail.record(db, request, principal, "export", "appointment", object_id=appointment_id, patient_id=patient.id)
    db.commit()
    headers = {"Content-Disposition": f'attachment; filename="visit-{visit.date.isoformat()}.ics"'}
    return Response(visit_ics(view.plan, visit), media_type=ICS, headers=headers)
