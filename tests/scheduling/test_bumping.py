"""Bumping: room made by hand at the add-on's wanted start, moving as few promised visits as possible."""

from __future__ import annotations

from msinfusion.scheduling import Chair, solve
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.bumping import make_room
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.insertion import running
from tests.scheduling.conftest import small_day, visit


def test_the_visit_in_the_way_goes_to_the_free_start_closest_to_its_own() -> None:
    day = small_day([visit("A1", preferred_start="09:30")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    extended = day.model_copy(update={"appointments": [*day.appointments, visit("X", preferred_start="09:00")]})
    grid = running(extended, current, parse_clock("08:30"))
    assert grid is not None
    made = make_room(grid.instance, grid.placements, grid.begun, grid.job("X"), grid.unit(parse_clock("09:00")))
    assert made is not None and made.dropped == () and len(made.moved) == 1
    starts = {grid.instance.jobs[p.job].id: grid.instance.to_minutes(p.start) for p in made.placements}
    assert starts == {"X": parse_clock("09:00"), "A1": parse_clock("10:00")}
    assert made.minutes == 30


def test_a_seated_visit_never_steps_aside() -> None:
    day = small_day([visit("A1", minutes=180, preferred_start="08:00")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    result = add_on(day, current, visit("X", minutes=120, preferred_start="09:00"), parse_clock("08:30"))
    assert not result.fits
    assert not [a for a in result.alternatives if a.kind == "with-moves"]


def test_as_a_last_resort_a_visit_with_no_room_left_goes_to_another_day() -> None:
    day = small_day([visit("A1", minutes=180, preferred_start="09:00")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    result = add_on(day, current, visit("X", minutes=180, preferred_start="09:00"), parse_clock("08:30"))
    assert not result.fits
    moves = next(a for a in result.alternatives if a.kind == "with-moves")
    assert moves.start == parse_clock("09:00")
    assert [(c.appointment, c.new_start) for c in moves.changes] == [("A1", None)]
    assert "A1" in str(moves.note)
