"""What a statement returns, independent of the driver."""

from __future__ import annotations


class Result:
    """Rows (tuples), the affected row count and, on MySQL, the AUTO_INCREMENT id of an INSERT."""

    __slots__ = ("lastrowid", "rowcount", "rows")

    def __init__(self, rows: list[tuple[object, ...]], rowcount: int, lastrowid: int | None = None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def __repr__(self) -> str:
        return f"Result(rows={len(self.rows)}, rowcount={self.rowcount}, lastrowid={self.lastrowid})"
