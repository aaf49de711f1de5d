"""Patient tasks in a therapy file: our plain words for a monitoring item, every number in them a sourced fact."""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, model_validator

from msinfusion.therapies.facts import DoseRange, Fact, Period, Strict

TASK_WORDS = frozenset({"center", "phone", "emergency"})
"""Placeholders a patient task may use besides its own facts: the center's name and phone, the emergency number."""


def _placeholders(text: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None]


class CheckSchedule(Strict):
    """Dates of a repeated check, counted from the first dose: each ``at`` period, then ``every`` after the last."""

    at: list[str] = Field([], description="Keys of the task's periods, in order")
    every: str | None = Field(None, description="Key of the task's repeat period")


class PatientTask(Strict):
    """A task in the patient's preparation plan for a monitoring item: our plain English words, sourced facts.

    The text names facts as ``{key}`` (``periods`` and ``numbers``), so a center override of a fact reaches
    the patient's text; ``{key:every}`` words a period as a repeat ('every month', 'every 3 months');
    ``{next}`` is the next date of the ``schedule``. ``lead_days`` is preparation policy
    (how many days before the visit to do it), not a clinical value.
    """

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    stage: Literal["week-before", "days-before", "day-before", "day-of", "after"]
    lead_days: int = 0
    doses: DoseRange = DoseRange(first=1)
    course_days: DoseRange | None = None
    schedule: CheckSchedule | None = None
    monitoring: list[str] = Field([], description="The monitoring items (by 'what') this task carries out")
    periods: dict[str, Fact[Period]] = {}
    numbers: dict[str, Fact[int]] = {}
    basis: list[Fact[str]] = Field([], description="Sourced statements the task rests on besides the above")
    title: str
    detail: str
    reason: str
    items: list[str] = []

    @model_validator(mode="after")
    def _words_name_facts(self) -> PatientTask:
        keys = {*self.periods, *self.numbers}
        allowed = keys | TASK_WORDS | ({"next"} if self.schedule else set())
        for text in (self.title, self.detail, self.reason, *self.items):
            names = _placeholders(text)
            unknown = {name for name, _ in names} - allowed
            if unknown:
                raise ValueError(f"task {self.id}: {sorted(unknown)} in {text!r} name no fact of the task")
            if any(spec and (spec != "every" or name not in self.periods) for name, spec in names):
                raise ValueError(f"task {self.id}: only a period can be worded as a repeat ({{key:every}})")
        if self.schedule and not {*self.schedule.at, *filter(None, [self.schedule.every])} <= set(self.periods):
            raise ValueError(f"task {self.id}: its schedule names a period the task does not have")
        if not (self.monitoring or keys or self.basis):
            raise ValueError(f"task {self.id}: a patient task needs a source (monitoring, periods, numbers or basis)")
        return self

    def applies_to(self, number: int, course_day: int | None) -> bool:
        """Whether the task belongs to dose ``number`` (and ``course_day`` within a course)."""
        if number not in self.doses:
            return False
        return self.course_days is None or (course_day or 1) in self.course_days
