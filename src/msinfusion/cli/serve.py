"""`msinfusion serve`: run the web app on the configured database."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from msinfusion.cli._app import UsageProblem, app
from msinfusion.settings import Settings, load_settings


def _prepare(settings: Settings, demo: bool) -> str | None:
    """Migrate the database; with ``demo``, fill it with demo data when it is empty. Says what it did."""
    from msinfusion.db import Database, migrate
    from msinfusion.db.demo import DEMO_PASSWORD, is_empty, load_demo

    migrate(settings)
    if not demo:
        return None
    database = Database.connect(settings.database_url)
    try:
        if not is_empty(database):
            return "demo: the database already has data; leaving it as it is"
        summary = load_demo(database, settings)
    finally:
        database.dispose()
    return (
        f"demo: {summary.patients} patients, {summary.given_doses} given doses, {summary.appointments} booked "
        f"visits. Sign in as admin, scheduler, nurse or patient01..patient40 with password {DEMO_PASSWORD}"
    )


APP_FACTORY = "msinfusion.web.app:create_app"


def _settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"])
        raise UsageProblem(f"setting {name}: {error['msg']}") from None


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: the host setting)"),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port (default: the port setting)"),
    demo: bool = typer.Option(False, "--demo", help="Load demo data first if the database is empty"),
) -> None:
    """Migrate the database and serve the web app (with --demo: demo center, staff and 40 patients)."""
    import uvicorn

    settings = _settings()
    if settings.environment == "production" and settings.secret_key == "dev-only-change-me":
        raise UsageProblem("set MSINFUSION_SECRET_KEY before serving in production")
    message = _prepare(settings, demo)
    if message:
        typer.echo(message, err=True)
    # The server builds the app itself from the same environment; the CLI never imports the web layer.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=False,
    )
