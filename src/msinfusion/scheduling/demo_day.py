"""A realistic MS infusion-center day, for demos, tests and benchmarks.

Built from the catalog's visit timelines (`msinfusion.visits`) with the center parameters of
`shared/reference/scheduling.md` §2: open 08:00-18:00, about one nurse per three chairs on staggered
8.5-hour shifts, at most 4 patients per nurse, a therapy mix led by natalizumab and ocrelizumab,
70 % of patients wanting a morning start, a few beds, time windows and visits already promised.
Phase minutes are rounded up to 5 minutes, the slot size centers book in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Appointment, Center, Chair, Day, Fixed, Nurse, Phase, PhaseLike

__all__ = ["THERAPY_MIX", "make_demo_day"]

# Share of visits per catalog dose (reference §2 medium instance: ocrelizumab 6, natalizumab 12,
# IVMP 3, ublituximab 2, alemtuzumab 1 of 26, with the rest spread over the other catalog doses).
THERAPY_MIX: dict[str, float] = {
    "natalizumab-300": 0.30,
    "natalizumab-300-initial": 0.04,
    "natalizumab-sztn-300": 0.04,
    "ocrelizumab-600": 0.14,
    "ocrelizumab-600-short": 0.06,
    "ocrelizumab-300": 0.04,
    "ocrelizumab-sc-920": 0.04,
    "methylprednisolone-1000": 0.11,
    "ublituximab-450": 0.06,
    "ublituximab-150": 0.02,
    "alemtuzumab-12": 0.04,
    "rituximab-1000": 0.05,
}
_SLOT = 5
_OPENS, _CLOSES = 8 * 60, 18 * 60
_SHIFTS = ((7 * 60 + 30, 16 * 60), (9 * 60 + 30, 18 * 60))


def _catalog() -> tuple[list[str], Callable[[str], Sequence[PhaseLike]]]:
    from msinfusion import visits

    return visits.known_treatments(), visits.phases_for_treatment


def _up(minutes: int) -> int:
    return -(-minutes // _SLOT) * _SLOT


def make_demo_day(
    chairs: int,
    nurses: int,
    appointments: int,
    seed: int = 0,
    *,
    date: dt.date = dt.date(2027, 3, 2),
    catalog: tuple[Sequence[str], Callable[[str], Sequence[PhaseLike]]] | None = None,
) -> Day:
    """A day of `appointments` visits for a center with `chairs` chairs and `nurses` nurses."""
    if chairs < 1 or nurses < 1 or appointments < 0:
        raise ValueError("a demo day needs at least one chair and one nurse")
    rng = random.Random(seed)
    known, lookup = catalog if catalog is not None else _catalog()
    mix = {code: share for code, share in THERAPY_MIX.items() if code in set(known)}
    if not mix:
        raise ValueError("the catalog knows none of the demo therapies")
    beds = max(1, round(chairs / 8)) if chairs >= 4 else 0
    center = Center(
        name="Riverside MS Infusion Center",
        date=date,
        timezone="America/New_York",
        opens=_OPENS,
        closes=_CLOSES,
        chairs=[
            Chair(id=f"C{n:02d}", features=["bed"]) if n > chairs - beds else Chair(id=f"C{n:02d}")
            for n in range(1, chairs + 1)
        ],
        nurses=[
            Nurse(id=f"N{n}", shift_start=_SHIFTS[n % 2][0], shift_end=_SHIFTS[n % 2][1]) for n in range(1, nurses + 1)
        ],
        max_patients_per_nurse=4,
    )
    codes = sorted(mix)
    weights = [mix[code] for code in codes]
    visits = []
    for n in range(1, appointments + 1):
        code = rng.choices(codes, weights)[0]
        phases = [Phase(name=p.name, minutes=_up(p.minutes), nurse_minutes=_up(p.nurse_minutes)) for p in lookup(code)]
        visits.append(_appointment(rng, n, code, phases, bed_chairs=beds))
    return Day(format="msinfusion.day/1", center=center, appointments=visits)


def _appointment(rng: random.Random, n: int, code: str, phases: list[Phase], bed_chairs: int) -> Appointment:
    minutes = sum(p.minutes for p in phases)
    last_start = _CLOSES - minutes
    fields: dict[str, object] = {}
    # 70 % want a morning start (reference §2, preference row); most of the rest early afternoon.
    if rng.random() < 0.85:
        wanted = rng.randrange(_OPENS, 11 * 60, 15) if rng.random() < 0.7 else rng.randrange(11 * 60, 15 * 60, 15)
        fields["preferred_start"] = max(_OPENS, min(wanted, last_start - last_start % 15))
    roll = rng.random()
    if roll < 0.10:
        # Works afternoons: must be done by a set time.
        fields["latest_end"] = min(_CLOSES, _up(_OPENS + minutes + rng.randrange(60, 240, 15)))
    elif roll < 0.18:
        # School run or transport: cannot arrive early.
        fields["earliest_start"] = min(last_start - last_start % 15, rng.randrange(9 * 60, 13 * 60, 15))
    if bed_chairs and (code.startswith("alemtuzumab") or rng.random() < 0.04):
        fields["requires"] = ["bed"]
    if code.startswith("methylprednisolone") or code.endswith("-150"):
        # A relapse course or a first dose: worth more than a routine maintenance visit.
        fields["priority"] = 2
    if rng.random() < 0.06:
        preferred = fields.get("preferred_start")
        start = preferred if isinstance(preferred, int) else rng.randrange(_OPENS, last_start + 1, 15)
        fields.pop("earliest_start", None)
        fields.pop("latest_end", None)
        fields["fixed"] = Fixed(start=start)
    return Appointment(id=f"A{n:03d}", patient=f"P{n:03d}", treatment=code, phases=phases, **fields)


def describe(day: Day) -> str:
    """One line: chairs, nurses, visits and chair-minutes demanded versus offered."""
    center = day.center
    demand = sum(a.minutes for a in day.appointments)
    offered = len(center.chairs) * (center.closes - center.opens)
    return (
        f"{len(center.chairs)} chairs, {len(center.nurses)} nurses, {len(day.appointments)} visits, "
        f"{demand} of {offered} chair-minutes ({format_clock(center.opens)}-{format_clock(center.closes)})"
    )
