"""The whole schedule behind an add-on's alternative, so staff can confirm it as shown.

:func:`msinfusion.scheduling.addon.add_on` describes an alternative ("with moves" today, or "tomorrow")
by the add-on's chair and start and the changes it makes to everyone else (:class:`Change`: each moved
visit's new start, chair and nurse per task). :func:`alternative_schedule` turns that back into the
schedule of the day: the schedule in force with each change applied (a visit keeps its phases, so its
nurse tasks move with its start) and the add-on at its chair and start with the first free nurse for
each of its tasks (its tasks never overlap each other, so a nurse the core found free is found too).
The result is checked like any schedule: it is returned only when it keeps every rule of the day.
"""

from __future__ import annotations

from msinfusion.i18n import N_, Message
from msinfusion.scheduling.addon import Alternative
from msinfusion.scheduling.changes import Change
from msinfusion.scheduling.day import Appointment, Day, Fixed, with_catalog_phases
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Occupancy, Placement, to_assignment
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.schedule import Assignment, NurseTask, Schedule, SolverInfo, Unscheduled
from msinfusion.scheduling.validation import check_schedule, compute_objective

__all__ = ["OFF_FOR_ADD_ON", "alternative_schedule"]

OFF_FOR_ADD_ON = N_("taken off the day to make room for an add-on")
"""Why a visit an alternative takes off the day is unscheduled."""


def _moved(old: Assignment, change: Change) -> Assignment:
    """``old`` at the change's start and chair, its nurse tasks shifted with it and given the new nurses."""
    if change.new_start is None or change.new_chair is None:
        raise DayProblem("changes", f"{change.appointment} has no new place")
    if len(change.new_nurses) != len(old.nurse_tasks):
        raise DayProblem("changes", f"{change.appointment}: {len(change.new_nurses)} nurses for its tasks")
    shift = change.new_start - old.start
    tasks = [
        NurseTask(phase=t.phase, nurse=nurse, start=t.start + shift, end=t.end + shift)
        for t, nurse in zip(old.nurse_tasks, change.new_nurses, strict=True)
    ]
    moved = Assignment(
        appointment=old.appointment,
        chair=change.new_chair,
        start=change.new_start,
        end=old.end + shift,
        nurse_tasks=tasks,
    )
    if change.new_end is not None and moved.end != change.new_end:
        raise DayProblem("changes", f"{change.appointment} would end at {moved.end}, not {change.new_end}")
    return moved


def _units(instance: Instance, minutes: int) -> int:
    units, rest = divmod(minutes - instance.origin, instance.unit)
    if rest:
        raise DayProblem("start", f"{minutes} is not on the day's time grid")
    return units


def _placed_add_on(day: Day, others: list[Assignment], visit: Appointment, start: int, chair: str) -> Assignment:
    """The add-on at ``start`` in ``chair``, with a free nurse for each of its tasks."""
    pinned = visit.model_copy(update={"fixed": Fixed(start=start, chair=chair)})
    instance = Instance(day.model_copy(update={"appointments": [*day.appointments, pinned]}))
    occupancy = Occupancy(instance)
    index = {job.id: job.index for job in instance.jobs}
    for a in others:
        occupancy.place(
            Placement(index[a.appointment], _units(instance, a.start), a.chair, tuple(t.nurse for t in a.nurse_tasks))
        )
    job = instance.jobs[index[visit.id]]
    found = occupancy.try_place(job, _units(instance, start))
    if not isinstance(found, Placement):
        raise DayProblem("alternative", f"{visit.id} does not fit in {chair} at {start}")
    return to_assignment(instance, found)


def alternative_schedule(day: Day, current: Schedule, visit: Appointment, alternative: Alternative) -> Schedule:
    """The schedule of ``day`` (without ``visit``; ``current`` in force) that ``alternative`` describes.

    Raises :class:`DayProblem` when the alternative does not describe a schedule of this day, and
    :class:`~msinfusion.scheduling.validation.InvalidSchedule` when the schedule breaks a rule.
    """
    if any(a.id == visit.id for a in day.appointments):
        raise DayProblem("appointment.id", f"{visit.id!r} is already on the day")
    extended = with_catalog_phases(day.model_copy(update={"appointments": [*day.appointments, visit]}))
    added = extended.appointments[-1]
    base = extended.model_copy(update={"appointments": extended.appointments[:-1]})
    changes = {c.appointment: c for c in alternative.changes}
    old = {a.appointment: a for a in current.assignments}
    unknown = set(changes) - set(old)
    if unknown:
        raise DayProblem("changes", f"not in the schedule in force: {', '.join(sorted(unknown))}")
    others: list[Assignment] = []
    off: list[Unscheduled] = []
    for a in current.assignments:
        change = changes.get(a.appointment)
        if change is None:
            others.append(a)
        elif change.new_start is None:
            off.append(Unscheduled(appointment=a.appointment, reason=Message(OFF_FOR_ADD_ON)))
        else:
            others.append(_moved(a, change))
    placed = _placed_add_on(base, others, added, alternative.start, alternative.chair)
    assignments = [*others, placed]
    schedule = current.model_copy(
        update={
            "assignments": assignments,
            "unscheduled": [*current.unscheduled, *off],
            "objective": compute_objective(extended, assignments),
            "bound": None,
            "solver": SolverInfo(name="add-on", status="heuristic", seconds=0.0),
        }
    )
    check_schedule(extended, schedule)
    return schedule
