"""Checks that need facts from the account: the component looks them up, these decide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lambda_rds.settings.coerce import ConfigError
from lambda_rds.settings.model import Settings

# Availability Zones (by zone id) where RDS Proxy cannot run (REFERENCE.md: us-east-1 use1-az3).
PROXY_UNSUPPORTED_ZONE_IDS = frozenset({"use1-az3"})


def choose_zones(
    settings: Settings, zone_names: Sequence[str], zone_ids: Sequence[str], region: str
) -> list[str]:
    """The first ``az_count`` usable AZ names, skipping zones where RDS Proxy cannot run when it is on."""
    usable = [
        name
        for name, zid in zip(zone_names, zone_ids, strict=False)
        if not (settings.proxy and zid in PROXY_UNSUPPORTED_ZONE_IDS)
    ]
    if settings.az_count > len(usable):
        why = " where RDS Proxy can run" if settings.proxy and len(usable) < len(zone_names) else ""
        raise ConfigError(
            "az_count",
            f"{settings.az_count} is more than region {region} offers{why}: "
            f"{len(usable)} available ({', '.join(usable)})",
        )
    return usable[: settings.az_count]


def check_subnet_zones(subnet_zones: Mapping[str, str]) -> None:
    """Bring-your-own subnets must span at least 2 AZs (RDS subnet groups and RDS Proxy require it)."""
    zones = sorted(set(subnet_zones.values()))
    if len(zones) < 2:
        raise ConfigError(
            "network.private_subnet_ids",
            f"all {len(subnet_zones)} subnet(s) are in {', '.join(zones) or 'no AZ'}; "
            "at least 2 AZs are required",
        )
