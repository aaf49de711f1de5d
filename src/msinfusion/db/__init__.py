"""The msinfusion database: models, the engine/session lifecycle, migrations and the audit trail."""

# Models kept in their own modules register their tables on the shared metadata when imported.
from msinfusion.db import account_models as _account_models  # noqa: F401
from msinfusion.db import audit_models as _audit_models  # noqa: F401
from msinfusion.db import booking_models as _booking_models  # noqa: F401
from msinfusion.db import clinical_models as _clinical_models  # noqa: F401
from msinfusion.db import comms_models as _comms_models  # noqa: F401
from msinfusion.db import idempotency as _idempotency  # noqa: F401
from msinfusion.db import patient_models as _patient_models  # noqa: F401
from msinfusion.db import schedule_models as _schedule_models  # noqa: F401
from msinfusion.db.database import Database, make_engine
from msinfusion.db.migration import migrate, upgrade

__all__ = ["Database", "make_engine", "migrate", "upgrade"]
