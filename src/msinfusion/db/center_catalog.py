"""The catalog and center profile as one center uses them: its overrides applied, its profile stored.

Every page that computes from a therapy (the patient's plan, staff calendars, the day schedule and
board) takes the therapy from here, so a recorded override changes what the center sees everywhere.
:func:`center_catalog` reads a center's overrides and profile in one go; the pure work built from them
(overridden therapies, the validated profile, visit phases) is memoized on its inputs, which are plain
strings and numbers, so a changed override or profile simply makes a new key.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.center import WEEKDAYS, CenterProfile, OpeningHours, demo_center, unlisted_center
from msinfusion.db.models import CatalogOverride, Center, CenterHours, Prescription
from msinfusion.i18n import translator
from msinfusion.therapies import OverrideError, Therapy, apply_overrides, load_catalog
from msinfusion.visits import VisitPhase, VisitPolicy, phases_for_treatment, treatment_codes

Hours = tuple[tuple[int, time, time], ...]


@functools.lru_cache(maxsize=256)
def overridden_therapy(therapy_id: str, overrides_json: str) -> Therapy:
    """The catalog therapy with the overrides applied (``{"values": ..., "reasons": ...}`` by value path).

    The clinician reasons stored with the overrides go to :func:`apply_overrides`, so a saved reduction
    of observation loads. A stored override that no longer fits (saved before ranges were checked) is
    left out rather than taking down every plan and board that uses the therapy.
    """
    stored = json.loads(overrides_json)
    values: dict[str, Any] = dict(stored.get("values", {}))
    reasons: dict[str, str] = dict(stored.get("reasons", {}))
    therapy = load_catalog().get(therapy_id)
    while True:
        try:
            return apply_overrides(therapy, values, reasons=reasons)
        except OverrideError as exc:
            if exc.field not in values:
                return therapy
            del values[exc.field]


def profile_from_key(key: tuple[Any, ...]) -> CenterProfile:
    """The center profile for a :attr:`CenterCatalog.profile_key`."""
    return _profile(*key)


@functools.lru_cache(maxsize=64)
def _profile(profile_json: str, center_id: int, name: str, timezone: str, hours: Hours) -> CenterProfile:
    stored = json.loads(profile_json)
    base = CenterProfile.model_validate(stored) if stored else demo_center()
    opening = [OpeningHours(day=WEEKDAYS[weekday], opens=opens, closes=closes) for weekday, opens, closes in hours]
    update = {"id": f"center-{center_id}", "name": name, "timezone": timezone}
    return base.model_copy(update={**update, "hours": opening or base.hours})


@functools.lru_cache(maxsize=64)
def plan_center(key: tuple[Any, ...], locale: str) -> CenterProfile:
    """The center as a patient's plan shows it: the stored profile, or for a center with none a stand-in
    that keeps the center's own name, zone and hours and tells the patient to ask for the address and phone
    (never the demo center's fictional ones)."""
    profile_json, center_id, name, timezone, hours = key
    if json.loads(profile_json):
        return _profile(*key)
    _ = translator(locale).gettext
    base = unlisted_center(name, _("ask your care team for the address"), _("the number your care team gave you"))
    opening = [OpeningHours(day=WEEKDAYS[weekday], opens=opens, closes=closes) for weekday, opens, closes in hours]
    return base.model_copy(update={"id": f"center-{center_id}", "timezone": timezone, "hours": opening or base.hours})


@functools.lru_cache(maxsize=1024)
def _phases(
    code: str, policy: VisitPolicy, therapy_id: str, overrides_json: str, after_reaction: bool
) -> tuple[VisitPhase, ...]:
    therapy = overridden_therapy(therapy_id, overrides_json)
    return tuple(phases_for_treatment(code, policy, therapy, after_reaction=after_reaction))


@dataclass
class CenterCatalog:
    """One center's view of the catalog: its overrides by therapy, and its profile."""

    center_id: int
    overrides: dict[str, dict[str, Any]]
    profile_key: tuple[str, int, str, str, Hours]
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    jurisdiction: str | None = None
    _therapy_ids: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> CenterProfile:
        """The center as the plan needs it: the stored profile, with name, zone and hours from the DB.

        A center created before profiles were stored falls back to the demo profile's details.
        """
        return _profile(*self.profile_key)

    @property
    def listed(self) -> bool:
        """Whether the center has a stored profile (address, phones); without one patients are told to ask."""
        return bool(json.loads(self.profile_key[0]))

    def overrides_json(self, therapy_id: str) -> str:
        """The center's overrides of a therapy and their clinician reasons as canonical JSON (part of memo keys)."""
        key = self.therapy_id(therapy_id)
        stored = {"values": self.overrides.get(key, {}), "reasons": self.reasons.get(key, {})}
        return json.dumps(stored, sort_keys=True)

    def therapy_id(self, name: str) -> str:
        """The catalog id for an id, brand or generic name."""
        if name not in self._therapy_ids:
            self._therapy_ids[name] = load_catalog().get(name).id
        return self._therapy_ids[name]

    def therapy(self, name: str) -> Therapy:
        """The therapy with the center's overrides applied (the catalog's when there are none)."""
        therapy_id = self.therapy_id(name)
        return overridden_therapy(therapy_id, self.overrides_json(therapy_id))

    def phases(
        self, treatment: str, policy: VisitPolicy | None = None, *, after_reaction: bool = False
    ) -> list[VisitPhase]:
        """The visit phases of a treatment code at this center; ``KeyError`` for an unknown code.

        ``after_reaction``: the patient has had an infusion reaction (observation on again where the label says).
        """
        therapy_id = treatment_codes()[treatment].therapy
        chosen = policy or self.profile.visit_policy
        return list(_phases(treatment, chosen, therapy_id, self.overrides_json(therapy_id), after_reaction))


def current_overrides(db: Session, center_id: int, therapy_id: str | None = None) -> dict[tuple[str, str], Any]:
    """The newest override per (therapy, field) at a center; a null new value means back to default."""
    query = select(CatalogOverride).where(CatalogOverride.center_id == center_id).order_by(CatalogOverride.id)
    if therapy_id is not None:
        query = query.where(CatalogOverride.therapy_id == therapy_id)
    latest: dict[tuple[str, str], Any] = {}
    for row in db.scalars(query):
        latest[(row.therapy_id, row.field)] = row.new_value
    return {key: value for key, value in latest.items() if value is not None}


def current_reasons(db: Session, center_id: int, therapy_id: str | None = None) -> dict[tuple[str, str], str]:
    """The clinician reason stored with the newest override per (therapy, field), where one was given."""
    query = select(CatalogOverride).where(CatalogOverride.center_id == center_id).order_by(CatalogOverride.id)
    if therapy_id is not None:
        query = query.where(CatalogOverride.therapy_id == therapy_id)
    latest: dict[tuple[str, str], str | None] = {}
    for row in db.scalars(query):
        latest[(row.therapy_id, row.field)] = row.clinician_reason
    return {key: reason for key, reason in latest.items() if reason}


def center_catalog(db: Session, center_id: int) -> CenterCatalog:
    """Read a center's overrides and profile (three small queries)."""
    center = db.get_one(Center, center_id)
    overrides: dict[str, dict[str, Any]] = {}
    for (therapy_id, path), value in current_overrides(db, center_id).items():
        overrides.setdefault(therapy_id, {})[path] = value
    reasons: dict[str, dict[str, str]] = {}
    for (therapy_id, path), reason in current_reasons(db, center_id).items():
        reasons.setdefault(therapy_id, {})[path] = reason
    rows = db.scalars(select(CenterHours).where(CenterHours.center_id == center_id).order_by(CenterHours.weekday))
    hours: Hours = tuple((h.weekday, h.opens, h.closes) for h in rows)
    profile_json = json.dumps(center.profile or {}, sort_keys=True)
    key = (profile_json, center.id, center.name, center.timezone, hours)
    return CenterCatalog(center_id, overrides, key, reasons=reasons, jurisdiction=center.jurisdiction)


def save_override(
    db: Session,
    center_id: int,
    therapy: Therapy,
    path: str,
    new_value: Any,
    old_value: Any,
    *,
    reason: str,
    clinician_reason: str | None,
    user_id: int,
    at: datetime,
) -> CatalogOverride:
    """Store one override after checking the center's overrides still apply with it (``OverrideError`` names
    the field when not); a null ``new_value`` goes back to the catalog default."""
    current = current_overrides(db, center_id, therapy.id)
    reasons = {f: r for (_, f), r in current_reasons(db, center_id, therapy.id).items() if f != path}
    proposed = {f: v for (_, f), v in current.items() if f != path}
    if new_value is not None:
        proposed[path] = new_value
        if (clinician_reason or "").strip():
            reasons[path] = (clinician_reason or "").strip()
    apply_overrides(therapy, proposed, reasons=reasons)
    override = CatalogOverride(
        center_id=center_id,
        therapy_id=therapy.id,
        field=path,
        old_value=current.get((therapy.id, path), old_value),
        new_value=new_value,
        reason=reason.strip(),
        clinician_reason=(clinician_reason or "").strip() or None,
        user_id=user_id,
        created_at=at,
    )
    db.add(override)
    db.flush()
    return override


def center_today(db: Session, center_id: int, at: datetime) -> date:
    """Today's date where the center is (not the UTC date): what "today" means for its records."""
    return at.astimezone(ZoneInfo(db.get_one(Center, center_id).timezone)).date()


def center_jurisdiction(db: Session, center_id: int, default: str) -> str:
    """The label jurisdiction of a center (US or EU): its own, else ``default`` (the app setting)."""
    return db.get_one(Center, center_id).jurisdiction or default


def prescription_therapy(db: Session, prescription: Prescription) -> Therapy:
    """The therapy of a stored prescription, as the patient's center uses it."""
    return center_catalog(db, prescription.patient.center_id).therapy(prescription.therapy_id)
