"""The patient's information card: what the infusion staff need to know, on one page.

Allergies, current medicines, health conditions, emergency contacts and the driver come from the
patient (validated by :class:`CardDetails`); the therapy, dose and the center's phone come from the
plan. Phone numbers are validated with ``phonenumbers`` (numbers without ``+`` are read in the region
given as validation context, ``US`` by default).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from msinfusion.center import PhoneNumber, display_phone
from msinfusion.limits import BrowserNewlines, BrowserText, NoNul, max_chars, max_items

# Text limits come from msinfusion.limits (the one table the forms' maxlength also read).
ItemName = Annotated[BrowserText, Field(min_length=1, max_length=max_chars("card.item"))]
ItemDetail = Annotated[BrowserText, Field(max_length=max_chars("card.item_detail"))]
PersonName = Annotated[BrowserText, Field(min_length=1, max_length=max_chars("card.contact_name"))]
Relationship = Annotated[BrowserText, Field(max_length=max_chars("card.contact_relationship"))]
CardName = Annotated[BrowserText, Field(max_length=max_chars("card.name"))]

CARD_FRESH_DAYS = 90
"""A card checked within this many days before a visit counts as current (our policy)."""

_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Allergy(_Strict):
    """Something the patient reacts to, and how."""

    substance: ItemName
    reaction: ItemDetail | None = None


class Medicine(_Strict):
    """A medicine the patient takes now (prescription, over the counter, vitamin or herbal)."""

    name: ItemName
    dose: ItemDetail | None = None
    how_often: ItemDetail | None = None


class HealthCondition(_Strict):
    """A health condition staff should know about (diabetes, heart disease, ...)."""

    name: ItemName
    note: ItemDetail | None = None


class Contact(_Strict):
    """An emergency contact or the driver."""

    name: PersonName
    relationship: Relationship | None = None
    phone: Annotated[PhoneNumber, BrowserNewlines, NoNul, Field(max_length=max_chars("card.contact_phone"))]


class CardDetails(_Strict):
    """What the patient writes on the card; every list may be empty until filled in."""

    name: CardName | None = None
    date_of_birth: datetime.date | None = None
    no_known_allergies: bool = False
    allergies: list[Allergy] = Field([], max_length=max_items("card.allergies"))
    medicines: list[Medicine] = Field([], max_length=max_items("card.medicines"))
    conditions: list[HealthCondition] = Field([], max_length=max_items("card.conditions"))
    emergency_contacts: list[Contact] = Field([], max_length=max_items("card.emergency_contacts"))
    driver: Contact | None = None
    checked_on: datetime.date | None = Field(None, description="When the patient last checked the card")

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        today = (info.context or {}).get("today")
        if value is not None and value < _EARLIEST_BIRTH:
            raise ValueError(f"{value.isoformat()} is before 1900")
        if value is not None and isinstance(today, datetime.date) and value > today:
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    @field_validator("checked_on")
    @classmethod
    def _not_in_future(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        today = (info.context or {}).get("today")
        if value is not None and isinstance(today, datetime.date) and value > today:
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    @model_validator(mode="after")
    def _allergies_consistent(self) -> CardDetails:
        if self.no_known_allergies and self.allergies:
            raise ValueError("no_known_allergies is true but allergies are listed")
        return self

    def missing(self) -> list[str]:
        """Names of the parts still to fill in (stable keys, not display text)."""
        gaps = []
        if not self.name:
            gaps.append("name")
        if not self.allergies and not self.no_known_allergies:
            gaps.append("allergies")
        if not self.medicines:
            gaps.append("medicines")
        if not self.emergency_contacts:
            gaps.append("emergency_contacts")
        return gaps

    def is_current(self, visit_day: datetime.date) -> bool:
        """Checked within :data:`CARD_FRESH_DAYS` before ``visit_day`` and nothing missing."""
        if self.checked_on is None or self.missing():
            return False
        return 0 <= (visit_day - self.checked_on).days <= CARD_FRESH_DAYS


class InformationCard(_Strict):
    """The printable card: the patient's details plus the therapy, dose and center to call."""

    details: CardDetails
    therapy_name: str
    dose_text: str
    center_name: str
    center_phone: str = Field(description="E.164")
    region: str = "US"
    center_phone_note: str | None = Field(None, description="Shown instead of the phone (no stored center profile)")

    @property
    def center_phone_text(self) -> str:
        if self.center_phone_note:
            return self.center_phone_note
        return display_phone(self.center_phone, self.region)

    def phone_text(self, e164: str) -> str:
        """A contact's phone number as dialled in the card's region."""
        return display_phone(e164, self.region)


def card_details(data: Any, *, region: str = "US", today: datetime.date | None = None) -> CardDetails:
    """Validate card data (a mapping from a patient file); raises ``pydantic.ValidationError``."""
    return CardDetails.model_validate(data, context={"region": region, "today": today})
