"""The home page, which sends each role to its own start page, and those start pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.models import Appointment, Patient
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(principal: Principal = policy("authenticated")) -> Response:
    return RedirectResponse("/staff" if principal.is_staff else "/patient", status_code=303)


@router.get("/patient", response_class=HTMLResponse)
def patient_home(
    request: Request, principal: Principal = policy("patient-self"), db: Session = Depends(db_session)
) -> Response:
    patient = db.get(Patient, principal.patient_id) if principal.patient_id else None
    if patient is None:
        return render(request, "patient/home.html", {"patient": None, "appointments": []})
    request.state.locale = patient.locale
    today = request.app.state.clock().date()
    appointments = db.scalars(
        select(Appointment)
        .where(Appointment.patient_id == patient.id, Appointment.status == "booked", Appointment.day >= today)
        .order_by(Appointment.day)
    ).all()
    audit_trail.record(db, request, principal, "read", "patient", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return render(request, "patient/home.html", {"patient": patient, "appointments": appointments})


@router.get("/staff", response_class=HTMLResponse)
def staff_home(request: Request, principal: Principal = policy("staff-center")) -> Response:
    return render(request, "staff/home.html")
