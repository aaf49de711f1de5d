from __future__ import annotations

import pytest

from msinfusion.scheduling.clock import format_clock, parse_clock


def test_clock_reads_hours_and_minutes_as_minutes_after_midnight() -> None:
    assert parse_clock("07:30") == 450
    assert parse_clock("24:00") == 1440


def test_clock_writes_minutes_back_as_hh_mm() -> None:
    assert format_clock(450) == "07:30"


@pytest.mark.parametrize("text", ["7:30", "07:60", "25:00", "24:01", "0730", "noon"])
def test_clock_rejects_anything_but_hh_mm_within_the_day(text: str) -> None:
    with pytest.raises(ValueError, match="must be HH:MM"):
        parse_clock(text)
