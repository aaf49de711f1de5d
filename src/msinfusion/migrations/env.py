"""Alembic environment: always online, on the connection handed over by :mod:`msinfusion.db.migration`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from msinfusion.db.migration import is_ours
from msinfusion.db.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through msinfusion.db.migrate(settings)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=is_ours,
)
with context.begin_transaction():
    context.run_migrations()
