"""A center's overrides of catalog defaults, applied to a therapy.

An override names a value by its path in the data file (as :func:`all_facts` lists them, e.g.
``observation[1].minutes``) and gives the center's value. The result is a new, validated therapy in
which that value has status ``center`` and a note keeping the catalog default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from msinfusion.therapies.catalog import all_facts
from msinfusion.therapies.model import Therapy

_STEP = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")


class OverrideError(ValueError):
    """An override that names no value of the therapy or does not fit the value's type."""


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        found = _STEP.findall(part)
        if not found or "".join(n or f"[{i}]" for n, i in found) != part:
            raise OverrideError(f"{path!r} is not a value path like 'observation[1].minutes'")
        steps.extend(name if name else int(index) for name, index in found)
    return steps


def apply_overrides(therapy: Therapy, overrides: Mapping[str, Any]) -> Therapy:
    """``therapy`` with each overridden value replaced; raises :class:`OverrideError` for a bad one."""
    if not overrides:
        return therapy
    facts = dict(all_facts(therapy))
    data = therapy.model_dump(mode="json")
    for path, value in overrides.items():
        if path not in facts:
            raise OverrideError(f"{therapy.id} has no value at {path!r}")
        default = facts[path]
        node: Any = data
        steps = _steps(path)
        for step in steps[:-1]:
            node = node[step]
        node[steps[-1]] = {
            "value": value,
            "source": default.source,
            "status": "center",
            "note": f"center override; catalog default {default.value} ({default.status.value})",
        }
    try:
        return Therapy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise OverrideError(f"{therapy.id}: {where}: {error['msg']}") from None
