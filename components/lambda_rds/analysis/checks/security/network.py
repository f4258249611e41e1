"""Security policies for VPCs, subnets' egress and security groups (FSBP ``EC2.*``, ``LR.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_DEFAULT_SG, T_FLOW_LOG, T_SG
from lambda_rds.analysis.model.values import ANY_IPV4, as_str
from lambda_rds.analysis.model.views import Model

REGISTRY = Registry()
policy = REGISTRY.policy


@policy("EC2.2", "VPC default security groups allow no traffic", "medium", mandatory=False)
def _ec2_2(m: Model) -> Iterator[Violation]:
    managed = {sg.vpc_id for sg in m.sgs.values() if sg.is_default}
    for sg in m.sgs.values():
        if sg.is_default and (sg.ingress or sg.egress):
            res = next(r for r in m.resources if r.type == T_DEFAULT_SG and r.name == sg.name)
            yield res, "the default security group has rules"
    for r in m.of_type("aws:ec2/vpc:Vpc"):
        if (r.id or None) not in managed:
            yield (
                r,
                "default security group left with AWS's allow rules (adopt it with "
                "aws.ec2.DefaultSecurityGroup, no rules)",
            )


@policy("EC2.6", "VPC flow logging is enabled", "medium", mandatory=False, scope="prod")
def _ec2_6(m: Model) -> Iterator[Violation]:
    logged = {as_str(r.get("vpcId")) for r in m.of_type(T_FLOW_LOG)}
    for r in m.of_type("aws:ec2/vpc:Vpc"):
        if r.id not in logged:
            yield r, "no aws.ec2.FlowLog for this VPC"


@policy(
    "LR.NAT-SAME-AZ",
    "Private subnets leave through a NAT gateway in their own AZ, or a regional one",
    "low",
    mandatory=False,
    scope="prod",
    source="https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html",
)
def _nat_same_az(m: Model) -> Iterator[Violation]:
    # AWS: "If you have resources in multiple Availability Zones and they share one NAT gateway, and if the
    # NAT gateway's Availability Zone is down, resources in the other Availability Zones lose internet
    # access." A regional NAT gateway (availabilityMode regional) is in every AZ with ENIs routed to it
    # (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html).
    by_id = {r.id: r for r in m.resources if r.type == "aws:ec2/subnet:Subnet"}
    for subnet in m.subnets.values():
        rt = m.route_table_for(subnet.id)
        default = (
            next((r for r in rt.routes if r.destination is not None and r.covers(ANY_IPV4)), None)
            if rt is not None
            else None
        )
        if default is None or default.target != "nat" or subnet.id not in by_id:
            continue
        nat = m.nats.get(default.target_id)
        if nat is None or nat.regional or nat.subnet_id is None:
            continue
        home = m.subnets.get(nat.subnet_id)
        if home is None or home.az is None or subnet.az is None or home.az == subnet.az:
            continue
        yield (
            by_id[subnet.id],
            f"routes 0.0.0.0/0 from {subnet.az} to NAT gateway {nat.name} in {home.az}: losing {home.az} "
            "cuts this subnet's egress (and its traffic pays cross-AZ transfer); use nat_gateways 'per_az' "
            "or 'regional' (the same hourly price for the same AZs)",
        )


def _open_ingress(m: Model) -> Iterator[tuple[Resource, int | None, int | None, str]]:
    by_id = {r.id: r for r in m.resources if r.type in (T_SG, T_DEFAULT_SG)}
    for sg in m.sgs.values():
        res = by_id.get(sg.id)
        if res is None:
            continue
        for rule in sg.ingress:
            if any(c.prefixlen == 0 for c in rule.cidrs):
                lo, hi = (None, None) if rule.protocol == "all" else (rule.from_port, rule.to_port)
                yield res, lo, hi, rule.describe()


def _covers(lo: int | None, hi: int | None, port: int) -> bool:
    return lo is None or hi is None or lo <= port <= hi


@policy("EC2.13", "Security groups do not allow 0.0.0.0/0 or ::/0 to port 22", "high", mandatory=True)
def _ec2_13(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if _covers(lo, hi, 22):
            yield res, f"open ingress: {text}"


@policy("EC2.14", "Security groups do not allow 0.0.0.0/0 or ::/0 to port 3389", "high", mandatory=True)
def _ec2_14(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if _covers(lo, hi, 3389):
            yield res, f"open ingress: {text}"


_AUTHORIZED_OPEN = {80, 443}
_HIGH_RISK = (
    20,
    21,
    22,
    23,
    25,
    110,
    135,
    143,
    445,
    1433,
    1434,
    3000,
    3306,
    3389,
    4333,
    5000,
    5432,
    5500,
    5601,
    8080,
    8088,
    8888,
    9200,
    9300,
)


@policy("EC2.18", "Unrestricted ingress only on authorized ports (80, 443)", "high", mandatory=True)
def _ec2_18(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if lo is None or hi is None or not (lo == hi and lo in _AUTHORIZED_OPEN):
            yield res, f"open ingress beyond 80/443: {text}"


@policy("EC2.19", "No unrestricted ingress to high-risk ports", "critical", mandatory=True)
def _ec2_19(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        hits = [p for p in _HIGH_RISK if _covers(lo, hi, p)]
        if hits:
            yield res, f"open ingress to high-risk port(s) {', '.join(map(str, hits[:6]))}: {text}"


@policy(
    "LR.SG-BY-REFERENCE",
    "Database and proxy ingress names the client's security group, not a CIDR",
    "medium",
    mandatory=False,
)
def _sg_reference(m: Model) -> Iterator[Violation]:
    by_id = {r.id: r for r in m.resources if r.type in (T_SG, T_DEFAULT_SG)}
    targets: list[tuple[tuple[str, ...], int]] = [(db.sg_ids, db.port) for db in m.databases]
    targets += [(p.sg_ids, p.port) for p in m.proxies]
    seen: set[str] = set()
    for sg_ids, port in targets:
        for gid in sg_ids:
            sg = m.sgs.get(gid)
            if sg is None or gid in seen:
                continue
            for rule in sg.ingress:
                if rule.cidrs and rule.allows_port("tcp", port) and gid in by_id:
                    seen.add(gid)
                    yield (
                        by_id[gid],
                        (
                            f"ingress on {port} by CIDR ({', '.join(map(str, rule.cidrs))}, "
                            f"{rule.origin}): any host in that "
                            "range may connect; reference the function's security group instead"
                        ),
                    )
                    break
