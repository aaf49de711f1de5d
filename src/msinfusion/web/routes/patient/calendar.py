"""Calendar copies for the patient: one file per booked visit, and a private feed link (shown once, revocable)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db import calendar_feeds, visit_changes
from msinfusion.db.patient_models import PatientPreferences
from msinfusion.db.patient_plan import load_plan
from msinfusion.exports.ical import cancellation_ics, visit_ics
from msinfusion.limits import BrowserText, max_chars
from msinfusion.settings import Settings
from msinfusion.web.dependencies import (
    AppSettings,
    Now,
    Principal,
    own_patient,
)
from msinfusion.web.pages import render_patient
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import AuditEvent, UnitOfWork, audited

router = APIRouter(prefix="/patient", include_in_schema=False)

ICS = "text/calendar; charset=utf-8"


READ_CALENDAR = AuditEvent("read", "calendar")


def _calendar_page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    settings: Settings,
    new_url: str | None = None,
) -> Response:
    db = work.db
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    live = calendar_feeds.live_token(db, patient.id)
    prefs = db.get(PatientPreferences, patient.id)
    work.audit(object_id=patient.id, patient_id=patient.id, event=READ_CALENDAR)
    # A link stops working calendar_link_days after it was made (calendar_feeds.find); say so, and when.
    ends = live.created_at + timedelta(days=settings.calendar_link_days) if live is not None else None
    context = {
        "live": live,
        "live_ends": ends,
        "live_expired": ends is not None and at >= ends,
        "new_url": new_url,
        "shows_treatment": bool(prefs and prefs.calendar_shows_treatment),
    }
    return render_patient(request, "patient/calendar.html", view, context, status_code=201 if new_url else 200)


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "calendar")],
    at: Now,
    settings: AppSettings,
) -> Response:
    return _calendar_page(request, work, principal, at, settings)


@router.get("/calendar/link/new", response_class=HTMLResponse)
def confirm_new_link(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "calendar")],
    at: Now,
) -> Response:
    """Ask before replacing a working link (opening or reloading this page changes nothing)."""
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    live = calendar_feeds.live_token(work.db, patient.id)
    work.audit(object_id=patient.id, patient_id=patient.id)
    return render_patient(request, "patient/calendar_new_link.html", view, {"live": live})


@router.post("/calendar/link", response_class=HTMLResponse)
def make_link(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "calendar_feed")],
    at: Now,
    settings: AppSettings,
    replaces: Annotated[BrowserText, Form(max_length=max_chars("calendar.replaces"))] = "none",
) -> Response:
    """Make a link only when the form names the link it replaces: a resent form (a reload) changes nothing."""
    patient = own_patient(work.db, principal)
    live = calendar_feeds.live_token(work.db, patient.id)
    if replaces != (str(live.id) if live is not None else "none"):
        work.discard()
        return RedirectResponse("/patient/calendar?saved=unchanged#feed", status_code=303)
    token, row = calendar_feeds.issue(work.db, patient.id, at)
    work.audit(object_id=row.id, patient_id=patient.id)
    # Shown in this response only: the secret is never stored, so it cannot be shown again.
    url = str(request.base_url).rstrip("/") + calendar_feeds.feed_path(token)
    return _calendar_page(request, work, principal, at, settings, new_url=url)


@router.post("/calendar/link/revoke")
def revoke_link(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("revoke", "calendar_feed")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    revoked = calendar_feeds.revoke_all(work.db, patient.id, at)
    work.audit(object_id=patient.id, patient_id=patient.id,
        details={"revoked": revoked},
    )  # fmt: skip
    return RedirectResponse("/patient/calendar?saved=revoked#feed", status_code=303)


@router.post("/calendar/preferences")
def calendar_preferences(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "calendar_preferences")],
    at: Now,
    show_treatment: Annotated[bool, Form()] = False,
) -> Response:
    patient = own_patient(work.db, principal)
    prefs = work.db.get(PatientPreferences, patient.id)
    if prefs is None:
        prefs = PatientPreferences(patient_id=patient.id, updated_at=at)
        work.db.add(prefs)
    prefs.calendar_shows_treatment = show_treatment
    prefs.updated_at = at
    work.audit(patient_id=patient.id)
    return RedirectResponse("/patient/calendar?saved=preferences#titles", status_code=303)


@router.get("/appointments/{appointment_id}.ics")
def visit_file(
    appointment_id: int,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("export", "appointment")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    found = view.plan_for_appointment(appointment_id)
    cancelled = None if found is not None else visit_changes.cancelled_visit(work.db, view, appointment_id)
    if found is None and cancelled is None:
        raise HTTPException(404, view.t.gettext("This visit is not in your plan any more."))
    work.audit(object_id=appointment_id, patient_id=patient.id)
    if cancelled is not None:
        # A cancelled visit: the same UID with a higher SEQUENCE and STATUS:CANCELLED removes the copy.
        plan, uid, start, finish, sequence = cancelled
        headers = {"Content-Disposition": f'attachment; filename="cancelled-{start.date().isoformat()}.ics"'}
        return Response(cancellation_ics(plan, uid, start, finish, sequence), media_type=ICS, headers=headers)
    assert found is not None
    plan, visit = found
    headers = {"Content-Disposition": f'attachment; filename="visit-{visit.date.isoformat()}.ics"'}
    return Response(visit_ics(plan, visit), media_type=ICS, headers=headers)
