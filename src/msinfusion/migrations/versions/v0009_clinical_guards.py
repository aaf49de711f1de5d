"""Clinical guards: dose flags and confirmations, prior exposure, clinician reasons, dose checks, reactions.

Revision ID: v0009_clinical_guards
Revises: v0005_outbox
Create Date: 2026-12-01 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0009_clinical_guards"
down_revision: str | None = "v0008_audit_chains"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("given_doses") as batch:
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("confirmed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("confirmation_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("prior_mitoxantrone_mg_m2", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("prior_exposure_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("centers") as batch:
        batch.add_column(sa.Column("jurisdiction", sa.String(length=8), nullable=True))
    with op.batch_alter_table("catalog_overrides") as batch:
        batch.add_column(sa.Column("clinician_reason", sa.Text(), nullable=True))
    op.create_table(
        "dose_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("dose_number", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prescription_id"], ["prescriptions.id"], name=op.f("fk_dose_checks_prescription_id_prescriptions")
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_dose_checks_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_checks")),
        sa.UniqueConstraint("prescription_id", "dose_number", "check_id", name="uq_dose_checks_one_per_dose"),
    )
    op.create_index(op.f("ix_dose_checks_prescription_id"), "dose_checks", ["prescription_id"])
    op.create_table(
        "infusion_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("dose_number", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prescription_id"], ["prescriptions.id"], name=op.f("fk_infusion_reactions_prescription_id_prescriptions")
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_infusion_reactions_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infusion_reactions")),
    )
    op.create_index(op.f("ix_infusion_reactions_prescription_id"), "infusion_reactions", ["prescription_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_infusion_reactions_prescription_id"), table_name="infusion_reactions")
    op.drop_table("infusion_reactions")
    op.drop_index(op.f("ix_dose_checks_prescription_id"), table_name="dose_checks")
    op.drop_table("dose_checks")
    with op.batch_alter_table("catalog_overrides") as batch:
        batch.drop_column("clinician_reason")
    with op.batch_alter_table("centers") as batch:
        batch.drop_column("jurisdiction")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("prior_exposure_reason")
        batch.drop_column("prior_mitoxantrone_mg_m2")
    with op.batch_alter_table("given_doses") as batch:
        batch.drop_column("confirmation_reason")
        batch.drop_column("confirmed_by")
        batch.drop_column("flags")
