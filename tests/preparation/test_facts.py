"""Facts in the patient's words, and the dates of a repeated check."""

from __future__ import annotations

import datetime

from msinfusion.i18n import translator
from msinfusion.preparation.facts import check_dates, next_check, number_text, period_text
from msinfusion.therapies import Period
from msinfusion.therapies.model import PatientTask

FIRST = datetime.date(2027, 1, 4)


def _task(**periods: str) -> PatientTask:
    return PatientTask.model_validate(
        {
            "id": "check",
            "stage": "after",
            "schedule": {"at": [k for k in periods if k != "every"], "every": "every"},
            "periods": {k: {"value": v, "source": "S1", "status": "label"} for k, v in periods.items()},
            "title": "A check",
            "detail": "Next on {next}.",
            "reason": "A reason.",
        }
    )


def test_periods_read_in_english_and_spanish() -> None:
    assert period_text(Period(amount=3, unit="days"), translator("en")) == "3 days"
    assert period_text(Period(amount=1, unit="months"), translator("en")) == "1 month"
    assert period_text(Period(amount=48, unit="months"), translator("es")) == "48 meses"
    assert number_text(1000, translator("es")) == "1000" or number_text(1000, translator("es")) == "1.000"


def test_a_check_at_3_and_6_months_then_every_6_months_falls_on_those_dates() -> None:
    task = _task(first="3 months", second="6 months", every="6 months")
    assert task.schedule is not None
    dates = check_dates(task.schedule, task, FIRST)
    assert [next(dates) for _ in range(4)] == [
        datetime.date(2027, 4, 4),
        datetime.date(2027, 7, 4),
        datetime.date(2028, 1, 4),
        datetime.date(2028, 7, 4),
    ]


def test_the_next_check_is_the_first_on_or_after_the_visit() -> None:
    task = _task(first="3 months", second="6 months", every="6 months")
    assert next_check(task, FIRST, datetime.date(2027, 4, 4)) == datetime.date(2027, 4, 4)
    assert next_check(task, FIRST, datetime.date(2027, 4, 5)) == datetime.date(2027, 7, 4)
