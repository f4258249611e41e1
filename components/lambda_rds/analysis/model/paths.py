"""Can a packet get from A to B: VPCs, security groups (both ends, stateful) and NACLs (both ends, stateless).

Pure evaluation over a ``Model``; ``checks/reachability/`` turns the answers into verdicts. Every answer
carries the evidence that made it pass, or the exact piece that is missing and how to add it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lambda_rds.analysis.model.values import ANY_IPV4, Network, contains
from lambda_rds.analysis.model.views import Model, NatGateway, NetworkAcl, RouteTable, SgRule, Subnet

Status = Literal["pass", "fail", "unknown"]

# Clients pick their source port from an ephemeral range and a stateless NACL must let the replies back in
# to it. For a client whose range is not documented (an RDS Proxy) one port of it is probed.
EPHEMERAL_PORT = 49152
# The source ports a Lambda function's connections use, to which every reply is addressed: "AWS Lambda
# functions use ports 1024-65535" (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
# A NACL admitting only part of it (say 32768-65535) times out the connections whose port falls outside.
LAMBDA_REPLY_PORTS = (1024, 65535)


@dataclass
class PathResult:
    status: Status
    evidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def merge(self, other: PathResult) -> PathResult:
        order = {"fail": 2, "unknown": 1, "pass": 0}
        status = self.status if order[self.status] >= order[other.status] else other.status
        return PathResult(
            status,
            self.evidence + other.evidence,
            self.missing + other.missing,
            self.fixes + other.fixes,
            self.unknown + other.unknown,
        )


@dataclass(frozen=True)
class Endpoint:
    """One side of a connection: where its ENIs live and which groups they wear."""

    label: str
    subnet_ids: tuple[str, ...]
    sg_ids: tuple[str, ...]
    # The source ports its connections use (the replies' destination), inclusive; None: not documented,
    # EPHEMERAL_PORT is probed. A function's is LAMBDA_REPLY_PORTS.
    reply_ports: tuple[int, int] | None = None


def _sg_label(model: Model, sg_id: str) -> str:
    sg = model.sgs.get(sg_id)
    return f"{sg.name} ({sg_id})" if sg else sg_id


def _cidrs(model: Model, subnet_ids: Sequence[str]) -> list[Network] | None:
    """The subnets' CIDRs, or None when any is unknown (a rule by CIDR cannot be judged then)."""
    nets = []
    for sid in subnet_ids:
        s = model.subnets.get(sid)
        if s is None or s.cidr is None:
            return None
        nets.append(s.cidr)
    return nets


def rule_matches_peer(rule: SgRule, peer_sgs: Sequence[str], peer_cidrs: list[Network] | None) -> bool:
    """The rule names one of the peer's groups, or a CIDR that covers every peer subnet."""
    if set(rule.peer_sg_ids) & set(peer_sgs):
        return True
    if not rule.cidrs:
        return False
    if peer_cidrs is None:
        # Unknown peer addresses: only an all-addresses rule certainly matches.
        return any(c.prefixlen == 0 for c in rule.cidrs)
    return all(any(contains(c, p) for c in rule.cidrs) for p in peer_cidrs)


def sg_allows(
    model: Model,
    own_sgs: Sequence[str],
    egress: bool,
    port: int,
    peer_sgs: Sequence[str],
    peer_cidrs: list[Network] | None,
) -> tuple[SgRule | None, str | None]:
    """The first rule of ``own_sgs`` that lets tcp ``port`` out to / in from the peer; or why not."""
    for gid in own_sgs:
        sg = model.sgs.get(gid)
        if sg is None:
            continue
        for rule in sg.egress if egress else sg.ingress:
            if rule.allows_port("tcp", port) and rule_matches_peer(rule, peer_sgs, peer_cidrs):
                return rule, None
    return None, None


def _unknown_groups(model: Model, sgs: Sequence[str]) -> list[str]:
    return [g for g in sgs if g not in model.sgs]


def tcp_path(model: Model, src: Endpoint, dst: Endpoint, port: int) -> PathResult:
    """Whether ``src`` can open a TCP connection to ``dst`` on ``port`` inside AWS networking."""
    result = PathResult("pass")
    result = result.merge(_vpc_check(model, src, dst))
    if not src.sg_ids:
        result = result.merge(PathResult("fail", missing=[f"{src.label} has no security group"]))
    if not dst.sg_ids:
        result = result.merge(PathResult("fail", missing=[f"{dst.label} has no security group"]))
    if result.status == "fail":
        return result
    unknown = _unknown_groups(model, src.sg_ids) + _unknown_groups(model, dst.sg_ids)
    if unknown:
        return result.merge(
            PathResult(
                "unknown", unknown=[f"security groups not in the program: {', '.join(sorted(unknown))}"]
            )
        )
    src_cidrs = _cidrs(model, src.subnet_ids)
    dst_cidrs = _cidrs(model, dst.subnet_ids)
    egress_rule, _ = sg_allows(model, src.sg_ids, True, port, dst.sg_ids, dst_cidrs)
    if egress_rule:
        result.evidence.append(
            f"{src.label} SG {_sg_label(model, egress_rule_owner(model, src.sg_ids, egress_rule))} "
            "egress allows "
            f"{egress_rule.describe()}"
        )
    else:
        sg = src.sg_ids[0]
        result = result.merge(
            PathResult(
                "fail",
                missing=[
                    f"no egress rule on {src.label}'s security groups "
                    f"({', '.join(_sg_label(model, g) for g in src.sg_ids)}) allows tcp {port} to {dst.label}"
                ],
                fixes=[
                    f"add aws.vpc.SecurityGroupEgressRule(security_group_id={sg}, ip_protocol='tcp', "
                    f"from_port={port}, to_port={port}, referenced_security_group_id={dst.sg_ids[0]})"
                ],
            )
        )
    ingress_rule, _ = sg_allows(model, dst.sg_ids, False, port, src.sg_ids, src_cidrs)
    if ingress_rule:
        result.evidence.append(
            f"{dst.label} SG "
            f"{_sg_label(model, egress_rule_owner(model, dst.sg_ids, ingress_rule, ingress=True))} "
            f"ingress allows {ingress_rule.describe()}"
        )
    else:
        sg = dst.sg_ids[0]
        result = result.merge(
            PathResult(
                "fail",
                missing=[
                    f"no ingress rule on {dst.label}'s security groups "
                    f"({', '.join(_sg_label(model, g) for g in dst.sg_ids)}) allows tcp {port} from "
                    f"{src.label}'s "
                    f"security group ({', '.join(src.sg_ids)}) or all of its subnets"
                ],
                fixes=[
                    f"add aws.vpc.SecurityGroupIngressRule(security_group_id={sg}, ip_protocol='tcp', "
                    f"from_port={port}, to_port={port}, referenced_security_group_id={src.sg_ids[0]})"
                ],
            )
        )
    return result.merge(nacl_path(model, src, dst, port))


def egress_rule_owner(model: Model, sgs: Sequence[str], rule: SgRule, ingress: bool = False) -> str:
    for gid in sgs:
        sg = model.sgs.get(gid)
        if sg and rule in (sg.ingress if ingress else sg.egress):
            return gid
    return sgs[0]


def _vpc_check(model: Model, src: Endpoint, dst: Endpoint) -> PathResult:
    src_vpcs = model.vpc_of_subnets(src.subnet_ids)
    dst_vpcs = model.vpc_of_subnets(dst.subnet_ids)
    if not src_vpcs or not dst_vpcs:
        return PathResult(
            "pass",
            evidence=[
                f"VPC of {src.label if not src_vpcs else dst.label} not in the program: assumed shared"
            ],
        )
    common = src_vpcs & dst_vpcs
    if common:
        vpc = sorted(common)[0]
        name = model.vpcs[vpc].name if vpc in model.vpcs else vpc
        return PathResult("pass", evidence=[f"same VPC {name} ({vpc}): the local route connects the subnets"])
    peer_routes = []
    forward: list[tuple[RouteTable, str]] = []
    dst_cidrs = _cidrs(model, dst.subnet_ids) or []
    for sid in src.subnet_ids:
        rt = model.route_table_for(sid)
        if rt is None:
            continue
        for route in rt.routes:
            if route.target in ("peering", "tgw") and dst_cidrs and all(route.covers(c) for c in dst_cidrs):
                peer_routes.append(f"{rt.name}: {route.destination} -> {route.target_id}")
                forward.append((rt, route.target_id))
    if peer_routes and len(peer_routes) >= len(src.subnet_ids):
        joined = PathResult(
            "pass", evidence=[f"different VPCs joined by {', '.join(sorted(set(peer_routes)))}"]
        )
        return joined.merge(_return_routes(model, src, dst, forward[0][1]))
    return PathResult(
        "fail",
        missing=[
            f"{src.label} is in VPC {', '.join(sorted(src_vpcs))} but {dst.label} is in VPC "
            f"{', '.join(sorted(dst_vpcs))}, with no peering or transit gateway route between them"
        ],
        fixes=[f"attach {src.label} to subnets of VPC {', '.join(sorted(dst_vpcs))}"],
    )


def _return_routes(model: Model, src: Endpoint, dst: Endpoint, via: str) -> PathResult:
    """Across VPCs the replies need the route back: each of ``dst``'s subnets must route ``src``'s subnets
    through a peering connection or transit gateway too ("add a route to the route tables associated with
    the subnets for both instances":
    https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html). ``via``: the forward route's
    target, offered for the return route. A subnet whose route table is not known is not judged."""
    src_cidrs = _cidrs(model, src.subnet_ids)
    if not src_cidrs:
        return PathResult("pass")
    result = PathResult("pass")
    for sid in dst.subnet_ids:
        rt = model.route_table_for(sid)
        if rt is None:
            continue
        back = {
            str(c): r
            for c in src_cidrs
            if (r := next((r for r in rt.routes if r.target in ("peering", "tgw") and r.covers(c)), None))
        }
        uncovered = [c for c in src_cidrs if str(c) not in back]
        if not uncovered:
            result.evidence.extend(
                f"route back: {rt.name}: {r.destination} -> {r.target_id}" for r in back.values()
            )
            continue
        result = result.merge(
            PathResult(
                "fail",
                missing=[
                    f"{dst.label} subnet {sid}: route table {rt.name} ({rt.id}) has no route back to "
                    f"{src.label}'s subnets {', '.join(str(c) for c in uncovered)} through a peering "
                    "connection or transit gateway: the replies are dropped"
                ],
                fixes=[f"add route {c} -> {via} to {rt.id} (the return route)" for c in uncovered],
            )
        )
    result.evidence = list(dict.fromkeys(result.evidence))
    return result


def uncovered_ports(
    nacl: NetworkAcl, egress: bool, peer: Network, ports: tuple[int, int]
) -> list[tuple[int, int]]:
    """The ranges within ``ports`` (inclusive) that ``nacl`` does not allow for TCP with ``peer``.

    The NACL's decision is the same for every port between two consecutive rule bounds, so one port of each
    such segment decides it (``NetworkAcl.decide``: first matching rule in number order, as AWS does)."""
    low, high = ports
    cuts = {low, high + 1}
    for e in nacl.entries:
        if e.egress == egress and e.from_port is not None and e.to_port is not None:
            cuts |= {p for p in (e.from_port, e.to_port + 1) if low < p <= high}
    gaps: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(sorted(cuts)):
        if nacl.decide(egress, "tcp", start, peer)[0]:
            continue
        if gaps and gaps[-1][1] == start - 1:
            gaps[-1] = (gaps[-1][0], end - 1)
        else:
            gaps.append((start, end - 1))
    return gaps


def _port_ranges(gaps: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in gaps)


def _nacl_label(nacl: NetworkAcl) -> str:
    return nacl.name if nacl.name == nacl.id else f"{nacl.name} ({nacl.id})"


def nacl_reply(
    nacl: NetworkAcl, label: str, sid: str, egress: bool, peer: Network, client: Endpoint
) -> PathResult:
    """The replies of a connection cross ``nacl`` (on ``label``'s subnet ``sid``): inbound to the client,
    outbound from the server (``egress``), to the client's source ports (``client.reply_ports``), every one
    of them (None: the one probe EPHEMERAL_PORT). A gap names the ports it leaves out."""
    ports = client.reply_ports
    if ports is None:
        ok, why = nacl.decide(egress, "tcp", EPHEMERAL_PORT, peer)
        if ok:
            return PathResult("pass")
        return PathResult(
            "fail",
            missing=[f"{label} subnet {sid}: {why} ({peer})"],
            fixes=[_nacl_fix(nacl.id, egress, EPHEMERAL_PORT, peer)],
        )
    gaps = uncovered_ports(nacl, egress, peer, ports)
    if not gaps:
        return PathResult("pass")
    low, high = ports
    way = "outbound to" if egress else "inbound from"
    whole = gaps == [(low, high)]
    consequence = (
        "no reply gets through"
        if whole
        else "the connections whose source port falls there time out (intermittently)"
    )
    return PathResult(
        "fail",
        missing=[
            f"{label} subnet {sid}: {_nacl_label(nacl)} does not allow TCP {way} {peer} on ports "
            f"{_port_ranges(gaps)} of the {low}-{high} {client.label} takes its source ports from (the "
            f"replies arrive there): {consequence}"
        ],
        fixes=[_nacl_fix(nacl.id, egress, low, peer, high)],
    )


def nacl_path(model: Model, src: Endpoint, dst: Endpoint, port: int) -> PathResult:
    """Stateless NACLs: the request out and in, and the replies (to ``src``'s source ports) back."""
    result = PathResult("pass")
    src_cidrs = _cidrs(model, src.subnet_ids)
    dst_cidrs = _cidrs(model, dst.subnet_ids)
    checked = False
    sides = (
        (src, src.subnet_ids, dst_cidrs, True),
        (dst, dst.subnet_ids, src_cidrs, False),
    )
    for side, subnet_ids, peers, is_client in sides:
        for sid in subnet_ids:
            nacl = model.nacl_for(sid)
            if nacl is None or not peers:
                continue
            checked = True
            for peer in peers:
                # The request leaves the client (egress) and enters the server (ingress) on ``port``.
                ok, why = nacl.decide(is_client, "tcp", port, peer)
                if not ok:
                    result = result.merge(
                        PathResult(
                            "fail",
                            missing=[f"{side.label} subnet {sid}: {why} ({peer})"],
                            fixes=[_nacl_fix(nacl.id, is_client, port, peer)],
                        )
                    )
                # The replies leave the server (egress) and enter the client (ingress).
                result = result.merge(nacl_reply(nacl, side.label, sid, not is_client, peer, src))
    if result.status == "pass":
        result.evidence.append(
            "network ACLs allow the request and its replies"
            if checked
            else "network ACLs: VPC default (allow all)"
        )
    return result


def _nacl_fix(nacl_id: str, egress: bool, port: int, peer: Network, to_port: int | None = None) -> str:
    if to_port is not None:
        ports = f"from_port={port}, to_port={to_port}"
    elif port == EPHEMERAL_PORT:
        # The one probed port stands for the range; the fix opens the widest range clients use.
        ports = f"from_port={LAMBDA_REPLY_PORTS[0]}, to_port={LAMBDA_REPLY_PORTS[1]}"
    else:
        ports = f"from_port={port}, to_port={port}"
    return (
        f"add aws.ec2.NetworkAclRule(network_acl_id={nacl_id}, egress={egress}, protocol='tcp', "
        f"rule_action='allow', cidr_block='{peer}', {ports}) before any deny"
    )


def internet_egress(model: Model, src: Endpoint, port: int = 443) -> PathResult:
    """Can ``src`` reach a public AWS endpoint through a NAT gateway: a zonal one in a subnet routed to an
    IGW, or a regional one in a VPC with an internet gateway."""
    result = PathResult("pass")
    if not src.subnet_ids:
        return PathResult("fail", missing=[f"{src.label} is not attached to any subnet"])
    for sid in src.subnet_ids:
        result = result.merge(_subnet_to_internet(model, src.label, sid, port))
    if result.status == "fail":
        return result
    rule, _ = sg_allows(model, src.sg_ids, True, port, (), [ANY_IPV4])
    unknown = _unknown_groups(model, src.sg_ids)
    if unknown:
        return result.merge(
            PathResult("unknown", unknown=[f"security groups not in the program: {', '.join(unknown)}"])
        )
    if rule is None:
        return result.merge(
            PathResult(
                "fail",
                missing=[f"no egress rule on {src.label}'s security groups allows tcp {port} to 0.0.0.0/0"],
                fixes=[
                    "add aws.vpc.SecurityGroupEgressRule("
                    f"security_group_id={src.sg_ids[0] if src.sg_ids else '?'}, "
                    f"ip_protocol='tcp', from_port={port}, to_port={port}, cidr_ipv4='0.0.0.0/0')"
                ],
            )
        )
    result.evidence.append(f"{src.label} SG egress allows {rule.describe()}")
    for sid in src.subnet_ids:
        nacl = model.nacl_for(sid)
        if nacl is None:
            continue
        ok, why = nacl.decide(True, "tcp", port, ANY_IPV4)
        if not ok:
            result = result.merge(
                PathResult(
                    "fail",
                    missing=[f"subnet {sid}: {why}"],
                    fixes=[_nacl_fix(nacl.id, True, port, ANY_IPV4)],
                )
            )
        result = result.merge(nacl_reply(nacl, src.label, sid, False, ANY_IPV4, src))
    return result


def _regional_nat_egress(
    model: Model, subnet_name: str, sid: str, subnet_vpc: str | None, nat: NatGateway
) -> PathResult:
    """A regional NAT gateway has no subnet: AWS gives it its own route table with a route to the VPC's
    internet gateway, so what must hold is the VPC having one attached
    (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html; "A NAT gateway must be
    created in a VPC with an internet gateway": .../nat-gateway-troubleshooting.html)."""
    vpc = nat.vpc_id or subnet_vpc
    if nat.vpc_id and subnet_vpc and nat.vpc_id != subnet_vpc:
        return PathResult(
            "fail",
            missing=[
                f"subnet {subnet_name} ({sid}) is in {subnet_vpc} but regional NAT gateway {nat.name} "
                f"serves {nat.vpc_id}"
            ],
            fixes=[f"route 0.0.0.0/0 to a NAT gateway in {subnet_vpc}"],
        )
    igw = next((g for g, v in model.igws.items() if v is not None and v == vpc), None)
    if igw is None:
        if any(v is None for v in model.igws.values()):
            return PathResult(
                "unknown", unknown=[f"the VPC of internet gateway(s) for {nat.name} is not known yet"]
            )
        return PathResult(
            "fail",
            missing=[
                f"regional NAT gateway {nat.name} is in VPC {vpc}, which has no internet gateway attached "
                "(its traffic has nowhere to go)"
            ],
            fixes=[f"attach an internet gateway: aws.ec2.InternetGateway(vpc_id='{vpc}')"],
        )
    return PathResult(
        "pass",
        evidence=[
            f"subnet {subnet_name} -> regional NAT gateway {nat.name} ({nat.id}, availabilityMode "
            f"regional, VPC level) -> internet gateway {igw}"
        ],
    )


def _nat_instance_egress(model: Model, subnet: Subnet, eni_id: str, port: int) -> PathResult:
    """A default route to a network interface: a NAT instance (resources/nat_instance.py). What must
    hold, each named when missing: the interface is in the program with an instance behind it;
    source/destination checking is off on both (sources.EC2_NAT_INSTANCE); it sits in a public subnet
    with an Elastic IP; its security groups admit tcp ``port`` from the subnet's CIDR and let it out to
    0.0.0.0/0. What runs on the instance (forwarding, masquerading) is not in a plan: not judged."""
    eni = model.enis.get(eni_id)
    if eni is None:
        return PathResult(
            "unknown",
            unknown=[f"network interface {eni_id} (the default route's target) is not in the program"],
        )
    where = f"subnet {subnet.name} -> NAT instance interface {eni.name}"
    missing: list[str] = []
    fixes: list[str] = []
    if eni.instance is None:
        missing.append(f"{where}: no instance is attached to {eni.name}, so nothing forwards the traffic")
        fixes.append(f"launch the NAT instance with {eni.name} as its primary network interface")
    if eni.source_dest_check:
        missing.append(
            f"{where}: source/destination check is on for {eni.name}; EC2 drops the packets it would "
            "forward (neither from nor to its own address)"
        )
        fixes.append(f"set source_dest_check=False on {eni.name}")
    if eni.instance is not None and eni.instance_source_dest_check:
        missing.append(f"{where}: source/destination check is on for instance {eni.instance}")
        # Not "set source_dest_check=False on the instance": with primary_network_interface the provider
        # refuses it (ConflictsWith, sources.TF_INSTANCE_PRIMARY_ENI_SOURCE_DEST_CHECK).
        fixes.append(
            f"attach {eni.name} to {eni.instance} through network_interfaces (device_index 0) and set no "
            "source_dest_check on the instance: the interface's setting then rules"
        )
    if eni.subnet_id is None or not model.is_public_subnet(eni.subnet_id):
        missing.append(
            f"{where}: {eni.name} is in subnet {eni.subnet_id}, whose default route is not an "
            "internet gateway"
        )
        fixes.append(f"put {eni.name} in a public subnet (0.0.0.0/0 to the VPC's internet gateway)")
    if eni.public_ip is None:
        missing.append(f"{where}: {eni.name} has no Elastic IP, so its traffic cannot leave the VPC")
        fixes.append(f"aws.ec2.Eip(domain='vpc', network_interface=<{eni.name}>.id)")
    unknown = _unknown_groups(model, eni.sg_ids)
    if unknown:
        return PathResult(
            "unknown", unknown=[f"security groups not in the program: {', '.join(unknown)}"]
        ).merge(PathResult("fail", missing=missing, fixes=fixes) if missing else PathResult("pass"))
    source = [subnet.cidr] if subnet.cidr is not None else None
    inbound, _ = sg_allows(model, eni.sg_ids, False, port, (), source)
    if inbound is None:
        missing.append(
            f"{where}: the security groups of {eni.name} admit no tcp {port} from "
            f"{subnet.cidr or subnet.name}"
        )
        fixes.append(f"allow tcp {port} in from {subnet.cidr or 'the private subnets'} on {eni.name}'s group")
    outbound, _ = sg_allows(model, eni.sg_ids, True, port, (), [ANY_IPV4])
    if outbound is None:
        missing.append(f"{where}: the security groups of {eni.name} let no tcp {port} out to 0.0.0.0/0")
        fixes.append(f"allow tcp {port} out to 0.0.0.0/0 on {eni.name}'s group")
    if missing:
        return PathResult("fail", missing=missing, fixes=fixes)
    return PathResult(
        "pass",
        evidence=[
            f"{where} ({eni.id}, instance {eni.instance}, source/destination check off, Elastic IP "
            f"{eni.public_ip}) in public subnet {eni.subnet_id}; its group admits tcp {port}"
        ],
    )


def _subnet_to_internet(model: Model, label: str, sid: str, port: int = 443) -> PathResult:
    subnet = model.subnets.get(sid)
    if subnet is None:
        return PathResult("unknown", unknown=[f"subnet {sid} is not in the program"])
    rt = model.route_table_for(sid)
    default = None
    if rt is not None:
        default = next((r for r in rt.routes if r.destination is not None and r.covers(ANY_IPV4)), None)
    if default is None:
        return PathResult(
            "fail",
            missing=[f"{label}: subnet {subnet.name} ({sid}) has no default route (0.0.0.0/0)"],
            fixes=[
                f"route 0.0.0.0/0 from {rt.name if rt else 'its route table'} to a NAT gateway (a regional "
                "one, or a zonal one in a public subnet)"
            ],
        )
    if default.target == "igw":
        return PathResult(
            "fail",
            missing=[
                f"{label}: subnet {subnet.name} ({sid}) routes 0.0.0.0/0 to internet gateway "
                f"{default.target_id}; "
                "Lambda ENIs never get a public IP, so this route leads nowhere"
            ],
            fixes=["move the function to private subnets whose default route goes to a NAT gateway"],
        )
    if default.target == "nat-instance":
        return _nat_instance_egress(model, subnet, default.target_id, port)
    if default.target == "nat":
        nat = model.nats.get(default.target_id)
        if nat is None:
            return PathResult("unknown", unknown=[f"NAT gateway {default.target_id} is not in the program"])
        if not nat.public:
            return PathResult("fail", missing=[f"NAT gateway {nat.name} is private (no internet egress)"])
        if nat.regional:
            return _regional_nat_egress(model, subnet.name, sid, subnet.vpc_id, nat)
        if nat.subnet_id is None or not model.is_public_subnet(nat.subnet_id):
            return PathResult(
                "fail",
                missing=[
                    f"NAT gateway {nat.name} sits in subnet {nat.subnet_id} whose default route is not "
                    "an internet gateway"
                ],
                fixes=[
                    f"route 0.0.0.0/0 from the route table of {nat.subnet_id} to the VPC's internet gateway"
                ],
            )
        return PathResult(
            "pass",
            evidence=[
                f"subnet {subnet.name} -> NAT gateway {nat.name} ({nat.id}) in public subnet {nat.subnet_id}"
            ],
        )
    return PathResult(
        "unknown",
        unknown=[
            f"subnet {subnet.name}: default route to {default.target} {default.target_id} is not modelled"
        ],
    )
