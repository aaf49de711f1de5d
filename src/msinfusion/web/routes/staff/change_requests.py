"""Patients' requests to change a visit, for schedulers: the queue with the engine's alternatives, accept
one (the visit moves: versioned, re-checked, audited, the patient told) or decline with a reason the
patient reads. The decisions are :mod:`msinfusion.db.bookings_requests`; the move is the same as a
scheduler's (:func:`msinfusion.web.routes.staff.bookings.change_visit`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db import bookings_requests
from msinfusion.db.booking_models import ChangeRequest
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment
from msinfusion.i18n import translator
from msinfusion.limits import BrowserText, max_chars
from msinfusion.prescriptions import RecordProblem
from msinfusion.web.booking_changes import MAX_VERSION, change_visit, visit_changed
from msinfusion.web.dependencies import AppSettings, Mail, Now, Principal
from msinfusion.web.pages import page_locale, render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views.change_requests import queue_rows


def _(message: str) -> str:
    """Mark ``message`` for the Spanish catalog; the page translates it when it shows it."""
    return message


router = APIRouter(prefix="/staff", include_in_schema=False)

QUEUE = "/staff/change-requests"
ANSWERED = _("This request was already answered or changed meanwhile. Open the list again.")


@router.get("/change-requests", response_class=HTMLResponse)
def queue_page(
    request: Request,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("read", "change_request")],
    at: Now,
    settings: AppSettings,
) -> Response:
    """The center's open requests, oldest first, each with up to three places the engine proposes."""
    today = center_today(work.db, principal.center_id, at)
    rows = queue_rows(work.db, principal.center_id, today, settings.jurisdiction)
    work.audit(object_id=principal.center_id, details={"open": len(rows)})
    return render(request, "staff/booking_requests.html", {"rows": rows, "saved": request.query_params.get("saved")})


def _open(work: UnitOfWork, appointment_id: int, version: int | None) -> ChangeRequest | None:
    found = bookings_requests.open_request(work.db, appointment_id)
    return None if found is None or (version is not None and version != found.version) else found


def _answered(request: Request, work: UnitOfWork) -> Response:
    work.discard()
    message = translator(page_locale(request)).gettext(ANSWERED)
    return render(request, "staff/booking_problem.html", {"message": message, "back": QUEUE}, status_code=409)


@router.post("/appointments/{appointment_id}/change-request/accept")
def accept_request(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("accept", "change_request")],
    at: Now,
    settings: AppSettings,
    mail: Mail,
    option: Annotated[BrowserText, Form(max_length=64)] = "",
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    found = _open(work, appointment_id, version)
    if found is None:
        return _answered(request, work)
    asked = found
    appointment = work.db.get_one(Appointment, appointment_id)
    previous: datetime | None = appointment.starts_at
    today = center_today(work.db, principal.center_id, at)
    moved = change_visit(
        request,
        work,
        QUEUE,
        lambda: bookings_requests.accept(work.db, asked, option, today, settings.jurisdiction, principal.user_id, at),
    )
    if isinstance(moved, Response):
        return moved
    details = {"request": asked.id, "day": moved.day.isoformat()}
    visit_changed(work, moved, "moved", mail, at, details=details, previous_start=previous)
    return RedirectResponse(f"{QUEUE}?saved=accepted", status_code=303)


@router.post("/appointments/{appointment_id}/change-request/decline")
def decline_request(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("decline", "change_request")],
    at: Now,
    reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    found = _open(work, appointment_id, version)
    if found is None:
        return _answered(request, work)
    try:
        bookings_requests.decline(work.db, found, reason, principal.user_id, at)
    except RecordProblem as exc:
        work.discard()
        context = {"message": str(exc), "back": QUEUE}
        return render(request, "staff/booking_problem.html", context, status_code=422)
    work.audit(object_id=found.id, patient_id=found.patient_id, details={"appointment": appointment_id})
    return RedirectResponse(f"{QUEUE}?saved=declined", status_code=303)
