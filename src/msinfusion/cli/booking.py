"""`msinfusion book`: book a whole request of regimens onto the center's days, starts and chairs.

Reads `shared/formats/regimen-booking.md` (`msinfusion.booking/1`) and writes the plan
(`msinfusion.bookings/1`) to standard output or `--out`; progress goes to standard error, redrawn in
place on a terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.text import Text

from msinfusion.booking import BookingProblem, BookingProgress, book, parse_request
from msinfusion.cli._app import UsageProblem, app, console


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"{path}: cannot read ({exc})") from None


def _progress_text(progress: BookingProgress) -> Text:
    level = "no level" if progress.step is None else f"level x{progress.step:.2f} of the lower bound"
    return Text(
        f"booking: {level}; busiest day {progress.peak} chair-min (bound {progress.bound:.0f}), "
        f"{progress.unbooked} unbooked, {progress.elapsed:.1f} s"
    )


@app.command("book")
def book_command(
    request_file: Annotated[
        Path, typer.Argument(metavar="REQUEST.json", help="The center and its patients (msinfusion.booking/1).")
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Seconds the search may take.")] = 30.0,
    out: Annotated[Path | None, typer.Option("--out", help="Write the plan here instead of stdout.")] = None,
) -> None:
    """Book every dose due in the horizon: a date, a start and a chair, each day a feasible day schedule."""
    try:
        request = parse_request(_read(request_file))
    except BookingProblem as problem:
        raise UsageProblem(str(problem)) from None
    err = console(stderr=True)
    try:
        if err.is_terminal:
            with Live(Text("booking: starting"), console=err, transient=True) as live:
                plan = book(request, time_limit=time_limit, on_progress=lambda p: live.update(_progress_text(p)))
        else:
            plan = book(request, time_limit=time_limit)
    except BookingProblem as problem:
        raise UsageProblem(str(problem)) from None
    summary = plan.summary
    err.print(
        f"{summary.booked} doses booked, {summary.unbooked} unbooked; busiest day {summary.chair_minutes.max} "
        f"chair-min (mean {summary.chair_minutes.mean:.0f}); {summary.moved_from_due.count} off their due date "
        f"(mean {summary.moved_from_due.mean_days:.1f} days); preferences met {summary.preferences_met:.0%}; "
        f"{summary.seconds:.1f} s",
        highlight=False,
    )
    text = plan.to_json()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
