"""The `msinfusion` command line: a thin shell over the core.

Each command group lives in its own module and registers itself on :data:`app` when imported here.
Bad input exits with status 2 and one line naming the problem; never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

# Command modules register their commands on `app` when imported (one line per module).
from msinfusion.cli import audit as _audit  # noqa: F401
from msinfusion.cli import backup as _backup  # noqa: F401
from msinfusion.cli import booking as _booking  # noqa: F401
from msinfusion.cli import catalog as _catalog  # noqa: F401
from msinfusion.cli import demo as _demo  # noqa: F401
from msinfusion.cli import dosing as _dosing  # noqa: F401
from msinfusion.cli import plan as _plan  # noqa: F401
from msinfusion.cli import reminders as _reminders  # noqa: F401
from msinfusion.cli import schedule as _schedule  # noqa: F401
from msinfusion.cli import serve as _serve  # noqa: F401
from msinfusion.cli import users as _users  # noqa: F401
from msinfusion.cli import worker as _worker  # noqa: F401
from msinfusion.cli._app import UsageProblem, app

__all__ = ["app", "main"]

try:  # typer >= 0.29 carries its own copy of click; older releases use click itself
    from typer._click import exceptions as _errors
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as _errors  # type: ignore[no-redef]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status instead of raising."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="msinfusion", standalone_mode=False)
    except UsageProblem as problem:
        print(f"msinfusion: error: {problem}", file=sys.stderr)
        return 2
    except _errors.NoArgsIsHelpError:
        return 2  # the help text has already been printed
    except _errors.UsageError as exc:
        message = " ".join(exc.format_message().split())
        print(f"msinfusion: error: {message}", file=sys.stderr)
        return 2
    except _errors.ClickException as exc:
        print(f"msinfusion: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return 1
    except typer.Abort:
        print("msinfusion: aborted", file=sys.stderr)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code)
    except BrokenPipeError:
        return 1
    return int(result) if isinstance(result, int) else 0
