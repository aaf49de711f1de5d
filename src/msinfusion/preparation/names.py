"""Plain names for what a plan lists: amenities, visit phases, card gaps and premedicines."""

from __future__ import annotations

from msinfusion.center import Amenity
from msinfusion.i18n import Translator
from msinfusion.regimens import PlannedDose
from msinfusion.therapies import Therapy


def amenity_name(amenity: Amenity, t: Translator) -> str:
    """An amenity in plain words."""
    _ = t.gettext
    names = {
        Amenity.WATER: _("water"),
        Amenity.COFFEE: _("coffee and tea"),
        Amenity.SNACKS: _("snacks"),
        Amenity.BLANKETS: _("blankets"),
        Amenity.PILLOWS: _("pillows"),
        Amenity.WIFI: _("free Wi-Fi"),
        Amenity.TV: _("TV"),
        Amenity.CHARGERS: _("phone chargers"),
        Amenity.PARKING: _("free parking"),
    }
    return names[amenity]


def premedication_names(therapy: Therapy, dose: PlannedDose, t: Translator) -> list[str]:
    """The premedications planned for a dose, in the patient's language."""
    return [t.gettext(p.drug) for p in therapy.premedications(dose.number, dose.course_day)]


def phase_name(name: str, t: Translator) -> str:
    """A visit phase in plain words."""
    _ = t.gettext
    names = {
        "check-in": _("Check-in and vital signs"),
        "premedication": _("Premedicine"),
        "infusion": _("Infusion"),
        "injection": _("Injection"),
        "observation": _("Watching for reactions"),
        "discharge": _("Final check and going home"),
    }
    return names.get(name, name)


def card_gap_text(key: str, t: Translator) -> str:
    """What is missing from the card, in plain words."""
    _ = t.gettext
    texts = {
        "name": _("Your name"),
        "allergies": _("Your allergies, or that you have none"),
        "medicines": _("The medicines you take"),
        "emergency_contacts": _("An emergency contact"),
    }
    return texts[key]
