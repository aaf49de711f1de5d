"""`msinfusion serve`: run the web app on the configured database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from msinfusion.cli._app import UsageProblem, app
from msinfusion.settings import Settings, UnsafeSettings, check_production, export_to_environment, load_settings


def _prepare(settings: Settings, demo: bool) -> str | None:
    """Migrate the database; with ``demo``, fill it with demo data when it is empty. Says what it did."""
    from msinfusion.db import Database, migrate
    from msinfusion.db.database import session_info
    from msinfusion.db.demo import DEMO_PASSWORD, is_empty, load_demo

    migrate(settings)
    if not demo:
        return None
    database = Database.connect(settings.database_url, session_info(settings))
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
# Settings the server's worker processes must see exactly as the command resolved them.
SERVED_SETTINGS = ("web_workers", "proxy_headers", "forwarded_allow_ips", "ssl_certfile", "ssl_keyfile")


def settings_or_problem(**overrides: Any) -> Settings:
    """The settings (with the given overrides), or a one-line usage problem naming the bad one."""
    try:
        return load_settings(**{name: value for name, value in overrides.items() if value is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"])
        raise UsageProblem(f"setting {name}: {error['msg']}") from None


def _check_files(settings: Settings) -> None:
    for name in ("ssl_certfile", "ssl_keyfile"):
        value = getattr(settings, name)
        if value and not Path(value).is_file():
            raise UsageProblem(f"--{name.replace('_', '-')}: no such file {value}")


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: the host setting)"),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port (default: the port setting)"),
    demo: bool = typer.Option(False, "--demo", help="Load demo data first if the database is empty"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Web worker processes (default: the web_workers setting)"
    ),
    proxy_headers: bool | None = typer.Option(
        None,
        "--proxy-headers/--no-proxy-headers",
        help="Believe X-Forwarded-For/-Proto/-Host from trusted proxies (default: the proxy_headers setting)",
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None, "--forwarded-allow-ips", help="Trusted proxy addresses or networks, comma-separated"
    ),
    ssl_certfile: str | None = typer.Option(None, "--ssl-certfile", help="Serve HTTPS with this certificate (PEM)"),
    ssl_keyfile: str | None = typer.Option(None, "--ssl-keyfile", help="Private key (PEM) for --ssl-certfile"),
) -> None:
    """Migrate the database and serve the web app (with --demo: demo center, staff and 40 patients)."""
    import uvicorn

    settings = settings_or_problem(
        web_workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    try:
        check_production(settings)
    except UnsafeSettings as exc:
        raise UsageProblem(str(exc)) from None
    _check_files(settings)
    message = _prepare(settings, demo)
    if message:
        typer.echo(message, err=True)
    # The server builds the app itself from the environment (in every worker process); the CLI never
    # imports the web layer. The options given here reach the workers through that environment.
    export_to_environment(settings, SERVED_SETTINGS)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=settings.web_workers,
        log_level="info",
        proxy_headers=False,  # the app reads X-Forwarded-* itself, from trusted proxies only
        ssl_certfile=settings.ssl_certfile or None,
        ssl_keyfile=settings.ssl_keyfile or None,
    )
