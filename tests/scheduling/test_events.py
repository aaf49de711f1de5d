"""Day events (`msinfusion.events/1`): one model per kind, bad input named by field."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import DayProblem
from msinfusion.scheduling.events import LateArrival, NurseLeaves, Reaction, parse_events


def test_every_kind_of_event_parses_and_round_trips() -> None:
    text = (
        '{"format": "msinfusion.events/1", "now": "11:00", "events": ['
        '{"kind": "late-arrival", "appointment": "A1", "arrives": "10:40"},'
        '{"kind": "no-show", "appointment": "A2"},'
        '{"kind": "reaction", "appointment": "A3", "at": "10:15", "pause_minutes": 20},'
        '{"kind": "nurse-leaves", "nurse": "N2", "at": "13:00"}]}'
    )
    events = parse_events(text)
    assert events.now == 660
    assert isinstance(events.events[0], LateArrival) and events.events[0].arrives == 640
    assert isinstance(events.events[2], Reaction) and events.events[2].rate_factor is None
    assert isinstance(events.events[3], NurseLeaves)
    assert parse_events(events.to_json()) == events


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ('{"format": "msinfusion.events/2", "now": "11:00", "events": []}', "format"),
        ('{"format": "msinfusion.events/1", "now": "11:00", "events": []}', "events"),
        ('{"format": "msinfusion.events/1", "now": "11:00", "events": [{"kind": "no-show"}]}', "events[0]"),
        (
            '{"format": "msinfusion.events/1", "now": "11:00", "events": '
            '[{"kind": "reaction", "appointment": "A", "at": "10:00", "pause_minutes": -5}]}',
            "pause_minutes",
        ),
        (
            '{"format": "msinfusion.events/1", "now": "11:00", "events": '
            '[{"kind": "reaction", "appointment": "A", "at": "10:00", "pause_minutes": 5, "rate_factor": 1.5}]}',
            "rate_factor",
        ),
        ("[1, 2]", "(file)"),
        ("{not json", "(file)"),
    ],
)
def test_bad_events_raise_a_problem_naming_the_field(data: str, field: str) -> None:
    with pytest.raises(DayProblem) as caught:
        parse_events(data)
    assert field in caught.value.field
