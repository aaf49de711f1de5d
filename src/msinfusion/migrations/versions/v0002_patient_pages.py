"""Patient pages: ticked preparation tasks and calendar preferences.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "preparation_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_uid", sa.String(length=200), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_preparation_ticks_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparation_ticks")),
        sa.UniqueConstraint("patient_id", "visit_uid", "task_id", name=op.f("uq_preparation_ticks_patient_id")),
    )
    op.create_index("ix_preparation_ticks_patient_id", "preparation_ticks", ["patient_id"])
    op.create_table(
        "patient_preferences",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("calendar_shows_treatment", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_preferences_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_preferences")),
    )


def downgrade() -> None:
    op.drop_table("patient_preferences")
    op.drop_index("ix_preparation_ticks_patient_id", table_name="preparation_ticks")
    op.drop_table("preparation_ticks")
