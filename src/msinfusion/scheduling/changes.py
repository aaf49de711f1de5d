"""What a re-plan changes: per appointment, the old start, chair and nurses against the new ones."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from msinfusion.scheduling.clock import Clock, format_clock
from msinfusion.scheduling.schedule import Assignment, Schedule

__all__ = ["Change", "schedule_changes"]


class Change(BaseModel):
    """One appointment whose place in the day changed; `None` on a side means unscheduled there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    appointment: str
    old_start: Clock | None
    new_start: Clock | None
    old_end: Clock | None
    new_end: Clock | None
    old_chair: str | None
    new_chair: str | None
    old_nurses: list[str]
    new_nurses: list[str]

    @property
    def start_moved(self) -> bool:
        """The patient's promised start changed (or they were added or taken off the day)."""
        return self.old_start != self.new_start

    def describe(self) -> str:
        """One line for staff: `A012: start 10:00 -> 10:30, chair C03 -> C05`."""
        if self.old_start is None:
            return f"{self.appointment}: added at {_clock(self.new_start)} in chair {self.new_chair}"
        if self.new_start is None:
            return f"{self.appointment}: taken off the day (was {_clock(self.old_start)} in chair {self.old_chair})"
        parts = []
        if self.old_start != self.new_start:
            parts.append(f"start {_clock(self.old_start)} -> {_clock(self.new_start)}")
        if self.old_end != self.new_end:
            parts.append(f"end {_clock(self.old_end)} -> {_clock(self.new_end)}")
        if self.old_chair != self.new_chair:
            parts.append(f"chair {self.old_chair} -> {self.new_chair}")
        if self.old_nurses != self.new_nurses:
            parts.append(f"nurses {'/'.join(self.old_nurses)} -> {'/'.join(self.new_nurses)}")
        return f"{self.appointment}: {', '.join(parts)}"


def _clock(minutes: int | None) -> str:
    return "-" if minutes is None else format_clock(minutes)


def _nurses(assignment: Assignment | None) -> list[str]:
    return [] if assignment is None else [task.nurse for task in assignment.nurse_tasks]


def schedule_changes(before: Schedule, after: Schedule) -> list[Change]:
    """Every appointment whose start, end, chair or nurses differ between two schedules of one day."""
    old = {a.appointment: a for a in before.assignments}
    new = {a.appointment: a for a in after.assignments}
    ids = [a.appointment for a in before.assignments] + [
        a.appointment for a in after.assignments if a.appointment not in old
    ]
    changes = []
    for identifier in ids:
        a, b = old.get(identifier), new.get(identifier)
        same = (
            a is not None
            and b is not None
            and (a.start, a.end, a.chair, _nurses(a)) == (b.start, b.end, b.chair, _nurses(b))
        )
        if same:
            continue
        changes.append(
            Change(
                appointment=identifier,
                old_start=None if a is None else a.start,
                new_start=None if b is None else b.start,
                old_end=None if a is None else a.end,
                new_end=None if b is None else b.end,
                old_chair=None if a is None else a.chair,
                new_chair=None if b is None else b.chair,
                old_nurses=_nurses(a),
                new_nurses=_nurses(b),
            )
        )
    return changes
