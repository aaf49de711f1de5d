"""The CLI reference in Markdown, generated from the commands' own help (`docs/cli.md`).

Run `python -m msinfusion.cli.reference > docs/cli.md`; a test checks the file is current.
"""

from __future__ import annotations

from typing import Any

import typer.main

from msinfusion.cli import app


def _param_line(param: Any) -> str:
    names = ", ".join(f"`{o}`" for o in param.opts)
    if param.param_type_name == "argument":
        names = f"`{param.name.upper()}`"
    parts = [f"- {names}"]
    if getattr(param, "help", None):
        parts.append(f"— {param.help}")
    if param.required:
        parts.append("(required)")
    elif param.default not in (None, False, [], ()) and not callable(param.default):
        parts.append(f"(default: `{param.default}`)")
    if getattr(param, "multiple", False):
        parts.append("(repeatable)")
    return " ".join(parts)


def _command(lines: list[str], name: str, command: Any) -> None:
    subcommands: dict[str, Any] = getattr(command, "commands", None) or {}
    lines.append(f"## `msinfusion {name}`")
    lines.append("")
    lines.append((command.help or "").strip())
    lines.append("")
    params = [p for p in command.params if p.name != "help"]
    if params:
        lines.extend(_param_line(p) for p in params)
        lines.append("")
    for sub_name in sorted(subcommands):
        _command(lines, f"{name} {sub_name}", subcommands[sub_name])


def reference() -> str:
    """The whole reference as Markdown."""
    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python -m msinfusion.cli.reference`;",
        "a test fails when this file is out of date.",
        "",
    ]
    commands = getattr(root, "commands", {})
    for name in sorted(commands):
        _command(lines, name, commands[name])
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(reference(), end="")
