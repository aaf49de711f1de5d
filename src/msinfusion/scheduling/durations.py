"""Durations learned from the center's own history, and a day planned with them.

The board records, per visit, the actual check-in, infusion start, infusion end and discharge times.
From them, per treatment and dose step, three segments of a visit are measured:

* `before`: check-in to infusion start (check-in and premedication phases),
* `infusion`: infusion start to end,
* `after`: infusion end to discharge (observation and discharge phases),

and `chair`, check-in to discharge. Each gets its distribution: median, 80th percentile (linear
interpolation between order statistics, as `statistics.quantiles(method="inclusive")`) and the count
behind it. A visit counts for a segment only when both of its times were recorded; a visit whose
recorded times are out of order (a discharge before the infusion start) is left out as a recording error.

:func:`plan_durations` rebuilds a day's phases from the label timeline (`label`), the median or the
80th percentile; a segment with fewer than `min_count` recorded visits keeps the label's minutes.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.day import Appointment, Day, PhaseLike, with_catalog_phases

__all__ = [
    "SEGMENTS",
    "Basis",
    "Distribution",
    "LearnedDurations",
    "VisitTimes",
    "history_behind",
    "learn_durations",
    "plan_durations",
    "segment_of",
]

Segment = Literal["before", "infusion", "after", "chair"]
SEGMENTS: tuple[Segment, ...] = ("before", "infusion", "after", "chair")
Basis = Literal["label", "median", "p80"]
INFUSION_PHASE = "infusion"
MIN_COUNT = 5
"""Fewest recorded visits behind a segment before planning with it (fewer: the label's minutes)."""


class VisitTimes(BaseModel):
    """The actual times one visit recorded on the board (any of them may be missing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    treatment: str
    dose_step: str | None = None
    check_in: Clock | None = None
    infusion_start: Clock | None = None
    infusion_end: Clock | None = None
    discharge: Clock | None = None

    @property
    def in_order(self) -> bool:
        """The recorded times (missing ones skipped) never go backwards."""
        times = [t for t in (self.check_in, self.infusion_start, self.infusion_end, self.discharge) if t is not None]
        return all(a <= b for a, b in itertools.pairwise(times))

    def segment(self, name: Segment) -> int | None:
        """Minutes of one segment, or None when a time is missing or out of order."""
        first, last = {
            "before": (self.check_in, self.infusion_start),
            "infusion": (self.infusion_start, self.infusion_end),
            "after": (self.infusion_end, self.discharge),
            "chair": (self.check_in, self.discharge),
        }[name]
        if first is None or last is None or last < first:
            return None
        return last - first


@dataclass(frozen=True)
class Distribution:
    """Observed minutes of one segment: median, 80th percentile, and the samples (count) behind them."""

    samples: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return float(statistics.median(self.samples))

    @property
    def p80(self) -> float:
        if len(self.samples) == 1:
            return float(self.samples[0])
        return statistics.quantiles(self.samples, n=5, method="inclusive")[3]

    def value(self, basis: Basis) -> float:
        """The median or the 80th percentile."""
        return self.median if basis == "median" else self.p80


@dataclass(frozen=True)
class LearnedDurations:
    """The distributions of one treatment (and dose step, None = every step pooled)."""

    treatment: str
    dose_step: str | None
    segments: Mapping[Segment, Distribution]


def learn_durations(records: Iterable[VisitTimes]) -> dict[tuple[str, str | None], LearnedDurations]:
    """Distributions per (treatment, dose step), and per treatment with every step pooled (step None)."""
    samples: dict[tuple[str, str | None], dict[Segment, list[int]]] = {}
    for record in records:
        if not record.in_order:
            continue
        keys = {(record.treatment, record.dose_step), (record.treatment, None)}
        for name in SEGMENTS:
            minutes = record.segment(name)
            if minutes is None:
                continue
            for key in keys:
                samples.setdefault(key, {}).setdefault(name, []).append(minutes)
    return {
        key: LearnedDurations(key[0], key[1], {name: Distribution(tuple(sorted(v))) for name, v in found.items()})
        for key, found in sorted(samples.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    }


def segment_of(phases: Sequence[PhaseLike]) -> list[Segment]:
    """Which segment each phase belongs to: before the infusion phase, the infusion, or after it."""
    names = [p.name for p in phases]
    if INFUSION_PHASE not in names:
        return ["chair"] * len(phases)
    at = names.index(INFUSION_PHASE)
    return ["before" if i < at else "infusion" if i == at else "after" for i in range(len(phases))]


def plan_durations(
    day: Day,
    learned: Mapping[tuple[str, str | None], LearnedDurations],
    basis: Basis,
    *,
    min_count: int = MIN_COUNT,
    slot: int = 5,
) -> Day:
    """The day with each visit's phases planned on `basis` (see the module docstring).

    The label timeline is the floor: a segment recorded shorter than its label minutes keeps the label
    (premedication waits, infusion rates and observation periods come from the label and are never
    planned shorter). A segment recorded longer gets the extra minutes, rounded up to `slot` minutes and
    shared out over its phases in whole slots, in proportion to their label minutes (so the day's time
    grid stays coarse); nurse minutes stay as labelled.
    """
    day = with_catalog_phases(day)
    if basis == "label":
        return day
    appointments = [_planned(a, learned.get((a.treatment, None)), basis, min_count, slot) for a in day.appointments]
    return day.model_copy(update={"appointments": appointments})


def history_behind(day: Day, learned: Mapping[tuple[str, str | None], LearnedDurations]) -> dict[str, int]:
    """Per treatment of the day, the recorded visits behind its durations: the most behind any of its
    segments (0 when the center has none). :func:`plan_durations` uses a segment from `min_count` on."""
    counts: dict[str, int] = {}
    for appointment in day.appointments:
        found = learned.get((appointment.treatment, None))
        counts[appointment.treatment] = max((d.count for d in found.segments.values()), default=0) if found else 0
    return counts


def _planned(
    appointment: Appointment, learned: LearnedDurations | None, basis: Basis, min_count: int, slot: int
) -> Appointment:
    if learned is None:
        return appointment
    phases = appointment.resolved_phases
    segments = segment_of(phases)
    new = list(phases)
    for name in dict.fromkeys(segments):
        found = learned.segments.get(name)
        if found is None or found.count < min_count:
            continue
        members = [i for i, s in enumerate(segments) if s == name]
        label = sum(phases[i].minutes for i in members)
        extra = math.ceil((found.value(basis) - label) / slot)
        if extra <= 0:  # the label is the floor: a premedication wait, an infusion rate and an
            continue  # observation period are never planned shorter than the label says
        shares = _share(extra, [phases[i].minutes for i in members], label)
        for i, share in zip(members, shares, strict=True):
            new[i] = phases[i].model_copy(update={"minutes": phases[i].minutes + share * slot})
    return appointment.model_copy(update={"phases": new})


def _share(total: int, weights: list[int], weight_sum: int) -> list[int]:
    """`total` split over `weights` in proportion (equal shares when they are all 0), summing exactly."""
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    shares = [total * w // weight_sum for w in weights]
    shares[-1] += total - sum(shares)
    return shares
