"""Importing the pure core loads no web, database or CLI framework."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "msinfusion.therapies",
    "msinfusion.titration",
    "msinfusion.regimens",
    "msinfusion.periods",
    "msinfusion.doses",
    "msinfusion.lifetime_caps",
    "msinfusion.dose_records",
    "msinfusion.dose_checks",
    "msinfusion.dose_matching",
    "msinfusion.reactions",
    "msinfusion.visits",
    "msinfusion.center",
    "msinfusion.card",
    "msinfusion.limits",
    "msinfusion.screening",
    "msinfusion.preparation",
    "msinfusion.preparation.builders",
    "msinfusion.plan",
    "msinfusion.board",
    "msinfusion.prescriptions",
    "msinfusion.passwords",
    "msinfusion.accounts",
    "msinfusion.mfa",
    "msinfusion.i18n",
    "msinfusion.scheduling",
    "msinfusion.scheduling.edits",
    "msinfusion.scheduling.load",
    "msinfusion.booking",
    "msinfusion.scheduling.addon",
    "msinfusion.scheduling.promises",
    "msinfusion.scheduling.repair",
    "msinfusion.scheduling.durations",
    "msinfusion.scheduling.simulation",
    "msinfusion.scheduling.levelling",
    "msinfusion.scheduling.neighbourhoods",
    "msinfusion.scheduling.lexicographic",
    "msinfusion.scheduling.anytime",
    "msinfusion.scheduling.preference_lns",
    "msinfusion.scheduling.preference_relaxation",
    "msinfusion.scheduling.progress",
    "msinfusion.scheduling.budget",
    "msinfusion.exports.ical",
    "msinfusion.exports.fhir",
    "msinfusion.reminders",
    "msinfusion.reminders.rules",
    "msinfusion.reminders.messages",
    "msinfusion.reminders.tokens",
]
FRAMEWORKS = ["fastapi", "starlette", "sqlalchemy", "alembic", "typer", "click", "rich", "uvicorn", "psycopg"]


def _loaded(modules: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('\\n'.join(sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in result.stdout.split()}


@pytest.mark.parametrize("module", CORE)
def test_importing_a_core_module_loads_no_framework(module: str) -> None:
    assert _loaded([module]) & set(FRAMEWORKS) == set()


def test_the_calendar_core_does_not_even_load_the_solver_or_templates() -> None:
    loaded = _loaded(["msinfusion.therapies", "msinfusion.regimens", "msinfusion.visits"])
    assert loaded & {"ortools", "jinja2", *FRAMEWORKS} == set()
