"""`msinfusion schedule` and `msinfusion demo-day`: the day scheduler on the command line.

Reads and writes `shared/formats/day-schedule.md`. The schedule goes to standard output (or `--out`);
progress and messages go to standard error, with a live display when it is a terminal.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.text import Text

from msinfusion.cli._app import UsageProblem, app, console
from msinfusion.scheduling import (
    Appointment,
    Day,
    DayProblem,
    Schedule,
    SearchMode,
    SolverName,
    make_demo_day,
    parse_day,
    parse_schedule,
    schedule_violations,
    solve,
    with_catalog_phases,
)
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.model import Progress


class SolverChoice(enum.StrEnum):
    cp_sat = "cp-sat"
    greedy = "greedy"


class SearchChoice(enum.StrEnum):
    deterministic = "deterministic"
    anytime = "anytime"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"{path}: cannot read ({exc})") from None


class _ProgressLine:
    """Best found, bound and elapsed seconds, redrawn in place on a terminal."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.best: int | None = None
        self.bound: int | None = None
        self.deviation: int | None = None

    def __call__(self, progress: Progress) -> None:
        if progress.best_priority is not None:
            self.best, self.bound = progress.best_priority, progress.bound
        if progress.deviation is not None:
            self.deviation = progress.deviation
        parts = [f"best {self.best}", f"bound {'-' if self.bound is None else self.bound}"]
        if self.deviation is not None:
            parts.append(f"preference deviation {self.deviation} slots")
        parts.append(f"{progress.elapsed:.1f} s")
        self.live.update(Text("scheduling: " + ", ".join(parts)))


@app.command("schedule")
def schedule_command(
    day_file: Annotated[Path, typer.Argument(metavar="DAY.json", help="The day to schedule (msinfusion.day/1).")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Seconds CP-SAT may search.")] = 10.0,
    solver: Annotated[SolverChoice, typer.Option("--solver", help="cp-sat (optimizing) or greedy (baseline).")] = (
        SolverChoice.cp_sat
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Write the schedule here instead of stdout.")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed of the search.")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="CP-SAT search workers.")] = 2,
    search: Annotated[
        SearchChoice,
        typer.Option(
            "--search",
            help="deterministic (same schedule for the same day, seed, time limit and workers) or anytime "
            "(uses the whole time limit; not reproducible).",
        ),
    ] = SearchChoice.deterministic,
    continuity: Annotated[
        bool, typer.Option("--continuity", help="One nurse for all of a visit's tasks where possible.")
    ] = False,
    repair_file: Annotated[
        Path | None,
        typer.Option("--repair", metavar="EVENTS.json", help="Re-plan the running day after these events."),
    ] = None,
    add_on_file: Annotated[
        Path | None,
        typer.Option("--add-on", metavar="VISIT.json", help="Place this same-day visit (one appointment)."),
    ] = None,
    current_file: Annotated[
        Path | None,
        typer.Option("--current", metavar="SCHEDULE.json", help="The schedule in force (with --repair/--add-on)."),
    ] = None,
    now: Annotated[str | None, typer.Option("--now", metavar="HH:MM", help="The time of an add-on request.")] = None,
    max_shift: Annotated[
        int, typer.Option("--max-shift", min=0, help="Minutes an add-on may move other promised starts.")
    ] = 0,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write what changes (and alternatives) here as JSON.")
    ] = None,
) -> None:
    """Assign every appointment of a day a chair, a start and its nurses (or say why not).

    With --repair or --add-on and --current, re-plan the running day instead (docs/live-day.md).
    """
    try:
        day = with_catalog_phases(parse_day(_read(day_file)))
    except DayProblem as problem:
        raise UsageProblem(str(problem)) from None
    if search is SearchChoice.anytime and (repair_file is not None or add_on_file is not None):
        raise UsageProblem("--search anytime schedules a whole day; it does not go with --repair or --add-on")
    if search is SearchChoice.anytime and solver is SolverChoice.greedy:
        raise UsageProblem("--search anytime goes with --solver cp-sat")
    if repair_file is not None or add_on_file is not None:
        from msinfusion.cli.replan import run_replan

        run_replan(
            day,
            repair_file=repair_file,
            add_on_file=add_on_file,
            current=_current(day, current_file),
            now=now,
            max_shift=max_shift,
            continuity=continuity,
            out=out,
            report=report,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
        )
        return
    for flag, value in (("--current", current_file), ("--now", now), ("--report", report)):
        if value is not None:
            raise UsageProblem(f"{flag} goes with --repair or --add-on")
    name: SolverName = "greedy" if solver is SolverChoice.greedy else "cp-sat"
    mode: SearchMode = "anytime" if search is SearchChoice.anytime else "deterministic"
    err = console(stderr=True)
    if err.is_terminal and solver is SolverChoice.cp_sat:
        with Live(Text("scheduling: starting"), console=err, transient=True) as live:
            result = solve(
                day,
                solver=name,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                continuity=continuity,
                on_progress=_ProgressLine(live),
                search=mode,
            )
    else:
        result = solve(
            day, solver=name, time_limit=time_limit, seed=seed, workers=workers, continuity=continuity, search=mode
        )
    objective = result.objective
    bound = f", bound {result.bound.scheduled_priority}" if result.bound is not None else ""
    err.print(
        f"{objective.scheduled} of {len(day.appointments)} appointments scheduled (priority "
        f"{objective.scheduled_priority}{bound}), preference deviation {objective.preference_deviation_minutes} min, "
        f"{result.solver.status}, {result.solver.seconds:.1f} s",
        highlight=False,
    )
    text = result.to_json()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _current(day: Day, path: Path | None) -> Schedule:
    if path is None:
        raise UsageProblem("--repair and --add-on need --current SCHEDULE.json, the schedule in force")
    try:
        schedule = parse_schedule(_read(path))
    except DayProblem as problem:
        raise UsageProblem(f"{path}: {problem}") from None
    problems = schedule_violations(day, schedule)
    if problems:
        raise UsageProblem(f"{path}: not a valid schedule of the day: {problems[0]}")
    return schedule


def read_clock(flag: str, text: str) -> int:
    """Minutes after midnight for an `HH:MM` option, or a usage problem naming the flag."""
    try:
        return parse_clock(text)
    except ValueError as exc:
        raise UsageProblem(f"{flag}: {exc}") from None


def read_visit(path: Path) -> Appointment:
    """One appointment (as in msinfusion.day/1) from a file, or a usage problem naming the field."""
    import json

    from pydantic import ValidationError

    from msinfusion.scheduling.problems import first_error

    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise UsageProblem(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return Appointment.model_validate(data)
    except ValidationError as exc:
        raise UsageProblem(f"{path}: {first_error(exc)}") from None


@app.command("demo-day")
def demo_day_command(
    chairs: Annotated[int, typer.Option("--chairs", min=1, help="Chairs in the center.")] = 12,
    nurses: Annotated[int, typer.Option("--nurses", min=1, help="Nurses on staggered shifts.")] = 4,
    appointments: Annotated[int, typer.Option("--appointments", min=0, help="Visits to book.")] = 26,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the generator.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="Write the day here instead of stdout.")] = None,
) -> None:
    """Write a realistic MS infusion-center day (msinfusion.day/1) built from the catalog's visit timelines."""
    text = make_demo_day(chairs, nurses, appointments, seed).to_json()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
