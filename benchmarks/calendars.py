"""Generate 10,000 two-year dose calendars across the catalog (target: at most 1 s on this machine).

Run: `.venv/bin/python -m benchmarks.calendars [N]`
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from msinfusion.regimens import dose_calendar
from msinfusion.therapies import load_catalog


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 10_000
    catalog = load_catalog()
    therapies = list(catalog)
    rng = random.Random(7)
    jobs = []
    for _ in range(count):
        therapy = rng.choice(therapies)
        start = date(2027, 1, 1) + timedelta(days=rng.randrange(365))
        jobs.append((therapy, start, start + timedelta(days=730)))
    doses = 0
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        doses = 0
        for therapy, start, until in jobs:
            doses += len(dose_calendar(therapy, start, until, bsa=1.8).doses)
        best = min(best, time.perf_counter() - began)
    print(
        f"{count} two-year calendars ({doses} doses, {len(therapies)} therapies): "
        f"best of 3 = {best:.3f} s ({best / count * 1e6:.1f} µs per calendar); target ≤ 1 s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
