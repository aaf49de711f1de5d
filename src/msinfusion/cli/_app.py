"""The root Typer application that every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

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


def console(stderr: bool = False) -> Console:
    """A Rich console; wide when the output is a file or pipe, so tables are not squeezed."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=200)
