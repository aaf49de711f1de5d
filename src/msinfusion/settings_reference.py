"""The settings reference: one row per setting, read from :class:`msinfusion.settings.Settings`.

``python -m msinfusion.settings > docs/settings.md`` prints :func:`reference`; a test checks the file is
current and that every setting has a row with a description.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from pydantic.fields import FieldInfo

from msinfusion.settings import Settings, env_name


@dataclass(frozen=True)
class Setting:
    """One row of the settings reference: name, environment variable, default and help."""

    name: str
    env: str
    default: str
    help: str


def settings_table() -> tuple[Setting, ...]:
    """Every setting, read from the model: the one table the reference and the tests use."""
    rows = []
    for name, field in Settings.model_fields.items():
        rows.append(Setting(name, env_name(name), _shown(field), field.description or ""))
    return tuple(rows)


def _shown(field: FieldInfo) -> str:
    default = field.default
    if isinstance(default, datetime.time):
        return default.strftime("%H:%M")
    return str(int(default)) if isinstance(default, float) and default.is_integer() else str(default)


def reference() -> str:
    """``docs/settings.md``: the settings table in Markdown, generated from the model."""
    lines = [
        "# Settings reference",
        "",
        "Generated from `src/msinfusion/settings.py` by `make docs`; a test checks it is current.",
        "The environment beats `.env`, which beats the default.",
        "",
        "| environment variable | default | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{s.env}` | `{s.default}` | {s.help} |" for s in settings_table()]
    return "\n".join(lines) + "\n"
