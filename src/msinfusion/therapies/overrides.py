"""A center's overrides of catalog defaults, applied to a therapy, each kept within a range from its meaning.

An override names a value by its path in the data file (as :func:`all_facts` lists them, e.g.
``observation[1].minutes``) and gives the center's value. The result is a new, validated therapy in
which that value has status ``center`` and a note keeping the catalog default.

Every overridden value must also make sense for what it is (:func:`range_problem`): a duration is
more than 0 and at most 24 hours, an observation time is not below the catalog's (label) minimum
unless a clinician gives a written reason, a dose amount stays within the therapy's catalog doses, a
cumulative cap is not raised, and every infusion still takes between 0 and 24 hours. So no accepted
override can make a visit timeline, a calendar or a day board fail.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from msinfusion import titration  # a module reference: titration itself imports the therapy models
from msinfusion.therapies.catalog import all_facts
from msinfusion.therapies.model import Fact, Period, Ramp, RateStep, Series, Status, Therapy

_STEP = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")

DAY_MINUTES = 24 * 60
"""The longest duration any timed value may take: one day (a visit never spans two)."""


class OverrideError(ValueError):
    """An override that names no value of the therapy, does not fit its type, or is out of its range.

    ``field`` is the override's path (``observation[0].minutes``) so a form can point at it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        found = _STEP.findall(part)
        if not found or "".join(n or f"[{i}]" for n, i in found) != part:
            raise OverrideError(f"{path!r} is not a value path like 'observation[1].minutes'", path)
        steps.extend(name if name else int(index) for name, index in found)
    return steps


def _period_days(period: Period) -> float:
    return period.amount * {"days": 1.0, "weeks": 7.0, "months": 30.0}[period.unit]


def _catalog_amounts(therapy: Therapy) -> tuple[float, float]:
    amounts = [step.amount.value for step in therapy.dosing]
    return min(amounts), max(amounts)


# Values whose change one way is the less safe way: a shorter gap between doses, a smaller slowing of the
# infusion after a reaction (ocrelizumab:S6, ublituximab:S5, rituximab:S2), a shorter time at the reduced rate.
_SHORTER_IS_LESS_SAFE = ("min_interval", "regimen.initial_min_interval", "infusion_reaction.reduced_minutes")
_HIGHER_IS_LESS_SAFE = ("infusion_reaction.rate_factor",)


def _less_safe(path: str, value: Any, catalog_value: Any) -> str | None:
    """How an override loosens a safety value compared with the catalog, or None when it does not."""
    if path in _SHORTER_IS_LESS_SAFE:
        shorter = (
            _period_days(value) < _period_days(catalog_value)
            if isinstance(value, Period) and isinstance(catalog_value, Period)
            else value < catalog_value
        )
        return f"shorter than the catalog's {catalog_value}" if shorter else None
    if path in _HIGHER_IS_LESS_SAFE and value > catalog_value:
        return f"higher than the catalog's {catalog_value}"
    return None


def range_problem(default: Therapy, path: str, fact: Fact[Any], *, clinician_reason: str | None = None) -> str | None:
    """Why the overridden ``fact`` at ``path`` is out of its range for ``default`` (the catalog therapy), or None."""
    value = fact.value
    leaf = path.rsplit(".", 1)[-1]
    catalog_value = dict(all_facts(default))[path].value
    if isinstance(value, str):
        return None if value.strip() else "must not be empty"
    looser = _less_safe(path, value, catalog_value)
    if looser is not None and not (clinician_reason or "").strip():
        return f"{looser} ({dict(all_facts(default))[path].status}) needs a clinician's written reason"
    if path.startswith("observation["):
        if not 0 <= value <= DAY_MINUTES:
            return f"observation must be 0 to {DAY_MINUTES} minutes (24 hours), not {value}"
        if value < catalog_value and not (clinician_reason or "").strip():
            return (
                f"observation below the catalog's {catalog_value} minutes "
                f"({dict(all_facts(default))[path].status}) needs a clinician's written reason"
            )
        return None
    if leaf in ("fixed_minutes", "minutes_before"):
        if not 0 < value <= DAY_MINUTES:
            return f"a duration must be more than 0 and at most {DAY_MINUTES} minutes (24 hours), not {value}"
        return None
    if leaf == "volume_ml":
        return None if value > 0 else f"a bag volume must be more than 0 mL, not {value}"
    if isinstance(value, Ramp):
        if value.every_minutes > DAY_MINUTES:
            return f"a ramp step must be at most {DAY_MINUTES} minutes"
        return None
    if isinstance(value, list) and all(isinstance(s, RateStep) for s in value):
        if not value or value[-1].minutes is not None:
            return "the last rate step must run until the bag is empty (no minutes)"
        if any((s.minutes or 0) > DAY_MINUTES for s in value):
            return f"a rate step must be at most {DAY_MINUTES} minutes"
        return None
    if path.startswith("dosing[") and leaf == "amount":
        low, high = _catalog_amounts(default)
        step_status = dict(all_facts(default))[path].status
        if step_status in (Status.PRACTICE, Status.UNCONFIRMED):
            low = 0.0  # a prescriber-chosen amount may be lower, never above the catalog's largest dose
            if not 0 < value <= high:
                return f"a dose must be more than 0 and at most {high:g} {default.dose_unit}, not {value:g}"
            return None
        if not low <= value <= high:
            return f"a dose must be within the catalog's doses ({low:g} to {high:g} {default.dose_unit}), not {value:g}"
        return None
    if path.startswith("cumulative_cap."):
        if not 0 < value <= catalog_value:
            return f"a lifetime cap must be more than 0 and not above the catalog's {catalog_value:g}, not {value:g}"
        return None
    if isinstance(value, Period):
        if path == "regimen.initial[0]":
            return None if value.amount == 0 else "the first dose is day 0 of the regimen"
        return None if value.amount > 0 else f"a period must be longer than 0, not {value}"
    if leaf == "anchor_dose":
        count = len(default.regimen.initial) if isinstance(default.regimen, Series) else 1
        return None if 1 <= value <= count else f"the anchor must be an initial dose number, 1 to {count}"
    if leaf == "days":
        return None if 1 <= value <= catalog_value else f"a course must be 1 to {catalog_value} days, not {value}"
    if leaf == "late_reactions_hours":
        return None if 0 < value <= 24 * 7 else f"late-reaction hours must be more than 0 and at most 168, not {value}"
    return None


def _timed_problems(therapy: Therapy) -> tuple[str, str] | None:
    """The first dose step whose infusion cannot be timed or takes over 24 hours, as (path, why)."""
    for index, step in enumerate(therapy.dosing):
        for profile_id in [step.infusion, *step.options]:
            profile = therapy.infusions[profile_id]
            dose_mg = step.amount.value
            try:
                minutes = titration.infusion_minutes(profile, dose_mg)
            except titration.TitrationError as exc:
                return f"infusions.{profile_id}", str(exc)
            if not 0 < minutes <= DAY_MINUTES:
                return (
                    f"infusions.{profile_id}",
                    f"dose step {index + 1} would take {minutes} minutes; an infusion must take 1 to {DAY_MINUTES}",
                )
    return None


def apply_overrides(
    therapy: Therapy, overrides: Mapping[str, Any], *, reasons: Mapping[str, str] | None = None
) -> Therapy:
    """``therapy`` with each overridden value replaced; raises :class:`OverrideError` naming a bad one.

    ``reasons`` maps an override's path to the clinician's written reason; only an observation time
    below the catalog's minimum needs one.
    """
    if not overrides:
        return therapy
    reasons = reasons or {}
    facts = dict(all_facts(therapy))
    data = therapy.model_dump(mode="json")
    for path, value in overrides.items():
        if path not in facts:
            raise OverrideError(f"{therapy.id} has no value at {path!r}", path)
        default = facts[path]
        node: Any = data
        steps = _steps(path)
        for step in steps[:-1]:
            node = node[step]
        node[steps[-1]] = {
            "value": value,
            "source": default.source,
            "status": "center",
            "note": f"center override; catalog default {default.value} ({default.status.value})",
        }
    try:
        local = Therapy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise OverrideError(f"{therapy.id}: {where}: {error['msg']}", _field_of(where, overrides)) from None
    new_facts = dict(all_facts(local))
    for path in overrides:
        problem = range_problem(therapy, path, new_facts[path], clinician_reason=reasons.get(path))
        if problem is not None:
            raise OverrideError(f"{therapy.id}: {path}: {problem}", path)
    if isinstance(local.regimen, Series):
        offsets = [_period_days(f.value) for f in local.regimen.initial]
        path = next((p for p in overrides if p.startswith("regimen.initial")), "regimen.initial")
        if any(b <= a for a, b in itertools.pairwise(offsets)):
            raise OverrideError(f"{therapy.id}: {path}: initial doses must come in order, each after the last", path)
        gap = local.regimen.initial_min_interval
        if gap is not None and any(b - a < _period_days(gap.value) for a, b in itertools.pairwise(offsets)):
            raise OverrideError(f"{therapy.id}: {path}: initial doses must keep {gap.value} between them", path)
    timed = _timed_problems(local)
    if timed is not None:
        where, why = timed
        path = next((p for p in overrides if p.startswith(where) or p.startswith("dosing")), where)
        raise OverrideError(f"{therapy.id}: {path}: {why}", path)
    return local


def _field_of(where: str, overrides: Mapping[str, Any]) -> str | None:
    """The override path a pydantic error location (``observation.0.minutes.value``) points into."""
    located = where.split(".")
    for path in overrides:
        wanted = [str(step) for step in _steps(path)]
        found = iter(located)
        if all(step in found for step in wanted):  # in order; a union's tag ("courses") may sit between
            return path
    return None
