"""Repair: re-plan a running day after a late arrival, a no-show, a reaction or a nurse leaving.

Each event changes the day first, one rule each (`apply_events`):

* **late arrival**: the visit cannot start before the patient is there (`earliest_start`), and its
  old fixed start no longer binds;
* **no-show**: the visit leaves the day;
* **reaction**: the infusion phase grows by the pause and by the rest of the infusion at the reduced
  rate (remaining minutes / rate factor, rounded up). The factor comes from the treatment's label
  rule in the therapy data (with its source ids) unless the event gives one; the pause is always
  given by the event (the labels say "until symptoms resolve"). The plan counts the whole remaining
  infusion at the reduced rate: the labels allow stepping back up after a while if tolerated, which
  the plan does not count on.
* **nurse leaving**: the nurse's shift ends then (or once the task they are doing ends).

Then the day is re-planned (`promises.replan`) so that seated patients stay where they are, as few
promised starts as possible change (by as few minutes as possible), and a visit leaves the day only
when nothing else works. A seated visit that now runs past closing keeps its chair: the center stays
open for it and the nurse whose shift ends last stays too (a warning says so).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from msinfusion.i18n import N_, Message
from msinfusion.scheduling.changes import Change
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Appointment, Day, Fixed, Nurse, Phase, with_catalog_phases
from msinfusion.scheduling.events import DayEvents, LateArrival, NoShow, NurseLeaves, Reaction
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.promises import replan
from msinfusion.scheduling.schedule import Assignment, Schedule

__all__ = ["AppliedEvents", "ReducedRate", "Repair", "apply_events", "repair"]

INFUSION_PHASE = "infusion"


@dataclass(frozen=True)
class ReducedRate:
    """A label's rule for going on after an infusion reaction: the fraction of the rate at onset."""

    factor: float
    sources: tuple[str, ...]
    status: str


RateLookup = Callable[[str], ReducedRate | None]
"""Treatment code -> the label's reduced-rate rule (None when the labels give none)."""


@dataclass
class AppliedEvents:
    """The day with the events applied, the visits taken off it, and what each event did."""

    day: Day
    dropped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Repair:
    """A proposed repaired plan: the validated schedule, exactly what changes, and what the events did."""

    day: Day
    schedule: Schedule
    changes: list[Change]
    notes: list[str]
    warnings: list[str]
    seconds: float

    @property
    def moved_promises(self) -> int:
        """How many patients still on the day get a new start time."""
        return sum(1 for c in self.changes if c.old_start is not None and c.new_start is not None and c.start_moved)


def catalog_rates(code: str) -> ReducedRate | None:
    """The catalog's reduced-rate rule for a treatment code (None for unknown codes or no rule)."""
    from msinfusion import visits

    try:
        rule = visits.infusion_reaction_for_treatment(code)
    except KeyError:
        return None
    if rule is None:
        return None
    fact = rule.rate_factor
    return ReducedRate(fact.value, tuple(fact.source), str(fact.status))


def repair(
    day: Day,
    current: Schedule,
    events: DayEvents,
    *,
    rates: RateLookup = catalog_rates,
    continuity: bool = False,
    time_limit: float = 1.5,
    seed: int = 0,
    workers: int = 2,
) -> Repair:
    """Propose a repaired plan for `day` (schedule `current`) after `events`; see the module docstring.

    `time_limit` bounds the whole answer, model building and checking included: on a busy machine the
    search gets less time rather than the answer coming late.

    Bad events (an unknown appointment, a no-show for a seated patient, a reaction outside the
    infusion, a missing rate where the label gives none) raise :class:`DayProblem`.
    """
    started = time.monotonic()
    applied = apply_events(with_catalog_phases(day), current, events, rates=rates)
    result = replan(
        applied.day,
        current,
        events.now,
        max_shift=None,
        keep_all=False,
        dropped_now=applied.dropped,
        continuity=continuity,
        time_limit=time_limit,
        deadline=started + time_limit,
        seed=seed,
        workers=workers,
    )
    if result.schedule is None:
        # Seated visits alone do not fit the changed day: only a nurse leaving does this (the nurses
        # left cannot watch the patients already in chairs, or do their remaining tasks).
        raise DayProblem(
            "events",
            "the patients already in chairs need more nurses than would be left; a nurse can leave later",
        )
    warnings = list(applied.warnings)
    for change in result.changes:
        if change.old_start is not None and change.new_start is None and change.appointment not in applied.dropped:
            warnings.append(
                Message(
                    N_("{visit} no longer fits today; call the patient to book another day"), visit=change.appointment
                )
            )
    return Repair(applied.day, result.schedule, result.changes, applied.notes, warnings, time.monotonic() - started)


def apply_events(day: Day, current: Schedule, events: DayEvents, *, rates: RateLookup = catalog_rates) -> AppliedEvents:
    """The day as the events leave it (phases must be resolved); one rule per event kind."""
    applied = AppliedEvents(day)
    assignments = {a.appointment: a for a in current.assignments}
    for number, event in enumerate(events.events):
        where = f"events[{number}]"
        if isinstance(event, NurseLeaves):
            _nurse_leaves(applied, current, events.now, event, where)
            continue
        index = next((i for i, a in enumerate(applied.day.appointments) if a.id == event.appointment), None)
        if index is None:
            raise DayProblem(f"{where}.appointment", f"unknown appointment {event.appointment!r}")
        assignment = assignments.get(event.appointment)
        if assignment is None:
            raise DayProblem(f"{where}.appointment", f"{event.appointment} is not on the schedule in force")
        if isinstance(event, LateArrival):
            _late_arrival(applied, index, assignment, events.now, event, where)
        elif isinstance(event, NoShow):
            if assignment.start < events.now:
                raise DayProblem(
                    f"{where}.appointment", f"{event.appointment} started at {format_clock(assignment.start)}"
                )
            applied.dropped[event.appointment] = f"did not come (reported by {format_clock(events.now)})"
            applied.notes.append(Message(N_("{visit}: no-show, taken off the day"), visit=event.appointment))
        else:
            _reaction(applied, index, assignment, events.now, event, where, rates)
    return applied


def _replace(applied: AppliedEvents, index: int, appointment: Appointment) -> None:
    appointments = list(applied.day.appointments)
    appointments[index] = appointment
    applied.day = applied.day.model_copy(update={"appointments": appointments})


def _late_arrival(
    applied: AppliedEvents, index: int, assignment: Assignment, now: int, event: LateArrival, where: str
) -> None:
    if assignment.start < now:
        raise DayProblem(f"{where}.appointment", f"{event.appointment} started at {format_clock(assignment.start)}")
    appointment = applied.day.appointments[index]
    if event.arrives <= assignment.start:
        applied.notes.append(
            Message(
                N_("{visit}: arrives {arrives}, in time; nothing to change"),
                visit=event.appointment,
                arrives=format_clock(event.arrives),
            )
        )
        return
    fixed = appointment.fixed
    kept = None if fixed is None or fixed.chair is None else Fixed(chair=fixed.chair)
    earliest = max(appointment.earliest_start or 0, event.arrives)
    _replace(applied, index, appointment.model_copy(update={"earliest_start": earliest, "fixed": kept}))
    applied.notes.append(
        Message(
            N_("{visit}: arrives {arrives}, {late} min after the promised {promised}"),
            visit=event.appointment,
            arrives=format_clock(event.arrives),
            late=event.arrives - assignment.start,
            promised=format_clock(assignment.start),
        )
    )


def _reaction(
    applied: AppliedEvents,
    index: int,
    assignment: Assignment,
    now: int,
    event: Reaction,
    where: str,
    rates: RateLookup,
) -> None:
    appointment = applied.day.appointments[index]
    phases = appointment.resolved_phases
    offset = 0
    number = None
    for i, phase in enumerate(phases):
        if phase.name == INFUSION_PHASE:
            number = i
            break
        offset += phase.minutes
    if number is None:
        raise DayProblem(f"{where}.appointment", f"{event.appointment} has no {INFUSION_PHASE} phase")
    begins = assignment.start + offset
    ends = begins + phases[number].minutes
    if not begins <= event.at < ends:
        raise DayProblem(
            f"{where}.at",
            f"{format_clock(event.at)} is outside {event.appointment}'s infusion "
            f"{format_clock(begins)}-{format_clock(ends)}",
        )
    if event.at > now:
        raise DayProblem(f"{where}.at", f"{format_clock(event.at)} is after now ({format_clock(now)})")
    if event.rate_factor is not None:
        factor, source = event.rate_factor, Message(N_("as reported"))
    else:
        rule = rates(appointment.treatment)
        if rule is None:
            raise DayProblem(
                f"{where}.rate_factor",
                f"the labels give no reduced rate for {appointment.treatment!r}; give rate_factor",
            )
        factor = rule.factor
        source = Message(N_("label rule {sources} ({status})"), sources=", ".join(rule.sources), status=rule.status)
    elapsed = event.at - begins
    remaining = ends - event.at
    longer = elapsed + event.pause_minutes + math.ceil(remaining / factor)
    grown = phases[number].model_copy(update={"minutes": longer})
    new_phases: list[Phase] = [*phases[:number], grown, *phases[number + 1 :]]
    _replace(applied, index, appointment.model_copy(update={"phases": new_phases, "latest_end": None}))
    applied.notes.append(
        Message(
            N_(
                "{visit}: reaction at {at}, pause {pause} min, then {factor} x the rate ({source}): "
                "infusion {before} -> {after} min"
            ),
            visit=event.appointment,
            at=format_clock(event.at),
            pause=event.pause_minutes,
            factor=f"{factor:g}",
            source=source,
            before=phases[number].minutes,
            after=longer,
        )
    )
    _stay_open(applied, assignment.start + sum(p.minutes for p in new_phases), event.appointment)


def _stay_open(applied: AppliedEvents, end: int, identifier: str) -> None:
    """A seated visit running past closing: the center and its last nurse stay until it ends."""
    day = applied.day
    center = day.center
    if end <= center.closes:
        return
    closes = center.closes
    appointments = [
        a
        if a.id == identifier or (a.latest_end is not None and a.latest_end <= closes)
        else a.model_copy(update={"latest_end": closes})
        for a in day.appointments
    ]
    last = max(center.nurses, key=lambda n: n.shift_end)
    nurses = [
        n.model_copy(update={"shift_end": max(n.shift_end, end)}) if n.id == last.id else n for n in center.nurses
    ]
    applied.day = day.model_copy(
        update={"center": center.model_copy(update={"closes": end, "nurses": nurses}), "appointments": appointments}
    )
    applied.warnings.append(
        Message(
            N_(
                "{visit} now ends {end}, after closing at {closes}: "
                "the center stays open and nurse {nurse} stays until then"
            ),
            visit=identifier,
            end=format_clock(end),
            closes=format_clock(closes),
            nurse=last.id,
        )
    )


def _nurse_leaves(applied: AppliedEvents, current: Schedule, now: int, event: NurseLeaves, where: str) -> None:
    center = applied.day.center
    found = next((n for n in center.nurses if n.id == event.nurse), None)
    if found is None:
        raise DayProblem(f"{where}.nurse", f"unknown nurse {event.nurse!r}")
    if event.at >= found.shift_end:
        applied.notes.append(
            Message(
                N_("nurse {nurse}: leaves at {at}, at or after the shift end"),
                nurse=event.nurse,
                at=format_clock(event.at),
            )
        )
        return
    begun = [
        task.end
        for a in current.assignments
        for task in a.nurse_tasks
        if task.nurse == event.nurse and task.start < now
    ]
    leaves = max([event.at, *begun])
    if leaves > event.at:
        applied.warnings.append(
            Message(
                N_("nurse {nurse} finishes a task begun before now, so leaves at {leaves}"),
                nurse=event.nurse,
                leaves=format_clock(leaves),
            )
        )
    nurses: list[Nurse]
    if leaves <= found.shift_start:
        nurses = [n for n in center.nurses if n.id != event.nurse]
    else:
        nurses = [n.model_copy(update={"shift_end": leaves}) if n.id == event.nurse else n for n in center.nurses]
    applied.day = applied.day.model_copy(update={"center": center.model_copy(update={"nurses": nurses})})
    applied.notes.append(
        Message(
            N_("nurse {nurse}: leaves at {leaves} (shift was until {until})"),
            nurse=event.nurse,
            leaves=format_clock(leaves),
            until=format_clock(found.shift_end),
        )
    )
