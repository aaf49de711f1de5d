"""The rules for a prescription on file: how far ahead its dose calendar looks, and which given doses it
can take. The dates themselves always come from :func:`msinfusion.regimens.dose_calendar`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from msinfusion.i18n import N_
from msinfusion.regimens import DEFAULT_HORIZON_DAYS, DoseCalendar, RegimenError, dose_calendar
from msinfusion.therapies import Therapy

LOOK_AHEAD = timedelta(days=365)
"""A record shows at least a year past today, however long ago the regimen started."""


class RecordProblem(ValueError):
    """A change the record cannot take, in words staff can act on."""


class DuplicateRecord(RecordProblem):
    """The record is already there (a second click, or two people recording the same dose): a conflict."""


def calendar_horizon(start: date, today: date) -> date:
    """The last day a prescription's calendar covers: a year past today, or the regimen's default horizon."""
    return max(today + LOOK_AHEAD, start + timedelta(days=DEFAULT_HORIZON_DAYS))


def prescription_calendar(
    therapy: Therapy,
    start: date,
    given: Iterable[date],
    today: date,
    *,
    bsa: float | None,
    jurisdiction: str,
    given_mg: Sequence[float | None] = (),
    prior_cumulative_per_m2: float = 0.0,
    clinician_reason: str | None = None,
) -> DoseCalendar:
    """The dose calendar of a prescription with the doses given so far (``RegimenError`` if it has none).

    ``given_mg`` (the amounts given, parallel to ``given``), the prior exposure and a clinician's reason
    go to the lifetime cap and the rules that refuse a start after prior treatment.
    """
    return dose_calendar(
        therapy,
        start,
        until=calendar_horizon(start, today),
        given=list(given),
        bsa=bsa,
        jurisdiction=jurisdiction,
        as_of=today,
        given_mg=list(given_mg),
        prior_cumulative_per_m2=prior_cumulative_per_m2,
        clinician_reason=clinician_reason,
    )


def check_new_prescription(
    therapy: Therapy,
    start: date,
    today: date,
    *,
    bsa: float | None,
    jurisdiction: str,
    prior_cumulative_per_m2: float = 0.0,
    clinician_reason: str | None = None,
) -> None:
    """Raise :class:`RecordProblem` when the core cannot build the new prescription's calendar."""
    try:
        prescription_calendar(
            therapy,
            start,
            [],
            today,
            bsa=bsa,
            jurisdiction=jurisdiction,
            prior_cumulative_per_m2=prior_cumulative_per_m2,
            clinician_reason=clinician_reason,
        )
    except RegimenError as exc:
        raise RecordProblem(str(exc)) from None


def dose_given_on(
    therapy: Therapy,
    start: date,
    recorded: Iterable[date],
    given_on: date,
    today: date,
    *,
    bsa: float | None,
    jurisdiction: str,
    prior_cumulative_per_m2: float = 0.0,
    clinician_reason: str | None = None,
) -> int | None:
    """The dose number a new given dose becomes, after checking the record can take it.

    A dose is recorded on or after the day it was given, once per day, and the calendar must accept
    the new list of given dates; otherwise :class:`RecordProblem` says why.
    """
    if given_on > today:
        raise RecordProblem(N_("A dose can only be recorded on or after the day it was given."))
    dates = sorted(recorded)
    if given_on in dates:
        raise DuplicateRecord("A dose is already recorded on that day.")
    try:
        plan = prescription_calendar(
            therapy,
            start,
            sorted([*dates, given_on]),
            today,
            bsa=bsa,
            jurisdiction=jurisdiction,
            prior_cumulative_per_m2=prior_cumulative_per_m2,
            clinician_reason=clinician_reason,
        )
    except RegimenError as exc:
        raise RecordProblem(str(exc)) from None
    return next((d.number for d in plan.doses if d.status == "given" and d.date == given_on), None)
