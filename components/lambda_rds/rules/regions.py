"""Availability Zones per Region of the `aws` partition, as data with its sources (``regions.json``).

What is fixed, and what is not (AWS "AZ IDs" page): an AZ ID (``use1-az1``) is the same physical zone in
every account; an AZ *name* (``us-east-1a``) is per account in the Regions AWS maps independently (the
oldest ones: us-east-1, us-west-1, us-west-2, ap-southeast-1, ap-southeast-2, ap-northeast-1, eu-west-1,
sa-east-1, for accounts created before November 2025). Facts about zones are therefore keyed by AZ ID
(``rds_proxy_unsupported_zone_ids``), never by name.

``zone_ids`` is AWS's table of AZ IDs per Region. ``mock_zones`` is what the mocks answer for a new
account: (name, AZ ID) pairs, deterministic, from one account's record of DescribeAvailabilityZones where
one was found (``mock_names_from`` says which; in an independently mapped Region any account may see other
names for the same ids), minus the AZ IDs not offered to new accounts (``not_offered_to_new_accounts``).
Local Zones and Wavelength Zones are not in this data: they are never chosen (`settings.zones`).

Pure: reads the JSON next to this module once, no AWS call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("regions.json")


class UnknownRegionError(ValueError):
    """A Region this data has no Availability Zones for (a typo, another partition, or a Region newer
    than the data). The message names the Region and the known ones."""

    def __init__(self, region: str, known: list[str], note: str = "") -> None:
        why = f" ({note})" if note else ""
        super().__init__(
            f"aws:region: no Availability Zone data for region {region!r}{why}; known regions of the aws "
            f"partition: {', '.join(known)}"
        )
        self.region = region


@dataclass(frozen=True)
class RegionZones:
    """One Region's Availability Zones. ``mock_zones``: (name, AZ ID) pairs in name order, e.g.
    ``(("eu-west-1a", "euw1-az2"), ...)``; ``zone_ids``: every AZ ID AWS lists for the Region."""

    region: str
    zone_ids: tuple[str, ...]
    mock_zones: tuple[tuple[str, str], ...]
    independently_mapped: bool
    mock_names_from: str
    not_offered_to_new_accounts: tuple[str, ...] = ()
    rds_proxy_unsupported_zone_ids: frozenset[str] = frozenset()


@cache
def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return loaded


def _entry(region: str, raw: Mapping[str, Any]) -> RegionZones:
    return RegionZones(
        region=region,
        zone_ids=tuple(raw["zone_ids"]),
        mock_zones=tuple((str(n), str(i)) for n, i in raw["mock_zones"]),
        independently_mapped=bool(raw["independently_mapped"]),
        mock_names_from=str(raw["mock_names_from"]),
        not_offered_to_new_accounts=tuple(raw.get("not_offered_to_new_accounts", ())),
        rds_proxy_unsupported_zone_ids=frozenset(raw.get("rds_proxy_unsupported_zone_ids", ())),
    )


@cache
def all_regions() -> Mapping[str, RegionZones]:
    """Every Region with data, by name."""
    return {name: _entry(name, raw) for name, raw in _document()["regions"].items()}


def unknown_regions() -> Mapping[str, str]:
    """Regions named in the data as having no sourced AZ table, with why (empty when every Region of the
    partition is covered)."""
    return dict(_document().get("unknown_regions", {}))


def sources() -> Mapping[str, str]:
    """Where each field comes from (URLs and repository paths), and ``retrieved``: the date read."""
    doc = _document()
    return {**doc["sources"], "retrieved": doc["retrieved"]}


def region_zones(region: str) -> RegionZones:
    """The Region's zones; ``UnknownRegionError`` (naming the Region) for one without data.

    >>> region_zones("eu-west-1").zone_ids
    ('euw1-az1', 'euw1-az2', 'euw1-az3')
    >>> region_zones("eu-west-9")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lambda_rds.rules.regions.UnknownRegionError: aws:region: no Availability Zone data ... 'eu-west-9'...
    """
    found = all_regions().get(region)
    if found is None:
        raise UnknownRegionError(region, sorted(all_regions()), unknown_regions().get(region, ""))
    return found


def rds_proxy_unsupported_zone_ids() -> frozenset[str]:
    """AZ IDs where RDS Proxy cannot run, over every Region (AZ IDs are unique across Regions)."""
    out: frozenset[str] = frozenset()
    for zones in all_regions().values():
        out |= zones.rds_proxy_unsupported_zone_ids
    return out


def partition_of(region: str) -> str:
    """The ARN partition of a Region (`aws`, `aws-cn`, `aws-us-gov`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
