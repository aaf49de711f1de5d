"""The `msinfusion` command line: a thin shell over the core.

Each command group lives in its own module and registers itself on :data:`app` when imported here.
Bad input exits with status 2 and one line naming the problem; never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
import typer

from msinfusion.cli._app import UsageProblem, app

# Command modules register their commands on `app` when imported (one line per module).
from msinfusion.cli import catalog as _catalog  # noqa: E402,F401
from msinfusion.cli import dosing as _dosing  # noqa: E402,F401

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status instead of raising."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="msinfusion", standalone_mode=False)
    except UsageProblem as problem:
        print(f"msinfusion: error: {problem}", file=sys.stderr)
        return 2
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return 2
    except click.UsageError as exc:
        message = exc.format_message().replace("\n", " ")
        print(f"msinfusion: error: {message}", file=sys.stderr)
        return 2
    except click.Abort:
        print("msinfusion: aborted", file=sys.stderr)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return int(result) if isinstance(result, int) else 0
