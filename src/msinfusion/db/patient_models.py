"""What the patient pages store besides the core records: ticked preparation tasks and calendar choices.

Kept apart from :mod:`msinfusion.db.models` so the patient pages own their tables; the classes share
that module's ``Base`` (and so its metadata and naming convention). ``msinfusion.db`` imports this
module, so the tables are on ``Base.metadata`` wherever the models are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base


class PreparationTick(Base):
    """A preparation task the patient ticked off for one visit (the visit's stable calendar UID)."""

    __tablename__ = "preparation_ticks"
    __table_args__ = (UniqueConstraint("patient_id", "visit_uid", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_uid: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(64))
    ticked_at: Mapped[datetime]


class PatientPreferences(Base):
    """A patient's choices for their calendar copies; a missing row means the defaults."""

    __tablename__ = "patient_preferences"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    # Calendars often sync to work accounts: visit titles stay neutral unless the patient opts in.
    calendar_shows_treatment: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]
