"""The CLI reference in docs/ is generated from the commands and kept current."""

from __future__ import annotations

from pathlib import Path

import typer.main

from msinfusion.cli import app
from msinfusion.cli.reference import reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_docs_cli_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run `.venv/bin/python -m msinfusion.cli.reference > docs/cli.md`"
    )


def test_every_command_is_documented_with_help() -> None:
    root = typer.main.get_command(app)
    text = reference()
    for name, command in getattr(root, "commands", {}).items():
        assert f"## `msinfusion {name}`" in text
        assert (command.help or "").strip(), f"{name} has no help text"
