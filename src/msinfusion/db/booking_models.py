"""What the visit lifecycle stores besides the core records: prescription changes, visit changes and
booking runs.

Kept apart from :mod:`msinfusion.db.models`; the classes share its ``Base`` (metadata and naming
convention). ``msinfusion.db`` imports this module, so the tables are on ``Base.metadata``.
Rows are only added: the newest row of a kind is the current state, the older ones are the history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base

PRESCRIPTION_CHANGES = ("stop", "edit")
VISIT_CHANGES = ("book", "move", "cancel", "exception")
CHANGE_REQUEST_STATES = ("open", "accepted", "declined")


class PrescriptionChange(Base):
    """A prescription stopped (from a date, with a reason) or edited (its fields before and after)."""

    __tablename__ = "prescription_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('stop', 'edit')", name="kind"),
        Index("ix_prescription_changes_prescription", "prescription_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class VisitChange(Base):
    """A visit booked, moved or cancelled by staff, or accepted against a label rule for a clinical reason.

    ``kind == "exception"`` rows are the clinician-accepted rule breaks the pages flag; ``rules`` lists
    what the visit breaks (dose window, closed day, minimum interval) in words.
    """

    __tablename__ = "visit_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('book', 'move', 'cancel', 'exception')", name="kind"),
        Index("ix_visit_changes_appointment", "appointment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[list[str]] = mapped_column(default=list)
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class CenterBookingSettings(Base):
    """What the booking engine needs of a center beyond its hours, nurses and chairs: closures and headroom.

    A missing row means no closures of its own (public holidays still close the center) and the default
    headroom (the ``booking_headroom_default`` setting).
    """

    __tablename__ = "center_booking_settings"
    __table_args__ = (CheckConstraint("headroom >= 0 AND headroom < 1", name="headroom"),)

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True)
    closures: Mapped[list[str]] = mapped_column(default=list)
    headroom: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    # How far ahead the engine books a regimen, in days (the center editor; v0013).
    horizon_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ChangeRequest(Base):
    """A patient's request to change a booked visit: dates they cannot come, morning or afternoon, a note.

    Staff accept one of the engine's alternatives (the visit moves: ``moved_to`` keeps where) or decline
    with a reason the patient reads. One open request per visit; ``version`` guards the decision.
    """

    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'accepted', 'declined')", name="state"),
        CheckConstraint("time_of_day IS NULL OR time_of_day IN ('morning', 'afternoon')", name="time_of_day"),
        Index("ix_change_requests_appointment", "appointment_id"),
        Index("ix_change_requests_center_state", "center_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    state: Mapped[str] = mapped_column(String(16), default="open")
    unavailable: Mapped[list[str]] = mapped_column(default=list)
    time_of_day: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    moved_to: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


BOOKING_RUN_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_BOOKING_RUN_STATUSES = ("queued", "running")
_ACTIVE_RUN = text("status IN ('queued', 'running')")


class BookingRun(Base):
    """One regimen booking planned in the background: the request as planned, and the plan for the prescription.

    At most one run per prescription is queued or running (a partial unique index), so two schedulers
    pressing "book" together get one run. A run past ``deadline_at`` that is still queued or running
    died with its process; readers show it as failed. A confirmed run (``confirmed_at``) wrote its plan.
    """

    __tablename__ = "booking_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_booking_runs_prescription", "prescription_id"),
        Index(
            "ux_booking_runs_one_active",
            "prescription_id",
            unique=True,
            postgresql_where=_ACTIVE_RUN,
            sqlite_where=_ACTIVE_RUN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime]
    time_limit_seconds: Mapped[float] = mapped_column(Float)
    # The center day the plan was asked on, and the booking request as planned (msinfusion.booking/1).
    today: Mapped[date] = mapped_column(Date)
    request_input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The plan's bookings and unbooked doses of this prescription (msinfusion.bookings/1 items), once done.
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic lock: a confirm made from an older version (or twice) is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
