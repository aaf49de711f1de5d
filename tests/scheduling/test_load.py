"""The load sweep: patients in chairs against ratio x nurses on shift, shared by the validator and the charts."""

from __future__ import annotations

from msinfusion.scheduling import Day, Schedule, schedule_violations
from msinfusion.scheduling.load import hourly_load, load_curve, nurse_load, sweep


def test_the_load_curve_counts_patients_against_ratio_times_nurses(ratio_day: Day, ratio_schedule: Schedule) -> None:
    points = {p.minute: p for p in load_curve(ratio_day, ratio_schedule)}
    assert points[8 * 60].capacity == 1 and points[10 * 60].capacity == 2 and points[12 * 60].capacity == 1
    assert all(p.patients <= p.capacity for p in points.values())  # the validator's ratio rule, seen on the chart


def test_the_validator_reports_the_minutes_the_sweep_finds_over_capacity(
    ratio_day: Day, ratio_schedule: Schedule
) -> None:
    crowded = ratio_schedule.model_copy(
        update={"assignments": [a.model_copy(update={"start": 8 * 60 + 5}) if a.appointment == "A2" else a
                                for a in ratio_schedule.assignments]}
    )  # fmt: skip
    over = [p for p in sweep(ratio_day.center, crowded.assignments) if p.over_capacity]
    assert over, "moving A2 to 08:05 puts two patients under one nurse"
    ratio = [v for v in schedule_violations(ratio_day, crowded) if "nurses on shift allow" in v]
    assert len(ratio) == len(over)


def test_hourly_and_nurse_tables_add_up_to_the_nurse_tasks(ratio_day: Day, ratio_schedule: Schedule) -> None:
    task_minutes = sum(t.end - t.start for a in ratio_schedule.assignments for t in a.nurse_tasks)
    assert sum(h.task_minutes for h in hourly_load(ratio_day, ratio_schedule)) == task_minutes
    loads = nurse_load(ratio_day, ratio_schedule)
    assert [n.nurse for n in loads] == ["N1", "N2"] and sum(n.task_minutes for n in loads) == task_minutes
