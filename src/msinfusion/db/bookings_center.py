"""The center editor: weekday hours, nurse shifts, chairs and their features, closures, headroom, how far
ahead the engine books and how the center plans its days, read for the page and written all together.

:func:`parse_center_form` turns the submitted form into a :class:`CenterEdit` or raises
:class:`CenterProblem` naming the field; :func:`save_center` checks what needs the database (a chair
with visits on record is not removed) and then replaces the center's hours, shifts and chairs in the
caller's transaction, bumping the settings row's version (409 on a stale page). The planning choices
(:mod:`msinfusion.db.center_planning`) go to the center itself; an empty one means the app setting.
Nothing is written when anything is refused: the caller discards the unit of work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from msinfusion.db import bookings
from msinfusion.db.booking_models import CenterBookingSettings
from msinfusion.db.center_planning import BASES, RateField, center_planning, planning_bounds, store_planning
from msinfusion.db.models import Appointment, CenterHours, Chair, Nurse, NurseShift
from msinfusion.i18n import N_, Message
from msinfusion.prescriptions import RecordProblem
from msinfusion.scheduling.durations import MIN_COUNT, Basis
from msinfusion.settings import Settings

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
FEATURE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
NEW_ROWS = 2
"""Empty rows the page offers to add a nurse or a chair."""
HORIZON_DAYS = (28, 730)
"""How far ahead the engine may book, in days: the smallest and largest accepted."""


class CenterProblem(RecordProblem):
    """A field of the center editor is wrong: ``field`` names it (the page marks it), nothing is saved."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NurseIn:
    code: str
    name: str
    starts: dt.time | None
    ends: dt.time | None
    days: tuple[int, ...]
    remove: bool = False


@dataclass(frozen=True)
class ChairIn:
    code: str
    features: tuple[str, ...]
    remove: bool = False


@dataclass(frozen=True)
class CenterEdit:
    """The whole center as the editor submits it."""

    hours: dict[int, tuple[dt.time, dt.time] | None]
    nurses: list[NurseIn]
    chairs: list[ChairIn]
    closures: list[dt.date]
    headroom: float
    horizon_days: int
    duration_basis: Basis | None
    """The center's own planning choices; None: the app setting."""
    no_show_rate: float | None
    add_on_rate: float | None


def _time(form: Mapping[str, str], name: str, label: str) -> dt.time | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise CenterProblem(name, f"{label}: write a time like 07:30.") from None


def _hours(form: Mapping[str, str]) -> dict[int, tuple[dt.time, dt.time] | None]:
    hours: dict[int, tuple[dt.time, dt.time] | None] = {}
    for weekday, name in enumerate(WEEKDAY_NAMES):
        opens = _time(form, f"opens-{weekday}", f"{name} opens")
        closes = _time(form, f"closes-{weekday}", f"{name} closes")
        if (opens is None) != (closes is None):
            raise CenterProblem(f"opens-{weekday}", f"{name}: give both opening and closing times, or neither.")
        if opens is not None and closes is not None and closes <= opens:
            raise CenterProblem(f"closes-{weekday}", f"{name}: the center must close after it opens.")
        hours[weekday] = (opens, closes) if opens is not None and closes is not None else None
    return hours


def _nurses(form: Mapping[str, str], days_of: Mapping[str, list[str]]) -> list[NurseIn]:
    nurses: list[NurseIn] = []
    index = 0
    while f"nurse-code-{index}" in form:
        prefix = f"nurse-{index}"
        code = form.get(f"nurse-code-{index}", "").strip()
        name = form.get(f"nurse-name-{index}", "").strip()
        index += 1
        days = tuple(sorted({int(d) for d in days_of.get(f"{prefix}-days", []) if d in "0123456"}))
        starts = _time(form, f"{prefix}-starts", f"Nurse {code or index}: shift start")
        ends = _time(form, f"{prefix}-ends", f"Nurse {code or index}: shift end")
        if not code and not name and not days and starts is None and ends is None:
            continue  # an empty "add a nurse" row
        if not CODE.fullmatch(code):
            raise CenterProblem(f"nurse-code-{index - 1}", f"Nurse {index}: a code of letters and digits (like N3).")
        if not name or len(name) > 200:
            raise CenterProblem(f"nurse-name-{index - 1}", f"Nurse {code}: give a name (up to 200 characters).")
        remove = form.get(f"{prefix}-remove") == "yes"
        if not remove and days and (starts is None or ends is None or ends <= starts):
            raise CenterProblem(f"{prefix}-starts", f"Nurse {code}: a shift that starts before it ends.")
        nurses.append(NurseIn(code, name, starts, ends, days, remove))
    return nurses


def _chairs(form: Mapping[str, str]) -> list[ChairIn]:
    chairs: list[ChairIn] = []
    index = 0
    while f"chair-code-{index}" in form:
        code = form.get(f"chair-code-{index}", "").strip()
        raw = form.get(f"chair-features-{index}", "")
        remove = form.get(f"chair-remove-{index}") == "yes"
        index += 1
        if not code and not raw.strip():
            continue
        if not CODE.fullmatch(code):
            raise CenterProblem(f"chair-code-{index - 1}", f"Chair {index}: a code of letters and digits (like C13).")
        features = tuple(sorted({f.strip().lower() for f in raw.split(",") if f.strip()}))
        bad = [f for f in features if not FEATURE.fullmatch(f)]
        if bad:
            raise CenterProblem(
                f"chair-features-{index - 1}", f"Chair {code}: features are short words separated by commas."
            )
        chairs.append(ChairIn(code, features, remove))
    return chairs


def parse_center_form(form: Mapping[str, str], days_of: Mapping[str, list[str]]) -> CenterEdit:
    """The editor's form as a :class:`CenterEdit` (CenterProblem names the first wrong field)."""
    hours = _hours(form)
    nurses = _nurses(form, days_of)
    chairs = _chairs(form)
    codes = [n.code for n in nurses]
    if len(set(codes)) != len(codes):
        raise CenterProblem("nurse-code-0", "Each nurse needs a code of their own.")
    chair_codes = [c.code for c in chairs]
    if len(set(chair_codes)) != len(chair_codes):
        raise CenterProblem("chair-code-0", "Each chair needs a code of its own.")
    if not [c for c in chairs if not c.remove]:
        raise CenterProblem("chair-code-0", "Keep at least one chair.")
    for nurse in nurses:
        closed = [WEEKDAY_NAMES[d] for d in nurse.days if hours[d] is None]
        if closed and not nurse.remove:
            raise CenterProblem(
                f"nurse-{codes.index(nurse.code)}-starts", f"Nurse {nurse.code}: the center is closed on {closed[0]}."
            )
    try:
        closures = [
            dt.date.fromisoformat(line.strip()) for line in form.get("closures", "").splitlines() if line.strip()
        ]
    except ValueError:
        raise CenterProblem("closures", "Closed days: write one date a line, like 2027-12-24.") from None
    try:
        headroom = float(form.get("headroom", "").strip()) / 100
    except ValueError:
        raise CenterProblem("headroom", "Headroom: a percentage, like 10.") from None
    if not 0 <= headroom < 1:
        raise CenterProblem("headroom", "Headroom: from 0 up to (not including) 100 %.")
    low, high = HORIZON_DAYS
    raw_horizon = form.get("horizon_days", "").strip()
    if not raw_horizon.isdigit() or not low <= int(raw_horizon) <= high:
        raise CenterProblem("horizon_days", f"Book ahead: a number of days from {low} to {high}.")
    basis, no_show, add_on = _planning(form)
    return CenterEdit(hours, nurses, chairs, closures, headroom, int(raw_horizon), basis, no_show, add_on)


RATE_PROBLEMS: dict[RateField, str] = {
    "no_show_rate": N_("No-shows: a percentage from {low} to {high}, or empty for the app default."),
    "add_on_rate": N_("Add-ons: a number from {low} to {high} per 100 booked visits, or empty for the app default."),
}


def _planning(form: Mapping[str, str]) -> tuple[Basis | None, float | None, float | None]:
    """The planning fieldset: a basis ("" for the app setting) and two rates in % (empty for the setting)."""
    raw_basis = form.get("duration_basis")
    basis = next((b for b in BASES if b == raw_basis), None)
    if basis is None and raw_basis != "":
        raise CenterProblem("duration_basis", Message(N_("Visit times: choose what the day schedule plans with.")))
    rates: list[float | None] = []
    for name, problem in RATE_PROBLEMS.items():
        raw = form.get(name, "").strip().removesuffix("%").strip()
        low, high = (100 * bound for bound in planning_bounds(name))
        if not raw:
            rates.append(None)
            continue
        try:
            percent = float(raw.replace(",", "."))
        except ValueError:
            percent = float("nan")
        if not low <= percent <= high:  # also refuses nan and infinity
            raise CenterProblem(name, Message(problem, low=format(low, "g"), high=format(high, "g")))
        rates.append(round(percent, 2) / 100)
    return basis, rates[0], rates[1]


def center_form(db: Session, center_id: int, settings: Settings) -> dict[str, Any]:
    """The center as the editor shows it: hours per weekday, nurses with their shifts, chairs, settings, and
    its own planning choices beside the app's defaults (``settings``)."""
    hours = {h.weekday: h for h in db.scalars(select(CenterHours).where(CenterHours.center_id == center_id))}
    nurses = []
    for nurse in db.scalars(select(Nurse).where(Nurse.center_id == center_id).order_by(Nurse.code)):
        shift = nurse.shifts[0] if nurse.shifts else None
        nurses.append(
            {
                "code": nurse.code,
                "name": nurse.name,
                "starts": shift.starts.strftime("%H:%M") if shift else "",
                "ends": shift.ends.strftime("%H:%M") if shift else "",
                "days": [s.weekday for s in nurse.shifts],
                "uneven": len({(s.starts, s.ends) for s in nurse.shifts}) > 1,
            }
        )
    chairs = [
        {"code": c.code, "features": ", ".join(c.features)}
        for c in db.scalars(select(Chair).where(Chair.center_id == center_id).order_by(Chair.code))
    ]
    own = db.get(CenterBookingSettings, center_id)
    planning = center_planning(db, center_id, settings)
    return {
        "hours": [
            (
                name,
                hours[d].opens.strftime("%H:%M") if d in hours else "",
                hours[d].closes.strftime("%H:%M") if d in hours else "",
            )
            for d, name in enumerate(WEEKDAY_NAMES)
        ],
        "nurses": nurses,
        "chairs": chairs,
        "closures": "\n".join(sorted(own.closures)) if own else "",
        "headroom": format(round((own.headroom if own else bookings.default_headroom(db)) * 100, 1), "g"),
        "horizon_days": own.horizon_days if own else bookings.HORIZON.days,
        "version": own.version if own else 0,
        "default_basis": settings.duration_basis,
        "default_no_show_rate": _percent(settings.simulation_no_show_rate),
        "default_add_on_rate": _percent(settings.simulation_add_on_rate),
        "min_count": MIN_COUNT,
        "duration_basis": planning.duration_basis if planning.is_own("duration_basis") else "",
        "planning_values": {
            "no_show_rate": _percent(planning.no_show_rate) if planning.is_own("no_show_rate") else "",
            "add_on_rate": _percent(planning.add_on_rate) if planning.is_own("add_on_rate") else "",
        },
    }


def _percent(rate: float) -> str:
    return format(round(rate * 100, 2), "g")


def save_center(
    db: Session, center_id: int, edit: CenterEdit, version: int, by_user_id: int, at: dt.datetime
) -> CenterBookingSettings:
    """Replace the center's hours, nurse shifts and chairs and store its booking settings (one transaction)."""
    own = db.get(CenterBookingSettings, center_id)
    if (own.version if own else 0) != version:
        raise bookings.BookingConflict("The center was changed since you opened the page. Open it again.")
    chairs = {c.code: c for c in db.scalars(select(Chair).where(Chair.center_id == center_id))}
    for wanted in edit.chairs:
        chair = chairs.get(wanted.code)
        if wanted.remove and chair is not None:
            used = db.scalar(select(Appointment.id).where(Appointment.chair_id == chair.id).limit(1))
            if used is not None:
                index = edit.chairs.index(wanted)
                raise CenterProblem(
                    f"chair-remove-{index}", f"Chair {wanted.code} has visits on record and cannot be removed."
                )
            db.delete(chair)
        elif not wanted.remove:
            if chair is None:
                db.add(Chair(center_id=center_id, code=wanted.code, features=list(wanted.features)))
            else:
                chair.features = list(wanted.features)
    db.execute(delete(CenterHours).where(CenterHours.center_id == center_id))
    for weekday, hours in edit.hours.items():
        if hours is not None:
            db.add(CenterHours(center_id=center_id, weekday=weekday, opens=hours[0], closes=hours[1]))
    nurses = {n.code: n for n in db.scalars(select(Nurse).where(Nurse.center_id == center_id))}
    for wanted_nurse in edit.nurses:
        nurse = nurses.get(wanted_nurse.code)
        if nurse is not None:
            db.execute(delete(NurseShift).where(NurseShift.nurse_id == nurse.id))
        if wanted_nurse.remove:
            if nurse is not None:
                db.delete(nurse)
            continue
        if nurse is None:
            nurse = Nurse(center_id=center_id, code=wanted_nurse.code, name=wanted_nurse.name)
            db.add(nurse)
            db.flush()
        nurse.name = wanted_nurse.name
        for weekday in wanted_nurse.days:
            assert wanted_nurse.starts is not None and wanted_nurse.ends is not None
            db.add(NurseShift(nurse_id=nurse.id, weekday=weekday, starts=wanted_nurse.starts, ends=wanted_nurse.ends))
    if own is None:
        own = CenterBookingSettings(center_id=center_id, closures=[], headroom=edit.headroom, updated_by=by_user_id)
        db.add(own)
    own.closures = sorted({d.isoformat() for d in edit.closures})
    own.headroom = edit.headroom
    own.horizon_days = edit.horizon_days
    own.updated_by, own.updated_at = by_user_id, at
    flag_modified(own, "updated_at")  # every save bumps the version, also one that changes only other rows
    store_planning(db, center_id, edit.duration_basis, edit.no_show_rate, edit.add_on_rate)
    db.flush()
    return own
