"""The limits of what msinfusion accepts: one table of text lengths, list sizes, id and date ranges.

Every text a person types has a maximum, counted the way a browser counts ``maxlength`` (a line break
is one character, whether it arrives as ``\\n`` or ``\\r\\n``). The server refuses a longer text with
an error naming the field; it never cuts one. The HTML ``maxlength`` attributes and the JSON schema's
``maxLength`` come from this table, so the browser, the API and the server agree.

Dates are bounded to :data:`EARLIEST_DAY` .. :data:`LATEST_DAY`: every day this system plans, schedules
or records falls inside it, and anything outside is a typing slip (``0001-01-01``, ``9999-12-31``,
``0`` read as 1970). The bound also keeps date arithmetic (a dose calendar runs years ahead) far from
the ends of what Python and the databases can hold. Birth dates have their own range on the card.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

MAX_ROW_ID = 2**63 - 1
"""The largest id a row can have (a signed 64-bit integer on both back-ends); bigger ids name nothing."""

EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)


@dataclass(frozen=True)
class TextLimit:
    """The most characters a text field takes, and what it is (for the reference table)."""

    field: str
    max_chars: int
    what: str


@dataclass(frozen=True)
class ListLimit:
    """The most items a list field takes."""

    field: str
    max_items: int
    what: str


TEXT_LIMITS: dict[str, TextLimit] = {
    limit.field: limit
    for limit in (
        TextLimit("card.name", 200, "the patient's name on the card"),
        TextLimit("card.date_of_birth", 10, "date of birth, YYYY-MM-DD"),
        TextLimit("card.item", 200, "one allergy, medicine or condition (its name)"),
        TextLimit("card.item_detail", 500, "the reaction, dose or note after the colon"),
        TextLimit("card.list_text", 4000, "the allergies, medicines or conditions box (one item a line)"),
        TextLimit("card.contact_name", 200, "an emergency contact's or the driver's name"),
        TextLimit("card.contact_relationship", 100, "how a contact is related"),
        TextLimit("card.contact_phone", 40, "a phone number"),
        TextLimit("dose.note", 2000, "a note on a given dose"),
        TextLimit("dose.amount", 12, "the amount given in mg, as typed"),
        TextLimit("prescription.therapy_id", 64, "a therapy id from the catalog"),
        TextLimit("prescription.bsa", 10, "body surface area, as typed"),
        TextLimit("schedule.appointment", 32, "an appointment key of a run (A123)"),
        TextLimit("schedule.chair", 32, "a chair code"),
        TextLimit("schedule.start", 5, "a start time, HH:MM"),
        TextLimit("preparation.task_id", 64, "a preparation task id"),
        TextLimit("idempotency_key", 200, "the Idempotency-Key header"),
        TextLimit("login.username", 200, "the username at sign-in"),
        TextLimit("dose.number", 4, "the dose number, as typed"),
        TextLimit("clinician.reason", 2000, "a clinician's written reason for recording past a rule"),
        TextLimit("clinician.name", 200, "the name of the clinician who confirms a record"),
        TextLimit("check.id", 64, "the id of a check before a dose (from the therapy data)"),
        TextLimit("check.note", 2000, "a note on a check before a dose"),
        TextLimit("reaction.note", 2000, "a note on an infusion reaction"),
        TextLimit("check.question", 64, "the id of a question of the pre-infusion check"),
        TextLimit("prior_exposure.mg_m2", 12, "prior mitoxantrone exposure in mg/m2, as typed"),
        TextLimit("board.state", 16, "a day-board state (expected, checked_in, ...)"),
        TextLimit("form.checkbox", 8, "the value a ticked box sends"),
        TextLimit("form.back", 2000, "the page to go back to after a form (a path on this site)"),
        TextLimit("form.locale", 8, "a language code (en, es)"),
        TextLimit("calendar.replaces", 20, "the calendar link a new one replaces (its id, or none)"),
        TextLimit("reminders.email", 320, "an e-mail address for reminders"),
        TextLimit("mfa.code", 40, "a second-factor or recovery code"),
        TextLimit("account.username", 64, "the username of a new account"),
        TextLimit("account.display_name", 200, "the name shown for an account"),
        TextLimit("account.role", 16, "an account's role"),
        TextLimit("account.patient_reference", 32, "the patient reference a patient account is linked to"),
        TextLimit("catalog.field", 200, "a therapy field name to override"),
        TextLimit("catalog.value", 500, "the new value of a therapy field"),
        TextLimit("catalog.reason", 2000, "why a therapy default was changed"),
        TextLimit("visit.reason", 2000, "why a prescription or a visit was changed"),
        TextLimit("booking.closures", 20_000, "a center's closed days (one a line)"),
        TextLimit("booking.headroom", 8, "a center's booking headroom, as typed"),
        TextLimit(
            "board.proposal", 200_000, "a proposed re-plan of a day (msinfusion.schedule/1) sent back to confirm"
        ),
        TextLimit("board.events", 20_000, "the day's events of a proposed repair (msinfusion.events/1)"),
        TextLimit("board.token", 64, "the token of the day a proposal was made from"),
        TextLimit("change_request.day", 10, "a day a patient cannot come, YYYY-MM-DD"),
        TextLimit("change_request.time_of_day", 16, "morning, afternoon or either"),
        TextLimit("booking.proposal", 64, "one booking of a previewed proposal (dose:day:start:chair)"),
        TextLimit("reminders.rule", 32, "a reminder rule id"),
    )
}

LIST_LIMITS: dict[str, ListLimit] = {
    limit.field: limit
    for limit in (
        ListLimit("card.allergies", 50, "allergies on the card"),
        ListLimit("card.medicines", 50, "medicines on the card"),
        ListLimit("card.conditions", 50, "health conditions on the card"),
        ListLimit("card.emergency_contacts", 2, "emergency contacts on the card"),
        ListLimit("check.answers", 50, "answers to the pre-infusion check"),
        ListLimit("booking.proposal", 1000, "bookings in one confirmed proposal"),
        ListLimit("change_request.days", 10, "days a patient cannot come, in one change request"),
        ListLimit("reminders.rules", 10, "reminder rules chosen at once"),
    )
}


def max_chars(field: str) -> int:
    """The maximum length of a text field from :data:`TEXT_LIMITS` (KeyError for an unknown field)."""
    return TEXT_LIMITS[field].max_chars


def max_items(field: str) -> int:
    """The maximum number of items of a list field from :data:`LIST_LIMITS`."""
    return LIST_LIMITS[field].max_items


def browser_text(value: str) -> str:
    """``value`` with line breaks as a browser counts them: ``\\r\\n`` and lone ``\\r`` become ``\\n``."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def browser_length(value: str) -> int:
    """How many characters a browser's ``maxlength`` counts in ``value``."""
    return len(browser_text(value))


def too_long(value: str, field: str) -> bool:
    """Whether ``value`` is longer than the field allows (counted as the browser counts)."""
    return browser_length(value) > max_chars(field)


def _newlines_as_browser(value: Any) -> Any:
    return browser_text(value) if isinstance(value, str) else value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


BrowserNewlines = BeforeValidator(_newlines_as_browser)
"""Count line breaks as the browser does before checking ``max_length``: ``Annotated[str, BrowserNewlines, ...]``."""
NoNul = AfterValidator(_no_nul)
"""Refuse NUL characters (PostgreSQL cannot store them in text)."""

BrowserText = Annotated[str, BrowserNewlines, NoNul]
"""Text a person typed: line breaks counted as the browser counts them, no NUL. Every text field of a
form or an API body is one, with its maximum from :data:`TEXT_LIMITS`:
``Annotated[BrowserText, Form(max_length=max_chars("catalog.reason"))]`` in a route,
``Annotated[BrowserText, Field(max_length=max_chars("check.note"))]`` in a model.
(``tests/web/test_text_fields.py`` walks every route and request model to hold this.)"""


def _iso_day(value: Any) -> Any:
    # A day is written YYYY-MM-DD; numbers ("0", 20270308) would be read as seconds since 1970.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a day is written YYYY-MM-DD")
    if isinstance(value, str) and (len(value) != 10 or value[4] != "-" or value[7] != "-"):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def in_range(day: datetime.date) -> bool:
    """Whether ``day`` lies in the clinical range."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def _bounded_day(value: datetime.date) -> datetime.date:
    if not in_range(value):
        raise ValueError(f"the day must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")
    return value


ClinicalDay = Annotated[
    datetime.date,
    BeforeValidator(_iso_day),
    AfterValidator(_bounded_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": f"a day from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}",
        }
    ),
]
"""A ``date`` written ``YYYY-MM-DD`` inside :data:`EARLIEST_DAY` .. :data:`LATEST_DAY` (pydantic type)."""

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
"""A row id: a positive signed 64-bit integer (pydantic type)."""
