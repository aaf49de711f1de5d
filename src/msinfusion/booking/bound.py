"""A proven lower bound on the busiest day's chair-minutes: spread every dose over the open days of its window.

The linear relaxation "book a fraction of each dose on each open day of its window, minimise the
busiest day" has a closed form. For any set S of open days, the doses whose windows lie inside S must
fit on S, so the peak P satisfies ``P * |S| >= fixed(S) + sum of those doses``; the worst S is a run of
consecutive open days (a dose's window is a run, so a union of runs is never worse than its densest
run), and by max-flow/min-cut the densest run *is* the relaxation's optimum. A course day ``i`` uses the
window of day 1 shifted by ``i`` days. Windows are those of the unmoved calendars, so the bound holds
for every plan that keeps each dose within the window its calendar gives when no dose moves.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["PeakBound", "peak_lower_bound"]


@dataclass(frozen=True)
class PeakBound:
    """The bound and the run of open days that proves it."""

    chair_minutes: float
    first: dt.date | None
    last: dt.date | None


def peak_lower_bound(
    open_days: list[dt.date],
    fixed: Mapping[dt.date, int],
    doses: Iterable[tuple[dt.date, dt.date, int]],
) -> PeakBound:
    """The relaxation's optimal peak over ``open_days`` (sorted), given fixed minutes per day and doses.

    Each dose is (first date, last date, chair-minutes); a dose with no open day in its window is left
    out (it cannot be booked at all).
    """
    n = len(open_days)
    if n == 0:
        return PeakBound(0.0, None, None)
    ordinal = [day.toordinal() for day in open_days]
    exact: dict[tuple[int, int], int] = {}
    best, best_run = 0.0, (0, 0)
    for first, last, minutes in doses:
        a = bisect.bisect_left(ordinal, first.toordinal())
        b = bisect.bisect_right(ordinal, last.toordinal()) - 1
        if a <= b:
            exact[(a, b)] = exact.get((a, b), 0) + minutes
            # A dose sits whole on one day: the peak is at least the dose on the emptiest day of its window.
            lightest = min(fixed.get(open_days[i], 0) for i in range(a, b + 1))
            if lightest + minutes > best:
                best, best_run = float(lightest + minutes), (a, a)
    rows: dict[int, dict[int, int]] = {}
    for (a, b), minutes in exact.items():
        rows.setdefault(a, {})[b] = minutes
    fixed_prefix = [0]
    for day in open_days:
        fixed_prefix.append(fixed_prefix[-1] + fixed.get(day, 0))
    below = [0] * n  # contained[a + 1][b] for every b
    for a in range(n - 1, -1, -1):
        row = rows.get(a, {})
        running = 0
        current = [0] * n
        for b in range(a, n):
            running += row.get(b, 0)
            current[b] = below[b] + running
            density = (current[b] + fixed_prefix[b + 1] - fixed_prefix[a]) / (b - a + 1)
            if density > best:
                best, best_run = density, (a, b)
        below = current
    return PeakBound(best, open_days[best_run[0]], open_days[best_run[1]])
