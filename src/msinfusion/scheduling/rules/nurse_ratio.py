"""Rule 3: at every minute, patients in chairs <= `max_patients_per_nurse` x nurses on shift.

One cumulative over the stays with the largest capacity of the day, and fixed "blocker" intervals
that use up the difference wherever fewer nurses are on shift: no per-minute variables.
"""

from __future__ import annotations

from msinfusion.scheduling.variables import DayVariables


def apply(variables: DayVariables) -> None:
    """Add the ratio as a cumulative with a time-varying capacity."""
    model = variables.model
    capacity = variables.instance.patient_capacity
    peak = max(capacity, default=0)
    intervals = [job_vars.stay for job_vars in variables.jobs]
    demands = [1] * len(intervals)
    start = 0
    for t in range(1, len(capacity) + 1):
        if t == len(capacity) or capacity[t] != capacity[start]:
            if capacity[start] < peak:
                intervals.append(model.new_fixed_size_interval_var(start, t - start, f"ratio.block{start}"))
                demands.append(peak - capacity[start])
            start = t
    if peak == 0:
        for job_vars in variables.jobs:
            model.add(job_vars.present == 0)
        return
    model.add_cumulative(intervals, demands, peak)
