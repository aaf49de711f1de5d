"""Infusion duration from rate titration: mL/h steps over a bag volume, or mg/h steps over a dose."""

from __future__ import annotations

import math
from collections.abc import Iterator

from msinfusion.therapies.model import InfusionProfile, Ramp, RateStep


class TitrationError(ValueError):
    """A rate schedule that cannot deliver the amount (no open-ended last step)."""


def ramp_steps(ramp: Ramp) -> Iterator[RateStep]:
    """The explicit steps of a ramp: each rate for ``every_minutes``, the maximum for the rest."""
    rate = ramp.start
    while rate < ramp.maximum and ramp.increment > 0:
        yield RateStep(rate=rate, minutes=ramp.every_minutes)
        rate += ramp.increment
    yield RateStep(rate=ramp.maximum)


def minutes_to_deliver(amount: float, steps: list[RateStep] | Iterator[RateStep]) -> float:
    """Minutes to deliver ``amount`` (mL or mg) through ``steps`` (rates per hour), uninterrupted."""
    if amount < 0:
        raise TitrationError("amount must not be negative")
    remaining = amount
    elapsed = 0.0
    for step in steps:
        per_minute = step.rate / 60.0
        if step.minutes is None or remaining <= per_minute * step.minutes:
            return elapsed + remaining / per_minute
        remaining -= per_minute * step.minutes
        elapsed += step.minutes
    raise TitrationError("the last step has a fixed length, so the amount may never be delivered")


def infusion_minutes(profile: InfusionProfile, dose_mg: float) -> int:
    """Whole minutes of infusion for one dose given with ``profile`` (rounded up)."""
    if profile.fixed_minutes is not None:
        return profile.fixed_minutes.value
    if profile.unit == "mg/h":
        amount = dose_mg
    else:
        assert profile.volume_ml is not None  # the model guarantees it for mL/h
        amount = profile.volume_ml.value
    steps: list[RateStep] | Iterator[RateStep]
    if profile.ramp is not None:
        steps = ramp_steps(profile.ramp.value)
    else:
        assert profile.steps is not None
        steps = profile.steps.value
    # 1e-9 keeps a float like 210.00000000003 from rounding up to 211
    return math.ceil(minutes_to_deliver(amount, steps) - 1e-9)
