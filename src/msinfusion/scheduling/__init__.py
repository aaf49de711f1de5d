"""Day scheduling: place one center day's appointments on chairs, start times and nurses.

Reads and writes `shared/formats/day-schedule.md`. :func:`solve` runs CP-SAT (or the greedy
baseline) and returns a schedule only after the independent validator has accepted it.
"""

from __future__ import annotations

from msinfusion.scheduling.changes import Change, schedule_changes
from msinfusion.scheduling.day import (
    Appointment,
    Center,
    Chair,
    Day,
    Fixed,
    Nurse,
    Phase,
    parse_day,
    with_catalog_phases,
)
from msinfusion.scheduling.demo_day import make_demo_day
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.schedule import (
    Assignment,
    Bound,
    NurseTask,
    Objective,
    Schedule,
    SolverInfo,
    Unscheduled,
    parse_schedule,
)
from msinfusion.scheduling.solve import SearchMode, SolverName, solve
from msinfusion.scheduling.validation import (
    InvalidSchedule,
    check_schedule,
    compute_objective,
    schedule_violations,
)

__all__ = [
    "Appointment",
    "Assignment",
    "Bound",
    "Center",
    "Chair",
    "Change",
    "Day",
    "DayProblem",
    "Fixed",
    "InvalidSchedule",
    "Nurse",
    "NurseTask",
    "Objective",
    "Phase",
    "Schedule",
    "SearchMode",
    "SolverInfo",
    "SolverName",
    "Unscheduled",
    "check_schedule",
    "compute_objective",
    "make_demo_day",
    "parse_day",
    "parse_schedule",
    "schedule_changes",
    "schedule_violations",
    "solve",
    "with_catalog_phases",
]
