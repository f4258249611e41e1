"""The price book: figures, units, sources and confidence grades, from the package's data file.

``prices/<region>.json`` is copied from the project's reference prices. Grades: A = AWS Price List record or
Infracost golden output, B = two independent secondary sources, C = a single secondary source or derived
(unconfirmed: every cost line that uses a grade-C figure is flagged in the report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources

GRADE_ORDER = {"A": 0, "B": 1, "C": 2}


@dataclass(frozen=True)
class Price:
    key: str
    unit: str
    usd: float
    grade: str
    source: str


@dataclass(frozen=True)
class PriceBook:
    region: str
    currency: str
    hours_per_month: float
    prices: dict[str, Price]

    def get(self, key: str) -> Price | None:
        return self.prices.get(key)


def worst_grade(*grades: str) -> str:
    return max(grades, key=lambda g: GRADE_ORDER.get(g, 2)) if grades else "A"


@lru_cache(maxsize=4)
def load(region: str = "us-east-1") -> PriceBook:
    """Load the price book shipped in the package for ``region`` (only us-east-1 so far)."""
    path = importlib_resources.files("lambda_rds.analysis.cost").joinpath("prices", f"{region}.json")
    if not path.is_file():
        raise FileNotFoundError(f"no price data for region {region!r} (lambda_rds/analysis/cost/prices/)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    meta = doc["_meta"]
    prices = {
        p["key"]: Price(p["key"], p["unit"], float(p["usd"]), p.get("conf", "C"), p.get("src", ""))
        for p in doc["prices"]
    }
    return PriceBook(meta["region"], meta["currency"], float(meta["hours_per_month"]), prices)
