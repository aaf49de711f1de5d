"""An infusion center's profile: where it is, how to reach it, its hours, what it provides, its day-of rules.

A center file (JSON or YAML) is validated by :class:`CenterProfile`; :func:`demo_center` is the built-in
example used when no file is given. The rules are the center's policy, not label facts: the caffeine
and smoking limits keep the center's own wording, per language.
"""

from __future__ import annotations

import datetime
import zoneinfo
from enum import StrEnum
from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from msinfusion.visits import VisitPolicy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def normalise_phone(value: str, info: ValidationInfo) -> str:
    """A phone number in E.164 form (``+16175550142``); numbers without ``+`` use the region in context."""
    region = (info.context or {}).get("region", "US") if info is not None else "US"
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{value!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


PhoneNumber = Annotated[str, AfterValidator(normalise_phone)]
"""A validated phone number, stored as E.164."""


def display_phone(e164: str, region: str = "US") -> str:
    """A phone number as people in ``region`` dial it: national form at home, international abroad."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region.upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Address(_Strict):
    """A postal address."""

    lines: list[str] = Field(min_length=1, description="Street and building, one entry a line")
    city: str = Field(min_length=1)
    region: str | None = Field(None, description="State or province")
    postal_code: str | None = None
    country: str = Field("US", pattern=r"^[A-Z]{2}$", description="ISO 3166 two-letter code")
    placeholder: str | None = Field(None, description="Shown instead of the address (a center with no stored profile)")

    @property
    def one_line(self) -> str:
        """'100 Main Street, Suite 200, Springfield, MA 01101'."""
        if self.placeholder is not None:
            return self.placeholder
        place = " ".join(p for p in (self.region, self.postal_code) if p)
        return ", ".join([*self.lines, self.city, *([place] if place else [])])


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class OpeningHours(_Strict):
    """Opening hours on one weekday."""

    day: Weekday
    opens: datetime.time
    closes: datetime.time

    @model_validator(mode="after")
    def _order(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError(f"{self.day}: closes ({self.closes}) must be after opens ({self.opens})")
        return self


class Amenity(StrEnum):
    """Things a center may provide during the visit (each has a translated name)."""

    WATER = "water"
    COFFEE = "coffee"
    SNACKS = "snacks"
    BLANKETS = "blankets"
    PILLOWS = "pillows"
    WIFI = "wifi"
    TV = "tv"
    CHARGERS = "chargers"
    PARKING = "parking"


class DayRule(_Strict):
    """A limit the center sets for the day of the visit, e.g. no caffeine in the 4 hours before."""

    hours_before: int | None = Field(None, ge=0, le=48, description="Hours before the visit the limit starts")
    wording: dict[str, str] = Field(
        default_factory=dict, description="The center's own wording, by language code ('en', 'es')"
    )


class DriverPolicy(StrEnum):
    """When the center asks for someone to drive the patient home."""

    WHEN_NEEDED = "when-needed"  # a sedating premedication or a first infusion
    ALWAYS = "always"


class ReminderRule(_Strict):
    """A reminder the server sends before each visit (the sending is not part of the plan)."""

    id: Literal["prepare", "day-before", "leave-soon"]
    before: datetime.timedelta


DEFAULT_REMINDERS = (
    # patient-experience.md §2: T-7 days (prepare), T-1 day (hydrate, confirm driver), T-2 h.
    ReminderRule(id="prepare", before=datetime.timedelta(days=7)),
    ReminderRule(id="day-before", before=datetime.timedelta(days=1)),
    ReminderRule(id="leave-soon", before=datetime.timedelta(hours=2)),
)


class CenterProfile(_Strict):
    """One infusion center as the patient's plan needs it."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    address: Address
    phone: PhoneNumber
    after_hours_phone: PhoneNumber | None = None
    emergency_number: str = Field("911", pattern=r"^\d{3}$", description="The local emergency number")
    timezone: str = "America/New_York"
    hours: list[OpeningHours] = Field(min_length=1)
    default_start: datetime.time | None = Field(
        None, description="Start time used until a visit is booked (default: opening time that day)"
    )
    arrive_early_minutes: int = Field(15, ge=0, le=120, description="Arrive this long before check-in")
    amenities: list[Amenity] = []
    caffeine: DayRule | None = None
    smoking: DayRule | None = None
    driver_policy: DriverPolicy = DriverPolicy.WHEN_NEEDED
    reminders: list[ReminderRule] = Field(default_factory=lambda: list(DEFAULT_REMINDERS))
    visit_policy: VisitPolicy = VisitPolicy()
    listed: bool = Field(True, description="False for the stand-in used when a center has no stored profile")
    phone_placeholder: str | None = Field(None, description="Shown instead of the phone number when not listed")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like 'America/New_York'") from None
        return value

    @model_validator(mode="after")
    def _one_entry_per_day(self) -> CenterProfile:
        days = [h.day for h in self.hours]
        for day in set(days):
            if days.count(day) > 1:
                raise ValueError(f"hours: {day} is listed more than once")
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def hours_on(self, day: datetime.date) -> OpeningHours | None:
        """The opening hours on ``day``'s weekday, or ``None`` when closed."""
        weekday = WEEKDAYS[day.weekday()]
        return next((h for h in self.hours if h.day == weekday), None)

    def default_start_on(self, day: datetime.date) -> datetime.time:
        """When a visit on ``day`` starts until booked: the default start, else early enough to arrive at opening."""
        if self.default_start is not None:
            return self.default_start
        hours = self.hours_on(day) or self.hours[0]
        opens = datetime.datetime.combine(day, hours.opens) + datetime.timedelta(minutes=self.arrive_early_minutes)
        return opens.time()

    def phone_text(self) -> str:
        """The center's phone as dialled locally (for a center with no stored profile: where to find it)."""
        if not self.listed and self.phone_placeholder:
            return self.phone_placeholder
        return display_phone(self.phone, self.address.country)


def unlisted_center(name: str, address_text: str, phone_text: str) -> CenterProfile:
    """A stand-in for a center with no stored profile: its name, address and phone are the given words.

    Opening hours and visit policy are the demo center's defaults (they only place times, shown as
    "to be confirmed"); its amenities and day rules are left out, so nothing fictional is promised.
    The E.164 ``phone`` field keeps the demo number only because the type needs one: renderers show
    :meth:`CenterProfile.phone_text` and check ``listed`` before using ``phone``.
    """
    base = demo_center()
    return base.model_copy(
        update={
            "id": "unlisted",
            "name": name,
            "address": Address(lines=["-"], city="-", placeholder=address_text),
            "amenities": [],
            "caffeine": None,
            "smoking": None,
            "listed": False,
            "phone_placeholder": phone_text,
        }
    )


def demo_center() -> CenterProfile:
    """The built-in example center (fictional; its phone is in the 555-01xx range kept for fiction)."""
    weekdays: list[Weekday] = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    return CenterProfile(
        id="demo-riverside",
        name="Riverside Infusion Center",
        address=Address(
            lines=["200 River Road", "Building B, 2nd floor"], city="Springfield", region="MA", postal_code="01103"
        ),
        phone="+1 413 555 0142",
        timezone="America/New_York",
        hours=[OpeningHours(day=d, opens=datetime.time(8, 0), closes=datetime.time(17, 0)) for d in weekdays],
        amenities=[Amenity.WATER, Amenity.COFFEE, Amenity.SNACKS, Amenity.BLANKETS, Amenity.WIFI, Amenity.PARKING],
        caffeine=DayRule(
            hours_before=4,
            wording={
                "en": "Please have no coffee, tea, cola or energy drinks in the 4 hours before your visit.",
                "es": "No tome café, té, refrescos de cola ni bebidas energéticas en las 4 horas antes de su cita.",
            },
        ),
        smoking=DayRule(
            hours_before=4,
            wording={
                "en": "Please do not smoke or vape in the 4 hours before your visit.",
                "es": "No fume ni use vapeadores en las 4 horas antes de su cita.",
            },
        ),
    )
