"""Rule 5: an appointment already promised keeps its start and/or its chair."""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """Pin fixed starts; allow only the chair group that holds a fixed chair."""
    model = variables.model
    groups = variables.instance.chair_groups
    for job, job_vars in zip(variables.instance.jobs, variables.jobs, strict=True):
        if job.fixed_start is not None:
            model.add(job_vars.start == job.fixed_start)
        if job.fixed_chair is not None:
            for group in groups:
                if job.fixed_chair not in group.chairs:
                    model.add(job_vars.chair[group.index] == 0)
