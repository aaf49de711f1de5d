"""The preparation builders, one per task, in the order the plan lists them.

Each builder is a function ``(visit) -> list[Task]`` that returns its task (or none when it does not
apply). Tests call one builder at a time; :func:`~msinfusion.preparation.preparation_plan` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

from msinfusion.preparation.builders import after, day_before, day_of, days_before, therapy, week_before
from msinfusion.preparation.tasks import Task
from msinfusion.preparation.visit import Visit

__all__ = ["BUILDERS", "Builder"]

Builder = Callable[[Visit], list[Task]]

BUILDERS: tuple[Builder, ...] = (
    week_before.confirm_details,
    week_before.ride,
    week_before.card,
    days_before.rest_and_water,
    days_before.vaccines,
    therapy.therapy_preparation,
    day_before.pack,
    day_before.center_provides,
    day_before.check,
    day_of.caffeine_and_smoking,
    day_of.clothing,
    day_of.arrive,
    day_of.finish,
    after.ride_home,
    after.reactions,
    therapy.therapy_follow_up,
)
