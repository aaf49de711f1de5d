"""Day scheduling: greedy versus CP-SAT on generated MS center days (`python -m benchmarks.scheduling`)."""

from benchmarks.scheduling.table import main

__all__ = ["main"]
