"""Greedy versus CP-SAT on generated MS center days, normal and overbooked; prints one table.

python -m benchmarks.scheduling [--time-limit 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

from msinfusion.scheduling import Schedule, check_schedule, make_demo_day, solve, with_catalog_phases
from msinfusion.scheduling.model import Progress


@dataclass(frozen=True)
class Case:
    chairs: int
    nurses: int
    appointments: int
    overbooked: bool


CASES = (
    Case(8, 3, 22, False),
    Case(12, 4, 30, False),
    Case(16, 6, 45, False),
    Case(24, 8, 60, False),
    Case(36, 12, 100, False),
    Case(48, 16, 150, False),
    Case(8, 3, 35, True),
    Case(12, 4, 50, True),
    Case(24, 8, 90, True),
)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"day scheduling, CP-SAT {args.time_limit:g} s limit, 2 workers, {os.cpu_count()} cores, seed {args.seed}")
    header = ["day", "appts", "greedy", "cp-sat", "prio g/c", "bound", "proven", "dev g", "dev c", "first s", "s"]
    widths = [16, 5, 6, 6, 9, 5, 6, 6, 6, 7, 5]
    print(_row(header, widths))
    over_greedy = over_cp = 0
    all_valid = cp_at_least_greedy = True
    for case in CASES:
        day = with_catalog_phases(make_demo_day(case.chairs, case.nurses, case.appointments, seed=args.seed))
        greedy = solve(day, solver="greedy")
        first: list[float] = []
        started = time.monotonic()

        def note(progress: Progress, first: list[float] = first, started: float = started) -> None:
            if not first and progress.best_priority is not None:
                first.append(time.monotonic() - started)

        cp = solve(day, time_limit=args.time_limit, seed=args.seed, on_progress=note)
        seconds = time.monotonic() - started
        for schedule in (greedy, cp):
            check_schedule(day, schedule)  # solve() already did; a benchmark shows it again
        all_valid = all_valid and _valid(day, greedy) and _valid(day, cp)
        g, c = greedy.objective, cp.objective
        cp_at_least_greedy &= (c.scheduled_priority, -c.preference_deviation_minutes) >= (
            g.scheduled_priority,
            -g.preference_deviation_minutes,
        )
        bound = cp.bound.scheduled_priority if cp.bound is not None else None
        if case.overbooked:
            over_greedy += g.scheduled
            over_cp += c.scheduled
        label = f"{case.chairs}ch/{case.nurses}rn{' over' if case.overbooked else ''}"
        print(
            _row(
                [
                    label,
                    str(case.appointments),
                    str(g.scheduled),
                    str(c.scheduled),
                    f"{g.scheduled_priority}/{c.scheduled_priority}",
                    "-" if bound is None else str(bound),
                    "yes" if bound == c.scheduled_priority else "no",
                    str(g.preference_deviation_minutes),
                    str(c.preference_deviation_minutes),
                    f"{first[0]:.2f}" if first else "-",
                    f"{seconds:.1f}",
                ],
                widths,
            )
        )
    gain = (over_cp - over_greedy) / over_greedy * 100 if over_greedy else 0.0
    print(
        f"every schedule valid: {'yes' if all_valid else 'NO'}; CP-SAT >= greedy on every day: "
        f"{'yes' if cp_at_least_greedy else 'NO'}; overbooked days: greedy {over_greedy}, CP-SAT {over_cp} "
        f"appointments ({gain:+.1f} %)"
    )


def _valid(day: object, schedule: Schedule) -> bool:
    from msinfusion.scheduling import schedule_violations

    return not schedule_violations(day, schedule)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
