"""How a center plans its days: the durations basis of the day builder and the what-if page's no-show and
add-on rates, each the center's own choice (the center editor) or, where it has not chosen, the app setting.

:func:`center_planning` is the one place that resolves them; the day builder and the simulation get the
plain values of the :class:`CenterPlanning` it returns. :func:`planning_bounds` gives the rates' bounds,
taken from the settings' own validators, so the editor and the settings accept the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from annotated_types import Ge, Le
from sqlalchemy.orm import Session

from msinfusion.db.models import Center
from msinfusion.scheduling.durations import Basis
from msinfusion.settings import Settings

PlanningField = Literal["duration_basis", "no_show_rate", "add_on_rate"]
RateField = Literal["no_show_rate", "add_on_rate"]
SETTING_OF: dict[PlanningField, str] = {
    "duration_basis": "duration_basis",
    "no_show_rate": "simulation_no_show_rate",
    "add_on_rate": "simulation_add_on_rate",
}
"""The app setting behind each of a center's planning choices (its default)."""
BASES: tuple[Basis, ...] = get_args(Basis)


@dataclass(frozen=True)
class CenterPlanning:
    """The values a center plans with, and which of them it chose itself (the rest are the app's)."""

    duration_basis: Basis
    no_show_rate: float
    add_on_rate: float
    own: frozenset[PlanningField] = frozenset()

    def is_own(self, name: PlanningField) -> bool:
        """True when the center chose this value itself, False when it is the app setting."""
        return name in self.own


def resolve(center: Center, settings: Settings) -> CenterPlanning:
    """The center's own values where it has them, else the settings' (no database access)."""
    basis: Basis | None = next((b for b in BASES if b == center.duration_basis), None)
    own: set[PlanningField] = set()
    if basis is not None:
        own.add("duration_basis")
    if center.no_show_rate is not None:
        own.add("no_show_rate")
    if center.add_on_rate is not None:
        own.add("add_on_rate")
    return CenterPlanning(
        duration_basis=basis if basis is not None else settings.duration_basis,
        no_show_rate=center.no_show_rate if center.no_show_rate is not None else settings.simulation_no_show_rate,
        add_on_rate=center.add_on_rate if center.add_on_rate is not None else settings.simulation_add_on_rate,
        own=frozenset(own),
    )


def center_planning(db: Session, center_id: int, settings: Settings) -> CenterPlanning:
    """What the center plans with: its own choices, else the app settings."""
    return resolve(db.get_one(Center, center_id), settings)


def planning_bounds(name: RateField) -> tuple[float, float]:
    """The smallest and largest rate accepted (0 to 1), as the setting behind it validates them."""
    low, high = 0.0, 1.0
    for rule in Settings.model_fields[SETTING_OF[name]].metadata:
        if isinstance(rule, Ge):
            low = float(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, Le):
            high = float(rule.le)  # type: ignore[arg-type]
    return low, high


def store_planning(
    db: Session, center_id: int, basis: Basis | None, no_show_rate: float | None, add_on_rate: float | None
) -> None:
    """Write the center's own choices (None: use the app setting) in the caller's transaction."""
    center = db.get_one(Center, center_id)
    center.duration_basis, center.no_show_rate, center.add_on_rate = basis, no_show_rate, add_on_rate
