"""`msinfusion worker`: run optimizer runs, reminder sends and periodic upkeep from the PostgreSQL queue."""

from __future__ import annotations

import logging
import os

import typer

from msinfusion.cli._app import UsageProblem, app
from msinfusion.cli.serve import settings_or_problem


@app.command("worker")
def worker(
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, max=64, help="Jobs run at the same time (default: the worker_concurrency setting)"
    ),
    queues: str = typer.Option(
        "optimizer,default",
        "--queues",
        help="Comma-separated queues to take jobs from: optimizer (runs), default (reminders, upkeep)",
    ),
    name: str | None = typer.Option(None, "--name", help="Name in the logs (default: worker-<process id>)"),
) -> None:
    """Migrate the database, then run jobs from the queue until SIGTERM (PostgreSQL only)."""
    from msinfusion.jobs import queue

    settings = settings_or_problem(worker_concurrency=concurrency)
    if not settings.database_url.startswith("postgresql"):
        raise UsageProblem(
            "the job worker needs PostgreSQL (DATABASE_URL=postgresql+psycopg://...); "
            "on SQLite, `msinfusion serve` runs the jobs itself"
        )
    chosen = [part.strip() for part in queues.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(queue.QUEUES))
    if not chosen or unknown:
        raise UsageProblem(f"--queues: choose from {', '.join(queue.QUEUES)} (got {queues!r})")
    from msinfusion.db import migrate
    from msinfusion.jobs import worker as job_worker

    migrate(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(
        f"worker: {settings.worker_concurrency} at a time from {', '.join(chosen)}; SIGTERM stops it "
        "after its running jobs",
        err=True,
    )
    job_worker.run_forever(
        settings,
        concurrency=settings.worker_concurrency,
        queues=chosen,
        name=name or f"worker-{os.getpid()}",
    )
