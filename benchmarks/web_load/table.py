"""The figures of one load run, per page, and the table they print as."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PageStats:
    """What locust measured for one page over the measured window (warm-up excluded)."""

    page: str
    path: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    target_p95_ms: float | None

    @property
    def verdict(self) -> str:
        """'met'/'MISSED' against the p95 target ('-' without one); a run with failures never meets it."""
        if self.target_p95_ms is None:
            return "-"
        met = self.requests > 0 and self.failures == 0 and self.p95_ms < self.target_p95_ms
        return f"{'met' if met else 'MISSED'} (<{self.target_p95_ms:g})"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageStats:
        return cls(**data)


@dataclass(frozen=True)
class SignIns:
    """Sign-ins before measuring: how many were tried and refused, their p95 and the first errors."""

    requests: int
    failures: int
    p95_ms: float
    errors: list[str]


@dataclass(frozen=True)
class LoadRun:
    """One back-end's run as the locust process reports it (one JSON line)."""

    users: int
    signed_in: int
    seconds: float
    sign_in: SignIns
    pages: list[PageStats]
    errors: list[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadRun:
        return cls(
            users=data["users"],
            signed_in=data["signed_in"],
            seconds=data["seconds"],
            sign_in=SignIns(**data["sign_in"]),
            pages=[PageStats.from_json(row) for row in data["pages"]],
            errors=list(data["errors"]),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def complete(self) -> bool:
        """Every user signed in and every page answered, without failures."""
        return self.signed_in == self.users and all(p.requests > 0 and p.failures == 0 for p in self.pages)


HEADER = ("page", "path", "requests", "failures", "RPS", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95 target")


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def format_table(title: str, rows: list[PageStats]) -> str:
    """A plain-text table with a title line; numbers right-aligned, names left-aligned."""
    cells = [
        [
            row.page,
            row.path,
            str(row.requests),
            str(row.failures),
            f"{row.rps:.1f}",
            _ms(row.p50_ms),
            _ms(row.p95_ms),
            _ms(row.p99_ms),
            _ms(row.max_ms),
            row.verdict,
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [list(HEADER), *cells]) for i in range(len(HEADER))]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.ljust(width) if i in (0, 1, 9) else value.rjust(width)
            for i, (value, width) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    return "\n".join([title, line(list(HEADER)), *(line(c) for c in cells)])
