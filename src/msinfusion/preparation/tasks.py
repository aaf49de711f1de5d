"""A preparation task, the stages a patient meets them in, and the plan of one visit that holds them."""

from __future__ import annotations

import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.i18n import Translator

SEED = "seed"
"""Source marker for advice taken from the seed article (shared/seed/), not from a label."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(StrEnum):
    """When a task is done, relative to the visit."""

    WEEK_BEFORE = "week-before"
    DAYS_BEFORE = "days-before"
    DAY_BEFORE = "day-before"
    DAY_OF = "day-of"
    AFTER = "after"


def stage_title(stage: Stage, t: Translator) -> str:
    """The heading of a stage."""
    _ = t.gettext
    titles = {
        Stage.WEEK_BEFORE: _("A week before"),
        Stage.DAYS_BEFORE: _("In the days before"),
        Stage.DAY_BEFORE: _("The day before"),
        Stage.DAY_OF: _("On the day"),
        Stage.AFTER: _("After the visit"),
    }
    return titles[stage]


class Task(_Strict):
    """One thing to do (or know) before or after a visit."""

    id: str = Field(description="Stable key, the same in every language")
    stage: Stage
    due: datetime.date
    title: str
    detail: str
    reason: str
    items: list[str] = []
    sources: list[str] = Field([], description="Label source ids ('ocrelizumab:S3') or 'seed'")
    needs_review: bool = False


class PreparationPlan(_Strict):
    """Every task for one visit, in the order the patient meets them."""

    dose_number: int
    visit_date: datetime.date
    first_infusion: bool
    driver_needed: bool
    tasks: list[Task]

    def by_stage(self) -> list[tuple[Stage, list[Task]]]:
        """Tasks grouped by stage, stages in time order (tasks by due date), empty stages left out."""
        groups = [(stage, sorted((t for t in self.tasks if t.stage is stage), key=lambda t: t.due)) for stage in Stage]
        return [(stage, tasks) for stage, tasks in groups if tasks]

    def task(self, task_id: str) -> Task:
        """The task with ``task_id``; ``KeyError`` when the plan has none."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    @property
    def ids(self) -> list[str]:
        return [task.id for task in self.tasks]
