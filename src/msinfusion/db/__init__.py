"""The msinfusion database: models, the engine/session lifecycle, migrations and the audit trail."""

from msinfusion.db.database import Database, make_engine
from msinfusion.db.migration import migrate, upgrade

__all__ = ["Database", "make_engine", "migrate", "upgrade"]
