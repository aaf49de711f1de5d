"""``msinfusion worker``: run the queue's jobs on PostgreSQL until SIGTERM or SIGINT.

A worker runs up to ``concurrency`` jobs at once from the given queues (both by default), beats its
heartbeat every ``worker_heartbeat_seconds``, and looks for the jobs of dead workers (:mod:`.stalled`).
On SIGTERM it stops taking jobs and lets the running ones finish (an optimizer run ends within its time
limit); a second signal stops it at once, and its jobs are then retried like those of a killed worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from msinfusion.db.database import Database, session_info
from msinfusion.jobs import queue, stalled
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def run(settings: Settings, *, concurrency: int, queues: Sequence[str], name: str) -> None:
    """Run one worker until it is told to stop."""
    database = Database.connect(settings.database_url, session_info(settings))
    app = queue.worker_app(database, settings, _utc_now)
    try:
        async with app.open_async():
            watcher = asyncio.create_task(stalled.watch(app, database, settings, _utc_now), name="stalled jobs")
            try:
                await app.run_worker_async(
                    queues=list(queues),
                    concurrency=concurrency,
                    name=name,
                    update_heartbeat_interval=settings.worker_heartbeat_seconds,
                    stalled_worker_timeout=settings.worker_stalled_after_seconds,
                    delete_jobs="successful",
                    install_signal_handlers=True,
                )
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
    finally:
        database.dispose()


def run_forever(settings: Settings, *, concurrency: int, queues: Sequence[str], name: str) -> None:
    """:func:`run` in a fresh event loop (the CLI's entry)."""
    asyncio.run(run(settings, concurrency=concurrency, queues=queues, name=name))
