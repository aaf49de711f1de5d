"""`msinfusion audit verify`: check the hash chains of the audit trail and name the first broken link."""

from __future__ import annotations

import typer

from msinfusion.cli._app import UsageProblem, app
from msinfusion.settings import load_settings

audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    database_url: str | None = typer.Option(
        None, "--database-url", help="Database URL (default: the database_url setting)"
    ),
) -> None:
    """Verify every audit chain; print each chain's head (keep them elsewhere), or the first broken link."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from msinfusion.db import Database, audit
    from msinfusion.db.audit_models import AuditChainHead

    url = database_url or load_settings().database_url
    try:
        database = Database.connect(url)
    except ArgumentError:
        raise UsageProblem(f"not a database URL: {url!r}") from None
    try:
        if not inspect(database.engine).has_table(AuditChainHead.__tablename__):
            raise UsageProblem("no audit trail in this database: run `msinfusion serve` or the migrations first")
        with database.read_session() as db:
            report = audit.verify(db)
    except SQLAlchemyError as exc:
        typer.echo(f"msinfusion: error: {' '.join(str(getattr(exc, 'orig', None) or exc).split())}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    if not report.intact:
        typer.echo(
            f"msinfusion: error: audit chain broken at entry {report.first_broken_id}: {report.reason}", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {report.checked} entries in {len(report.heads)} chains")
    for chain, head in report.heads.items():
        typer.echo(f"chain {chain} head {head}")
