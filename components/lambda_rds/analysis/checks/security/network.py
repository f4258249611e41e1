"""Security policies for VPCs, subnets' egress and security groups (FSBP ``EC2.*``, ``LR.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_DEFAULT_SG,
    T_EIP,
    T_FLOW_LOG,
    T_INSTANCE,
    T_LAUNCH_TEMPLATE,
    T_SG,
)
from lambda_rds.analysis.model.values import ANY_IPV4, as_bool, as_list, as_mapping, as_str, physical_id
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources

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
        if default is None or default.target not in ("nat", "nat-instance") or subnet.id not in by_id:
            continue
        # A NAT instance (its fixed interface) has a home AZ like a zonal NAT gateway.
        nat = m.nats.get(default.target_id) or m.enis.get(default.target_id)
        if nat is None or getattr(nat, "regional", False) or nat.subnet_id is None:
            continue
        home = m.subnets.get(nat.subnet_id)
        if home is None or home.az is None or subnet.az is None or home.az == subnet.az:
            continue
        if default.target == "nat-instance":
            yield (
                by_id[subnet.id],
                f"routes 0.0.0.0/0 from {subnet.az} to NAT instance {nat.name} in {home.az}: losing "
                f"{home.az} (or that one instance) cuts this subnet's egress; use nat_gateways 'per_az' "
                "(one NAT instance per AZ)",
            )
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


# ---- EC2 instances (NAT instances, resources/nat_instance.py; issue 22) ----------------------------------


@policy(
    "EC2.8",
    "EC2 instances use IMDSv2 (metadata options httpTokens required)",
    "high",
    mandatory=True,
    source=sources.FSBP_EC2,
    read_on="2026-12-06",
)
def _ec2_8(m: Model) -> Iterator[Violation]:
    # FSBP EC2.8 "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)": it fails when
    # HttpTokens is optional. RunInstances leaves it optional unless the image or account says otherwise
    # (InstanceMetadataOptionsRequest HttpTokens), so unset is a violation here.
    for r in m.of_type(T_INSTANCE):
        tokens = as_str(as_mapping(r.get("metadataOptions")).get("httpTokens"))
        if tokens != "required":
            yield r, f"metadataOptions.httpTokens is {tokens or 'unset'}: set it to 'required' (IMDSv2 only)"


@policy(
    "EC2.3",
    "EC2 instances' root and attached EBS volumes are encrypted",
    "medium",
    mandatory=True,
    source=sources.FSBP_EC2,
    read_on="2026-12-06",
)
def _ec2_3(m: Model) -> Iterator[Violation]:
    # FSBP EC2.3 "Attached Amazon EBS volumes should be encrypted at-rest". Unset follows the account's
    # EBS encryption-by-default, which the plan cannot see: a violation, named as such.
    templates = {physical_id(t): t for t in m.of_type(T_LAUNCH_TEMPLATE)}
    for r in m.of_type(T_INSTANCE):
        root = as_mapping(r.get("rootBlockDevice"))
        template = templates.get(as_str(as_mapping(r.get("launchTemplate")).get("id")) or "")
        encrypted = as_bool(root.get("encrypted"))
        # Set on the instance, it decides (it overrides the template's mapping); unset, the template does.
        if encrypted is False or (encrypted is None and not _template_encrypts_root(template, root)):
            yield r, "root volume not encrypted (set encrypted=True; unset follows the account default)"
        for dev in as_list(r.get("ebsBlockDevices")):
            if as_bool(as_mapping(dev).get("encrypted")) is not True:
                yield r, "EBS volume not encrypted (set encrypted=True; unset follows the account default)"


# EC2 reserves these names for the root device, "differs by AMI" (sources.EC2_DEVICE_NAMING).
_ROOT_DEVICE_NAMES = frozenset({"/dev/sda1", "/dev/xvda"})


def _template_encrypts_root(template: Resource | None, root: object) -> bool:
    """Whether the instance's launch template maps its root device to an encrypted EBS volume (the NAT
    instance sets it there: resources/nat_instance.py). The root device's name is the instance's when the
    provider reported it, else either name EC2 reserves for a root device."""
    if template is None:
        return False
    name = as_str(as_mapping(root).get("deviceName"))
    names = {name} if name else _ROOT_DEVICE_NAMES
    for mapping in as_list(template.get("blockDeviceMappings")):
        bdm = as_mapping(mapping)
        if as_str(bdm.get("deviceName")) in names:
            return as_bool(as_mapping(bdm.get("ebs")).get("encrypted")) is True
    return False


@policy(
    "LR.PUBLIC-IP-NAT-ONLY",
    "Only NAT instances' fixed interfaces hold public IPv4 addresses",
    "high",
    mandatory=True,
    source=sources.FSBP_EC2,
    read_on="2026-12-06",
)
def _public_ip_nat_only(m: Model) -> Iterator[Violation]:
    # FSBP EC2.9 ("EC2 instances should not have a public IPv4 address") would flag the NAT instance
    # itself; the component's rule is narrower: an address only on an interface a private route table
    # sends 0.0.0.0/0 to, with source/destination check off (a NAT), and nowhere else.
    nat_enis = {
        route.target_id
        for rt in m.route_tables.values()
        for route in rt.routes
        if route.target == "nat-instance" and route.destination is not None and route.covers(ANY_IPV4)
    }
    # What the program asked for (inputs), not what the provider reads back: once deployed, an instance
    # whose primary interface holds an Elastic IP reads associatePublicIpAddress=true, and that address
    # reads back the instance the interface is attached to (sources.TF_EIP_READ).
    for r in m.of_type(T_INSTANCE):
        if as_bool(r.inputs.get("associatePublicIpAddress")):
            yield r, "associatePublicIpAddress is on: the instance gets a public IPv4 address of its own"
    for r in m.of_type(T_EIP):
        if as_str(r.inputs.get("instance")):
            yield r, "Elastic IP associated with an instance directly (only a NAT interface may hold one)"
        eni_id = as_str(r.get("networkInterface"))
        eni = m.enis.get(eni_id or "")
        if eni_id and eni is not None and (eni_id not in nat_enis or eni.source_dest_check):
            yield (
                r,
                f"Elastic IP on interface {eni.name}, which is not a NAT instance's (no private "
                "default route to it)",
            )
