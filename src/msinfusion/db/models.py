"""The stored state of msinfusion: centers, people, prescriptions, bookings, and the security records.

Clinical facts are not stored here; they come from the core (therapy catalog, regimens, visits). The
database keeps what happened (prescriptions, given doses, bookings, answers) and who did what (audit).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from msinfusion.board import BOARD_STATES
from msinfusion.db.planning_models import CenterPlanningColumns
from msinfusion.db.types import UTCDateTime

ROLES = ("patient", "nurse", "scheduler", "admin")
STAFF_ROLES = ("nurse", "scheduler", "admin")
APPOINTMENT_STATUSES = ("booked", "cancelled", "completed", "no_show")

# Constraint names are predictable so migrations can refer to them on every back-end.
NAMING = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base holding the shared metadata."""

    metadata = NAMING
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Center(CenterPlanningColumns, Base):
    """An infusion center: its chairs, nurses and opening hours (and its planning choices)."""

    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    max_patients_per_nurse: Mapped[int] = mapped_column(Integer, default=4)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Label jurisdiction for rules that differ (US or EU); None: the app setting.
    jurisdiction: Mapped[str | None] = mapped_column(String(8))
    """The center as patients see it (:class:`msinfusion.center.CenterProfile` as JSON): address,
    phones, amenities, day-of rules, reminders and visit policy."""

    chairs: Mapped[list[Chair]] = relationship(back_populates="center", order_by="Chair.code")
    hours: Mapped[list[CenterHours]] = relationship(order_by="CenterHours.weekday")
    nurses: Mapped[list[Nurse]] = relationship(back_populates="center", order_by="Nurse.code")


class CenterHours(Base):
    """Opening hours of a center on one weekday (0 = Monday); a missing weekday is closed."""

    __tablename__ = "center_hours"
    __table_args__ = (
        UniqueConstraint("center_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("closes > opens", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class Chair(Base):
    """A treatment place (chair or bed) with its features."""

    __tablename__ = "chairs"
    __table_args__ = (UniqueConstraint("center_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    code: Mapped[str] = mapped_column(String(32))
    features: Mapped[list[str]] = mapped_column(default=list)

    center: Mapped[Center] = relationship(back_populates="chairs")


class User(Base):
    """An account: one person, one role, one center."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    # The language the person chose for their pages; None: the browser's (patients use Patient.locale).
    locale: Mapped[str | None] = mapped_column(String(8))


class Nurse(Base):
    """A nurse on the center's roster (the day scheduler's N1, N2, …), optionally with an account."""

    __tablename__ = "nurses"
    __table_args__ = (UniqueConstraint("center_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)

    center: Mapped[Center] = relationship(back_populates="nurses")
    shifts: Mapped[list[NurseShift]] = relationship(order_by="NurseShift.weekday")


class NurseShift(Base):
    """A nurse's recurring shift on one weekday (0 = Monday)."""

    __tablename__ = "nurse_shifts"
    __table_args__ = (
        UniqueConstraint("nurse_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("ends > starts", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nurse_id: Mapped[int] = mapped_column(ForeignKey("nurses.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)


class Patient(Base):
    """A person treated at a center; the information card is kept as JSON."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("center_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    card: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Mitoxantrone received before this record (mg/m2), counted by the lifetime cap; the reason a
    # clinician gave for starting after prior treatment where the label says not to (EU).
    prior_mitoxantrone_mg_m2: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    prior_exposure_reason: Mapped[str | None] = mapped_column(Text)

    prescriptions: Mapped[list[Prescription]] = relationship(
        back_populates="patient", order_by="Prescription.start_date"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Prescription(Base):
    """A regimen prescribed to a patient: which therapy, from which date, with which options."""

    __tablename__ = "prescriptions"
    __table_args__ = (CheckConstraint(_in("status", ("active", "stopped")), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    therapy_id: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    prescribed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    patient: Mapped[Patient] = relationship(back_populates="prescriptions")
    given_doses: Mapped[list[GivenDose]] = relationship(back_populates="prescription", order_by="GivenDose.given_on")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class GivenDose(Base):
    """A dose actually given; the dose calendar is recomputed from these."""

    __tablename__ = "given_doses"
    __table_args__ = (UniqueConstraint("prescription_id", "given_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    given_on: Mapped[date] = mapped_column(Date)
    dose_index: Mapped[int | None] = mapped_column(Integer)
    amount_mg: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    # A dose recorded despite problems: what the checks found, and the clinician's confirmation.
    flags: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmation_reason: Mapped[str | None] = mapped_column(Text)

    prescription: Mapped[Prescription] = relationship(back_populates="given_doses")


class Appointment(Base):
    """A booked visit; once scheduled it holds a chair for the half-open range [starts_at, ends_at).

    The database refuses two active appointments on one chair at overlapping times: an exclusion
    constraint on PostgreSQL, triggers on SQLite (both created by the migrations).
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint(_in("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint(_in("board_state", BOARD_STATES), name="board_state"),
        CheckConstraint(
            "chair_id IS NULL OR (starts_at IS NOT NULL AND ends_at IS NOT NULL)", name="chair_needs_times"
        ),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="positive_span"),
        Index("ix_appointments_center_day", "center_id", "day"),
        ExcludeConstraint(
            ("chair_id", "="),
            (func.tstzrange(literal_column("starts_at"), literal_column("ends_at"), "[)"), "&&"),
            where="status <> 'cancelled'",
            using="gist",
            name="ex_appointments_chair_overlap",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    prescription_id: Mapped[int | None] = mapped_column(ForeignKey("prescriptions.id"))
    dose_index: Mapped[int | None] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    board_state: Mapped[str] = mapped_column(String(16), default="expected")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    patient: Mapped[Patient] = relationship()
    chair: Mapped[Chair | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CheckAnswers(Base):
    """A patient's answers to the pre-infusion check and the outcome the core computed."""

    __tablename__ = "check_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime]
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]


class CalendarFeedToken(Base):
    """A private calendar-feed URL secret; only its SHA-256 is kept, and it can be revoked."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (
        # One live link per patient, enforced by the database (issue 11): a concurrent second is refused.
        Index(
            "ux_calendar_feed_tokens_one_live",
            "patient_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CatalogOverride(Base):
    """One recorded change of a therapy default at one center: who, when, what, old and new value.

    Rows are only added; the current value of a field is the newest row for it (``new_value`` null
    means "back to the catalog default").
    """

    __tablename__ = "catalog_overrides"
    __table_args__ = (Index("ix_catalog_overrides_lookup", "center_id", "therapy_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    therapy_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    # A clinician's written reason, needed for an observation time below the catalog's minimum.
    clinician_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail (see :mod:`msinfusion.db.audit`).

    It stores references (ids), never PHI text. Triggers created by the migrations refuse UPDATE and
    DELETE on every back-end.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    center_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class WebSession(Base):
    """A server-side sign-in session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One sign-in attempt, kept for throttling and log-in monitoring."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    username: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
