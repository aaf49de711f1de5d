"""The columns of a center's planning choices (revision v0015), kept apart from :mod:`msinfusion.db.models`.

:class:`msinfusion.db.models.Center` takes them from :class:`CenterPlanningColumns`. Each is NULL while
the center follows the app setting; :func:`msinfusion.db.center_planning.center_planning` resolves them.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column


class CenterPlanningColumns:
    """How a center plans its days: the day builder's durations basis (``label``, ``median``, ``p80``) and
    the what-if page's no-show and add-on rates (0 to 1); None: the app setting."""

    __table_args__ = (
        CheckConstraint("duration_basis IN ('label', 'median', 'p80')", name="duration_basis"),
        CheckConstraint("no_show_rate >= 0 AND no_show_rate <= 1", name="no_show_rate"),
        CheckConstraint("add_on_rate >= 0 AND add_on_rate <= 1", name="add_on_rate"),
    )

    duration_basis: Mapped[str | None] = mapped_column(String(8))
    no_show_rate: Mapped[float | None] = mapped_column(Float)
    add_on_rate: Mapped[float | None] = mapped_column(Float)
