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
from msinfusion.scheduling import DayProblem, SolverName, make_demo_day, parse_day, solve, with_catalog_phases
from msinfusion.scheduling.model import Progress


class SolverChoice(enum.StrEnum):
    cp_sat = "cp-sat"
    greedy = "greedy"


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
) -> None:
    """Assign every appointment of a day a chair, a start and its nurses (or say why not)."""
    try:
        day = with_catalog_phases(parse_day(_read(day_file)))
    except DayProblem as problem:
        raise UsageProblem(str(problem)) from None
    name: SolverName = "greedy" if solver is SolverChoice.greedy else "cp-sat"
    err = console(stderr=True)
    if err.is_terminal and solver is SolverChoice.cp_sat:
        with Live(Text("scheduling: starting"), console=err, transient=True) as live:
            result = solve(
                day,
                solver=name,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                on_progress=_ProgressLine(live),
            )
    else:
        result = solve(day, solver=name, time_limit=time_limit, seed=seed, workers=workers)
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
