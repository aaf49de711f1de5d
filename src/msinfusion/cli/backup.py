"""`msinfusion backup` and `msinfusion restore`: an online copy of the database and its checked return."""

from __future__ import annotations

from pathlib import Path

import typer

from msinfusion.cli._app import UsageProblem, app
from msinfusion.settings import load_settings

_URL_HELP = "Database URL (default: the database_url setting)"


def _url(database_url: str | None) -> str:
    return database_url or load_settings().database_url


@app.command("backup")
def backup(
    out: Path = typer.Argument(..., help="New file to write; its manifest goes to OUT.manifest.json"),
    database_url: str | None = typer.Option(None, "--database-url", help=_URL_HELP),
) -> None:
    """Copy the database while it is in use (SQLite online backup, PostgreSQL pg_dump) with a manifest."""
    from msinfusion.db import backup as backups

    try:
        manifest = backups.backup(_url(database_url), out)
    except backups.BackupInputError as exc:
        raise UsageProblem(str(exc)) from None
    except backups.BackupFailed as exc:
        typer.echo(f"msinfusion: error: {exc}", err=True)
        raise typer.Exit(1) from None
    chain = "intact" if manifest.chain.intact else "BROKEN"
    typer.echo(
        f"backup: {out} ({manifest.backend}), {len(manifest.inventory.tables)} tables, "
        f"{manifest.inventory.total_rows} rows, audit chain {chain} ({manifest.chain.entries} entries); "
        f"manifest {backups.manifest_path(out)}"
    )


@app.command("restore")
def restore(
    source: Path = typer.Argument(..., metavar="IN", help="A file written by `msinfusion backup`"),
    database_url: str | None = typer.Option(None, "--database-url", help=_URL_HELP),
    force: bool = typer.Option(False, "--force", help="Replace a database that already holds data"),
) -> None:
    """Replace an empty database by a backup, then check it against the backup's manifest."""
    from msinfusion.db import backup as backups

    try:
        report = backups.restore(_url(database_url), source, force=force)
    except backups.BackupInputError as exc:
        raise UsageProblem(str(exc)) from None
    except backups.BackupFailed as exc:
        typer.echo(f"msinfusion: error: {exc}", err=True)
        raise typer.Exit(1) from None
    if not report.ok:
        typer.echo(f"msinfusion: error: restored, but {'; '.join(report.differences)}", err=True)
        raise typer.Exit(1)
    checked = "matches its manifest" if report.manifest else "has no manifest to compare with"
    typer.echo(
        f"restore: {source} -> {len(report.inventory.tables)} tables, {report.inventory.total_rows} rows, "
        f"audit chain intact ({report.chain.entries} entries); the copy {checked}"
    )
