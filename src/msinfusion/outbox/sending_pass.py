"""One sending pass: queue every reminder that is due, then send the outbox; a plain function to call.

``msinfusion reminders run``, the in-process loop of ``msinfusion serve`` on the embedded SQLite
database and the job on the PostgreSQL queue (both through :func:`msinfusion.jobs.tasks.send_outbox`) call
:func:`sending_pass`, so the three never differ in what they send.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from msinfusion.db import Database
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.delivery import DeliveryReport, deliver_due
from msinfusion.outbox.producers import enqueue_due_reminders


@dataclass(frozen=True)
class PassReport:
    """How many reminders one pass queued, and what its delivery did."""

    queued: int
    delivery: DeliveryReport


def sending_pass(database: Database, config: MailConfig, now: datetime.datetime) -> PassReport:
    """Queue the reminders due at ``now``, then send every message that is due."""
    queued = enqueue_due_reminders(database, config, now)
    return PassReport(queued, deliver_due(database, config, now))
