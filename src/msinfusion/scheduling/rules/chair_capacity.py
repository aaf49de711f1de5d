"""Rule 1 (capacity): a chair holds one appointment at a time, without interruption.

Chairs of a group are interchangeable, so a group of k chairs needs only "never more than k at once"
(a cumulative); concrete chairs are given out after solving by interval colouring.
"""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """One cumulative (or no-overlap) per chair group, plus a redundant one over all chairs."""
    model = variables.model
    instance = variables.instance
    for group in instance.chair_groups:
        stays = [job_vars.chair_stay[group.index] for job_vars in variables.jobs]
        if group.size == 1:
            model.add_no_overlap(stays)
        else:
            model.add_cumulative(stays, [1] * len(stays), group.size)
    if len(instance.chair_groups) > 1:
        # Implied by the groups; stated once more so propagation sees the whole center.
        stays = [job_vars.stay for job_vars in variables.jobs]
        total = sum(group.size for group in instance.chair_groups)
        model.add_cumulative(stays, [1] * len(stays), total)
