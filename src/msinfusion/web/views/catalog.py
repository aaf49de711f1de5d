"""The therapy catalog as staff see it: label facts with sources and review flags, plus this center's
recorded overrides. Pages and the JSON API both render these models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.center_catalog import center_catalog, current_overrides
from msinfusion.db.models import CatalogOverride, User
from msinfusion.db.visit_history import dose_step_label, learned_durations
from msinfusion.scheduling.durations import SEGMENTS, Segment, segment_of
from msinfusion.therapies import Status, Therapy
from msinfusion.therapies.catalog import all_facts, show
from msinfusion.visits import treatment_name


class FactView(BaseModel):
    """One sourced value: where it sits in the data file, the default, and this center's override."""

    path: str
    value: str
    status: str
    needs_review: bool
    sources: list[str]
    note: str | None
    override: str | None = None


class OverrideView(BaseModel):
    """One recorded change: who, when, what, old and new."""

    field: str
    old_value: Any
    new_value: Any
    reason: str
    by: str
    at: datetime


class TherapySummary(BaseModel):
    id: str
    name: str
    generic: str
    brands: list[str]
    route: str
    summary: str
    needs_review: int
    overrides: int


class TherapyDetail(TherapySummary):
    sources: dict[str, str]
    facts: list[FactView]
    history: list[OverrideView]


def summary(therapy: Therapy, overrides: dict[tuple[str, str], Any]) -> TherapySummary:
    facts = all_facts(therapy)
    return TherapySummary(
        id=therapy.id,
        name=therapy.name,
        generic=therapy.generic,
        brands=therapy.brands,
        route=therapy.route,
        summary=therapy.summary,
        needs_review=sum(1 for _, f in facts if f.status is Status.UNCONFIRMED),
        overrides=sum(1 for (tid, _) in overrides if tid == therapy.id),
    )


def detail(db: Session, therapy: Therapy, center_id: int) -> TherapyDetail:
    overrides = current_overrides(db, center_id, therapy.id)
    facts = [
        FactView(
            path=path,
            value=show(fact.value),
            status=fact.status.value,
            needs_review=fact.needs_review,
            sources=list(fact.source),
            note=fact.note,
            override=None if (therapy.id, path) not in overrides else show(overrides[(therapy.id, path)]),
        )
        for path, fact in all_facts(therapy)
    ]
    rows = db.execute(
        select(CatalogOverride, User.display_name)
        .join(User, User.id == CatalogOverride.user_id)
        .where(CatalogOverride.center_id == center_id, CatalogOverride.therapy_id == therapy.id)
        .order_by(CatalogOverride.id.desc())
    ).all()
    history = [
        OverrideView(
            field=o.field, old_value=o.old_value, new_value=o.new_value, reason=o.reason, by=name, at=o.created_at
        )
        for o, name in rows
    ]
    return TherapyDetail(
        **summary(therapy, overrides).model_dump(), sources=therapy.sources, facts=facts, history=history
    )


def jsonable(value: object) -> Any:
    """A catalog default as it is recorded in an override row: numbers and text as they are."""
    return value if isinstance(value, int | float | str) else show(value)


def parse_override(default: object, text: str) -> Any:
    """The typed value an override stands for: a number where the default is a number, else the text."""
    text = text.strip()
    if isinstance(default, bool):
        return text
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


@dataclass(frozen=True)
class ObservedRow:
    """One part of a dose step's visit: the label timeline's minutes against this center's recorded ones."""

    treatment: str  # how staff read the treatment code
    doses: str  # the dosing rule's doses, "1-2" or "3-"
    segment: Segment  # the page names it in words
    label_minutes: int
    count: int
    median: float | None
    p80: float | None


def observed_durations(db: Session, therapy: Therapy, center_id: int) -> list[ObservedRow]:
    """Per dose step (and infusion option) of the therapy, each part of the visit: label minutes (with
    the center's overrides) beside the median and 80th percentile of the center's recorded visits."""
    catalog = center_catalog(db, center_id)
    learned = learned_durations(db, center_id)
    rows = []
    for step in therapy.dosing:
        for code in [step.treatment, *(f"{step.treatment}-{option}" for option in step.options)]:
            try:
                phases = catalog.phases(code)
            except KeyError:
                continue
            found = learned.get((code, dose_step_label(code, step.doses.first)))
            minutes: dict[Segment, int] = {}
            for phase, segment in zip(phases, segment_of(phases), strict=True):
                minutes[segment] = minutes.get(segment, 0) + phase.minutes
            minutes["chair"] = sum(p.minutes for p in phases)
            for segment in (name for name in SEGMENTS if name in minutes):
                seen = found.segments.get(segment) if found else None
                rows.append(
                    ObservedRow(
                        treatment=treatment_name(code),
                        doses=f"{step.doses.first}-{step.doses.last if step.doses.last is not None else ''}",
                        segment=segment,
                        label_minutes=minutes[segment],
                        count=seen.count if seen else 0,
                        median=seen.median if seen else None,
                        p80=seen.p80 if seen else None,
                    )
                )
    return rows
