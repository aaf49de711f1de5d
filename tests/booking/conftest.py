"""Small booking requests built in code, named for what they give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from msinfusion.booking import BookingRequest, parse_request

WEEKDAY = {
    "opens": "07:00",
    "closes": "19:00",
    "nurses": [
        {"id": "N1", "shift_start": "07:00", "shift_end": "15:30"},
        {"id": "N2", "shift_start": "10:30", "shift_end": "19:00"},
    ],
}


def request_data(
    patients: list[dict[str, Any]],
    *,
    chairs: int = 3,
    existing: list[dict[str, Any]] | None = None,
    closures: list[str] | None = None,
    headroom: float = 0.1,
    today: str = "2027-06-01",
    horizon: tuple[str, str] = ("2027-06-07", "2027-08-31"),
) -> dict[str, Any]:
    """A Massachusetts center open weekdays 07:00-19:00 with two nurses, and the given patients."""
    week: dict[str, Any] = {day: WEEKDAY for day in ("mon", "tue", "wed", "thu", "fri")}
    week.update(sat=None, sun=None)
    return {
        "format": "msinfusion.booking/1",
        "today": today,
        "horizon": {"start": horizon[0], "end": horizon[1]},
        "center": {
            "name": "Riverside Infusion Center",
            "timezone": "America/New_York",
            "country": "US",
            "subdivision": "MA",
            "chairs": [{"id": f"C{i + 1:02d}"} for i in range(chairs)],
            "max_patients_per_nurse": 4,
            "week": week,
            "closures": closures or [],
            "headroom": headroom,
        },
        "existing": existing or [],
        "patients": patients,
    }


def natalizumab_patient(patient_id: str, last_given: str, **extra: Any) -> dict[str, Any]:
    """A natalizumab patient whose last dose was on ``last_given`` (their second dose)."""
    last = dt.date.fromisoformat(last_given)
    first = last - dt.timedelta(weeks=4)
    return {
        "id": patient_id,
        "therapy": "natalizumab",
        "start": first.isoformat(),
        "given": [first.isoformat(), last_given],
        **extra,
    }


@pytest.fixture
def small_request() -> BookingRequest:
    """Five patients (ocrelizumab, natalizumab, alemtuzumab, a steroid course, ublituximab), three chairs."""
    return parse_request(
        request_data(
            [
                {
                    "id": "P001",
                    "therapy": "ocrelizumab-iv",
                    "start": "2027-01-11",
                    "given": ["2027-01-11", "2027-01-25"],
                    "preferences": {"weekdays": ["tue", "thu"], "time": "morning", "unavailable": ["2027-07-08"]},
                },
                natalizumab_patient("P002", "2027-06-01", preferences={"time": "afternoon"}),
                {"id": "P003", "therapy": "alemtuzumab", "start": "2027-06-28"},
                {"id": "P004", "therapy": "methylprednisolone", "start": "2027-07-06"},
                {"id": "P005", "therapy": "ublituximab", "start": "2027-06-30"},
            ],
            existing=[
                {
                    "id": "B0001",
                    "patient": "P900",
                    "date": "2027-06-08",
                    "start": "09:00",
                    "treatment": "natalizumab-300",
                }
            ],
        )
    )
