"""The CP-SAT decision variables of a day, and the links every rule relies on.

Per job: whether it is scheduled, its grid start, its stay in a chair, which chair group it sits in
and which nurse group does each of its nurse tasks. Structure only: which choices are allowed is up to
the rules (`msinfusion.scheduling.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance

__all__ = ["DayVariables", "JobVariables"]


@dataclass
class JobVariables:
    """The variables of one job."""

    present: cp_model.IntVar
    start: cp_model.IntVar
    stay: cp_model.IntervalVar
    chair: dict[int, cp_model.IntVar] = field(default_factory=dict)
    chair_stay: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    nurse: list[dict[int, cp_model.IntVar]] = field(default_factory=list)
    nurse_work: list[dict[int, cp_model.IntervalVar]] = field(default_factory=list)


class DayVariables:
    """All variables of a day on one model, with 'exactly one group when scheduled' linked in."""

    def __init__(self, model: cp_model.CpModel, instance: Instance) -> None:
        self.model = model
        self.instance = instance
        self.jobs: list[JobVariables] = []
        horizon = instance.horizon
        for job in instance.jobs:
            name = job.id
            present = model.new_bool_var(f"{name}.present")
            start = model.new_int_var(0, max(0, horizon), f"{name}.start")
            stay = model.new_optional_fixed_size_interval_var(start, job.duration, present, f"{name}.stay")
            variables = JobVariables(present, start, stay)
            for group in instance.chair_groups:
                chosen = model.new_bool_var(f"{name}.chair{group.index}")
                variables.chair[group.index] = chosen
                variables.chair_stay[group.index] = model.new_optional_fixed_size_interval_var(
                    start, job.duration, chosen, f"{name}.stay{group.index}"
                )
            model.add_exactly_one([*variables.chair.values(), present.Not()])
            for number, task in enumerate(job.tasks):
                chosen_nurse: dict[int, cp_model.IntVar] = {}
                work: dict[int, cp_model.IntervalVar] = {}
                for shift in instance.nurse_groups:
                    chosen = model.new_bool_var(f"{name}.task{number}.nurse{shift.index}")
                    chosen_nurse[shift.index] = chosen
                    work[shift.index] = model.new_optional_fixed_size_interval_var(
                        start + task.offset, task.length, chosen, f"{name}.task{number}.work{shift.index}"
                    )
                model.add_exactly_one([*chosen_nurse.values(), present.Not()])
                variables.nurse.append(chosen_nurse)
                variables.nurse_work.append(work)
            self.jobs.append(variables)
