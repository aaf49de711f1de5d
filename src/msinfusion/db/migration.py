"""Alembic migrations run from code: ``migrate(settings)`` brings a database to the newest schema."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from msinfusion.db.database import Database, session_info
from msinfusion.settings import Settings

SCRIPT_LOCATION = "msinfusion:migrations"
QUEUE_PREFIX = "procrastinate_"
"""The job queue's tables (installed by revision v0014_jobs from procrastinate's own schema)."""


def is_ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares this object with the models: everything but the job queue's tables."""
    return not (type_ == "table" and (name or "").startswith(QUEUE_PREFIX))


def alembic_config() -> Config:
    """An Alembic configuration that needs no ``alembic.ini``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations on ``engine`` up to ``revision``."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations on ``engine`` down to ``revision`` (``"base"`` empties the database)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def migrate(settings: Settings) -> None:
    """Bring the database named by ``settings.database_url`` to the newest schema."""
    database = Database.connect(settings.database_url, session_info(settings))
    try:
        upgrade(database.engine)
    finally:
        database.dispose()
