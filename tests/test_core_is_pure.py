"""Importing the pure core loads no web, database or CLI framework."""

from __future__ import annotations

import subprocess
import sys

CORE = ["msinfusion.therapies", "msinfusion.titration", "msinfusion.regimens", "msinfusion.visits"]
FORBIDDEN = [
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "typer",
    "click",
    "rich",
    "uvicorn",
    "jinja2",
    "psycopg",
    "ortools",
]


def test_importing_the_core_loads_no_framework() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
