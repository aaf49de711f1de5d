"""Greedy versus CP-SAT on generated MS center days, normal and overbooked; prints one table.

python -m benchmarks.scheduling [--time-limit 10] [--seed 1]

Target 3 (determinism) solves one proven day twice. Only days proven within their deterministic
budgets are reproducible: a day that is not (here the 150-visit day) keeps improving until the wall
time limit, so its row depends on machine speed and load (`msinfusion.scheduling.model`).
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
    parser.add_argument("--no-repeat", action="store_true", help="skip the determinism check (a second solve)")
    args = parser.parse_args(argv)
    print(
        f"day scheduling, CP-SAT {args.time_limit:g} s limit, 2 workers, seed {args.seed}; "
        f"machine: {os.cpu_count()} cores, load average {_load()}"
    )
    header = [
        "day", "appts", "greedy", "cp-sat", "prio g/c", "bound", "proven", "dev g", "dev c", "valid s", "best s", "s",
    ]  # fmt: skip
    widths = [16, 5, 6, 6, 9, 5, 6, 6, 6, 7, 6, 5]
    print(_row(header, widths))
    over_greedy = over_cp = 0
    all_valid = cp_at_least_greedy = True
    unproven: list[str] = []
    slow_first: list[str] = []
    repeat: tuple[str, bool] | None = None
    for case in CASES:
        day = with_catalog_phases(make_demo_day(case.chairs, case.nurses, case.appointments, seed=args.seed))
        greedy = solve(day, solver="greedy")
        events: list[tuple[float, Progress]] = []
        started = time.monotonic()

        def note(progress: Progress, events: list[tuple[float, Progress]] = events, started: float = started) -> None:
            events.append((time.monotonic() - started, progress))

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
        proven = bound == c.scheduled_priority
        if case.appointments <= 60 and not proven:
            unproven.append(label)
        # The first valid schedule a user sees: the phase-0 report carries the validated greedy schedule.
        valid = next((at for at, p in events if p.schedule is not None), None)
        if case.appointments >= 90 and (valid is None or valid > 2.0):
            slow_first.append(label)
        best = next((at for at, p in events if p.best_priority == c.scheduled_priority), None)
        print(
            _row(
                [
                    label,
                    str(case.appointments),
                    str(g.scheduled),
                    str(c.scheduled),
                    f"{g.scheduled_priority}/{c.scheduled_priority}",
                    "-" if bound is None else str(bound),
                    "yes" if proven else "no",
                    str(g.preference_deviation_minutes),
                    str(c.preference_deviation_minutes),
                    "-" if valid is None else f"{valid:.2f}",
                    "-" if best is None else f"{best:.2f}",
                    f"{seconds:.1f}",
                ],
                widths,
            )
        )
        if repeat is None and case.overbooked and not args.no_repeat:
            again = solve(day, time_limit=args.time_limit, seed=args.seed)
            repeat = (label, again.assignments == cp.assignments and again.objective == cp.objective)
    gain = (over_cp - over_greedy) / over_greedy * 100 if over_greedy else 0.0
    print(
        f"every schedule valid: {'yes' if all_valid else 'NO'}; CP-SAT >= greedy on every day: "
        f"{'yes' if cp_at_least_greedy else 'NO'}; overbooked days: greedy {over_greedy}, CP-SAT {over_cp} "
        f"appointments ({gain:+.1f} %)"
    )
    print(f"load average at the end: {_load()}")
    _target(
        "1 proven optimal on every day up to 60 appointments",
        not unproven,
        "not proven: " + ", ".join(unproven),
    )
    _target("2 first valid schedule within 2 s on 90 and 150 appointments", not slow_first, ", ".join(slow_first))
    if repeat is not None:
        _target(
            f"3 same schedule when solved again ({repeat[0]}, same seed; "
            "unproven days run to the wall limit and are not reproducible)",
            repeat[1],
            "schedules differ",
        )
    _target(
        "4 valid, CP-SAT >= greedy, >= 10 % more on overbooked days",
        all_valid and cp_at_least_greedy and gain >= 10.0,
        f"{gain:+.1f} %",
    )


def _target(name: str, met: bool, detail: str) -> None:
    print(f"target {name}: {'met' if met else 'NOT met (' + detail + ')'}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _valid(day: object, schedule: Schedule) -> bool:
    from msinfusion.scheduling import schedule_violations

    return not schedule_violations(day, schedule)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
