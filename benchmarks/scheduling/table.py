"""Greedy versus CP-SAT on generated MS center days, normal and overbooked; then the live day.

python -m benchmarks.scheduling [--time-limit 10] [--seed 1] [--no-plain] [--events 100] [--no-live] [--only 30,150]
    [--search deterministic|anytime|both]

Per day: greedy and CP-SAT counts and priorities, the proven bound on the priority and the gap to it,
the preference deviation of greedy, of CP-SAT and of a plain lexicographic re-solve run right after it
(fix CP-SAT's priority, minimise the deviation from scratch, the same time limit and workers), a proven
lower bound on the deviation at that priority (the better of the plain re-solve's bound and the LP of
`bounds.deviation_bound`, computed outside the time limit) and CP-SAT's gap to it, and the busiest
nurse's task minutes.
Then, on the 100-visit day's CP-SAT schedule: add-on and repair latencies (p50/p95 over random
events, `benchmarks.scheduling.live`) and simulation throughput.

With `--search both` (the default) each search mode gets its own table and targets 1-6, the
deterministic default first (`msinfusion.scheduling.model`, "Search modes"); the live figures use
the first table's 100-visit schedule.

Target 3 (determinism) solves one day twice. In the deterministic mode only days proven within their
deterministic budgets are reproducible: a day that is not (here the 150-visit day) keeps improving
until the wall time limit, so its row depends on machine speed and load. In the anytime mode the
preference stage and the search beside the relaxation run on the wall clock, so only days below
`anytime.COMPANION_DAY` visits whose best deviation is proven quickly are reproducible; target 3 then
reports whether this day's two schedules happened to be the same.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from benchmarks.scheduling.live import live_figures
from msinfusion.scheduling import (
    Day,
    Schedule,
    SearchMode,
    check_schedule,
    make_demo_day,
    solve,
    with_catalog_phases,
)
from msinfusion.scheduling.bounds import deviation_bound
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.model import DayModel, Progress


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
    parser.add_argument("--no-plain", action="store_true", help="skip the plain lexicographic re-solve")
    parser.add_argument("--events", type=int, default=100, help="random add-ons and repairs to time")
    parser.add_argument("--no-live", action="store_true", help="skip the live-day figures")
    parser.add_argument("--only", default="", help="comma-separated visit counts of the days to run (default all)")
    parser.add_argument(
        "--search",
        choices=["deterministic", "anytime", "both"],
        default="both",
        help="CP-SAT search mode(s) to run (`solve(search=...)`); both: one table each, deterministic first",
    )
    args = parser.parse_args(argv)
    only = {int(count) for count in args.only.split(",") if count.strip()}
    modes: list[SearchMode] = ["deterministic", "anytime"] if args.search == "both" else [args.search]
    live_case: tuple[Day, Schedule] | None = None
    for mode in modes:
        found = _table(args, only, mode)
        live_case = live_case or found
    if live_case is not None and not args.no_live:
        _live(live_case, args.events, args.seed)


def _table(args: argparse.Namespace, only: set[int], mode: SearchMode) -> tuple[Day, Schedule] | None:
    """One mode's table and targets 1-6; the 100-visit day and its schedule for the live figures."""
    print(
        f"day scheduling, CP-SAT {args.time_limit:g} s limit, 2 workers, seed {args.seed}, search {mode}; "
        f"machine: {os.cpu_count()} cores, load average {_load()}"
    )
    header = [
        "day", "appts", "greedy", "cp-sat", "prio g/c", "bound", "gap %", "proven", "dev g", "dev c", "dev plain",
        "dev bound", "dev gap %", "busiest g/c", "valid s", "best s", "s",
    ]  # fmt: skip
    widths = [16, 5, 6, 6, 9, 5, 5, 6, 6, 6, 9, 9, 9, 11, 7, 6, 5]
    print(_row(header, widths))
    over_greedy = over_cp = 0
    all_valid = cp_at_least_greedy = True
    unproven: list[str] = []
    slow_first: list[str] = []
    repeat: tuple[str, bool] | None = None
    worse_than_plain: list[str] = []
    large_gap: list[str] = []
    live_case: tuple[Day, Schedule] | None = None
    for case in CASES:
        if only and case.appointments not in only:
            continue
        day = with_catalog_phases(make_demo_day(case.chairs, case.nurses, case.appointments, seed=args.seed))
        greedy = solve(day, solver="greedy")
        events: list[tuple[float, Progress]] = []
        started = time.monotonic()

        def note(progress: Progress, events: list[tuple[float, Progress]] = events, started: float = started) -> None:
            events.append((time.monotonic() - started, progress))

        cp = solve(day, time_limit=args.time_limit, seed=args.seed, on_progress=note, search=mode)
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
        gap = (bound - c.scheduled_priority) / bound * 100 if bound else 0.0
        if case.appointments >= 150 and gap > 2.0:
            large_gap.append(f"{label} {gap:.1f} %")
        plain, plain_bound = (
            (None, None) if args.no_plain else _plain_deviation(day, c.scheduled_priority, args.time_limit, args.seed)
        )
        dev_bound = _deviation_bound(day, c.scheduled_priority, plain_bound)
        dev_gap = (
            (c.preference_deviation_minutes - dev_bound) / c.preference_deviation_minutes * 100
            if (dev_bound is not None and c.preference_deviation_minutes)
            else 0.0
        )
        if plain is not None and c.preference_deviation_minutes > plain:
            worse_than_plain.append(f"{label} {c.preference_deviation_minutes} > {plain}")
        if case.appointments == 100 and not case.overbooked:
            live_case = (day, cp)
        print(
            _row(
                [
                    label,
                    str(case.appointments),
                    str(g.scheduled),
                    str(c.scheduled),
                    f"{g.scheduled_priority}/{c.scheduled_priority}",
                    "-" if bound is None else str(bound),
                    f"{gap:.1f}",
                    "yes" if proven else "no",
                    str(g.preference_deviation_minutes),
                    str(c.preference_deviation_minutes),
                    "-" if plain is None else str(plain),
                    "-" if dev_bound is None else str(dev_bound),
                    "-" if dev_bound is None else f"{dev_gap:.1f}",
                    f"{_busiest(greedy)}/{_busiest(cp)}",
                    "-" if valid is None else f"{valid:.2f}",
                    "-" if best is None else f"{best:.2f}",
                    f"{seconds:.1f}",
                ],
                widths,
            )
        )
        if repeat is None and case.overbooked and not args.no_repeat:
            again = solve(day, time_limit=args.time_limit, seed=args.seed, search=mode)
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
        why = (
            "unproven days run to the wall limit and are not reproducible"
            if mode == "deterministic"
            else "anytime runs to the wall limit, so only small proven days are reproducible"
        )
        _target(f"3 same schedule when solved again ({repeat[0]}, same seed; {why})", repeat[1], "schedules differ")
    _target(
        "4 valid, CP-SAT >= greedy, >= 10 % more on overbooked days",
        all_valid and cp_at_least_greedy and gain >= 10.0,
        f"{gain:+.1f} %",
    )
    if not args.no_plain:
        _target(
            "5 preference deviation no worse than a plain lexicographic re-solve on every day",
            not worse_than_plain,
            "; ".join(worse_than_plain),
        )
    _target("6 the 150-visit day within 2 % of the proven bound", not large_gap, "; ".join(large_gap))
    return live_case


def _live(live_case: tuple[Day, Schedule], events: int, seed: int) -> None:
    """Add-on and repair latencies and simulation throughput on the 100-visit day's schedule."""
    day, schedule = live_case
    figures = live_figures(day, schedule, events=events, seed=seed)
    print(
        f"live day (36 chairs, 100 visits, CP-SAT schedule; {figures.events} random events each): "
        f"add-on p50 {figures.add_on_p50:.2f} s, p95 {figures.add_on_p95:.2f} s, max {figures.add_on_max:.2f} s "
        f"({figures.add_on_fits} fit without moving a promise); "
        f"repair p50 {figures.repair_p50:.2f} s, p95 {figures.repair_p95:.2f} s, max {figures.repair_max:.2f} s "
        f"({figures.repair_moved_mean:.1f} promised starts moved on average; "
        f"{figures.repair_refused} nurse departures refused as too early)"
    )
    rate = figures.simulation_runs / figures.simulation_seconds if figures.simulation_seconds else 0.0
    print(
        f"simulation: {figures.simulation_runs} runs of the 100-visit day in {figures.simulation_seconds:.2f} s "
        f"({rate:.0f} runs/s); load average {_load()}"
    )
    _target("7 add-on p95 < 1 s on the 100-visit day", figures.add_on_p95 < 1.0, f"{figures.add_on_p95:.2f} s")
    _target("8 repair p95 < 2 s on the 100-visit day", figures.repair_p95 < 2.0, f"{figures.repair_p95:.2f} s")
    _target(
        "9 1,000 simulated runs of the 100-visit day in <= 5 s",
        figures.simulation_seconds <= 5.0 * figures.simulation_runs / 1000,
        f"{figures.simulation_seconds:.2f} s",
    )


def _plain_deviation(day: Day, priority: int, seconds: float, seed: int) -> tuple[int | None, int | None]:
    """A plain lexicographic re-solve: the priority fixed, the deviation minimised from scratch.

    Its deviation (None if it found no schedule) and the lower bound it proved, in minutes."""
    instance = Instance(day)
    day_model = DayModel(instance)
    if not day_model.deviations:
        return 0, 0
    day_model.model.add(day_model.priority >= priority)
    day_model.model.minimize(sum(day_model.deviations))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    status = solver.solve(day_model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    bound = math.ceil(solver.best_objective_bound - 1e-6) * instance.unit
    return round(solver.objective_value) * instance.unit, bound


def _deviation_bound(day: Day, priority: int, plain_bound: int | None) -> int | None:
    """The best proven lower bound on the deviation (minutes) of a schedule of at least `priority`."""
    instance = Instance(day)
    relaxed = deviation_bound(instance, priority)
    bounds = [b for b in (plain_bound, None if relaxed is None else relaxed * instance.unit) if b is not None]
    return max(bounds, default=None)


def _busiest(schedule: Schedule) -> int:
    loads: dict[str, int] = {}
    for assignment in schedule.assignments:
        for task in assignment.nurse_tasks:
            loads[task.nurse] = loads.get(task.nurse, 0) + task.end - task.start
    return max(loads.values(), default=0)


def _target(name: str, met: bool, detail: str) -> None:
    print(f"target {name}: {'met' if met else 'NOT met (' + detail + ')'}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _valid(day: object, schedule: Schedule) -> bool:
    from msinfusion.scheduling import schedule_violations

    return not schedule_violations(day, schedule)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
