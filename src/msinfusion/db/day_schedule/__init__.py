"""The day schedule in the database: the day to solve built from the center's records (:mod:`.day`), the
optimizer runs and the solve of one run (:mod:`.runs`; :mod:`msinfusion.jobs` runs it) and how a run
reads (:mod:`.run_status`), accepting or hand-moving a schedule (:mod:`.changes`), and the day as the
booking engine booked it, as a schedule (:mod:`.booked`). The rules themselves are in :mod:`msinfusion.scheduling`.
"""

from msinfusion.db.day_schedule.booked import booked_day, has_booked_visits
from msinfusion.db.day_schedule.changes import (
    ScheduleConflict,
    accept,
    current_starts,
    day_and_schedule,
    moved,
    notify_patients,
    store_move,
)
from msinfusion.db.day_schedule.day import BuiltDay, DayClosed, build_day, row_id
from msinfusion.db.day_schedule.run_status import JobStatus, status_of
from msinfusion.db.day_schedule.runs import active_run, cancel_run, latest_job, queue_run

__all__ = [
    "BuiltDay",
    "DayClosed",
    "JobStatus",
    "ScheduleConflict",
    "accept",
    "active_run",
    "booked_day",
    "build_day",
    "cancel_run",
    "current_starts",
    "day_and_schedule",
    "has_booked_visits",
    "latest_job",
    "moved",
    "notify_patients",
    "queue_run",
    "row_id",
    "status_of",
    "store_move",
]
