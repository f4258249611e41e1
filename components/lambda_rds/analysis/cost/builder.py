"""The cost line builder: one priced line from a quantity and the price-book keys that price it."""

from __future__ import annotations

from lambda_rds.analysis.cost.model import CostLine, Kind
from lambda_rds.analysis.cost.prices import PriceBook, worst_grade


class LineBuilder:
    """The estimate's lines in order; a line without a price in the book is kept, unpriced."""

    def __init__(self, book: PriceBook) -> None:
        self.book = book
        self.lines: list[CostLine] = []

    def add(
        self,
        resource: str,
        rtype: str,
        item: str,
        kind: Kind,
        quantity: float,
        unit: str,
        keys: tuple[str, ...],
        *,
        factor: float = 1.0,
        note: str | None = None,
        assumed: str | None = None,
    ) -> None:
        """A line priced at the product of the named prices times ``factor`` per unit of quantity.

        ``assumed``: where the quantity comes from when the stack does not give it (e.g. an image's root
        volume size): the line is then grade C at best (flagged) and its source says so.
        """
        prices = [self.book.get(k) for k in keys]
        if any(p is None for p in prices):
            missing = [k for k, p in zip(keys, prices, strict=True) if p is None]
            self.lines.append(
                CostLine(
                    resource,
                    rtype,
                    item,
                    kind,
                    quantity,
                    unit,
                    None,
                    None,
                    keys,
                    f"no price in the book for {', '.join(missing)} ({self.book.region})",
                    "C",
                    note,
                )
            )
            return
        unit_price = factor
        for p in prices:
            assert p is not None
            unit_price *= p.usd
        grade = worst_grade(*(p.grade for p in prices if p), *(("C",) if assumed else ()))
        source = "; ".join(f"{p.key}: {p.source}" for p in prices if p)
        if assumed:
            source += f"; quantity assumed: {assumed}"
        self.lines.append(
            CostLine(
                resource,
                rtype,
                item,
                kind,
                quantity,
                unit,
                unit_price,
                quantity * unit_price,
                keys,
                source,
                grade,
                note,
            )
        )
