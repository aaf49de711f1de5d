"""Book a whole regimen: plan it in the background, watch the plan come, confirm the stored plan.

"Book the regimen" queues a booking run (or finds the prescription's run already queued or running)
and goes to its page, which says "Planning…" in a status region and, with the small script, checks
the run every second and shows the plan once it is ready (without the script, a link checks again).
Confirming writes the stored plan after checking it against the bookings as they are now
(:func:`msinfusion.db.booking_runs.confirm_run`); when the schedule changed meanwhile the page answers
409 with a button to plan again. The engine never runs inside a request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db import booking_runs
from msinfusion.db.booking_models import BookingRun
from msinfusion.db.bookings import BookingConflict
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Prescription
from msinfusion.i18n import N_
from msinfusion.limits import MAX_ROW_ID
from msinfusion.outbox.producers import enqueue_visit_notice
from msinfusion.prescriptions import RecordProblem
from msinfusion.scheduling.clock import format_clock
from msinfusion.web.booking_changes import CHAIR_TAKEN, MAX_VERSION, problem, refusal
from msinfusion.web.dependencies import DbSession, Mail, Now, Principal, Runner
from msinfusion.web.pages import page_translator, render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/staff/prescriptions", include_in_schema=False)

CONFIRMED_MEANWHILE = N_("Another scheduler booked from this plan at the same moment. Plan again to see what is left.")


def _run_url(prescription_id: int) -> str:
    return f"/staff/prescriptions/{prescription_id}/booking/run"


def _latest(db: Session, prescription_id: int) -> BookingRun | None:
    return db.scalar(
        select(BookingRun).where(BookingRun.prescription_id == prescription_id).order_by(BookingRun.id.desc()).limit(1)
    )


def _plan(
    request: Request, prescription_id: int, principal: Principal, work: UnitOfWork, at: Any, runner: Runner
) -> Response:
    """Queue a booking run for the prescription (or find the one queued or running) and go to its page."""
    prescription = work.db.get_one(Prescription, prescription_id)
    back = f"/staff/patients/{prescription.patient_id}#prescription-{prescription.id}"
    try:
        today = center_today(work.db, principal.center_id, at)
        run, created = booking_runs.queue_booking(work.db, prescription, principal.user_id, at, today)
    except RecordProblem as exc:
        return problem(request, work, refusal(exc), back)
    work.audit(object_id=prescription.id, patient_id=prescription.patient_id, details={"run": run.id, "new": created})
    if created:
        run_id, center_id = run.id, principal.center_id
        work.after_commit(lambda: runner.submit_booking(run_id, center_id))
    return RedirectResponse(_run_url(prescription.id), status_code=303)


@router.get("/{prescription_id}/booking")
def booking_start(
    request: Request,
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("preview", "booking")],
    at: Now,
    runner: Runner,
) -> Response:
    """The old link to the preview: plans the booking (as the button does) and goes to the run's page."""
    return _plan(request, prescription_id, principal, work, at, runner)


@router.post("/{prescription_id}/booking/plan")
def booking_plan(
    request: Request,
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("preview", "booking")],
    at: Now,
    runner: Runner,
) -> Response:
    return _plan(request, prescription_id, principal, work, at, runner)


@router.get("/{prescription_id}/booking/run", response_class=HTMLResponse)
def booking_run_page(
    request: Request,
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("read", "booking_run")],
    at: Now,
) -> Response:
    """The prescription's newest booking run: planning, failed (with a retry), or its plan to confirm."""
    prescription = work.db.get_one(Prescription, prescription_id)
    run = _latest(work.db, prescription.id)
    work.audit(object_id=run.id if run else None, patient_id=prescription.patient_id)
    return _page(request, prescription, run, at)


@router.get("/{prescription_id}/booking/status")
def booking_run_status(
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    db: DbSession,
    at: Now,
) -> booking_runs.BookingRunStatus | None:
    """The newest run's status as JSON (the run page's script polls it); ``null`` when none was planned."""
    run = _latest(db, prescription_id)
    return booking_runs.status_of(run, at) if run is not None else None


@router.post("/{prescription_id}/booking")
def booking_confirm(
    request: Request,
    prescription_id: int,
    run_id: Annotated[int, Form(ge=1, le=MAX_ROW_ID)],
    version: Annotated[int, Form(ge=1, le=MAX_VERSION)],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "booking")],
    at: Now,
    mail: Mail,
) -> Response:
    """Book the run's stored plan, if it still holds against the bookings as they are now (else 409)."""
    prescription = work.db.get_one(Prescription, prescription_id)
    run = work.db.get(BookingRun, run_id)
    if run is None or run.prescription_id != prescription.id:
        return _page(request, prescription, _latest(work.db, prescription.id), at, conflict=booking_runs.NOT_READY)
    if run.version != version:
        return _refuse(request, work, prescription, run, at, CONFIRMED_MEANWHILE)
    today = center_today(work.db, principal.center_id, at)
    try:
        made = booking_runs.confirm_run(work.db, run, prescription, today, principal.user_id, at)
        work.db.flush()
    except BookingConflict as exc:
        return _refuse(request, work, prescription, run, at, str(exc))
    except StaleDataError:
        return _refuse(request, work, prescription, run, at, CONFIRMED_MEANWHILE)
    except IntegrityError:
        return _refuse(request, work, prescription, run, at, CHAIR_TAKEN)
    except RecordProblem as exc:
        back = f"/staff/patients/{prescription.patient_id}#prescription-{prescription.id}"
        return problem(request, work, refusal(exc), back)
    queued = sum(enqueue_visit_notice(work.db, a, "booked", mail, at) for a in made)
    work.audit(
        object_id=prescription.id,
        patient_id=prescription.patient_id,
        details={"run": run.id, "appointments": [a.id for a in made], "notices": queued},
    )
    return RedirectResponse(f"/staff/patients/{prescription.patient_id}?saved=booked-{len(made)}#visits", 303)


def _refuse(
    request: Request, work: UnitOfWork, prescription: Prescription, run: BookingRun, at: Any, message: str
) -> Response:
    """Nothing is booked: the run's page with why (409) and a button to plan again."""
    work.discard()
    fresh = work.db.get(BookingRun, run.id)
    return _page(request, prescription, fresh, at, conflict=message)


def _page(
    request: Request, prescription: Prescription, run: BookingRun | None, at: Any, conflict: str | None = None
) -> Response:
    status = booking_runs.status_of(run, at) if run is not None else None
    done = run is not None and status is not None and status.status == "done"
    planned, unbooked = booking_runs.stored_plan(run) if run is not None and done else ([], [])
    t = page_translator(request)
    return render(
        request,
        "staff/booking_preview.html",
        {
            "prescription": prescription,
            "patient": prescription.patient,
            "run": status,
            "bookings": planned,
            "unbooked": unbooked,
            "clock": format_clock,
            "error": t.message(status.error) if status is not None and status.error else None,
            "conflict": t.message(conflict) if conflict else None,
        },
        status_code=409 if conflict else 200,
    )
