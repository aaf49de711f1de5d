"""Initial schema: centers, people, prescriptions, bookings, audit trail, sessions.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 16:12:53.740080
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The database, not the code, refuses two active appointments on one chair at overlapping times
# ([start, end) half-open, so back-to-back is fine) and any change to the audit trail.
_SQLITE_OVERLAP = """
CREATE TRIGGER appointments_no_chair_overlap_{event} BEFORE {event} ON appointments
WHEN NEW.chair_id IS NOT NULL AND NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'chair double booking') WHERE EXISTS (
        SELECT 1 FROM appointments AS a
        WHERE a.chair_id = NEW.chair_id AND a.status <> 'cancelled' AND a.id IS NOT NEW.id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at);
END
"""
_SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_events_append_only_{event} BEFORE {event} ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END
"""
_POSTGRES_APPEND_ONLY = [
    """
    CREATE FUNCTION msinfusion_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION msinfusion_audit_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION msinfusion_audit_append_only()",
]


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_chair_overlap "
            "EXCLUDE USING gist (chair_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )
        for statement in _POSTGRES_APPEND_ONLY:
            op.execute(statement)
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(_SQLITE_OVERLAP.format(event=event))
        for event in ("UPDATE", "DELETE"):
            op.execute(_SQLITE_APPEND_ONLY.format(event=event))


def _create_tables() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("row_hash", name=op.f("uq_audit_events_row_hash")),
    )
    op.create_index("ix_audit_events_patient_id", "audit_events", ["patient_id"])

    op.create_table(
        "centers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("max_patients_per_nurse", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centers")),
        sa.UniqueConstraint("name", name=op.f("uq_centers_name")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])

    op.create_table(
        "center_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("closes > opens", name=op.f("ck_center_hours_opens_before_closes")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_center_hours_weekday")),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_center_hours_center_id_centers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_center_hours")),
        sa.UniqueConstraint("center_id", "weekday", name=op.f("uq_center_hours_center_id")),
    )
    op.create_table(
        "chairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_chairs_center_id_centers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chairs")),
        sa.UniqueConstraint("center_id", "code", name=op.f("uq_chairs_center_id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('patient', 'nurse', 'scheduler', 'admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_users_center_id_centers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "catalog_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("therapy_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_catalog_overrides_center_id_centers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_catalog_overrides_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_overrides")),
    )
    op.create_index("ix_catalog_overrides_lookup", "catalog_overrides", ["center_id", "therapy_id", "field"])

    op.create_table(
        "nurses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_nurses_center_id_centers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_nurses_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurses")),
        sa.UniqueConstraint("center_id", "code", name=op.f("uq_nurses_center_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_nurses_user_id")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_patients_center_id_centers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_patients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("center_id", "reference", name=op.f("uq_patients_center_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_patients_user_id")),
    )
    op.create_index("ix_patients_center_id", "patients", ["center_id"])

    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])

    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_calendar_feed_tokens_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
    )
    op.create_index("ix_calendar_feed_tokens_patient_id", "calendar_feed_tokens", ["patient_id"])

    op.create_table(
        "nurse_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nurse_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.CheckConstraint("ends > starts", name=op.f("ck_nurse_shifts_starts_before_ends")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_nurse_shifts_weekday")),
        sa.ForeignKeyConstraint(["nurse_id"], ["nurses.id"], name=op.f("fk_nurse_shifts_nurse_id_nurses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurse_shifts")),
        sa.UniqueConstraint("nurse_id", "weekday", name=op.f("uq_nurse_shifts_nurse_id")),
    )
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("therapy_id", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("prescribed_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'stopped')", name=op.f("ck_prescriptions_status")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_prescriptions_patient_id_patients")),
        sa.ForeignKeyConstraint(["prescribed_by"], ["users.id"], name=op.f("fk_prescriptions_prescribed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescriptions")),
    )
    op.create_index("ix_prescriptions_patient_id", "prescriptions", ["patient_id"])

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=True),
        sa.Column("dose_index", sa.Integer(), nullable=True),
        sa.Column("treatment", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("board_state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "board_state IN ('expected', 'checked_in', 'premedication', 'infusing', 'observation', 'discharged')",
            name=op.f("ck_appointments_board_state"),
        ),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled', 'completed', 'no_show')", name=op.f("ck_appointments_status")
        ),
        sa.CheckConstraint(
            "chair_id IS NULL OR (starts_at IS NOT NULL AND ends_at IS NOT NULL)",
            name=op.f("ck_appointments_chair_needs_times"),
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
            name=op.f("ck_appointments_positive_span"),
        ),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_appointments_center_id_centers")),
        sa.ForeignKeyConstraint(["chair_id"], ["chairs.id"], name=op.f("fk_appointments_chair_id_chairs")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_appointments_prescription_id_prescriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_center_day", "appointments", ["center_id", "day"])
    op.create_index("ix_appointments_patient_id", "appointments", ["patient_id"])

    op.create_table(
        "given_doses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("dose_index", sa.Integer(), nullable=True),
        sa.Column("amount_mg", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_given_doses_prescription_id_prescriptions"),
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_given_doses_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_given_doses")),
        sa.UniqueConstraint("prescription_id", "given_on", name=op.f("uq_given_doses_prescription_id")),
    )
    op.create_table(
        "check_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_check_answers_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_check_answers_patient_id_patients")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"], name=op.f("fk_check_answers_reviewed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_answers")),
    )
    op.create_index("ix_check_answers_patient_id", "check_answers", ["patient_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS msinfusion_audit_append_only()")
    op.drop_index("ix_check_answers_patient_id", table_name="check_answers")

    op.drop_table("check_answers")
    op.drop_table("given_doses")
    op.drop_index("ix_appointments_patient_id", table_name="appointments")
    op.drop_index("ix_appointments_center_day", table_name="appointments")

    op.drop_table("appointments")
    op.drop_index("ix_prescriptions_patient_id", table_name="prescriptions")

    op.drop_table("prescriptions")
    op.drop_table("nurse_shifts")
    op.drop_index("ix_calendar_feed_tokens_patient_id", table_name="calendar_feed_tokens")

    op.drop_table("calendar_feed_tokens")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")

    op.drop_table("web_sessions")
    op.drop_index("ix_patients_center_id", table_name="patients")

    op.drop_table("patients")
    op.drop_table("nurses")
    op.drop_index("ix_catalog_overrides_lookup", table_name="catalog_overrides")

    op.drop_table("catalog_overrides")
    op.drop_table("users")
    op.drop_table("chairs")
    op.drop_table("center_hours")
    op.drop_index("ix_login_attempts_username_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")

    op.drop_table("login_attempts")
    op.drop_table("centers")
    op.drop_index("ix_audit_events_patient_id", table_name="audit_events")

    op.drop_table("audit_events")
