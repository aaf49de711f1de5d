"""The root Typer application that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="msinfusion",
    help="Plan, prepare and schedule intravenous therapy for multiple sclerosis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class UsageProblem(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


@app.callback()
def _root() -> None:
    """Plan, prepare and schedule intravenous therapy for multiple sclerosis."""
