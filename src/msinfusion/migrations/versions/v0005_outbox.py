"""Patient communications: contact addresses with reminder choices, and the message outbox.

Revision ID: v0005_outbox
Revises: 0004
Create Date: 2026-12-01 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0005_outbox"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reminder_rules", sa.JSON(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_patient_contacts_channel")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_patient_contacts_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_contacts")),
        sa.UniqueConstraint("patient_id", "channel", name=op.f("uq_patient_contacts_patient_id")),
    )
    op.create_index("ix_patient_contacts_patient_id", "patient_contacts", ["patient_id"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("visit_status", sa.String(length=16), nullable=True),
        sa.Column("visit_day", sa.Date(), nullable=True),
        sa.Column("visit_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("attachment_name", sa.String(length=200), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name=op.f("ck_outbox_messages_state")
        ),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_outbox_messages_channel")),
        sa.CheckConstraint(
            "kind IN ('reminder', 'visit-notice', 'check-notice', 'verify-email')", name=op.f("ck_outbox_messages_kind")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_messages_attempts")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_outbox_messages_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["patient_contacts.id"], name=op.f("fk_outbox_messages_contact_id_patient_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_outbox_messages_appointment_id_appointments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
    )
    op.create_index("ix_outbox_messages_patient_id", "outbox_messages", ["patient_id"])
    op.create_index("ix_outbox_messages_state_due", "outbox_messages", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_state_due", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_patient_id", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_patient_contacts_patient_id", table_name="patient_contacts")
    op.drop_table("patient_contacts")
