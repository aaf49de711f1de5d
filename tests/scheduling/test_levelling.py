"""Levelling the nurses' task minutes with every start kept, and primary-nurse continuity."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Chair, check_schedule, make_demo_day, solve, with_catalog_phases
from msinfusion.scheduling.greedy import greedy_placements
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.levelling import busiest_nurse_minutes, level_nurses, nurse_loads
from msinfusion.scheduling.placement import Placement
from tests.scheduling.conftest import nurse, small_day, visit


def two_nurses_one_busy() -> tuple[Instance, list[Placement]]:
    """Three one-hour visits an hour apart, every 15-minute check-in given to N1."""
    day = small_day(
        [visit(f"A{n}", preferred_start=f"{7 + n:02d}:00") for n in (1, 2, 3)],
        chairs=[Chair(id="C1")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")],
    )
    instance = Instance(day)
    placements = [Placement(j, 12 * j, "C1", ("N1",)) for j in range(3)]
    return instance, placements


def test_levelling_moves_tasks_from_the_busiest_nurse_to_a_free_one() -> None:
    instance, placements = two_nurses_one_busy()
    levelled = level_nurses(instance, placements)
    assert nurse_loads(instance, placements) == {"N1": 45, "N2": 0}
    assert sorted(nurse_loads(instance, levelled).values()) == [15, 30]


def test_levelling_keeps_every_start_and_chair() -> None:
    instance, placements = two_nurses_one_busy()
    levelled = level_nurses(instance, placements)
    assert [(p.start, p.chair) for p in levelled] == [(p.start, p.chair) for p in placements]


def test_levelling_never_gives_a_task_to_a_nurse_who_is_off_shift() -> None:
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "09:00")],
    )
    instance = Instance(day)
    placements = [Placement(0, 0, "C1", ("N1",)), Placement(1, 24, "C1", ("N1",))]
    levelled = level_nurses(instance, placements)
    assert [p.nurses for p in levelled] == [("N2",), ("N1",)]


def test_levelling_a_demo_day_lowers_the_busiest_nurse_and_stays_valid() -> None:
    instance = Instance(with_catalog_phases(make_demo_day(12, 4, 30, seed=2)))
    placements = greedy_placements(instance)
    levelled = level_nurses(instance, placements)
    assert busiest_nurse_minutes(instance, levelled) < busiest_nurse_minutes(instance, placements)


def test_continuity_gives_a_visit_one_nurse_for_all_its_tasks_where_possible() -> None:
    day = small_day(
        [visit("A1", minutes=60, nurse_minutes=15, preferred_start="08:00")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")],
    )
    two_tasks = day.appointments[0].model_copy(
        update={"phases": [*day.appointments[0].resolved_phases[:1], *_discharge_at_end()]}
    )
    instance = Instance(day.model_copy(update={"appointments": [two_tasks]}))
    split = [Placement(0, 0, "C1", ("N1", "N2"))]
    assert level_nurses(instance, split, continuity=True)[0].nurses == ("N1", "N1")
    assert level_nurses(instance, split)[0].nurses == ("N1", "N2")


def _discharge_at_end() -> list:  # type: ignore[type-arg]
    from msinfusion.scheduling import Phase

    return [Phase(name="infusion", minutes=35, nurse_minutes=0), Phase(name="discharge", minutes=10, nurse_minutes=10)]


@pytest.mark.slow  # a whole solve; on a loaded machine 3 s did not reach the levelling stage
def test_cp_sat_schedules_come_levelled_and_valid_with_or_without_continuity() -> None:
    day = with_catalog_phases(make_demo_day(8, 3, 18, seed=4))
    for continuity in (False, True):
        schedule = solve(day, time_limit=10, continuity=continuity)
        check_schedule(day, schedule)
        loads: dict[str, int] = {}
        for a in schedule.assignments:
            for task in a.nurse_tasks:
                loads[task.nurse] = loads.get(task.nurse, 0) + task.end - task.start
        assert max(loads.values()) - min(loads.values()) <= 60


def test_a_day_with_no_nurse_on_shift_is_solved_with_nothing_placed_not_a_crash() -> None:
    day = small_day([visit("A1", preferred_start="08:00")], nurses=[])
    result = solve(day, time_limit=2)
    assert result.assignments == [] and [u.appointment for u in result.unscheduled] == ["A1"]
