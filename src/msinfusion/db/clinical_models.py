"""What staff record around a dose besides the dose itself: the checks done before it and infusion reactions.

Kept apart from :mod:`msinfusion.db.models` like the patient pages' tables; the classes share its
``Base``. ``msinfusion.db`` imports this module, so the tables are on ``Base.metadata``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base


class DoseCheck(Base):
    """A ``before_each_dose`` check (its id in the therapy data) recorded by staff for one dose."""

    __tablename__ = "dose_checks"
    __table_args__ = (
        UniqueConstraint("prescription_id", "dose_number", "check_id", name="uq_dose_checks_one_per_dose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    dose_number: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class InfusionReaction(Base):
    """An infusion reaction at one dose, mild or serious, as staff recorded it."""

    __tablename__ = "infusion_reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    dose_number: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
