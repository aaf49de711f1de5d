"""Rule 2: each nurse task needs one nurse, on shift for the whole task, doing one task at a time.

Nurses with the same shift are interchangeable: a task chooses a shift group, and a group of k nurses
is never asked for more than k tasks at once; nurses are named after solving by interval colouring.
"""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """Keep tasks inside the chosen group's shift and within the group's head count."""
    model = variables.model
    instance = variables.instance
    work_by_group: dict[int, list] = {group.index: [] for group in instance.nurse_groups}  # type: ignore[type-arg]
    for job, job_vars in zip(instance.jobs, variables.jobs, strict=True):
        for task, chosen, work in zip(job.tasks, job_vars.nurse, job_vars.nurse_work, strict=True):
            for group in instance.nurse_groups:
                use = chosen[group.index]
                # Only starts that put the whole task inside the shift.
                model.add_linear_constraint(
                    job_vars.start, group.start - task.offset, group.end - task.offset - task.length
                ).only_enforce_if(use)
                work_by_group[group.index].append(work[group.index])
    for group in instance.nurse_groups:
        tasks = work_by_group[group.index]
        if group.size == 1:
            model.add_no_overlap(tasks)
        else:
            model.add_cumulative(tasks, [1] * len(tasks), group.size)
