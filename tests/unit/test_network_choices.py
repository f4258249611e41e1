"""Where the network goes: pinned AZs keep a stack created by an older lambda-rds (which could pick use1-az3
without a proxy) where it is and are never moved silently; NAT settings never silently ignored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lambda_rds.settings import ConfigError, resolve

from .conftest import Built

SUBNET = "aws:ec2/subnet:Subnet"


def _private_zones(b: Built) -> list[str]:
    private = sorted((r for r in b.all(SUBNET) if "-private-" in r.name), key=lambda r: r.name)
    return [r.inputs["availabilityZone"] for r in private]


def test_pinned_zones_are_used_as_given_even_use1_az3_without_a_proxy(build: Callable[..., Built]) -> None:
    b = build(
        {"network": {"availability_zones": ["us-east-1e", "us-east-1a"]}, "database": {"protect": False}}
    )
    assert _private_zones(b) == ["us-east-1e", "us-east-1a"]  # us-east-1e is use1-az3 in the mock account


def test_pinned_use1_az3_with_a_proxy_is_refused_not_moved(build: Callable[..., Built]) -> None:
    with pytest.raises(ConfigError, match=r"network\.availability_zones\[0\].*use1-az3.*RDS Proxy"):
        build({"proxy": True, "network": {"availability_zones": ["us-east-1e", "us-east-1a"]}})


def test_unknown_zone_is_refused_naming_the_available_ones(build: Callable[..., Built]) -> None:
    with pytest.raises(ConfigError, match=r"'us-east-1z' is not an available AZ.*us-east-1a"):
        build({"network": {"availability_zones": ["us-east-1a", "us-east-1z"]}})


def test_pin_and_az_count_must_agree() -> None:
    assert (
        resolve({"network": {"availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"]}}).az_count == 3
    )
    with pytest.raises(ConfigError, match="names 2 AZ"):
        resolve({"az_count": 3, "network": {"availability_zones": ["us-east-1a", "us-east-1b"]}})
    for bad in (["us-east-1a", "us-east-1a"], ["use1-az1", "us-east-1b"]):
        with pytest.raises(ConfigError, match=r"network\.availability_zones"):
            resolve({"network": {"availability_zones": bad}})


@pytest.mark.parametrize("mode", ["single", "per_az", "regional"])
def test_nat_gateways_with_a_brought_vpc_is_refused_not_ignored(mode: str) -> None:
    network = {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1", "subnet-2"]}
    with pytest.raises(ConfigError, match=r"nat_gateways.*bring-your-own"):
        resolve({"egress": "nat", "nat_gateways": mode, "network": network})
    assert resolve({"egress": "nat", "network": network}).nat_gateway_count == 0
