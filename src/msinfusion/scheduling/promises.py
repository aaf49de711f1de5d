"""Re-planning a running day around what is already promised, with CP-SAT.

At a moment `now` of the day, a visit whose start is before `now` is **seated**: it keeps its start
and its chair, and every nurse task of it that began before `now` keeps its nurse. Every other visit
of the schedule in force has a **promised** start: a re-plan moves it only within `max_shift` minutes
(`None`: anywhere from `now` on), and even then changes as few promised starts as it can. Visits that
were not in the schedule (an add-on, one left out before) may go anywhere from `now` on.

The objective, in order: keep every promised visit on the day; place the others (by priority);
change as few promised starts as possible; then move them, and the new visits away from their
preferred start, by as few minutes as possible. Chairs and nurses are given out keeping each visit's
old chair and nurses where they are free (`placement.seat_in_groups`), so a seated patient never
changes chair. Every result passes through the independent validator, including the re-plan rules
(`validation.replan_violations`).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ortools.sat.python import cp_model

from msinfusion.scheduling.changes import Change, schedule_changes
from msinfusion.scheduling.day import Appointment, Day, Fixed, with_catalog_phases
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.model import DayModel
from msinfusion.scheduling.placement import Occupancy, Placement, seat_in_groups, to_assignment
from msinfusion.scheduling.reasons import unscheduled_reason
from msinfusion.scheduling.schedule import Assignment, Schedule, SolverInfo, Unscheduled
from msinfusion.scheduling.validation import InvalidSchedule, check_schedule, compute_objective, replan_violations

__all__ = ["Replan", "replan", "seated"]

MIN_SEARCH = 0.02
"""Seconds of search below which a re-plan with a deadline does not start CP-SAT at all."""
MIN_FINISH = 0.03
FINISH_SHARE = 0.6
"""Checking and writing out a re-plan takes about this share of building its model (at least
MIN_FINISH seconds): reserved before a deadline."""


def seated(schedule: Schedule, now: int) -> set[str]:
    """Appointments of the schedule that have started before `now` (their patients are in chairs)."""
    return {a.appointment for a in schedule.assignments if a.start < now}


@dataclass(frozen=True)
class Replan:
    """A re-plan's outcome: the validated schedule (None when none exists within the rules) and its changes."""

    schedule: Schedule | None
    changes: list[Change] = field(default_factory=list)
    status: Literal["optimal", "feasible", "infeasible", "unknown"] = "unknown"
    seconds: float = 0.0

    @property
    def moved_promises(self) -> list[Change]:
        """Changes to a promised start of a visit that stays on the day."""
        return [c for c in self.changes if c.old_start is not None and c.new_start is not None and c.start_moved]


def replan(
    day: Day,
    previous: Schedule,
    now: int,
    *,
    max_shift: int | None = 0,
    movable: Collection[str] = (),
    keep_all: bool = True,
    dropped_now: Mapping[str, str] | None = None,
    required: Collection[str] = (),
    wanted: Mapping[str, int] | None = None,
    hint: Mapping[str, Assignment] | None = None,
    continuity: bool = False,
    time_limit: float = 1.0,
    deadline: float | None = None,
    seed: int = 0,
    workers: int = 2,
) -> Replan:
    """Re-plan `day` (with any events already applied) from the schedule in force at `now`.

    `movable` visits may move any amount (a neighbourhood to search). `keep_all` makes keeping every
    promised visit on the day a hard rule (else it is the first aim). `dropped_now` maps appointments
    to take off the day to their reason (a no-show); visits the schedule in force left out stay out
    with their reason. `required` must be placed. `wanted` overrides the start a new visit should be
    as close to as possible (default its preferred start, else its earliest); `hint` gives new visits
    a first place to try.

    `time_limit` bounds the search; `deadline` (a `time.monotonic()` instant), when given, bounds the
    whole call: the search gets what is left after building the model, less the time checking the
    result takes (estimated from the building time, so a busy machine searches less rather than
    answering late). With no time left to search, the first plan by hand is the answer when it keeps
    every rule asked for.
    """
    started = time.monotonic()
    day = with_catalog_phases(day)
    # Visits the schedule in force left out stay out (their patients were told), unless required.
    dropped = {u.appointment: u.reason for u in previous.unscheduled if u.appointment not in required}
    dropped.update(dropped_now or {})
    before = {a.appointment: a for a in previous.assignments}
    sitting = seated(previous, now)
    internal = _internal_day(day, before, sitting, now, max_shift, set(movable), wanted or {})
    instance = Instance(internal)
    index = {job.id: job.index for job in instance.jobs}
    old = _old_placements(instance, before)
    suggested = _old_placements(instance, hint or {})
    day_model = DayModel(instance)
    model, jobs = day_model.model, day_model.variables.jobs
    chair_group = {chair: group.index for group in instance.chair_groups for chair in group.chairs}
    nurse_group = {nurse: group.index for group in instance.nurse_groups for nurse in group.nurses}
    for identifier in sitting & index.keys():
        j = index[identifier]
        model.add(jobs[j].present == 1)
        assignment = before[identifier]
        model.add(jobs[j].chair[chair_group[assignment.chair]] == 1)
        for number, task in enumerate(assignment.nurse_tasks):
            if task.start < now and number < len(jobs[j].nurse) and task.nurse in nurse_group:
                model.add(jobs[j].nurse[number][nurse_group[task.nurse]] == 1)
    for identifier in dropped:
        model.add(jobs[index[identifier]].present == 0)
    for identifier in required:
        model.add(jobs[index[identifier]].present == 1)
    promised = [index[i] for i in before if i in index and i not in dropped and i not in sitting]
    newcomers = [job.index for job in instance.jobs if job.id not in before and job.id not in dropped]
    if keep_all:
        for j in promised:
            model.add(jobs[j].present == 1)
    # Lexicographic by weights: each level outweighs everything below it. Last: keep chairs and nurses.
    reshuffles = []
    for j, placement in old.items():
        if j not in promised and instance.jobs[j].id not in sitting:
            continue
        group = chair_group.get(placement.chair)
        if group is not None:
            reshuffles.append(1 - jobs[j].chair[group])
        for number, nurse in enumerate(placement.nurses[: len(jobs[j].nurse)]):
            if nurse in nurse_group:
                reshuffles.append(1 - jobs[j].nurse[number][nurse_group[nurse]])
    deviations = [(j, d) for j in range(len(jobs)) if (d := day_model.deviation_of(j)) is not None]
    w_minutes = len(reshuffles) + 1
    w_moved = w_minutes * (instance.horizon + 1) * (len(jobs) + 1)
    w_new = w_moved * (len(jobs) + 1)
    w_lost = w_new * (sum(job.priority for job in instance.jobs) + 1)
    moved = []
    promised_set = set(promised)
    for j, deviation in deviations:
        if j in promised_set:
            flag = model.new_bool_var(f"{instance.jobs[j].id}.moved")
            model.add(deviation == 0).only_enforce_if(flag.Not())
            moved.append(flag)
    missing_promised = sum(instance.jobs[j].priority * (1 - jobs[j].present) for j in promised)
    missing_new = sum(instance.jobs[j].priority * (1 - jobs[j].present) for j in newcomers)
    model.minimize(
        w_lost * missing_promised
        + w_new * missing_new
        + w_moved * sum(moved)
        + w_minutes * sum(d for _, d in deviations)
        + sum(reshuffles)
    )
    # A first plan by hand (keeping what still fits): a complete, valid hint, and the answer if the
    # search finds nothing better in time (a busy machine).
    seated_jobs = [index[i] for i in sitting if i in index]
    begun = -(-(now - instance.origin) // instance.unit)  # grid units before `now`
    fallback = _first_plan(instance, old, seated_jobs, promised, newcomers, begun=begun)
    usable = fallback is not None and all(j in fallback for j in required_jobs(index, required))
    if keep_all and fallback is not None:
        usable = usable and all(j in fallback for j in promised)
    if fallback is not None:
        day_model.hint(list(fallback.values()))
    else:
        hinted = [p for p in old.values() if instance.jobs[p.job].id not in dropped]
        hinted += [p for j, p in suggested.items() if j not in old]
        day_model.hint([p for p in hinted if _hintable(p, instance, chair_group, nurse_group)])
    limit = max(0.05, time_limit)
    if deadline is not None:
        finishing = max(MIN_FINISH, FINISH_SHARE * (time.monotonic() - started))
        limit = min(limit, deadline - time.monotonic() - finishing)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(MIN_SEARCH, limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model) if limit >= MIN_SEARCH else cp_model.UNKNOWN
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        starts: dict[int, int] = {}
        groups: dict[int, int] = {}
        task_groups: dict[tuple[int, int], int] = {}
        for job, job_vars in zip(instance.jobs, jobs, strict=True):
            if not solver.value(job_vars.present):
                continue
            starts[job.index] = int(solver.value(job_vars.start))
            groups[job.index] = next(g for g, chosen in job_vars.chair.items() if solver.value(chosen))
            for number, chosen_nurse in enumerate(job_vars.nurse):
                task_groups[(job.index, number)] = next(g for g, c in chosen_nurse.items() if solver.value(c))
        # A visit that moved keeps its chair if it can; its old nurses are free for others first.
        prefer = {j: p if starts.get(j) == p.start else replace(p, nurses=()) for j, p in old.items()}
        placements = seat_in_groups(instance, starts, groups, task_groups, prefer=prefer, continuity=continuity)
    elif status == cp_model.UNKNOWN and usable and fallback is not None:
        placements = sorted(fallback.values(), key=lambda p: p.job)
    else:
        label: Literal["infeasible", "unknown"] = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
        return Replan(None, [], label, time.monotonic() - started)
    optimal = status == cp_model.OPTIMAL
    schedule = _schedule(day, instance, placements, dropped, optimal, started)
    check_schedule(day, schedule)
    violations = replan_violations(
        previous, schedule, now, max_shift=max_shift, movable=movable, dropped=dropped.keys()
    )
    if violations:
        raise InvalidSchedule(violations)
    return Replan(
        schedule,
        schedule_changes(previous, schedule),
        "optimal" if optimal else "feasible",
        time.monotonic() - started,
    )


def required_jobs(index: Mapping[str, int], required: Collection[str]) -> list[int]:
    """Job numbers of the required appointments."""
    return [index[i] for i in required if i in index]


def _first_plan(
    instance: Instance,
    old: Mapping[int, Placement],
    seated_jobs: list[int],
    promised: list[int],
    newcomers: list[int],
    *,
    begun: int,
) -> dict[int, Placement] | None:
    """Seated visits where they are, then each other visit at its old place if still free, else the
    free start closest to it (else left out); None when the seated visits alone do not fit."""
    occupancy = Occupancy(instance)
    for j in sorted(seated_jobs, key=lambda j: old[j].start):
        found = _at(occupancy, instance, old[j], begun=begun)
        if found is None:
            return None
        occupancy.place(found)
    rest = sorted(promised, key=lambda j: (old[j].start, j)) + sorted(newcomers)
    for j in rest:
        job = instance.jobs[j]
        found = _at(occupancy, instance, old[j]) if j in old and job.lo <= old[j].start <= job.hi else None
        if found is None:
            found = occupancy.place_first_fit(job)
        else:
            occupancy.place(found)
    return dict(occupancy.placements)


def _at(occupancy: Occupancy, instance: Instance, placement: Placement, *, begun: int = 0) -> Placement | None:
    """The placement with its chair, and each nurse task with its old nurse where free (else any free;
    a task that began before grid unit `begun` only with its old nurse)."""
    job = instance.jobs[placement.job]
    start = placement.start
    if start + job.duration > instance.horizon:
        return None
    stay = ((1 << job.duration) - 1) << start
    if placement.chair not in occupancy.chairs or occupancy.chairs[placement.chair] & stay or occupancy.full & stay:
        return None
    if not job.requires <= occupancy.chair_features.get(placement.chair, frozenset()):
        return None
    nurses = []
    for number, task in enumerate(job.tasks):
        mask = ((1 << task.length) - 1) << (start + task.offset)
        wanted = placement.nurses[number] if number < len(placement.nurses) else None
        if wanted in occupancy.nurses and not occupancy.nurses[wanted] & mask:
            nurses.append(wanted)
            continue
        if start + task.offset < begun:
            return None
        other = next((n for n, busy in occupancy.nurses.items() if not busy & mask), None)
        if other is None:
            return None
        nurses.append(other)
    return Placement(job.index, start, placement.chair, tuple(nurses))


def _internal_day(
    day: Day,
    before: Mapping[str, Assignment],
    sitting: set[str],
    now: int,
    max_shift: int | None,
    movable: set[str],
    wanted: Mapping[str, int],
) -> Day:
    """The day as the re-plan sees it: seated visits fixed, promised ones anchored to their start."""
    closes = day.center.closes
    appointments: list[Appointment] = []
    for appointment in day.appointments:
        a = before.get(appointment.id)
        chair = appointment.fixed.chair if appointment.fixed is not None else None
        update: dict[str, object]
        if a is not None and appointment.id in sitting:
            update = {"earliest_start": None, "latest_end": None, "fixed": Fixed(start=a.start, chair=chair)}
        elif a is not None:
            earliest = max(appointment.earliest_start or 0, now)
            latest = closes if appointment.latest_end is None else min(closes, appointment.latest_end)
            if max_shift is not None and appointment.id not in movable:
                earliest = max(earliest, a.start - max_shift)
                latest = min(latest, a.start + max_shift + appointment.minutes)
            update = {"earliest_start": earliest, "latest_end": latest, "preferred_start": a.start}
        else:
            earliest = max(appointment.earliest_start or 0, now)
            update = {"earliest_start": earliest}
            target = wanted.get(appointment.id, appointment.preferred_start)
            update["preferred_start"] = earliest if target is None else max(target, earliest)
        if appointment.fixed is not None and appointment.fixed.start is not None and "fixed" not in update:
            if appointment.fixed.start >= now:
                update["preferred_start"] = appointment.fixed.start
            else:
                update["fixed"] = Fixed(chair=chair) if chair is not None else None
        appointments.append(appointment.model_copy(update=update))
    return day.model_copy(update={"appointments": appointments})


def _old_placements(instance: Instance, before: Mapping[str, Assignment]) -> dict[int, Placement]:
    """The schedule in force as grid placements of the re-plan's jobs (where they still fit the grid)."""
    placements = {}
    for job in instance.jobs:
        a = before.get(job.id)
        if a is None or (a.start - instance.origin) % instance.unit:
            continue
        nurses = tuple(task.nurse for task in a.nurse_tasks)
        placements[job.index] = Placement(job.index, (a.start - instance.origin) // instance.unit, a.chair, nurses)
    return placements


def _hintable(placement: Placement, instance: Instance, chairs: Mapping[str, int], nurses: Mapping[str, int]) -> bool:
    job = instance.jobs[placement.job]
    return (
        placement.chair in chairs
        and len(placement.nurses) == len(job.tasks)
        and all(n in nurses for n in placement.nurses)
        and 0 <= placement.start <= instance.horizon
    )


def _schedule(
    day: Day,
    instance: Instance,
    placements: list[Placement],
    dropped: Mapping[str, str],
    optimal: bool,
    started: float,
) -> Schedule:
    occupancy = Occupancy(instance)
    for placement in placements:
        occupancy.place(placement)
    assignments = [to_assignment(instance, placement) for placement in placements]
    unscheduled = [
        Unscheduled(
            appointment=job.id,
            reason=dropped.get(job.id) or unscheduled_reason(instance, job, occupancy),
        )
        for job in instance.jobs
        if job.index not in occupancy.placements
    ]
    return Schedule(
        center=day.center.name,
        date=day.center.date,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=compute_objective(day, assignments),
        solver=SolverInfo(
            name="cp-sat",
            status="optimal" if optimal else "feasible",
            seconds=round(time.monotonic() - started, 2),
        ),
    )
