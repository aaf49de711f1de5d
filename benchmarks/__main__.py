"""Run every benchmark (or the ones named: `python -m benchmarks calendars scheduling`)."""

from __future__ import annotations

import importlib
import sys

ALL = ["audit_writers", "backup_drill", "board", "booking", "calendars", "scheduling"]


def main(names: list[str]) -> None:
    for name in names or ALL:
        print(f"== benchmarks.{name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        module.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
