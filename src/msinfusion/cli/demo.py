"""`msinfusion demo`: a demo patient's plan on the embedded default, for `make run`."""

from __future__ import annotations

from datetime import date

import typer

from msinfusion.cli._app import app, console
from msinfusion.cli.catalog import find_therapy
from msinfusion.regimens import dose_calendar
from msinfusion.visits import dose_visit


@app.command("demo")
def demo(
    therapy: str = typer.Option("ocrelizumab-iv", "--therapy", help="Therapy of the demo patient"),
    start: str = typer.Option("2027-01-04", "--start", help="Start date of the demo patient"),
) -> None:
    """Print a demo patient's dose calendar and what the next visit will be like."""
    chosen = find_therapy(therapy)
    calendar = dose_calendar(chosen, date.fromisoformat(start), bsa=1.8)
    out = console()
    out.print(f"[bold]Demo patient on {chosen.name}[/bold]")
    for dose in calendar.doses:
        visit = dose_visit(chosen, dose)
        amount = f"{dose.dose_mg:g} mg" if dose.dose_mg is not None else ""
        out.print(f"  dose {dose.number}: {dose.date:%a %d %b %Y}  {amount}  plan for {visit.plan_text}")
    first = dose_visit(chosen, calendar.doses[0])
    out.print("\n[bold]Your first visit, step by step[/bold]")
    for phase in first.phases:
        if phase.minutes:
            out.print(
                f"  +{phase.starts_after // 60}:{phase.starts_after % 60:02d}  {phase.title} ({phase.minutes} min)"
            )
