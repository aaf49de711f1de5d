"""Throwaway databases for tests and benchmarks: a fresh PostgreSQL database, emptied between uses.

Production code never imports this module.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from msinfusion.db.database import normalise_url
from msinfusion.db.models import Base

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin_engine(admin_url: str) -> Engine:
    return create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def create_postgres_database(admin_url: str = DEFAULT_ADMIN_URL, prefix: str = "msinfusion_scratch") -> str:
    """Create an empty database next to ``admin_url``'s and return its URL (raises when unreachable)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = _admin_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str, admin_url: str = DEFAULT_ADMIN_URL) -> None:
    """Drop the database named by ``url``, closing anyone still connected."""
    name = make_url(url).database
    engine = _admin_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every model table, bypassing the audit trail's append-only triggers."""
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            raise ValueError("empty_all_tables is for PostgreSQL; copy a fresh SQLite file instead")
