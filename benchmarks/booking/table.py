"""Measure the booking engine on a generated center year and print one table (levelled vs naive)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from dataclasses import dataclass

from benchmarks.booking.instance import make_request
from msinfusion.booking import BookingPlan, BookingRequest, book, naive_plan, plan_violations, relaxation_bound
from msinfusion.booking.rebooking import LateDose, NewPatient, rebook
from msinfusion.booking.request import Patient, Preferences


@dataclass(frozen=True)
class Figures:
    """The figures of one plan."""

    valid: bool
    booked: int
    unbooked_full: int
    unbooked_rules: int
    unbooked_waiting: int
    peak: int
    mean: float
    low: int
    mean_move_all: float
    mean_move_moved: float
    moved: int
    preferences: float
    seconds: float


def figures(request: BookingRequest, plan: BookingPlan) -> Figures:
    loads = plan.summary.chair_minutes
    moves = [abs((b.date - b.due).days) for b in plan.bookings]
    reasons = [u.reason for u in plan.unbooked]
    return Figures(
        valid=plan_violations(request, plan) == [],
        booked=len(plan.bookings),
        unbooked_full=sum("full" in r for r in reasons),
        unbooked_rules=sum(r.startswith(("no ", "overdue", "its window")) for r in reasons),
        unbooked_waiting=sum(r.startswith("waits") for r in reasons),
        peak=loads.max,
        mean=loads.mean,
        low=loads.min,
        mean_move_all=statistics.fmean(moves) if moves else 0.0,
        mean_move_moved=plan.summary.moved_from_due.mean_days,
        moved=plan.summary.moved_from_due.count,
        preferences=plan.summary.preferences_met,
        seconds=plan.summary.seconds,
    )


def _rows(bound: float, levelled: Figures, naive: Figures) -> list[tuple[str, str, str, str]]:
    def gap(f: Figures) -> str:
        return f"{100 * (f.peak - bound) / bound:+.1f} %" if bound else "-"

    def both(label: str, fmt: str, attr: str, target: str) -> tuple[str, str, str, str]:
        return (label, format(getattr(levelled, attr), fmt), format(getattr(naive, attr), fmt), target)

    return [
        ("valid (solver-free validator)", str(levelled.valid), str(naive.valid), "True"),
        both("doses booked", "d", "booked", ""),
        both("unbooked: every open day full", "d", "unbooked_full", "0 while capacity allows"),
        both("unbooked: label rules/closures", "d", "unbooked_rules", "(cannot be booked)"),
        both("unbooked: waiting for one above", "d", "unbooked_waiting", ""),
        ("busiest open day (chair-min)", str(levelled.peak), str(naive.peak), f"lower bound {bound:.0f}"),
        ("  gap to the lower bound", gap(levelled), gap(naive), "<= +5 %"),
        both("mean open day (chair-min)", ".0f", "mean", ""),
        both("quietest open day (chair-min)", "d", "low", ""),
        (
            "peak-to-mean",
            f"{levelled.peak / levelled.mean:.3f}",
            f"{naive.peak / naive.mean:.3f}",
            "",
        ),
        both("mean move from due, all doses (d)", ".2f", "mean_move_all", "<= 1.5"),
        both("mean move of the moved doses (d)", ".2f", "mean_move_moved", ""),
        both("doses off their due date", "d", "moved", ""),
        both("preferences met where allowed", ".1%", "preferences", ">= 90 %"),
        both("whole plan (s, incl. validation)", ".1f", "seconds", "<= 30 on 2 cores"),
    ]


def format_table(title: str, rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "levelled", "naive", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def _late_dose(plan: BookingPlan, request: BookingRequest) -> LateDose:
    """A natalizumab dose in the middle of the year, given five days after its booking."""
    middle = request.horizon.start + (request.horizon.end - request.horizon.start) / 2
    natalizumab = {p.id for p in request.patients if p.therapy == "natalizumab"}
    booking = min(
        (b for b in plan.bookings if b.patient in natalizumab),
        key=lambda b: (abs((b.date - middle).days), b.patient),
    )
    return LateDose(patient=booking.patient, dose=booking.dose, given=booking.date + dt.timedelta(days=5))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.booking")
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--hours", default="07:00-19:00", help="weekday opening hours, HH:MM-HH:MM")
    parser.add_argument("--chairs", type=int, default=None, help="chairs (default: sized to <= 70 %% use)")
    args = parser.parse_args(argv)
    opens, closes = (int(t[:2]) * 60 + int(t[3:5]) for t in args.hours.split("-"))
    request = make_request(args.patients, args.seed, args.months, (opens, closes), args.chairs)
    center = request.center
    monday = center.week.mon
    bound = relaxation_bound(request).chair_minutes
    cpu = time.process_time()
    levelled_plan = book(request, time_limit=args.time_limit)
    levelled_cpu = time.process_time() - cpu
    cpu = time.process_time()
    naive = naive_plan(request)
    naive_cpu = time.process_time() - cpu
    levelled = figures(request, levelled_plan)
    open_minutes = 0 if monday is None else len(center.chairs) * (monday.closes - monday.opens)
    use = levelled.mean / open_minutes if open_minutes else 0.0
    title = (
        f"{args.patients} patients, {request.horizon.start} to {request.horizon.end}, {len(center.chairs)} chairs, "
        f"{0 if monday is None else len(monday.nurses)} nurses, weekdays "
        f"{args.hours}, "
        f"{len(request.existing)} promised visits; chair use {use:.0%} of open chair time; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    rows = _rows(bound, levelled, figures(request, naive))
    rows.append(("whole plan, CPU seconds", f"{levelled_cpu:.1f}", f"{naive_cpu:.1f}", "(less load-dependent)"))
    print(format_table(title, rows))
    newcomer = Patient(
        id="NEW",
        therapy="ocrelizumab-iv",
        start=request.horizon.start + dt.timedelta(days=60),
        preferences=Preferences(time="morning"),
    )
    for label, event in (
        ("one new patient's regimen added to the booked year", NewPatient(patient=newcomer)),
        ("rebooking after a late dose", _late_dose(levelled_plan, request)),
    ):
        began, cpu = time.perf_counter(), time.process_time()
        result = rebook(request, levelled_plan, event)
        total, cpu = time.perf_counter() - began, time.process_time() - cpu
        valid = plan_violations(result.request, result.plan) == []
        moved = ", ".join(f"{m.patient} dose {m.dose} {m.days:+d} d" for m in result.moves if m.days is not None)
        print(
            f"{label}: {total:.2f} s ({cpu:.2f} s CPU) including validation (target <= 1 s); valid {valid}; "
            f"{len(result.moves)} bookings moved{': ' + moved if moved else ''}"
        )
