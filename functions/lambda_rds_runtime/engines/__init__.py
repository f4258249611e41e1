"""Engine adapters, imported on demand so a PostgreSQL function never imports PyMySQL and vice versa."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .contract import Engine


def load_engine(name: str) -> Engine:
    """The adapter for `postgres` or `mysql` (names already normalised by config.normalize_engine)."""
    if name == "postgres":
        from .postgres import PostgresEngine

        return PostgresEngine()
    if name == "mysql":
        from .mysql import MysqlEngine

        return MysqlEngine()
    raise ValueError(f"unknown engine {name!r}")
