from __future__ import annotations

from msinfusion.scheduling import Chair, solve
from msinfusion.scheduling.bounds import lp_bound
from msinfusion.scheduling.instance import Instance
from tests.scheduling.conftest import small_day, visit


def test_lp_bound_counts_every_visit_when_all_fit() -> None:
    day = small_day([visit("A1"), visit("A2")])
    assert lp_bound(Instance(day)) == 2


def test_lp_bound_sees_that_one_chair_holds_one_long_visit_per_morning() -> None:
    day = small_day([visit("A1", minutes=180), visit("A2", minutes=180)], chairs=[Chair(id="C1")])
    assert lp_bound(Instance(day)) == 1


def test_lp_bound_is_never_below_the_best_schedule() -> None:
    day = small_day([visit(f"A{n}", minutes=90, priority=n) for n in range(1, 6)], chairs=[Chair(id="C1")])
    best = solve(day, time_limit=5)
    bound = lp_bound(Instance(day))
    assert bound is not None and bound >= best.objective.scheduled_priority
