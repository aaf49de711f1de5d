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
from msinfusion.db.center_planning import center_planning
from msinfusion.db.models import Patient
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.i18n import N_, Translator, translator
from msinfusion.scheduling import load
from msinfusion.scheduling.clock import format_clock
from msinfusion.settings import Settings
from msinfusion.visits import treatment_name
from msinfusion.web import charts
from msinfusion.web.dependencies import Principal
from msinfusion.web.pages import page_translator, render
from msinfusion.web.views.bookings import day_exceptions

NOTICES = {
    "queued": N_("The optimizer is running. This page shows its progress; you can leave it and come back."),
    "already-running": N_(
        "A run for this day was already under way, so no second run was started. Its progress is below."
    ),
    "accepted": N_("Schedule accepted: chairs and start times are saved to the appointments."),
    "moved": N_("Visit moved. Accept the schedule to save the change to the appointments."),
    "cancelled": N_("Run cancelled. You can run the optimizer again."),
}

SOLVER_STATUSES = {"optimal": N_("Optimal"), "feasible": N_("Feasible"), "heuristic": N_("Heuristic")}
PHASE_NAMES = {
    "check-in": N_("check-in"),
    "premedication": N_("premedication"),
    "infusion": N_("infusion"),
    "observation": N_("observation"),
    "discharge": N_("discharge"),
}


def patient_names(db: Session, center_id: int) -> dict[str, str]:
    """Each patient reference of the center with the patient's name (a day to solve carries references only)."""
    rows = db.execute(select(Patient.reference, Patient.display_name).where(Patient.center_id == center_id))
    return {reference: name for reference, name in rows}


def named(names: dict[str, str], reference: str) -> str:
    """'Name (reference)', the way every staff page names a patient."""
    return f"{names[reference]} ({reference})" if reference in names else reference


def _move_label(names: dict[str, str], visit: Any, placed: Any, t: Translator) -> str:
    where = (
        t.gettext("now {chair} at {start}").format(chair=placed.chair, start=format_clock(placed.start))
        if placed is not None
        else t.gettext("unscheduled")
    )
    visit_words = t.gettext("visit {visit}").format(visit=visit.id)
    return f"{named(names, visit.patient)} · {treatment_name(visit.treatment, t)} · {visit_words} ({where})"


def result_context(
    job: ScheduleJob, names: dict[str, str] | None = None, t: Translator | None = None
) -> dict[str, Any]:
    """A finished run as the page shows it: charts, load tables and the visits a scheduler may move.

    Patients are named "Name (reference)" and treatments by the therapy's name and dose, in the charts
    as in the tables, the way the board names them."""
    names = names or {}
    t = t or translator()
    day, schedule = day_schedule.day_and_schedule(job)
    visits = {a.id: a for a in day.appointments}
    placed = {a.appointment: a for a in schedule.assignments}
    options = [{"id": v.id, "label": _move_label(names, v, placed.get(v.id), t)} for v in day.appointments]
    words = charts.Wording(
        gettext=t.gettext,
        patient=lambda reference: named(names, reference),
        treatment=lambda code: treatment_name(code, t),
    )
    return {
        "day_input": day,
        "schedule": schedule,
        "visits": visits,
        "chair_chart": charts.chair_gantt(day, schedule, words=words),
        "load_chart": charts.patient_load(day, schedule, words=words),
        "nurse_chart": charts.nurse_tasks(day, schedule, words=words),
        "legend": charts.phase_legend(t.gettext),
        "hours": load.hourly_load(day, schedule),
        "nurse_loads": load.nurse_load(day, schedule),
        "move_options": options,
        "chairs": [chair.id for chair in day.center.chairs],
        "clock": format_clock,
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
    t = page_translator(request)
    built: day_schedule.BuiltDay | None = None
    closed: str | None = None
    planning = center_planning(db, principal.center_id, settings)
    try:
        built = day_schedule.build_day(db, principal.center_id, day, planning.duration_basis)
    except day_schedule.DayClosed as exc:
        closed = exc.in_language(t)
    names = patient_names(db, principal.center_id)
    job = day_schedule.latest_job(db, principal.center_id, day)
    shown = job
    if job is not None and job.status != "done":
        # While a new run works (or after it failed), keep showing the last finished schedule.
        shown = day_schedule.latest_job(db, principal.center_id, day, status="done")
    if shown is not None and shown.result is None:  # no schedule to show (seen once in CI): show none, no 500
        shown = None
    context: dict[str, Any] = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "built": built,
        "planning": planning,
        "closed": closed,
        "job": day_schedule.status_of(job, at) if job else None,
        "shown": day_schedule.status_of(shown, at) if shown else None,
        "can_schedule": principal.role in ("scheduler", "admin"),
        "notice": t.gettext(NOTICES[notice]) if notice in NOTICES else None,
        "error": t.gettext(error) if error else None,
        "problems": problems or [],
        "form": form or {},
        "time_limit": settings.solver_time_limit_seconds,
        "label_exceptions": day_exceptions(db, principal.center_id, day),  # views/bookings.py
        "patient_label": lambda reference: named(names, reference),
        "solver_status": lambda status: t.gettext(SOLVER_STATUSES.get(status) or str(status)),
        "phase_label": lambda phase: t.gettext(PHASE_NAMES.get(phase) or str(phase)),
    }
    if shown is not None:
        context.update(result_context(shown, names, t))
    return render(request, "staff/schedule.html", context, status_code=status_code)
