"""The load sweep: patients in chairs against ratio x nurses on shift, shared by the validator and the charts."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Day, Schedule, parse_day, schedule_violations, solve
from msinfusion.scheduling.load import hourly_load, load_curve, nurse_load, sweep


@pytest.fixture(scope="module")
def day_two_chairs() -> Day:
    return parse_day(
        {
            "format": "msinfusion.day/1",
            "center": {
                "name": "Test center",
                "date": "2027-03-08",
                "timezone": "America/New_York",
                "opens": "08:00",
                "closes": "17:00",
                "chairs": [{"id": "C01"}, {"id": "C02", "features": ["bed"]}],
                "nurses": [
                    {"id": "N1", "shift_start": "08:00", "shift_end": "12:00"},
                    {"id": "N2", "shift_start": "10:00", "shift_end": "17:00"},
                ],
                "max_patients_per_nurse": 1,
            },
            "appointments": [
                {
                    "id": "A1",
                    "patient": "P<1>",
                    "treatment": "ocrelizumab-600",
                    "preferred_start": "08:00",
                    "phases": [
                        {"name": "check-in", "minutes": 15, "nurse_minutes": 15},
                        {"name": "infusion", "minutes": 120, "nurse_minutes": 10},
                        {"name": "observation", "minutes": 60, "nurse_minutes": 0},
                    ],
                },
                {
                    "id": "A2",
                    "patient": "P2",
                    "treatment": "natalizumab-300",
                    "preferred_start": "10:00",
                    "phases": [{"name": "infusion", "minutes": 60, "nurse_minutes": 10}],
                },
            ],
        }
    )


@pytest.fixture(scope="module")
def schedule(day_two_chairs: Day) -> Schedule:
    return solve(day_two_chairs, solver="greedy")


def test_the_load_curve_counts_patients_against_ratio_times_nurses(day_two_chairs: Day, schedule: Schedule) -> None:
    points = {p.minute: p for p in load_curve(day_two_chairs, schedule)}
    assert points[8 * 60].capacity == 1 and points[10 * 60].capacity == 2 and points[12 * 60].capacity == 1
    assert all(p.patients <= p.capacity for p in points.values())  # the validator's ratio rule, seen on the chart


def test_the_validator_reports_the_minutes_the_sweep_finds_over_capacity(
    day_two_chairs: Day, schedule: Schedule
) -> None:
    crowded = schedule.model_copy(
        update={"assignments": [a.model_copy(update={"start": 8 * 60 + 5}) if a.appointment == "A2" else a
                                for a in schedule.assignments]}
    )  # fmt: skip
    over = [p for p in sweep(day_two_chairs.center, crowded.assignments) if p.over_capacity]
    assert over, "moving A2 to 08:05 puts two patients under one nurse"
    ratio = [v for v in schedule_violations(day_two_chairs, crowded) if "nurses on shift allow" in v]
    assert len(ratio) == len(over)


def test_hourly_and_nurse_tables_add_up_to_the_nurse_tasks(day_two_chairs: Day, schedule: Schedule) -> None:
    task_minutes = sum(t.end - t.start for a in schedule.assignments for t in a.nurse_tasks)
    assert sum(h.task_minutes for h in hourly_load(day_two_chairs, schedule)) == task_minutes
    loads = nurse_load(day_two_chairs, schedule)
    assert [n.nurse for n in loads] == ["N1", "N2"] and sum(n.task_minutes for n in loads) == task_minutes
