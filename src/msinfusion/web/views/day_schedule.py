"""The staff day schedule page: the day to solve, the optimizer's progress, and a finished schedule as
charts, load tables and the visits a scheduler may move."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import day_schedule
from msinfusion.db.models import Patient
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.scheduling import load
from msinfusion.scheduling.clock import format_clock
from msinfusion.settings import Settings
from msinfusion.visits import treatment_name
from msinfusion.web import charts
from msinfusion.web.dependencies import Principal
from msinfusion.web.pages import render
from msinfusion.web.views.bookings import day_exceptions

NOTICES = {
    "queued": "The optimizer is running. This page shows its progress; you can leave it and come back.",
    "already-running": "A run for this day was already under way, so no second run was started. Its progress is below.",
    "accepted": "Schedule accepted: chairs and start times are saved to the appointments.",
    "moved": "Visit moved. Accept the schedule to save the change to the appointments.",
    "cancelled": "Run cancelled. You can run the optimizer again.",
}


def patient_names(db: Session, center_id: int) -> dict[str, str]:
    """Each patient reference of the center with the patient's name (a day to solve carries references only)."""
    rows = db.execute(select(Patient.reference, Patient.display_name).where(Patient.center_id == center_id))
    return {reference: name for reference, name in rows}


def named(names: dict[str, str], reference: str) -> str:
    """'Name (reference)', the way every staff page names a patient."""
    return f"{names[reference]} ({reference})" if reference in names else reference


def result_context(job: ScheduleJob, names: dict[str, str] | None = None) -> dict[str, Any]:
    """A finished run as the page shows it: charts, load tables and the visits a scheduler may move."""
    names = names or {}
    day, schedule = day_schedule.day_and_schedule(job)
    visits = {a.id: a for a in day.appointments}
    placed = {a.appointment: a for a in schedule.assignments}
    options = [
        {
            "id": visit.id,
            "label": f"{named(names, visit.patient)} · {treatment_name(visit.treatment)} · visit {visit.id}"
            + (
                f" (now {placed[visit.id].chair} at {format_clock(placed[visit.id].start)})"
                if visit.id in placed
                else " (unscheduled)"
            ),
        }
        for visit in day.appointments
    ]
    return {
        "day_input": day,
        "schedule": schedule,
        "visits": visits,
        "chair_chart": charts.chair_gantt(day, schedule),
        "load_chart": charts.patient_load(day, schedule),
        "nurse_chart": charts.nurse_tasks(day, schedule),
        "legend": charts.phase_legend(),
        "hours": load.hourly_load(day, schedule),
        "nurse_loads": load.nurse_load(day, schedule),
        "move_options": options,
        "chairs": [chair.id for chair in day.center.chairs],
        "clock": format_clock,
        "patient": lambda reference: named(names, reference),
    }


def page(
    request: Request,
    db: Session,
    principal: Principal,
    day: date,
    at: datetime,
    settings: Settings,
    *,
    notice: str | None = None,
    error: str | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The day schedule page: the day to solve, the newest run and the last finished schedule."""
    built: day_schedule.BuiltDay | None = None
    closed: str | None = None
    try:
        built = day_schedule.build_day(db, principal.center_id, day)
    except day_schedule.DayClosed as exc:
        closed = str(exc)
    job = day_schedule.latest_job(db, principal.center_id, day)
    shown = job
    if job is not None and job.status != "done":
        # While a new run works (or after it failed), keep showing the last finished schedule.
        shown = day_schedule.latest_job(db, principal.center_id, day, status="done")
    context: dict[str, Any] = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "built": built,
        "closed": closed,
        "job": day_schedule.status_of(job, at) if job else None,
        "shown": day_schedule.status_of(shown, at) if shown else None,
        "can_schedule": principal.role in ("scheduler", "admin"),
        "notice": NOTICES.get(notice or ""),
        "error": error,
        "problems": problems or [],
        "form": form or {},
        "time_limit": settings.solver_time_limit_seconds,
        "label_exceptions": day_exceptions(db, principal.center_id, day),  # views/bookings.py
    }
    if shown is not None:
        context.update(result_context(shown, patient_names(db, principal.center_id)))
    return render(request, "staff/schedule.html", context, status_code=status_code)
