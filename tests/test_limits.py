"""The limits table: browser-style counting, bounded clinical days, and no silent cutting."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from msinfusion.limits import (
    EARLIEST_DAY,
    LATEST_DAY,
    LIST_LIMITS,
    TEXT_LIMITS,
    ClinicalDay,
    browser_length,
    browser_text,
    too_long,
)


class _Visit(BaseModel):
    day: ClinicalDay


def test_a_windows_line_break_counts_as_one_character_like_a_browsers_maxlength() -> None:
    assert browser_length("a\r\nb") == browser_length("a\nb") == 3
    assert browser_text("a\rb\r\nc") == "a\nb\nc"


def test_a_text_is_too_long_only_past_its_limit_as_the_browser_counts() -> None:
    limit = TEXT_LIMITS["card.list_text"].max_chars
    assert not too_long("x\r\n" * (limit // 2), "card.list_text")
    assert too_long("x" * (limit + 1), "card.list_text")


def test_every_limit_is_positive_and_described() -> None:
    for limit in TEXT_LIMITS.values():
        assert limit.max_chars > 0 and limit.what
    for listed in LIST_LIMITS.values():
        assert listed.max_items > 0 and listed.what


@pytest.mark.parametrize("raw", ["2027-03-08", EARLIEST_DAY.isoformat(), LATEST_DAY.isoformat()])
def test_days_inside_the_range_are_read(raw: str) -> None:
    assert _Visit(day=raw).day == date.fromisoformat(raw)


@pytest.mark.parametrize("raw", ["0001-01-01", "1900-01-01", "9999-12-31", "0", 0, "20270308", "2027-3-8"])
def test_days_outside_the_range_or_not_written_as_dates_are_refused(raw: object) -> None:
    with pytest.raises(ValidationError):
        _Visit(day=raw)
