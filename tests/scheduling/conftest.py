"""Small days built in code, named for what they give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from msinfusion.scheduling import Appointment, Center, Chair, Day, Nurse, Phase

FORMAT_EXAMPLE_DAY: dict[str, Any] = {
    "format": "msinfusion.day/1",
    "center": {
        "name": "Riverside Infusion Center",
        "date": "2027-03-02",
        "timezone": "America/New_York",
        "opens": "07:00",
        "closes": "19:00",
        "chairs": [{"id": "C01"}, {"id": "C02", "features": ["bed"]}],
        "nurses": [{"id": "N1", "shift_start": "07:00", "shift_end": "15:30"}],
        "max_patients_per_nurse": 4,
    },
    "appointments": [
        {
            "id": "A001",
            "patient": "P001",
            "treatment": "ocrelizumab-600",
            "phases": [
                {"name": "check-in", "minutes": 15, "nurse_minutes": 15},
                {"name": "premedication", "minutes": 30, "nurse_minutes": 10},
                {"name": "infusion", "minutes": 210, "nurse_minutes": 10},
                {"name": "observation", "minutes": 60, "nurse_minutes": 0},
                {"name": "discharge", "minutes": 10, "nurse_minutes": 10},
            ],
            "earliest_start": "09:00",
            "latest_end": "17:00",
            "preferred_start": "10:00",
            "requires": ["bed"],
            "priority": 1,
            "fixed": {"start": "08:00", "chair": "C02"},
        }
    ],
}


def visit(identifier: str, minutes: int = 60, nurse_minutes: int = 15, **fields: Any) -> Appointment:
    """An appointment with a nurse task at the start and a chair-only rest."""
    phases = [Phase(name="check-in", minutes=nurse_minutes, nurse_minutes=nurse_minutes)]
    if minutes > nurse_minutes:
        phases.append(Phase(name="infusion", minutes=minutes - nurse_minutes, nurse_minutes=0))
    return Appointment(id=identifier, patient=f"P-{identifier}", treatment="test", phases=phases, **fields)


def small_day(
    appointments: list[Appointment],
    chairs: list[Chair] | None = None,
    nurses: list[Nurse] | None = None,
    opens: str = "08:00",
    closes: str = "12:00",
    ratio: int = 4,
) -> Day:
    """A morning at a small center (08:00-12:00)."""
    return Day.model_validate(
        {
            "format": "msinfusion.day/1",
            "center": Center.model_validate(
                {
                    "name": "Test Center",
                    "date": dt.date(2027, 3, 2),
                    "timezone": "Europe/Amsterdam",
                    "opens": opens,
                    "closes": closes,
                    "chairs": chairs if chairs is not None else [Chair(id="C1"), Chair(id="C2")],
                    "nurses": nurses
                    if nurses is not None
                    else [Nurse.model_validate({"id": "N1", "shift_start": "08:00", "shift_end": "12:00"})],
                    "max_patients_per_nurse": ratio,
                }
            ),
            "appointments": appointments,
        }
    )


def nurse(identifier: str, start: str, end: str) -> Nurse:
    return Nurse.model_validate({"id": identifier, "shift_start": start, "shift_end": end})


@pytest.fixture
def day_two_chairs() -> Day:
    """Three one-hour visits, two chairs, one nurse: all fit."""
    return small_day([visit("A1"), visit("A2"), visit("A3")])
