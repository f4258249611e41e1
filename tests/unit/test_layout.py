import ipaddress

import pytest
from lambda_rds.rules import layout


def test_layout_is_a_stable_contract() -> None:
    # These exact CIDRs are the compatibility promise: changing them replaces users' subnets.
    got = [(s.private_cidr, s.public_cidr) for s in layout.layout("10.0.0.0/16", 3)]
    assert got == [
        ("10.0.0.0/20", "10.0.240.0/24"),
        ("10.0.16.0/20", "10.0.241.0/24"),
        ("10.0.32.0/20", "10.0.242.0/24"),
    ]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.20.0.0/18", "192.168.16.0/20"])
def test_adding_an_az_never_renumbers(cidr: str) -> None:
    for n in range(2, layout.MAX_AZS):
        assert layout.layout(cidr, n) == layout.layout(cidr, n + 1)[:n]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.1.0.0/17", "172.16.0.0/20"])
def test_subnets_are_inside_the_vpc_and_disjoint(cidr: str) -> None:
    vpc = ipaddress.ip_network(cidr)
    nets = [
        ipaddress.ip_network(c)
        for s in layout.layout(cidr, layout.MAX_AZS)
        for c in (s.private_cidr, s.public_cidr)
    ]
    assert all(n.subnet_of(vpc) for n in nets)  # type: ignore[arg-type]
    for i, a in enumerate(nets):
        for b in nets[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    assert min(n.prefixlen for n in nets) >= vpc.prefixlen
    assert max(n.prefixlen for n in nets) <= 28  # AWS's smallest subnet


@pytest.mark.parametrize(
    "cidr,reason",
    [
        ("10.0.0.0/8", "allowed /16 to /20"),
        ("10.0.0.0/24", "allowed /16 to /20"),
        ("10.0.0.1/16", "host bits"),
        ("8.8.0.0/16", "private range"),
        ("fd00::/48", "IPv6"),
        ("banana", "CIDR notation"),
    ],
)
def test_bad_cidrs_are_rejected_with_the_reason(cidr: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        layout.parse_vpc_cidr(cidr)
