"""`msinfusion schedule DAY.json --current S.json --repair EVENTS.json | --add-on VISIT.json`: the live day.

The re-planned schedule (msinfusion.schedule/1) goes to standard output or `--out`; what changes, the
notes and warnings (and for an add-on that does not fit, why and the alternatives) go to standard
error, and with `--report` to a JSON file (`msinfusion.replan/1`, see docs/live-day.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from msinfusion.cli._app import UsageProblem, console
from msinfusion.cli.schedule import read_clock, read_visit
from msinfusion.scheduling import Day, DayProblem, Schedule
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.events import parse_events
from msinfusion.scheduling.repair import repair

__all__ = ["REPLAN_FORMAT", "run_replan"]

REPLAN_FORMAT = "msinfusion.replan/1"
REPAIR_SECONDS = 1.5
"""Search time of a repair (at most --time-limit): the board needs an answer within 2 seconds."""
ADD_ON_SECONDS = 0.75
"""Search time of an add-on (at most --time-limit), alternatives included: within a second."""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"{path}: cannot read ({exc})") from None


def run_replan(
    day: Day,
    *,
    repair_file: Path | None,
    add_on_file: Path | None,
    current: Schedule,
    now: str | None,
    max_shift: int,
    continuity: bool,
    out: Path | None,
    report: Path | None,
    time_limit: float,
    seed: int,
    workers: int,
) -> None:
    """Run a repair or an add-on and write the schedule, the summary and the report."""
    if repair_file is not None and add_on_file is not None:
        raise UsageProblem("give --repair or --add-on, not both")
    err = console(stderr=True)
    data: dict[str, Any] = {"format": REPLAN_FORMAT}
    if repair_file is not None:
        if now is not None:
            raise UsageProblem("--now goes with --add-on; a repair takes 'now' from EVENTS.json")
        try:
            events = parse_events(_read(repair_file))
            result = repair(
                day,
                current,
                events,
                continuity=continuity,
                time_limit=min(time_limit, REPAIR_SECONDS),
                seed=seed,
                workers=workers,
            )
        except DayProblem as problem:
            raise UsageProblem(f"{repair_file}: {problem}") from None
        schedule = result.schedule
        for line in [*result.notes, *(c.describe() for c in result.changes), *result.warnings]:
            err.print(line, highlight=False, markup=False)
        err.print(
            f"repaired in {result.seconds:.2f} s: {result.moved_promises} promised start(s) change, "
            f"{len(result.changes)} change(s) in all",
            highlight=False,
        )
        data.update(
            kind="repair",
            now=format_clock(events.now),
            changes=[c.model_dump(mode="json") for c in result.changes],
            notes=result.notes,
            warnings=result.warnings,
        )
    else:
        assert add_on_file is not None
        if now is None:
            raise UsageProblem("--add-on needs --now HH:MM, the time of the request")
        moment = read_clock("--now", now)
        visit = read_visit(add_on_file)
        try:
            placed = add_on(
                day,
                current,
                visit,
                moment,
                max_shift=max_shift,
                time_limit=min(time_limit, ADD_ON_SECONDS),
                seed=seed,
                workers=workers,
            )
        except DayProblem as problem:
            raise UsageProblem(f"{add_on_file}: {problem}") from None
        schedule = placed.schedule
        if placed.placement is not None:
            err.print(
                f"{visit.id} fits at {format_clock(placed.placement.start)} in chair {placed.placement.chair}",
                highlight=False,
            )
        else:
            err.print(f"{visit.id} does not fit today: {placed.reason}", highlight=False, markup=False)
        for change in placed.changes:
            err.print(change.describe(), highlight=False, markup=False)
        for alternative in placed.alternatives:
            err.print(
                f"alternative ({alternative.kind}): {alternative.date} {format_clock(alternative.start)} "
                f"in chair {alternative.chair}; {alternative.note}",
                highlight=False,
                markup=False,
            )
        data.update(
            kind="add-on",
            now=format_clock(moment),
            fits=placed.fits,
            reason=placed.reason,
            changes=[c.model_dump(mode="json") for c in placed.changes],
            alternatives=[a.model_dump(mode="json") for a in placed.alternatives],
        )
    text = schedule.to_json()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    if report is not None:
        report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
