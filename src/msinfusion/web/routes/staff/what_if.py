"""The what-if page for schedulers: simulate the day's schedule (and a proposal) many times and compare.

The page only reads: it simulates the chosen finished runs of the day (or the day as booked) with the center's recorded
durations (where there are enough), no-shows and add-ons, and shows the averages side by side. The rates start at the
center's own (the center editor), else the app settings; staff may change them for one simulation.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from msinfusion.db.center_catalog import center_today
from msinfusion.db.center_planning import center_planning
from msinfusion.db.database import reading
from msinfusion.db.visit_history import learned_durations
from msinfusion.limits import ClinicalDay
from msinfusion.scheduling.simulation import SimulationSettings
from msinfusion.web.dependencies import AppSettings, DbSession, Now, Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.views import what_if as view
from msinfusion.web.views.day_schedule import patient_names

router = APIRouter(prefix="/staff/schedule/what-if", include_in_schema=False)

NO_SCHEDULE = "none"
"""The value of "no second schedule" in the form."""
MAX_RUNS = 5000
"""Most simulated runs one page view may ask for (about 5 s for a 100-visit day)."""


@router.get("", response_class=HTMLResponse)
def what_if_page(
    request: Request,
    principal: Annotated[Principal, policy("scheduler-center")],
    db: DbSession,
    at: Now,
    settings: AppSettings,
    day: Annotated[ClinicalDay | None, Query()] = None,
    a: Annotated[str | None, Query(max_length=32)] = None,
    b: Annotated[str | None, Query(max_length=32)] = None,
    runs: Annotated[int | None, Query(ge=10, le=MAX_RUNS)] = None,
    no_show: Annotated[float | None, Query(ge=0, le=100)] = None,
    add_on: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> Response:
    with reading(db):
        chosen_day: date = day or center_today(db, principal.center_id, at)
        found = view.choices(db, principal.center_id, chosen_day)
        by_key = {c.key: c for c in found}
        first, second = view.default_keys(found)
        selected_a, selected_b = a or first, None if b == NO_SCHEDULE else (b or second)
        keys = [k for k in dict.fromkeys([selected_a, selected_b]) if k]
        unknown = [k for k in keys if k not in by_key]
        picked = [by_key[k] for k in keys if k in by_key]
        planning = center_planning(db, principal.center_id, settings)
        options = SimulationSettings(
            runs=runs or settings.simulation_runs,
            no_show_rate=(no_show / 100 if no_show is not None else planning.no_show_rate),
            add_on_rate=(add_on / 100 if add_on is not None else planning.add_on_rate),
            learned=learned_durations(db, principal.center_id, before=chosen_day),
        )
        names = patient_names(db, principal.center_id)
        runs_read = [
            view.loaded(db, choice, principal.center_id, chosen_day, planning.duration_basis) for choice in picked
        ]
    simulations = [view.simulated(run, options) for run in runs_read]  # CPU only: no transaction held
    context: dict[str, Any] = {
        "day": chosen_day,
        "choices": found,
        "selected": {"a": selected_a, "b": selected_b or NO_SCHEDULE},
        "no_schedule": NO_SCHEDULE,
        "unknown": unknown,
        "options": options,
        "planning": planning,
        "planning_no_show": format(round(100 * planning.no_show_rate, 2), "g"),
        "planning_add_on": format(round(100 * planning.add_on_rate, 2), "g"),
        "no_show_percent": round(100 * options.no_show_rate, 1),
        "add_on_percent": round(100 * options.add_on_rate, 1),
        "max_runs": MAX_RUNS,
        "simulations": simulations,
        "metrics": view.metrics(simulations),
        "patients": view.patient_rows(simulations, names),
        "history": view.history_used(options.learned, [s.day for s in simulations]),
    }
    return render(request, "staff/what_if.html", context, status_code=404 if unknown else 200)
