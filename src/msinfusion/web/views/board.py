"""What the day board pages show beyond the cards: the compact view by chair, the choices of the add-on and
event forms, and a re-plan's changes as table rows (patient, old start to new start, chair, nurses)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.board import BoardRow
from msinfusion.db.models import Patient
from msinfusion.i18n import Translator
from msinfusion.preparation import phase_name
from msinfusion.scheduling.changes import Change
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.schedule import NurseTask
from msinfusion.visits import treatment_codes, treatment_name

__all__ = [
    "ALTERNATIVE_WORDS",
    "CHANGE_WORDS",
    "EVENT_WORDS",
    "ChangeRow",
    "change_rows",
    "event_choices",
    "named",
    "patient_choices",
    "task_rows",
    "treatment_choices",
]


@dataclass(frozen=True)
class ChangeRow:
    """One line of a re-plan's changes, in words and clock times (an en dash where there is none)."""

    patient: str
    what: str
    old_start: str
    new_start: str
    old_chair: str
    new_chair: str
    old_nurses: str
    new_nurses: str


def _clock(minutes: int | None) -> str:
    return "–" if minutes is None else format_clock(minutes)


CHANGE_WORDS = {
    "added": "Added",
    "off": "Off the day",
    "start": "New start",
    "chair": "New chair",
    "end": "New end",
    "nurses": "Nurses only",
}
"""What changed for a visit, most important first (the change table's second column)."""
EVENT_WORDS = {
    "late-arrival": "A patient is late",
    "no-show": "A patient did not come",
    "reaction": "An infusion reaction",
    "nurse-leaves": "A nurse leaves early",
}
ALTERNATIVE_WORDS = {
    "later-today": "Later today",
    "with-moves": "At the start wanted, moving others",
    "tomorrow": "Another day",
}


def _what(change: Change) -> str:
    if change.old_start is None:
        return CHANGE_WORDS["added"]
    if change.new_start is None:
        return CHANGE_WORDS["off"]
    if change.start_moved:
        return CHANGE_WORDS["start"]
    if change.old_chair != change.new_chair:
        return CHANGE_WORDS["chair"]
    if change.old_end != change.new_end:
        return CHANGE_WORDS["end"]
    return CHANGE_WORDS["nurses"]


def change_rows(changes: Sequence[Change], names: Mapping[str, str]) -> list[ChangeRow]:
    """The changes as table rows, patients named (an unknown id, such as the add-on, by ``names`` or as is)."""
    return [
        ChangeRow(
            patient=names.get(c.appointment, c.appointment),
            what=_what(c),
            old_start=_clock(c.old_start),
            new_start=_clock(c.new_start),
            old_chair=c.old_chair or "–",
            new_chair=c.new_chair or "–",
            old_nurses=", ".join(dict.fromkeys(c.old_nurses)) or "–",
            new_nurses=", ".join(dict.fromkeys(c.new_nurses)) or "–",
        )
        for c in sorted(changes, key=lambda c: (c.new_start if c.new_start is not None else 10**6, c.appointment))
    ]


def patient_choices(db: Session, center_id: int) -> list[tuple[int, str]]:
    """The center's patients for the add-on form: (id, "Name (reference)") by name."""
    rows = db.execute(
        select(Patient.id, Patient.display_name, Patient.reference)
        .where(Patient.center_id == center_id)
        .order_by(Patient.display_name, Patient.reference)
    ).all()
    return [(identifier, f"{name} ({reference})") for identifier, name, reference in rows]


def treatment_choices(t: Translator) -> list[tuple[str, str]]:
    """Every catalog treatment (code, name) for the add-on form, by name; two doses of one name say which
    dose they begin at ("Natalizumab 300 mg, from dose 13")."""
    codes = treatment_codes()
    names = {code: treatment_name(code) for code in codes}
    shared = {name for name in names.values() if list(names.values()).count(name) > 1}
    labels = {
        code: t.gettext("{name}, from dose {number}").format(name=name, number=codes[code].dose_number)
        if name in shared
        else name
        for code, name in names.items()
    }
    return sorted(labels.items(), key=lambda c: (c[1], c[0]))


def task_rows(tasks: Sequence[NurseTask], t: Translator) -> list[tuple[str, str, str, str]]:
    """A placement's nurse tasks: (phase in words, nurse, start, end)."""
    return [(phase_name(task.phase, t), task.nurse, format_clock(task.start), format_clock(task.end)) for task in tasks]


def event_choices(rows: Sequence[BoardRow]) -> list[tuple[int, str]]:
    """The scheduled visits an event can be about: (appointment id, "HH:MM Name, chair")."""
    return [
        (row.appointment_id, f"{row.patient} ({row.reference}), {row.chair}")
        for row in rows
        if row.chair is not None and row.planned_start is not None and row.state != "discharged"
    ]


_VISIT_ID = re.compile(r"\b(A\d+|NEW)\b")


def named(lines: Sequence[str], names: Mapping[str, str], t: Translator) -> list[str]:
    """The core's notes and warnings in the page's language, each visit id (``A12``) replaced by the
    patient's name."""
    return [_VISIT_ID.sub(lambda m: names.get(m.group(1), m.group(1)), t.message(line)) for line in lines]
