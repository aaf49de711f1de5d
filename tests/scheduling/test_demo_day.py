from __future__ import annotations

from msinfusion import visits
from msinfusion.scheduling import make_demo_day, parse_day


def test_demo_day_is_the_same_for_the_same_seed() -> None:
    assert make_demo_day(12, 4, 26, seed=3) == make_demo_day(12, 4, 26, seed=3)
    assert make_demo_day(12, 4, 26, seed=3) != make_demo_day(12, 4, 26, seed=4)


def test_demo_day_uses_catalog_doses_beds_windows_and_promised_visits() -> None:
    day = make_demo_day(24, 8, 80, seed=1)
    known = set(visits.known_treatments())
    assert all(a.treatment in known for a in day.appointments)
    assert any("bed" in c.features for c in day.center.chairs)
    assert any(a.fixed is not None for a in day.appointments)
    assert any(a.latest_end is not None or a.earliest_start is not None for a in day.appointments)
    assert sum(a.preferred_start is not None and a.preferred_start < 11 * 60 for a in day.appointments) > 40


def test_demo_day_round_trips_through_the_format() -> None:
    day = make_demo_day(8, 3, 22, seed=1)
    assert parse_day(day.to_json()) == day
