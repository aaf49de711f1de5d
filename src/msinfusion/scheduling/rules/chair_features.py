"""Rule 1 (features): a chair must have every feature the appointment requires."""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """Forbid chair groups that lack a required feature."""
    model = variables.model
    for job, job_vars in zip(variables.instance.jobs, variables.jobs, strict=True):
        for group in variables.instance.chair_groups:
            if not job.requires <= group.features:
                model.add(job_vars.chair[group.index] == 0)
