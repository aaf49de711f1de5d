"""`msinfusion demo`: a demo patient's plan and a scheduled demo center day, for `make run`."""

from __future__ import annotations

import datetime

import typer
from rich.table import Table

from msinfusion.center import demo_center
from msinfusion.cli._app import app, console
from msinfusion.cli.catalog import find_therapy
from msinfusion.exports.text import plan_text
from msinfusion.plan import build_plan
from msinfusion.scheduling import make_demo_day, solve
from msinfusion.scheduling.clock import format_clock


@app.command("demo")
def demo(
    therapy: str = typer.Option("ocrelizumab-iv", "--therapy", help="Therapy of the demo patient"),
    start: str = typer.Option("2027-01-04", "--start", help="Start date of the demo patient"),
    chairs: int = typer.Option(12, "--chairs", min=1, help="Chairs of the demo center day"),
    nurses: int = typer.Option(4, "--nurses", min=1, help="Nurses of the demo center day"),
    appointments: int = typer.Option(30, "--appointments", min=1, help="Appointments on the demo day"),
    time_limit: float = typer.Option(5.0, "--time-limit", min=0.1, help="Seconds for the day optimizer"),
) -> None:
    """Print a demo patient's plan, then a demo center day scheduled by the optimizer."""
    chosen = find_therapy(therapy)
    plan = build_plan(
        chosen,
        datetime.date.fromisoformat(start),
        issued=datetime.datetime(2026, 12, 1, 9, 0),  # noqa: DTZ001 - a fixed demo stamp, as printed before
        center=demo_center(),
    )
    out = console()
    out.rule("A patient's plan (demo)")
    out.print(plan_text(plan), markup=False, highlight=False)
    day = make_demo_day(chairs, nurses, appointments, seed=1)
    schedule = solve(day, time_limit=time_limit)
    out.rule(f"A center day (demo): {chairs} chairs, {nurses} nurses, {appointments} appointments")
    treatment = {a.id: a.treatment for a in day.appointments}
    table = Table()
    for column in ("chair", "start", "end", "appointment", "treatment", "nurses"):
        table.add_column(column)
    for assignment in sorted(schedule.assignments, key=lambda a: (a.chair, a.start)):
        nurses_used = sorted({task.nurse for task in assignment.nurse_tasks})
        table.add_row(
            assignment.chair,
            format_clock(assignment.start),
            format_clock(assignment.end),
            assignment.appointment,
            treatment[assignment.appointment],
            ", ".join(nurses_used),
        )
    out.print(table)
    for item in schedule.unscheduled:
        out.print(f"not scheduled: {item.appointment} — {item.reason}")
    objective = schedule.objective
    bound = f", bound {schedule.bound.scheduled_priority}" if schedule.bound else ""
    out.print(
        f"{objective.scheduled} of {len(day.appointments)} scheduled ({schedule.solver.status}{bound}); "
        f"preference deviation {objective.preference_deviation_minutes} min; "
        f"{schedule.solver.seconds:.1f} s"
    )
