"""Polishing a schedule toward preferred starts, and the two preference stages (deterministic, anytime)."""

from __future__ import annotations

from msinfusion.scheduling import Chair, neighbourhoods, preference_lns
from msinfusion.scheduling.greedy import greedy_placements
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preferences import deviation, polish
from tests.scheduling.conftest import nurse, small_day, visit


def unit_of(instance: Instance, clock: str) -> int:
    """The grid unit of a clock time."""
    hours, minutes = clock.split(":")
    return (int(hours) * 60 + int(minutes) - instance.origin) // instance.unit


def test_polishing_moves_a_visit_to_its_preferred_start_when_it_is_free() -> None:
    instance = Instance(small_day([visit("A1", preferred_start="10:00")]))
    polished = polish(instance, [Placement(0, 0, "C1", ("N1",))])
    assert instance.to_minutes(polished[0].start) == 600
    assert deviation(instance, polished) == 0


def test_polishing_swaps_interchangeable_visits_whose_starts_cross_their_preferences() -> None:
    day = small_day(
        [visit("A1", preferred_start="10:00"), visit("A2", preferred_start="08:00")],
        chairs=[Chair(id="C1")],
        closes="10:00",
    )
    instance = Instance(day)
    crossed = [
        Placement(0, unit_of(instance, "08:00"), "C1", ("N1",)),
        Placement(1, unit_of(instance, "09:00"), "C1", ("N1",)),
    ]
    polished = polish(instance, crossed)
    assert {p.job: instance.to_minutes(p.start) for p in polished} == {0: 540, 1: 480}


def test_polishing_never_loses_a_visit_or_makes_the_deviation_worse() -> None:
    day = small_day(
        [visit("A1", minutes=120, preferred_start="09:00"), visit("A2", minutes=120, preferred_start="09:00")],
        chairs=[Chair(id="C1")],
    )
    instance = Instance(day)
    placements = [
        Placement(0, unit_of(instance, "08:00"), "C1", ("N1",)),
        Placement(1, unit_of(instance, "10:00"), "C1", ("N1",)),
    ]
    polished = polish(instance, placements)
    assert len(polished) == 2
    assert deviation(instance, polished) <= deviation(instance, placements)


def test_the_deterministic_preference_stage_finds_and_proves_the_best_deviation_on_a_small_day() -> None:
    day = small_day(
        [visit(f"A{n}", preferred_start="09:00") for n in range(1, 4)],
        chairs=[Chair(id="C1"), Chair(id="C2"), Chair(id="C3")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    instance = Instance(day)
    start = [Placement(j, unit_of(instance, f"08:{15 * j:02d}"), f"C{j + 1}", ("N1",)) for j in range(3)]
    better, spent, proven = neighbourhoods.improve_preferences(instance, start, deterministic=5, seconds=20)
    # One nurse: the check-ins are 15 minutes apart, so the best is 09:00, 09:15 and 08:45 (30 min).
    assert deviation(instance, better) * instance.unit == 30
    assert proven and spent > 0
    assert len(better) == 3


def test_the_anytime_preference_stage_finds_and_proves_the_best_deviation_on_a_small_day() -> None:
    day = small_day(
        [visit(f"A{n}", preferred_start="09:00") for n in range(1, 4)],
        chairs=[Chair(id="C1"), Chair(id="C2"), Chair(id="C3")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    instance = Instance(day)
    start = [Placement(j, unit_of(instance, f"08:{15 * j:02d}"), f"C{j + 1}", ("N1",)) for j in range(3)]
    result = preference_lns.improve_preferences(instance, start, seconds=20)
    # One nurse: the check-ins are 15 minutes apart, so the best is 09:00, 09:15 and 08:45 (30 min).
    assert deviation(instance, result.placements) * instance.unit == 30
    assert result.proven and result.deterministic_time > 0
    assert result.bound == deviation(instance, result.placements)
    assert len(result.placements) == 3


def test_the_anytime_preference_stage_is_reproducible_when_it_proves_the_best_deviation() -> None:
    # Proven within the one-worker deterministic attempt: the same schedule on every run.
    day = small_day(
        [visit(f"A{n}", preferred_start=f"{8 + n % 3}:{15 * (n % 4):02d}".zfill(5)) for n in range(1, 7)],
        chairs=[Chair(id="C1"), Chair(id="C2"), Chair(id="C3")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    instance = Instance(day)
    start = greedy_placements(instance)
    runs = [preference_lns.improve_preferences(instance, start, seconds=20, seed=3) for _ in range(2)]
    assert runs[0].proven
    assert runs[0].placements == runs[1].placements


def test_the_anytime_preference_stage_keeps_every_visit_and_never_worsens_the_deviation() -> None:
    day = small_day(
        [visit(f"A{n}", minutes=90, preferred_start="09:00") for n in range(1, 5)],
        chairs=[Chair(id="C1"), Chair(id="C2")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    instance = Instance(day)
    start = greedy_placements(instance)
    assert len(start) == 4
    result = preference_lns.improve_preferences(instance, start, seconds=5)
    assert sorted(p.job for p in result.placements) == [0, 1, 2, 3]
    assert deviation(instance, result.placements) <= deviation(instance, start)
    assert result.bound <= deviation(instance, result.placements)
