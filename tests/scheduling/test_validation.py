from __future__ import annotations

import subprocess
import sys

import pytest

from msinfusion.scheduling import Day, Schedule, check_schedule, schedule_violations, solve
from msinfusion.scheduling.schedule import Assignment, NurseTask
from msinfusion.scheduling.validation import replan_violations
from tests.scheduling.conftest import nurse, small_day, visit


@pytest.fixture
def solved(day_two_chairs: Day) -> Schedule:
    return solve(day_two_chairs, solver="greedy")


def _with(schedule: Schedule, index: int, **changes: object) -> Schedule:
    assignments = list(schedule.assignments)
    assignments[index] = assignments[index].model_copy(update=changes)
    return schedule.model_copy(update={"assignments": assignments})


def _move(assignment: Assignment, start: int) -> dict[str, object]:
    shift = start - assignment.start
    tasks = [
        task.model_copy(update={"start": task.start + shift, "end": task.end + shift})
        for task in assignment.nurse_tasks
    ]
    return {"start": start, "end": assignment.end + shift, "nurse_tasks": tasks}


def test_validator_accepts_the_greedy_schedule(day_two_chairs: Day, solved: Schedule) -> None:
    check_schedule(day_two_chairs, solved)


def test_validator_finds_two_visits_in_one_chair(day_two_chairs: Day, solved: Schedule) -> None:
    first = solved.assignments[0]
    broken = _with(solved, 1, chair=first.chair, **_move(solved.assignments[1], first.start + 15))
    assert any("overlap" in v and "chair" in v for v in schedule_violations(day_two_chairs, broken))


def test_validator_finds_a_nurse_doing_two_tasks_at_once(day_two_chairs: Day, solved: Schedule) -> None:
    first = solved.assignments[0]
    moved = _move(solved.assignments[1], first.start)
    broken = _with(solved, 1, **moved)
    assert any(v.startswith("nurse N1") for v in schedule_violations(day_two_chairs, broken))


def test_validator_finds_a_visit_outside_opening_hours(day_two_chairs: Day, solved: Schedule) -> None:
    broken = _with(solved, 0, **_move(solved.assignments[0], 7 * 60))
    assert any("before 08:00" in v for v in schedule_violations(day_two_chairs, broken))


def test_validator_finds_a_wrong_end(day_two_chairs: Day, solved: Schedule) -> None:
    broken = _with(solved, 0, end=solved.assignments[0].end + 5)
    assert any("its phases end" in v for v in schedule_violations(day_two_chairs, broken))


def test_validator_finds_a_nurse_task_outside_the_shift() -> None:
    day = small_day([visit("A1")], nurses=[nurse("N1", "09:00", "12:00")])
    schedule = Schedule.model_validate(
        {
            "center": "Test Center",
            "date": "2027-03-02",
            "assignments": [
                Assignment(
                    appointment="A1",
                    chair="C1",
                    start=480,
                    end=540,
                    nurse_tasks=[NurseTask(phase="check-in", nurse="N1", start=480, end=495)],
                )
            ],
            "unscheduled": [],
            "objective": {"scheduled_priority": 1, "scheduled": 1, "preference_deviation_minutes": 0},
            "solver": {"name": "hand", "status": "heuristic", "seconds": 0},
        }
    )
    violations = schedule_violations(day, schedule)
    assert any("outside nurse N1's shift" in v for v in violations)
    assert any("nurses on shift allow 0" in v for v in violations)


def test_validator_finds_too_many_patients_for_the_nurses() -> None:
    day = small_day([visit("A1", nurse_minutes=5), visit("A2", nurse_minutes=5)], ratio=1)
    schedule = solve(day, solver="greedy")
    together = _with(schedule, 1, **_move(schedule.assignments[1], schedule.assignments[0].start + 5))
    assert any("2 patients in chairs" in v for v in schedule_violations(day, together))


def test_validator_finds_a_missing_appointment_and_a_wrong_objective(day_two_chairs: Day, solved: Schedule) -> None:
    broken = solved.model_copy(update={"assignments": solved.assignments[1:]})
    violations = schedule_violations(day_two_chairs, broken)
    assert any("A1 appears 0 times" in v for v in violations)
    assert any(v.startswith("objective is") for v in violations)


def test_validator_finds_a_moved_fixed_appointment() -> None:
    day = small_day([visit("A1", fixed={"start": "09:00"})])
    schedule = solve(day, solver="greedy")
    broken = _with(schedule, 0, **_move(schedule.assignments[0], 10 * 60))
    assert any("fixed at 09:00" in v for v in schedule_violations(day, broken))


def test_validator_does_not_import_the_solver() -> None:
    code = (
        "import sys, msinfusion.scheduling.validation, msinfusion.scheduling.day;"
        "print(any(m == 'ortools' or m.startswith('ortools.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_scheduling_core_imports_no_framework() -> None:
    code = (
        "import sys, msinfusion.scheduling, msinfusion.scheduling.model;"
        "print(sorted(m for m in ('typer', 'fastapi', 'sqlalchemy', 'click') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# The re-plan rules (`replan_violations`): one rule per test, each broken once.


def _moved(schedule: Schedule, identifier: str, **fields: object) -> Schedule:
    assignments = [a.model_copy(update=fields) if a.appointment == identifier else a for a in schedule.assignments]
    return schedule.model_copy(update={"assignments": assignments})


def _replan_pair() -> Schedule:
    day = small_day([visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")])
    return solve(day, solver="greedy")


def test_a_replan_that_keeps_every_promise_breaks_no_replan_rule() -> None:
    before = _replan_pair()
    assert replan_violations(before, before, now=530, max_shift=0) == []


def test_a_replan_may_not_move_a_seated_patient() -> None:
    before = _replan_pair()
    chair = before.assignments[0].chair
    other = "C2" if chair == "C1" else "C1"
    assert replan_violations(before, _moved(before, "A1", chair=other), now=530)[0].startswith("seated A1 moved")


def test_a_replan_may_not_take_a_seated_patient_off_the_day() -> None:
    before = _replan_pair()
    after = before.model_copy(update={"assignments": before.assignments[1:]})
    assert replan_violations(before, after, now=530) == ["seated A1 was taken off the day"]


def test_a_replan_may_not_give_a_begun_nurse_task_to_another_nurse() -> None:
    before = _replan_pair()
    a1 = before.assignments[0]
    task = a1.nurse_tasks[0].model_copy(update={"nurse": "N9"})
    problems = replan_violations(before, _moved(before, "A1", nurse_tasks=[task]), now=490)
    assert problems == ["seated A1: check-in begun by N1 given to N9"]


def test_a_replan_may_move_a_promised_start_only_within_the_allowed_shift() -> None:
    before = _replan_pair()
    after = _moved(before, "A2", start=630, end=690)
    assert replan_violations(before, after, now=530, max_shift=30) == []
    assert "more than 15 min" in replan_violations(before, after, now=530, max_shift=15)[0]
    assert replan_violations(before, after, now=530, max_shift=15, movable={"A2"}) == []


def test_a_replan_may_not_start_anything_new_before_now() -> None:
    before = _replan_pair()
    after = _moved(before, "A2", start=500, end=560)
    assert "before now" in replan_violations(before, after, now=530)[0]


def test_a_replan_may_not_schedule_a_dropped_visit() -> None:
    before = _replan_pair()
    assert replan_violations(before, before, now=530, dropped={"A2"}) == ["A2 was dropped but is scheduled"]
