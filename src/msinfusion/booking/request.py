"""The input of regimen booking: a center, its promised visits and its patients (`msinfusion.booking/1`).

The models round-trip `shared/formats/regimen-booking.md`; :func:`parse_request` turns the first problem
into one :class:`BookingProblem` naming the field (an unknown therapy, a duplicate id, an end before a
start, a weekday that does not exist, …).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator, model_validator

from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.day import Chair, Nurse, Phase
from msinfusion.scheduling.problems import DayProblem, first_error

__all__ = [
    "REQUEST_FORMAT",
    "WEEKDAY_KEYS",
    "BookingCenter",
    "BookingProblem",
    "BookingRequest",
    "ExistingVisit",
    "Horizon",
    "OpenDay",
    "Patient",
    "Preferences",
    "Week",
    "parse_request",
]

REQUEST_FORMAT = "msinfusion.booking/1"
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WeekdayKey = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class BookingProblem(DayProblem):
    """A booking request that does not follow the format; `field` names where, `message` says what."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(_Model):
    """The dates to book: every dose due from `start` to `end` (inclusive)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _forward(self) -> Horizon:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class OpenDay(_Model):
    """Opening hours and nurse shifts of one weekday."""

    opens: Clock
    closes: Clock
    nurses: list[Nurse]

    @model_validator(mode="after")
    def _forward(self) -> OpenDay:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class Week(_Model):
    """The center's week; a weekday that is `null` or left out is closed."""

    mon: OpenDay | None = None
    tue: OpenDay | None = None
    wed: OpenDay | None = None
    thu: OpenDay | None = None
    fri: OpenDay | None = None
    sat: OpenDay | None = None
    sun: OpenDay | None = None

    def on(self, day: dt.date) -> OpenDay | None:
        """The hours of ``day``'s weekday (``None`` when that weekday is closed)."""
        found: OpenDay | None = getattr(self, WEEKDAY_KEYS[day.weekday()])
        return found


class BookingCenter(_Model):
    """The center: where it is (for public holidays), its chairs, its week, closures and headroom."""

    name: str = Field(min_length=1)
    timezone: str = "America/New_York"
    country: str = Field("US", pattern=r"^[A-Z]{2}$")
    subdivision: str | None = None
    chairs: list[Chair] = Field(min_length=1)
    max_patients_per_nurse: PositiveInt
    week: Week
    closures: list[dt.date] = []
    headroom: float = Field(0.0, ge=0.0, lt=1.0)
    visits: dict[str, list[Phase]] = {}
    """The center's own visit phases of a treatment code (the catalog with its clinician-approved
    overrides); a code not listed takes the catalog's phases."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like 'America/New_York'") from None
        return value


class ExistingVisit(_Model):
    """A visit already promised: it keeps its date and start and counts against capacity."""

    id: str = Field(min_length=1)
    patient: str = Field(min_length=1)
    date: dt.date
    start: Clock
    treatment: str = Field(min_length=1)


class Preferences(_Model):
    """What a patient would like (soft): weekdays, morning or afternoon, dates they cannot come."""

    weekdays: list[WeekdayKey] = []
    time: Literal["morning", "afternoon"] | None = None
    unavailable: list[dt.date] = []


class Patient(_Model):
    """A patient's regimen as for `msinfusion calendar`, with optional preferences."""

    id: str = Field(min_length=1)
    therapy: str = Field(min_length=1)
    start: dt.date
    given: list[dt.date] = []
    option: str | None = None
    bsa: float | None = Field(None, gt=0)
    preferences: Preferences | None = None


class BookingRequest(_Model):
    """Everything the booking engine needs: today, the horizon, the center, promised visits, patients."""

    format: Literal["msinfusion.booking/1"] = "msinfusion.booking/1"
    today: dt.date
    horizon: Horizon
    center: BookingCenter
    existing: list[ExistingVisit] = []
    patients: list[Patient] = []

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize to the interchange format, leaving out fields that were never given."""
        data: dict[str, Any] = {"format": REQUEST_FORMAT}
        data.update(self.model_dump(mode="json", exclude_unset=True))
        return json.dumps(data, indent=indent) + "\n"

    def patient(self, patient_id: str) -> Patient:
        """The patient with this id (``KeyError`` when absent)."""
        for patient in self.patients:
            if patient.id == patient_id:
                return patient
        raise KeyError(patient_id)


def parse_request(data: str | bytes | dict[str, Any]) -> BookingRequest:
    """Parse and check a booking request; raise :class:`BookingProblem` naming the first bad field."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BookingProblem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise BookingProblem("(file)", "must be a JSON object")
    if "format" in data and data["format"] != REQUEST_FORMAT:
        raise BookingProblem("format", f"must be {REQUEST_FORMAT!r}, got {data['format']!r}")
    try:
        request = BookingRequest.model_validate(data)
    except ValidationError as exc:
        problem = first_error(exc)
        if problem.field.startswith("center.week.") and problem.message == "unknown field":
            name = problem.field.split(".")[2]
            raise BookingProblem(problem.field, f"{name!r} is not a weekday; use {', '.join(WEEKDAY_KEYS)}") from None
        raise BookingProblem(problem.field, problem.message) from None
    check_references(request)
    return request


def check_references(request: BookingRequest) -> None:
    """Unique ids, known therapies and treatments, a known holiday calendar, dates in order."""
    from msinfusion.booking.openings import OpenDays
    from msinfusion.therapies import load_catalog
    from msinfusion.visits import treatment_codes

    for field, ids in (
        ("center.chairs", [chair.id for chair in request.center.chairs]),
        ("existing", [visit.id for visit in request.existing]),
        ("patients", [patient.id for patient in request.patients]),
    ):
        seen: set[str] = set()
        for index, identifier in enumerate(ids):
            if identifier in seen:
                raise BookingProblem(f"{field}[{index}].id", f"duplicate id {identifier!r}")
            seen.add(identifier)
    for key in WEEKDAY_KEYS:
        hours = getattr(request.center.week, key)
        if hours is None:
            continue
        seen = set()
        for index, nurse in enumerate(hours.nurses):
            if nurse.id in seen:
                raise BookingProblem(f"center.week.{key}.nurses[{index}].id", f"duplicate id {nurse.id!r}")
            seen.add(nurse.id)
    try:
        OpenDays(request.center, request.horizon.start, request.horizon.end)
    except NotImplementedError:
        raise BookingProblem("center.country", f"no public holidays known for {request.center.country!r}") from None
    except ValueError as exc:
        raise BookingProblem("center.subdivision", str(exc)) from None
    codes = treatment_codes()
    for index, visit in enumerate(request.existing):
        if visit.treatment not in codes:
            raise BookingProblem(f"existing[{index}].treatment", f"unknown catalog dose {visit.treatment!r}")
    catalog = load_catalog()
    for index, patient in enumerate(request.patients):
        try:
            catalog.get(patient.therapy)
        except KeyError:
            raise BookingProblem(
                f"patients[{index}].therapy", f"unknown therapy {patient.therapy!r}; known: {', '.join(catalog.ids)}"
            ) from None
        try:
            from msinfusion.booking.doses import PatientRegimen
            from msinfusion.regimens import RegimenError

            PatientRegimen(patient, request).due_doses({})
        except RegimenError as exc:
            raise BookingProblem(f"patients[{index}]", str(exc)) from None
        if patient.given and patient.given[0] < patient.start:
            raise BookingProblem(f"patients[{index}].given", "a given date is before the start")
        for earlier, later in zip(patient.given, patient.given[1:], strict=False):
            if later <= earlier:
                raise BookingProblem(f"patients[{index}].given", "given dates must be in order")
