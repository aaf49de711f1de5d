"""The in-process mail loop of ``msinfusion serve``: a sending pass every few seconds, off the event loop.

On the embedded SQLite database there is no separate job worker, so the app's lifespan starts this loop
when :attr:`msinfusion.settings.Settings.sends_in_process` is true (the default for SQLite). Each pass
(:func:`msinfusion.outbox.sending_pass.sending_pass`) runs in a worker thread; a failing pass is logged
and the loop goes on. On PostgreSQL the job worker does the same pass instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from msinfusion.db import Database
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.sending_pass import sending_pass

log = logging.getLogger("msinfusion.outbox")


async def send_periodically(
    database: Database, config: MailConfig, clock: Callable[[], datetime], every_seconds: float
) -> None:
    """Run a sending pass now and then every ``every_seconds`` until cancelled."""
    while True:
        try:
            report = await asyncio.to_thread(sending_pass, database, config, clock())
            delivery = report.delivery
            if report.queued or delivery.sent or delivery.failed or delivery.retrying:
                log.info(
                    "outbox pass: queued %d, sent %d, retrying %d, failed %d",
                    report.queued,
                    len(delivery.sent),
                    len(delivery.retrying),
                    len(delivery.failed) + delivery.abandoned,
                )
        except Exception:  # a broken pass must not stop the next one (or the app)
            log.exception("outbox pass failed")
        await asyncio.sleep(every_seconds)
