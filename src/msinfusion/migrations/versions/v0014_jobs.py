"""The job queue: procrastinate's tables, types and functions on PostgreSQL (nothing on SQLite, where
``msinfusion serve`` runs the jobs itself).

The schema is the one the installed procrastinate ships (``procrastinate schema --read``). A later
procrastinate release may ship migration scripts of its own; see docs/deploy.md for applying them.

Revision ID: v0014_jobs
Revises: v0013_change_requests
Create Date: 2026-12-01 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0014_jobs"
down_revision: str | None = "v0013_change_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # One script of many statements, run by psycopg as it is: without parameters it neither reads its
    # % signs as placeholders nor refuses several statements. Same connection, same transaction.
    raw = bind.connection.driver_connection
    assert raw is not None
    raw.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    in_schema = "n.nspname = current_schema() AND {name} LIKE 'procrastinate\\_%'"
    tables = bind.execute(
        sa.text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND " + in_schema.format(name="c.relname")
        )
    ).scalars()
    for table in list(tables):
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    functions = bind.execute(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE " + in_schema.format(name="p.proname")
        )
    ).scalars()
    for function in list(functions):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    types = bind.execute(
        sa.text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typtype IN ('e', 'c') AND " + in_schema.format(name="t.typname")
        )
    ).scalars()
    for name in list(types):
        bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
