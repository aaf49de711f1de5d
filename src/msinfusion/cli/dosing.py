"""`msinfusion calendar` and `msinfusion visit`: a patient's dose calendar and one visit's timeline."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from msinfusion.cli._app import UsageProblem, app, console
from msinfusion.cli.catalog import find_therapy
from msinfusion.dose_checks import required_checks
from msinfusion.regimens import DoseCalendar, RegimenError, dose_calendar
from msinfusion.visits import VisitTimeline, dose_visit, value_statuses, visit_timeline


def parse_date(text: str, what: str) -> date:
    """A YYYY-MM-DD date, or a usage problem naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"{what}: {text!r} is not a real date in the form YYYY-MM-DD") from None


def calendar_json(calendar: DoseCalendar) -> dict[str, Any]:
    """The calendar as the documented JSON object (one entry per dose)."""
    doses = []
    for dose in calendar.doses:
        visit = dose_visit(calendar.therapy, dose)
        basis = value_statuses(calendar.therapy, dose)
        doses.append(
            {
                "number": dose.number,
                "date": dose.date.isoformat(),
                "dose_mg": dose.dose_mg,
                "amount": dose.amount,
                "unit": dose.unit,
                "course": dose.course,
                "course_day": dose.course_day,
                "treatment": dose.treatment,
                "infusion_minutes": visit.phase_minutes("infusion"),
                "premedication_minutes": visit.phase_minutes("premedication"),
                "observation_minutes": visit.phase_minutes("observation"),
                "chair_minutes": visit.chair_minutes,
                "status": dose.status,
                "window": {"start": dose.window.start.isoformat(), "end": dose.window.end.isoformat()},
                "notes": list(dose.notes),
                "status_of": basis,
                "needs_review": visit.needs_review,
                "checks_before_dose": [c.id for c in required_checks(calendar.therapy, dose.number)],
            }
        )
    return {
        "therapy": calendar.therapy.id,
        "start": calendar.start.isoformat(),
        "until": calendar.until.isoformat(),
        "doses": doses,
        "warnings": calendar.warnings,
        "cumulative_per_m2": calendar.cumulative_per_m2,
    }


@app.command("calendar")
def calendar_command(
    therapy: str = typer.Argument(..., help="Therapy id, generic or brand name"),
    start: str = typer.Option(..., "--start", help="Date of the first dose, YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="Last date to plan, YYYY-MM-DD (default: 2 years)"),
    given: list[str] = typer.Option([], "--given", help="A date already given, in order (repeat the option)"),
    bsa: float | None = typer.Option(None, "--bsa", help="Body surface area in m2 (mg/m2 therapies)"),
    course_days: int | None = typer.Option(None, "--course-days", help="Days in a relapse course (3-5)"),
    option: str | None = typer.Option(None, "--option", help="Infusion option for later doses, e.g. short"),
    jurisdiction: str = typer.Option("US", "--jurisdiction", help="Label jurisdiction for caps: US or EU"),
    prior: float = typer.Option(0.0, "--prior-mg-m2", help="Cumulative mg/m2 already received"),
    today: str | None = typer.Option(None, "--today", help="Move overdue planned doses to this date"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
    given_mg: list[float] = typer.Option([], "--given-mg", help="mg actually given, in the order of --given"),
    clinician_reason: str | None = typer.Option(
        None, "--clinician-reason", help="A clinician's written reason to go on where a label rule refuses"
    ),
) -> None:
    """Print the dose calendar: initial doses, maintenance, windows, premedication and observation."""
    chosen = find_therapy(therapy)
    start_date = parse_date(start, "--start")
    until_date = parse_date(until, "--until") if until else None
    given_dates = [parse_date(g, "--given") for g in given]
    today_date = parse_date(today, "--today") if today else None
    try:
        calendar = dose_calendar(
            chosen,
            start_date,
            until_date,
            given_dates,
            bsa=bsa,
            course_days=course_days,
            jurisdiction=jurisdiction.upper(),
            prior_cumulative_per_m2=prior,
            option=option,
            as_of=today_date,
            given_mg=given_mg,
            clinician_reason=clinician_reason,
        )
    except RegimenError as exc:
        raise UsageProblem(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(calendar_json(calendar), indent=2))
        return
    data = calendar_json(calendar)
    table = Table(title=f"{chosen.name}: doses from {data['start']} to {data['until']}")
    for column in (
        "#",
        "date",
        "dose",
        "infusion",
        "premed",
        "observe",
        "in chair",
        "status",
        "book between",
        "notes",
    ):
        table.add_column(column)

    def marked(text: str, status: str | None) -> str:
        return escape(f"{text} [{status}]") if status else text

    for dose in data["doses"]:
        amount = f"{dose['dose_mg']:g} mg" if dose["dose_mg"] is not None else f"{dose['amount']:g} {dose['unit']}"
        basis = dose["status_of"]
        label = (
            str(dose["number"])
            if dose["course"] is None
            else f"{dose['number']} (c{dose['course']}d{dose['course_day']})"
        )
        table.add_row(
            label,
            marked(dose["date"], basis["date"]),
            marked(amount, basis["amount"]),
            marked(f"{dose['infusion_minutes']} min", basis["infusion"]),
            marked(f"{dose['premedication_minutes']} min", basis["premedication"]),
            marked(f"{dose['observation_minutes']} min", basis["observation"]),
            f"{dose['chair_minutes']} min",
            dose["status"],
            f"{dose['window']['start']} – {dose['window']['end']}",
            "; ".join(dose["notes"]),
        )
    out = console()
    out.print(table)
    out.print(
        escape(
            "[status] after a value: how firmly it is sourced (label, manufacturer, secondary, practice, unconfirmed)"
        )
    )
    for warning in calendar.warnings:
        out.print(f"warning: {warning}")


def timeline_json(visit: VisitTimeline) -> dict[str, Any]:
    """The visit timeline as JSON, with the plain 'plan for about N hours' text."""
    data = visit.model_dump(mode="json")
    data["plan_text"] = visit.plan_text
    return data


@app.command("visit")
def visit_command(
    therapy: str = typer.Argument(..., help="Therapy id, generic or brand name"),
    dose: int = typer.Option(1, "--dose", min=1, help="Dose number (course day count for courses)"),
    option: str | None = typer.Option(None, "--option", help="Infusion option, e.g. short"),
    bsa: float | None = typer.Option(None, "--bsa", help="Body surface area in m2 (mg/m2 therapies)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Print the timeline of one visit: each phase with minutes and nurse minutes, and the total."""
    chosen = find_therapy(therapy)
    try:
        step = chosen.dose_step(dose)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    if option is not None and option not in step.options:
        raise UsageProblem(f"dose {dose} of {chosen.id} has no infusion option {option!r}")
    dose_mg = None
    if chosen.dose_unit == "mg/m2" and bsa is not None:
        dose_mg = round(step.amount.value * bsa, 1)
    course_day = None
    if chosen.regimen.kind == "courses":
        first = chosen.regimen.planned[0].days.value
        course_day = dose if dose <= first else dose - first
    visit = visit_timeline(chosen, dose, infusion=option, dose_mg=dose_mg, course_day=course_day)
    if as_json:
        typer.echo(json.dumps(timeline_json(visit), indent=2))
        return
    table = Table(title=f"{chosen.name}, dose {dose}: plan for {visit.plan_text}")
    for column in ("starts", "phase", "minutes", "nurse minutes", "note"):
        table.add_column(column)
    for phase in visit.phases:
        start = f"+{phase.starts_after // 60}:{phase.starts_after % 60:02d}"
        note = (phase.note or "") + ("  [NEEDS REVIEW]" if phase.needs_review else "")
        table.add_row(start, phase.title, str(phase.minutes), str(phase.nurse_minutes), note)
    table.add_row("", "Total in chair", str(visit.chair_minutes), str(visit.nurse_minutes), "")
    console().print(table)
