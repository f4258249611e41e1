"""The price book: figures, units, sources and confidence grades, per region, from the package's data files.

``prices/<region>.json``: us-east-1 is copied from the project's reference prices; the other bundled regions
(us-east-2, us-west-2, eu-west-1, eu-west-2, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1,
ca-central-1) hold only the keys a source was found for in that region. A key absent from a region's file is
unpriced there: the estimate keeps the line, names it and shows no figure (never another region's price).
A region without a file loads as an empty book. ``lambda-rds prices --region R -o FILE`` builds a file from
the AWS Price List Query API and ``plan --prices FILE`` uses it (``load_file``).

Grades: A = AWS Price List record or Infracost golden output, B = two independent secondary sources, C = a
single secondary source or derived (unconfirmed: every cost line that uses a grade-C figure is flagged in the
report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

GRADE_ORDER = {"A": 0, "B": 1, "C": 2}
HOURS_PER_MONTH = 730.0
"""AWS's monthly hour convention (the us-east-1 book's ``hours_per_month``); used for an empty book too."""


class PriceFileError(ValueError):
    """A price file that cannot be used: unreadable, not JSON, malformed, or for another region."""


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
    origin: str = ""
    """Where the book came from: the bundled file's name, a user's file path, or why it is empty."""

    def get(self, key: str) -> Price | None:
        return self.prices.get(key)


def worst_grade(*grades: str) -> str:
    return max(grades, key=lambda g: GRADE_ORDER.get(g, 2)) if grades else "A"


def empty_book(region: str) -> PriceBook:
    """A book without prices: every cost line of a stack in ``region`` is listed as unpriced."""
    return PriceBook(region, "USD", HOURS_PER_MONTH, {}, f"no bundled prices for {region}")


def bundled_regions() -> list[str]:
    """The regions with a price file in the package, sorted (e.g. ``['ap-northeast-1', 'ca-central-1']``)."""
    folder = importlib_resources.files("lambda_rds.analysis.cost").joinpath("prices")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def parse(doc: Any, origin: str) -> PriceBook:
    """A price book from a parsed price file (``_meta`` + ``prices``); ``PriceFileError`` says why not."""
    if not isinstance(doc, dict) or not isinstance(doc.get("_meta"), dict):
        raise PriceFileError(
            f"price file {origin}: no '_meta' object (expected {{'_meta': ..., 'prices': [...]}})"
        )
    meta = doc["_meta"]
    region = meta.get("region")
    if not isinstance(region, str) or not region:
        raise PriceFileError(f"price file {origin}: '_meta.region' is missing (e.g. \"eu-west-1\")")
    entries = doc.get("prices")
    if not isinstance(entries, list):
        raise PriceFileError(f"price file {origin}: 'prices' must be a list of entries")
    prices: dict[str, Price] = {}
    for i, p in enumerate(entries):
        try:
            prices[str(p["key"])] = Price(
                str(p["key"]), str(p["unit"]), float(p["usd"]), str(p.get("conf", "C")), str(p.get("src", ""))
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PriceFileError(
                f"price file {origin}: entry {i} needs key, unit and a numeric usd ({exc!r})"
            ) from exc
    try:
        hours = float(meta.get("hours_per_month", HOURS_PER_MONTH))
    except (TypeError, ValueError) as exc:
        raise PriceFileError(f"price file {origin}: '_meta.hours_per_month' is not a number") from exc
    return PriceBook(region, str(meta.get("currency", "USD")), hours, prices, origin)


@lru_cache(maxsize=16)
def load(region: str = "us-east-1") -> PriceBook:
    """The price book shipped in the package for ``region`` (default us-east-1; example ``"eu-west-1"``).

    A region without a bundled file gives an empty book, so the plan lists every cost line as unpriced rather
    than borrowing another region's figures.
    """
    path = importlib_resources.files("lambda_rds.analysis.cost").joinpath("prices", f"{region}.json")
    if not path.is_file():
        return empty_book(region)
    book = parse(json.loads(path.read_text(encoding="utf-8")), f"prices/{region}.json")
    if book.region != region:  # a mislabelled bundled file would price the wrong region: refuse it
        raise PriceFileError(f"bundled prices/{region}.json says region {book.region!r}")
    return book


def load_file(path: Path, expected_region: str | None = None) -> PriceBook:
    """A price book from a user's file (``lambda-rds prices -o FILE``), e.g. ``Path("eu-west-1.json")``.

    ``expected_region``: the stack's region; a file for another region is refused with both named.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PriceFileError(f"price file {path}: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PriceFileError(f"price file {path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    book = parse(doc, str(path))
    if expected_region is not None and book.region != expected_region:
        raise PriceFileError(
            f"price file {path} is for region {book.region}, but the stack is in {expected_region}; "
            f"build one with `lambda-rds prices --region {expected_region} -o FILE`"
        )
    return book
