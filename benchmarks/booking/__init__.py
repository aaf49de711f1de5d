"""Regimen booking: a generated 500-patient MS center year, levelled plan versus the naive plan.

Run: `.venv/bin/python -m benchmarks.booking [--patients N] [--months M] [--seed S] [--time-limit S]
[--hours 07:00-19:00] [--chairs N]`
"""

from benchmarks.booking.table import main

__all__ = ["main"]
