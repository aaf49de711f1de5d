from __future__ import annotations

from msinfusion.scheduling import Chair, check_schedule
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.model import DayModel
from msinfusion.scheduling.placement import Placement, to_assignment
from msinfusion.scheduling.schedule import Objective, Schedule, SolverInfo
from msinfusion.scheduling.symmetry import canonical, job_classes
from msinfusion.scheduling.validation import compute_objective
from tests.scheduling.conftest import small_day, visit


def test_jobs_that_differ_only_in_preferred_start_are_one_class() -> None:
    day = small_day(
        [
            visit("A1", preferred_start="09:00"),
            visit("A2", preferred_start="10:00"),
            visit("A3"),
            visit("A4", earliest_start="09:00"),
            visit("A5", priority=2),
            visit("A6", minutes=90),
        ]
    )
    classes = [[job.id for job in members] for members in job_classes(Instance(day))]
    assert sorted(classes) == [["A1", "A2", "A3"], ["A4"], ["A5"], ["A6"]]


def test_canonical_moves_a_schedule_to_the_first_jobs_of_each_class_in_order_of_start() -> None:
    day = small_day([visit("A1"), visit("A2"), visit("A3")], chairs=[Chair(id="C1")])
    instance = Instance(day)
    # A3 at 09:00 and A2 at 08:00 (grid of 15 minutes from 08:00).
    placements = [Placement(2, 4, "C1", ("N1",)), Placement(1, 0, "C1", ("N1",))]
    moved = canonical(instance, placements)
    assert [(p.job, p.start) for p in moved] == [(0, 0), (1, 4)]
    assignments = [to_assignment(instance, placement) for placement in moved]
    schedule = Schedule(
        center=day.center.name,
        date=day.center.date,
        assignments=assignments,
        unscheduled=[{"appointment": "A3", "reason": "moved"}],
        objective=compute_objective(day, assignments),
        solver=SolverInfo(name="greedy", status="heuristic", seconds=0),
    )
    check_schedule(day, schedule)
    assert isinstance(schedule.objective, Objective)


def test_breaking_symmetry_keeps_the_best_priority() -> None:
    from ortools.sat.python import cp_model

    day = small_day([visit(f"A{n}", minutes=90) for n in range(5)], chairs=[Chair(id="C1"), Chair(id="C2")])
    best = []
    for break_symmetry in (False, True):
        day_model = DayModel(Instance(day), break_symmetry=break_symmetry)
        day_model.model.maximize(day_model.priority)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(day_model.model) == cp_model.OPTIMAL
        best.append(solver.objective_value)
    assert best == [4, 4]
