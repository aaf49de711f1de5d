"""Rule 4: a visit starts at or after `opens` and `earliest_start` and ends by `closes` and `latest_end`."""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """Bound each start to its window; a job whose window is shorter than its visit is left out."""
    model = variables.model
    for job, job_vars in zip(variables.instance.jobs, variables.jobs, strict=True):
        if job.lo > job.hi:
            model.add(job_vars.present == 0)
        else:
            # Unconditional: an unscheduled job's start is meaningless, and tight domains help presolve.
            model.add_linear_constraint(job_vars.start, job.lo, job.hi)
