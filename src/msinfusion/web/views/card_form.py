"""The information-card form: flat form fields to card data and back, with errors in plain words.

Lists are written one item a line ("Penicillin: rash"), so nobody has to add rows one by one; two
emergency contacts and a driver have their own fields. The card model (:mod:`msinfusion.card`) does
the validating; this module only translates its complaints into the patient's language and field.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from msinfusion.card import CardDetails, card_details
from msinfusion.i18n import Translator
from msinfusion.limits import browser_length, browser_text, max_chars, max_items

CONTACT_SLOTS = 2
TEXT_FIELDS = (
    "name",
    "date_of_birth",
    "allergies",
    "medicines",
    "conditions",
    *(f"contact{n}_{part}" for n in range(1, CONTACT_SLOTS + 1) for part in ("name", "relationship", "phone")),
    "driver_name",
    "driver_phone",
)
CHECK_FIELDS = ("no_known_allergies", "checked")
LIST_FIELDS = ("allergies", "medicines", "conditions")


def _limit_of(name: str) -> str:
    if name in LIST_FIELDS:
        return "card.list_text"
    if name == "name" or name == "date_of_birth":
        return f"card.{name}"
    part = name.rsplit("_", 1)[1]
    return {"name": "card.contact_name", "relationship": "card.contact_relationship", "phone": "card.contact_phone"}[
        part
    ]


MAXLENGTH: dict[str, int] = {name: max_chars(_limit_of(name)) for name in TEXT_FIELDS}
"""Each text field's ``maxlength`` (from :mod:`msinfusion.limits`; the template and the server read it)."""


def _split(line: str) -> tuple[str, str | None]:
    head, _, tail = line.partition(":")
    return head.strip(), (tail.strip() or None)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_values(card: CardDetails) -> dict[str, str]:
    """The form fields showing ``card``."""
    values: dict[str, str] = {
        "name": card.name or "",
        "date_of_birth": card.date_of_birth.isoformat() if card.date_of_birth else "",
        "allergies": "\n".join(f"{a.substance}: {a.reaction}" if a.reaction else a.substance for a in card.allergies),
        "medicines": "\n".join(
            ": ".join([m.name, ", ".join(p for p in (m.dose, m.how_often) if p)]) if (m.dose or m.how_often) else m.name
            for m in card.medicines
        ),
        "conditions": "\n".join(f"{c.name}: {c.note}" if c.note else c.name for c in card.conditions),
        "driver_name": card.driver.name if card.driver else "",
        "driver_phone": card.driver.phone if card.driver else "",
        "no_known_allergies": "1" if card.no_known_allergies else "",
        "checked": "",
    }
    for n in range(1, CONTACT_SLOTS + 1):
        contact = card.emergency_contacts[n - 1] if len(card.emergency_contacts) >= n else None
        values[f"contact{n}_name"] = contact.name if contact else ""
        values[f"contact{n}_relationship"] = (contact.relationship or "") if contact else ""
        values[f"contact{n}_phone"] = contact.phone if contact else ""
    return values


def card_data(values: Mapping[str, str], today: datetime.date, previous: CardDetails) -> dict[str, Any]:
    """Card data (for :func:`msinfusion.card.card_details`) from the submitted fields."""
    data: dict[str, Any] = {
        "name": values.get("name", "").strip() or None,
        "date_of_birth": values.get("date_of_birth", "").strip() or None,
        "no_known_allergies": bool(values.get("no_known_allergies")),
        "allergies": [{"substance": s, "reaction": r} for s, r in map(_split, _lines(values.get("allergies", "")))],
        "medicines": [{"name": n, "dose": d} for n, d in map(_split, _lines(values.get("medicines", "")))],
        "conditions": [{"name": n, "note": d} for n, d in map(_split, _lines(values.get("conditions", "")))],
        "emergency_contacts": [],
        "driver": None,
        "checked_on": today.isoformat() if values.get("checked") else previous.checked_on,
    }
    for n in range(1, CONTACT_SLOTS + 1):
        name, phone = values.get(f"contact{n}_name", "").strip(), values.get(f"contact{n}_phone", "").strip()
        if name or phone:
            relationship = values.get(f"contact{n}_relationship", "").strip() or None
            data["emergency_contacts"].append({"name": name, "relationship": relationship, "phone": phone})
    driver_name, driver_phone = values.get("driver_name", "").strip(), values.get("driver_phone", "").strip()
    if driver_name or driver_phone:
        data["driver"] = {"name": driver_name, "phone": driver_phone}
    return data


def _field_for(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    if not loc:
        return "allergies"  # the only whole-card rule: allergies listed and "no known allergies" ticked
    head = str(loc[0])
    if head == "emergency_contacts" and len(loc) >= 3:
        return f"contact{int(loc[1]) + 1}_{loc[2]}"
    if head == "driver" and len(loc) >= 2:
        return f"driver_{loc[1]}"
    return head


def error_messages(exc: ValidationError, data: Mapping[str, Any], t: Translator) -> dict[str, str]:
    """Field id -> what to fix, in the patient's language (never the value they typed)."""
    _ = t.gettext
    messages: dict[str, str] = {}
    for error in exc.errors():
        field = _field_for(tuple(error.get("loc", ())), data)
        if error.get("type") == "string_too_long":
            limit = (error.get("ctx") or {}).get("max_length", "")
            text = _("One line here is too long: at most {limit} characters.").format(limit=limit)
        elif field.endswith("_phone"):
            text = _("Enter a phone number we can call, like 413 555 0142.")
        elif field.endswith("_name"):
            text = _("Enter a name for this phone number.")
        elif field == "date_of_birth":
            text = _("Enter your date of birth as a real date, like 1980-05-31.")
        elif field == "allergies":
            text = _("You ticked “No known allergies” and also listed allergies. Please choose one.")
        else:
            text = _("Please check this answer.")
        messages.setdefault(field, text)
    return messages


def submitted(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields as typed (line breaks as the browser counts them); nothing is cut."""
    return {name: browser_text(str(form.get(name, ""))) for name in (*TEXT_FIELDS, *CHECK_FIELDS)}


def version_of(form: Mapping[str, Any]) -> int | None:
    """The card version the form was made from (None when the form did not say, or said nonsense)."""
    raw = str(form.get("version", "")).strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def changed_elsewhere(t: Translator) -> str:
    """What a 409 says: the card changed since the form was shown (what was typed is kept)."""
    return t.gettext("Your card was changed in another window. Check the card above, then save your changes again.")


def length_errors(values: Mapping[str, str], t: Translator) -> dict[str, str]:
    """Fields longer than their ``maxlength``, or lists with too many lines (never cut, always said)."""
    _ = t.gettext
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = values.get(name, "")
        if browser_length(value) > MAXLENGTH[name]:
            errors[name] = _("This is too long: at most {limit} characters (you have {count}).").format(
                limit=MAXLENGTH[name], count=browser_length(value)
            )
        elif name in LIST_FIELDS and len(_lines(value)) > max_items(f"card.{name}"):
            errors[name] = _("Please list at most {limit} items, one a line.").format(limit=max_items(f"card.{name}"))
        elif "\x00" in value:
            errors[name] = _("Please check this answer.")
    return errors


def parse(
    values: Mapping[str, str], today: datetime.date, previous: CardDetails, region: str, t: Translator
) -> tuple[CardDetails | None, dict[str, str]]:
    """The validated card, or None and the errors by field."""
    errors = length_errors(values, t)
    if errors:
        return None, errors
    data = card_data(values, today, previous)
    try:
        return card_details(data, region=region, today=today), {}
    except ValidationError as exc:
        return None, error_messages(exc, data, t)
