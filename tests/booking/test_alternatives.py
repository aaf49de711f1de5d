"""Alternatives for one visit: the engine's best place, then the next ones on other dates, each inside the
dose's window, never on a date the patient cannot come, the wished time of day kept where it fits."""

from __future__ import annotations

import datetime as dt

from msinfusion.booking import parse_request
from msinfusion.booking.alternatives import alternatives
from msinfusion.booking.doses import PatientRegimen
from tests.booking.conftest import natalizumab_patient, request_data

ONE_HOUR = 60


def _window(patient: dict[str, object], data: dict[str, object]) -> tuple[dt.date, dt.date]:
    request = parse_request(data)
    regimen = PatientRegimen(request.patient(str(patient["id"])), request)
    due, _warnings = regimen.due_doses({})
    first = next(d for d in due if d.number == 3)
    return first.window.start, first.window.end


def test_three_options_on_three_dates_inside_the_window() -> None:
    patient = natalizumab_patient("P1", "2027-06-08")
    data = request_data([patient])
    options = alternatives(parse_request(data), "P1", 3, 3, time_limit=2)
    assert len(options) == 3 and len({o.date for o in options}) == 3
    low, high = _window(patient, data)
    assert all(low <= o.date <= high and o.date.weekday() < 5 for o in options)


def test_the_patients_dates_are_never_offered_and_the_afternoon_is_kept() -> None:
    plain = natalizumab_patient("P1", "2027-06-08")
    first = alternatives(parse_request(request_data([plain])), "P1", 3, 1, time_limit=2)[0]
    blocked = [first.date, first.date + dt.timedelta(days=1)]
    wishes = {"unavailable": [d.isoformat() for d in blocked], "time": "afternoon"}
    patient = natalizumab_patient("P1", "2027-06-08", preferences=wishes)
    options = alternatives(parse_request(request_data([patient])), "P1", 3, 3, time_limit=2)
    assert options and not {o.date for o in options} & set(blocked)
    assert all(o.start >= 12 * ONE_HOUR for o in options)


def test_a_dose_that_is_not_due_has_no_options() -> None:
    patient = natalizumab_patient("P1", "2027-06-08")
    assert alternatives(parse_request(request_data([patient])), "P1", 9, 3, time_limit=2) == []
