"""Insertion: the add-on placed by hand with every other start kept, chairs and nurses regrouped."""

from __future__ import annotations

from msinfusion.scheduling import Chair, Day, Schedule, check_schedule, solve
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.day import Fixed
from msinfusion.scheduling.insertion import running
from tests.scheduling.conftest import nurse, small_day, visit


def bed_taken_by_a_plain_visit() -> tuple[Day, Schedule]:
    """A plain chair C1 and a bed C2; A1 (needs no bed) promised 09:00-10:00 in the bed."""
    chairs = [Chair(id="C1"), Chair(id="C2", features=["bed"])]
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")]
    pinned = small_day([visit("A1", preferred_start="09:00", fixed=Fixed(chair="C2"))], chairs=chairs, nurses=nurses)
    current = solve(pinned, solver="greedy")
    assert [(a.appointment, a.chair, a.start) for a in current.assignments] == [("A1", "C2", 540)]
    return small_day([visit("A1", preferred_start="09:00")], chairs=chairs, nurses=nurses), current


def test_a_visit_goes_to_another_chair_of_its_kind_at_the_same_start_to_free_the_bed() -> None:
    day, current = bed_taken_by_a_plain_visit()
    result = add_on(day, current, visit("X", preferred_start="09:00", requires=["bed"]), parse_clock("08:30"))
    assert result.fits and result.placement is not None
    assert (result.placement.start, result.placement.chair) == (540, "C2")
    kept = next(a for a in result.schedule.assignments if a.appointment == "A1")
    assert (kept.start, kept.chair) == (540, "C1")
    assert result.schedule.solver.name == "add-on"  # found by hand, no solver


def test_a_seated_visit_keeps_its_chair_so_the_add_on_waits_for_it() -> None:
    day, current = bed_taken_by_a_plain_visit()
    result = add_on(day, current, visit("X", preferred_start="09:10", requires=["bed"]), parse_clock("09:10"))
    assert result.placement is not None and (result.placement.start, result.placement.chair) == (600, "C2")
    kept = next(a for a in result.schedule.assignments if a.appointment == "A1")
    assert (kept.start, kept.chair) == (540, "C2")


def test_a_nurse_task_not_begun_goes_to_another_nurse_on_shift_to_free_the_only_nurse_there() -> None:
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "10:00", "12:00")]
    day = small_day([visit("A1", preferred_start="10:00")], nurses=nurses)
    current = solve(day, solver="greedy")
    task = current.assignments[0].nurse_tasks[0]
    held = current.assignments[0].model_copy(update={"nurse_tasks": [task.model_copy(update={"nurse": "N1"})]})
    current = current.model_copy(update={"assignments": [held]})
    check_schedule(day, current)
    # X's 30-minute check-in from 09:45 is N1's alone (N2 starts at 10:00): A1's check-in goes to N2.
    result = add_on(day, current, visit("X", nurse_minutes=30, preferred_start="09:45"), parse_clock("09:00"))
    assert result.placement is not None and result.placement.start == parse_clock("09:45")
    assert [t.nurse for t in result.placement.nurse_tasks] == ["N1"]
    kept = next(a for a in result.schedule.assignments if a.appointment == "A1")
    assert kept.start == 600 and [t.nurse for t in kept.nurse_tasks] == ["N2"]


def test_a_begun_nurse_task_keeps_its_nurse() -> None:
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "10:00", "12:00")]
    day = small_day([visit("A1", nurse_minutes=30, preferred_start="09:45")], nurses=nurses)
    current = solve(day, solver="greedy")
    assert [t.nurse for t in current.assignments[0].nurse_tasks] == ["N1"]
    # At 09:50 A1's check-in has begun with N1: X's check-in waits for a nurse until 10:00.
    result = add_on(day, current, visit("X", nurse_minutes=15, preferred_start="09:50"), parse_clock("09:50"))
    assert result.placement is not None and result.placement.start == parse_clock("10:00")


def test_the_nurse_ratio_is_kept_with_starts_fixed() -> None:
    day = small_day([visit("A1", preferred_start="09:00", nurse_minutes=5)], ratio=1)
    current = solve(day, solver="greedy")
    result = add_on(day, current, visit("X", nurse_minutes=5, preferred_start="09:00"), parse_clock("08:30"))
    # One nurse may watch one patient: X goes when A1 leaves.
    assert result.placement is not None and result.placement.start == parse_clock("10:00")


def test_a_schedule_off_the_grid_is_left_to_the_solver() -> None:
    day = small_day([visit("A1", preferred_start="09:00")])
    current = solve(day, solver="greedy")
    odd = current.assignments[0]
    shifted = odd.model_copy(
        update={
            "start": odd.start + 1,
            "end": odd.end + 1,
            "nurse_tasks": [t.model_copy(update={"start": t.start + 1, "end": t.end + 1}) for t in odd.nurse_tasks],
        }
    )
    assert running(day, current.model_copy(update={"assignments": [shifted]}), parse_clock("08:30")) is None
