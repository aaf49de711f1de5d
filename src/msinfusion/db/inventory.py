"""What a database holds, table by table: row counts and a checksum of every row, to compare two copies.

A checksum is the SHA-256 of each row's values as canonical JSON, rows in primary-key order, so two
databases of the same back-end that hold the same data give the same figures. A backup records the
inventory of the exact snapshot it copied; a restore compares the restored database against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select


@dataclass(frozen=True)
class TableFigures:
    """One table's row count and checksum."""

    rows: int
    checksum: str


@dataclass(frozen=True)
class Inventory:
    """Row count and checksum per table, by table name."""

    tables: dict[str, TableFigures]

    def to_json(self) -> dict[str, Any]:
        return {name: {"rows": f.rows, "checksum": f.checksum} for name, f in sorted(self.tables.items())}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inventory:
        return cls({name: TableFigures(int(f["rows"]), str(f["checksum"])) for name, f in data.items()})

    @property
    def total_rows(self) -> int:
        return sum(f.rows for f in self.tables.values())

    def differences(self, other: Inventory) -> list[str]:
        """Each table whose figures differ between ``self`` (expected) and ``other`` (found), in words."""
        found: list[str] = []
        for name in sorted(set(self.tables) | set(other.tables)):
            mine, theirs = self.tables.get(name), other.tables.get(name)
            if mine is None or theirs is None:
                found.append(f"table {name} is {'missing' if theirs is None else 'unexpected'}")
            elif mine.rows != theirs.rows:
                found.append(f"table {name} has {theirs.rows} rows, expected {mine.rows}")
            elif mine.checksum != theirs.checksum:
                found.append(f"table {name} has {theirs.rows} rows as expected but different contents")
        return found


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _table_figures(connection: Connection, table: Table) -> TableFigures:
    order = list(table.primary_key.columns) or list(table.columns)
    digest = hashlib.sha256()
    rows = 0
    for row in connection.execute(select(table).order_by(*order)):
        rows += 1
        digest.update(json.dumps([_plain(v) for v in row], sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return TableFigures(rows, digest.hexdigest())


def table_names(connection: Connection) -> list[str]:
    """Every table of the database's default schema."""
    return sorted(inspect(connection).get_table_names())


def take(connection: Connection, names: Iterable[str] | None = None) -> Inventory:
    """The inventory of every table (or of ``names``) as ``connection``'s transaction sees them."""
    metadata = MetaData()
    wanted = table_names(connection) if names is None else sorted(names)
    return Inventory(
        {name: _table_figures(connection, Table(name, metadata, autoload_with=connection)) for name in wanted}
    )


def holds_rows(connection: Connection) -> bool:
    """True when any table other than Alembic's version stamp has a row."""
    metadata = MetaData()
    for name in table_names(connection):
        if name == "alembic_version":
            continue
        table = Table(name, metadata, autoload_with=connection)
        if connection.execute(select(1).select_from(table).limit(1)).first() is not None:
            return True
    return False
