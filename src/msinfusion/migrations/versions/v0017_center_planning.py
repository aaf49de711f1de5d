"""How each center plans its days: the durations basis and the what-if page's no-show and add-on rates.

Three nullable columns on ``centers``; NULL means "the app setting" (``duration_basis``,
``simulation_no_show_rate``, ``simulation_add_on_rate``), so every existing center keeps planning as before.
Each column carries its own CHECK constraint, added with the column: SQLite adds such a column in place
(``ALTER TABLE ... ADD COLUMN``) and drops it again in place, without rebuilding ``centers``, which the
rows of many other tables reference.

Revision ID: v0017_center_planning
Revises: v0016_booking_runs
Create Date: 2026-12-01 08:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "v0017_center_planning"
down_revision: str | None = "v0016_booking_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any], str], ...] = (
    ("duration_basis", sa.String(length=8), "duration_basis IN ('label', 'median', 'p80')"),
    ("no_show_rate", sa.Float(), "no_show_rate >= 0 AND no_show_rate <= 1"),
    ("add_on_rate", sa.Float(), "add_on_rate >= 0 AND add_on_rate <= 1"),
)


def upgrade() -> None:
    bind = op.get_bind()
    for name, kind, check in COLUMNS:
        type_sql = kind.compile(dialect=bind.dialect)
        bind.exec_driver_sql(
            f"ALTER TABLE centers ADD COLUMN {name} {type_sql} CONSTRAINT ck_centers_{name} CHECK ({check})"
        )


def downgrade() -> None:
    bind = op.get_bind()
    for name, _kind, _check in reversed(COLUMNS):
        bind.exec_driver_sql(f"ALTER TABLE centers DROP COLUMN {name}")
