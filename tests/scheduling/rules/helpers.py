"""Build a model with one rule only and ask CP-SAT whether it can be satisfied."""

from __future__ import annotations

from ortools.sat.python import cp_model

from msinfusion.scheduling import Day
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.model import DayModel
from msinfusion.scheduling.rules import Rule
from msinfusion.scheduling.variables import DayVariables


def feasible_with_only(rule: Rule, day: Day, everyone: bool = True) -> bool:
    """Whether every appointment (or any subset if not `everyone`) can be scheduled under `rule` alone."""
    day_model = DayModel(Instance(day), rules=[rule])
    if everyone:
        for job_vars in day_model.variables.jobs:
            day_model.model.add(job_vars.present == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    status = solver.solve(day_model.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
    return status != cp_model.INFEASIBLE


def together(*rules: Rule) -> Rule:
    """One rule made of several (a rule test may need `fixed` to pin the situation it checks)."""

    def apply(variables: DayVariables) -> None:
        for rule in rules:
            rule(variables)

    return apply
