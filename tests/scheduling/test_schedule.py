from __future__ import annotations

import json

from msinfusion.scheduling import parse_schedule

FORMAT_EXAMPLE_SCHEDULE = {
    "format": "msinfusion.schedule/1",
    "center": "Riverside Infusion Center",
    "date": "2027-03-02",
    "assignments": [
        {
            "appointment": "A001",
            "chair": "C02",
            "start": "08:00",
            "end": "13:25",
            "nurse_tasks": [
                {"phase": "check-in", "nurse": "N1", "start": "08:00", "end": "08:15"},
                {"phase": "premedication", "nurse": "N1", "start": "08:15", "end": "08:25"},
                {"phase": "infusion", "nurse": "N1", "start": "08:45", "end": "08:55"},
                {"phase": "discharge", "nurse": "N1", "start": "13:15", "end": "13:25"},
            ],
        }
    ],
    "unscheduled": [{"appointment": "A044", "reason": "no chair and nurse free within its window"}],
    "objective": {"scheduled_priority": 43, "scheduled": 43, "preference_deviation_minutes": 835},
    "bound": {"scheduled_priority": 43},
    "solver": {"name": "cp-sat", "status": "optimal", "seconds": 9.8},
}


def test_schedule_round_trips_the_format_example_exactly() -> None:
    schedule = parse_schedule(json.dumps(FORMAT_EXAMPLE_SCHEDULE))
    assert json.loads(schedule.to_json()) == FORMAT_EXAMPLE_SCHEDULE


def test_schedule_without_a_bound_writes_none() -> None:
    data = {key: value for key, value in FORMAT_EXAMPLE_SCHEDULE.items() if key != "bound"}
    assert "bound" not in json.loads(parse_schedule(data).to_json())
