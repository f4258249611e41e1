"""Subnet layout: a pure, stable function from (VPC CIDR, AZ index) to subnet CIDRs.

Stability is the contract (pulumi-awsx's lesson: a layout change replaces subnets, and everything in
them). Each AZ index owns fixed blocks, so adding AZ 3 never renumbers AZs 0-2, and the same inputs give
the same CIDRs in every version. The VPC is cut into 16 equal blocks:

- blocks 0-5: private subnets, one per AZ index (a /20 each in a /16: 4,091 usable addresses, room for
  Lambda's Hyperplane ENIs, the database and the proxy);
- block 15: cut into 16 small public subnets, one per AZ index (a /24 each in a /16), used only when NAT
  gateways need a public home;
- blocks 6-14 are left free for you.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_AZS = 6
MIN_VPC_PREFIX = 16  # the largest VPC AWS allows
MAX_VPC_PREFIX = 20  # public subnets are then /28, AWS's smallest subnet


@dataclass(frozen=True)
class AzSubnets:
    index: int
    private_cidr: str
    public_cidr: str


def parse_vpc_cidr(cidr: str) -> ipaddress.IPv4Network:
    """Validate a VPC CIDR; raises ValueError with the reason."""
    try:
        net = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise ValueError(
            f"{cidr!r} is not an IPv4 network in CIDR notation with host bits zero ({exc})"
        ) from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise ValueError(f"{cidr!r} is IPv6; the VPC needs an IPv4 CIDR")
    if not MIN_VPC_PREFIX <= net.prefixlen <= MAX_VPC_PREFIX:
        raise ValueError(
            f"{cidr!r} has prefix /{net.prefixlen}; allowed /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"
        )
    if not net.is_private:
        raise ValueError(f"{cidr!r} is not in a private range (10/8, 172.16/12, 192.168/16)")
    return net


def az_subnets(vpc_cidr: str, index: int) -> AzSubnets:
    """The subnets of AZ number ``index`` (0-based). Independent of how many AZs there are."""
    if not 0 <= index < MAX_AZS:
        raise ValueError(f"AZ index {index} out of range 0..{MAX_AZS - 1}")
    net = parse_vpc_cidr(vpc_cidr)
    blocks = list(net.subnets(prefixlen_diff=4))
    public_pool = list(blocks[15].subnets(prefixlen_diff=4))
    return AzSubnets(index, str(blocks[index]), str(public_pool[index]))


def layout(vpc_cidr: str, az_count: int) -> list[AzSubnets]:
    """Subnets for AZs ``0..az_count-1``."""
    return [az_subnets(vpc_cidr, i) for i in range(az_count)]
