"""Checks that need facts from the account: the component looks them up, these decide."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lambda_rds.rules import facts_rds
from lambda_rds.settings.coerce import ConfigError
from lambda_rds.settings.model import Settings

# The filter the component passes to get_availability_zones: only zones that need no opt-in, i.e. the
# region's real Availability Zones, never Local Zones or Wavelength Zones the account opted into
# (DescribeAvailabilityZones filter `opt-in-status`: opt-in-not-required | opted-in | not-opted-in;
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html).
REAL_ZONES_FILTER_NAME = "opt-in-status"
REAL_ZONES_FILTER_VALUES: tuple[str, ...] = ("opt-in-not-required",)

# Zone ids of real AZs look like `use1-az1`; Local Zones `use1-bos1-az1`, Wavelength `use1-wl1-bos-wlz1`.
_AZ_ID = re.compile(r"^[a-z]+[0-9]+-az[0-9]+$")


def is_real_zone(name: str, zone_id: str, region: str) -> bool:
    """A region's own Availability Zone: named region + one letter (``us-east-1a``), id ``<r>-az<n>``.

    Local Zones (``us-east-1-bos-1a``) and Wavelength Zones are named region + ``-…`` and would sort
    before the real zones (``-`` < ``a``): a defence in depth behind the invoke's opt-in filter.
    """
    return bool(re.fullmatch(re.escape(region) + r"[a-z]", name)) and bool(_AZ_ID.match(zone_id))


def choose_zones(
    settings: Settings, zone_names: Sequence[str], zone_ids: Sequence[str], region: str
) -> list[str]:
    """The first ``az_count`` real AZ names, in name order, never one where RDS Proxy cannot run.

    Stable under config edits: the candidate list depends only on the region, so AZ index ``i`` is
    always the same zone (turning the proxy on, or raising ``az_count``, keeps existing subnets where
    they are and only appends zones).
    """
    candidates = sorted(
        (name, zid)
        for name, zid in zip(zone_names, zone_ids, strict=False)
        if is_real_zone(name, zid, region)
    )
    if settings.network.availability_zones:
        return _pinned(settings, dict(candidates), region)
    # Zones where RDS Proxy cannot run are skipped whether or not `proxy` is on: turning the proxy on later
    # must not move a subnet, which would replace it while RDS and Lambda ENIs sit in it.
    usable = [name for name, zid in candidates if zid not in facts_rds.PROXY_UNSUPPORTED_ZONE_IDS]
    if settings.az_count > len(usable):
        skipped = [f"{n} ({z})" for n, z in candidates if z in facts_rds.PROXY_UNSUPPORTED_ZONE_IDS]
        why = f" (skipping {', '.join(skipped)}, where RDS Proxy cannot run)" if skipped else ""
        raise ConfigError(
            "az_count",
            f"{settings.az_count} is more than region {region} offers{why}: "
            f"{len(usable)} available ({', '.join(usable)})",
        )
    return usable[: settings.az_count]


def _pinned(settings: Settings, zone_ids: Mapping[str, str], region: str) -> list[str]:
    """The pinned zones, as given, once each is known to be a real AZ of the region (and one RDS Proxy can
    run in, when the proxy is on: pinned zones are never moved silently, so this is an error)."""
    for i, name in enumerate(settings.network.availability_zones):
        key = f"network.availability_zones[{i}]"
        if name not in zone_ids:
            raise ConfigError(
                key, f"{name!r} is not an available AZ of region {region}; available: {', '.join(zone_ids)}"
            )
        if settings.proxy and zone_ids[name] in facts_rds.PROXY_UNSUPPORTED_ZONE_IDS:
            raise ConfigError(
                key,
                f"{name!r} is {zone_ids[name]}, where RDS Proxy cannot run; the proxy needs its subnets "
                "elsewhere (moving a subnet replaces it: plan that as a migration)",
            )
    return list(settings.network.availability_zones)


def check_subnet_zones(subnet_zones: Mapping[str, str]) -> None:
    """Bring-your-own subnets must span at least 2 AZs (RDS subnet groups and RDS Proxy require it)."""
    zones = sorted(set(subnet_zones.values()))
    if len(zones) < 2:
        raise ConfigError(
            "network.private_subnet_ids",
            f"all {len(subnet_zones)} subnet(s) are in {', '.join(zones) or 'no AZ'}; "
            "at least 2 AZs are required",
        )
