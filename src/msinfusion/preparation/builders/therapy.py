"""The therapy's own tasks, from the ``patient_tasks`` of its data file: each names its monitoring items and facts.

Nothing here knows a therapy: the data file words the task and gives its stage, the doses it belongs to
and its sourced facts; every number in the text is one of those facts, so a center override reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msinfusion.preparation.facts import PeriodWords, next_check, number_text
from msinfusion.preparation.tasks import Stage, Task
from msinfusion.preparation.visit import Visit
from msinfusion.therapies import Fact
from msinfusion.therapies.model import PatientTask


def task_facts(visit: Visit, task: PatientTask) -> list[Fact[Any]]:
    """Every fact the task rests on: its monitoring items', its periods, numbers and basis."""
    checks = [m.fact for m in visit.therapy.monitoring if m.what in task.monitoring]
    return [*checks, *task.periods.values(), *task.numbers.values(), *task.basis]


def therapy_task(visit: Visit, task: PatientTask) -> Task | None:
    """One data task for this visit, worded and dated; ``None`` when it does not belong to this dose."""
    if not task.applies_to(visit.dose.number, visit.dose.course_day):
        return None
    t, center = visit.t, visit.center
    words: dict[str, object] = {
        "center": center.name,
        "phone": center.phone_text(),
        "emergency": center.emergency_number,
    }
    words |= {key: PeriodWords(fact.value, t) for key, fact in task.periods.items()}
    words |= {key: number_text(fact.value, t) for key, fact in task.numbers.items()}
    due = visit.before(task.lead_days)
    if task.schedule is not None:
        if visit.first_dose is None:
            return None
        found = next_check(task, visit.first_dose, visit.day)
        if found is None:
            return None
        due, words["next"] = found, t.date(found, "long")
    facts = task_facts(visit, task)

    def say(text: str) -> str:
        return t.gettext(text).format(**words)

    return Task(
        id=task.id,
        stage=Stage(task.stage),
        due=due,
        title=say(task.title),
        detail=say(task.detail),
        reason=say(task.reason),
        items=[say(item) for item in task.items],
        sources=visit.sources(facts),
        needs_review=any(fact.needs_review for fact in facts),
    )


def _tasks(visit: Visit, keep: Callable[[PatientTask], bool]) -> list[Task]:
    found = (therapy_task(visit, task) for task in visit.therapy.patient_tasks if keep(task))
    return [task for task in found if task is not None]


def therapy_preparation(visit: Visit) -> list[Task]:
    """The therapy's tasks before and on the day of the visit (tests, enrollment, medicines to pick up)."""
    return _tasks(visit, lambda task: task.stage != "after")


def therapy_follow_up(visit: Visit) -> list[Task]:
    """The therapy's tasks after the visit (warning signs, repeated checks), after the general ones."""
    return _tasks(visit, lambda task: task.stage == "after")
