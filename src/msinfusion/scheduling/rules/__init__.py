"""The rules of the day-schedule format, one module each; the model applies them all.

Each rule is a function `apply(variables: DayVariables) -> None` that adds its constraints to
`variables.model`. Tests build a model with one rule only, feasible and infeasible.
"""

from __future__ import annotations

from collections.abc import Callable

from msinfusion.scheduling.rules import (
    chair_capacity,
    chair_features,
    fixed,
    nurse_ratio,
    nurse_tasks,
    windows,
)
from msinfusion.scheduling.variables import DayVariables

__all__ = ["RULES", "Rule"]

Rule = Callable[[DayVariables], None]

RULES: tuple[Rule, ...] = (
    windows.apply,
    fixed.apply,
    chair_features.apply,
    chair_capacity.apply,
    nurse_tasks.apply,
    nurse_ratio.apply,
)
