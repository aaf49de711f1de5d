"""Wall-clock times of one day, written `HH:MM` and held as minutes after midnight."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

__all__ = ["Clock", "format_clock", "parse_clock"]

_PATTERN = re.compile(r"^(\d{2}):(\d{2})$")
_DAY_MINUTES = 24 * 60


def parse_clock(text: str) -> int:
    """Return the minutes after midnight for `HH:MM` (00:00 to 24:00); raise ValueError otherwise."""
    match = _PATTERN.match(text)
    if match is None:
        raise ValueError(f"must be HH:MM, got {text!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes > 59 or total > _DAY_MINUTES:
        raise ValueError(f"must be HH:MM between 00:00 and 24:00, got {text!r}")
    return total


def format_clock(minutes: int) -> str:
    """Return `HH:MM` for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _coerce(value: Any) -> int:
    # Only strings come from JSON; an int arrives when a model is built in code (already minutes).
    if isinstance(value, bool):
        raise ValueError("must be HH:MM")
    if isinstance(value, int):
        if not 0 <= value <= _DAY_MINUTES:
            raise ValueError("must be between 00:00 and 24:00")
        return value
    if isinstance(value, str):
        return parse_clock(value)
    raise ValueError("must be HH:MM")


Clock = Annotated[
    int,
    BeforeValidator(_coerce),
    PlainSerializer(format_clock, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$"}),
]
"""Minutes after midnight in Python, `HH:MM` in JSON."""
