"""Can a packet get from A to B: VPCs, security groups (both ends, stateful) and NACLs (both ends, stateless).

Pure evaluation over a ``Model``; ``checks/reachability/`` turns the answers into verdicts. Every answer
carries the evidence that made it pass, or the exact piece that is missing and how to add it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lambda_rds.analysis.model.values import ANY_IPV4, Network, contains
from lambda_rds.analysis.model.views import Model, NatGateway, SgRule

Status = Literal["pass", "fail", "unknown"]

# Lambda and most clients pick the source port from 1024-65535; a NACL must let the replies back in.
EPHEMERAL_PORT = 49152


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
    dst_cidrs = _cidrs(model, dst.subnet_ids) or []
    for sid in src.subnet_ids:
        rt = model.route_table_for(sid)
        if rt is None:
            continue
        for route in rt.routes:
            if route.target in ("peering", "tgw") and dst_cidrs and all(route.covers(c) for c in dst_cidrs):
                peer_routes.append(f"{rt.name}: {route.destination} -> {route.target_id}")
    if peer_routes and len(peer_routes) >= len(src.subnet_ids):
        return PathResult(
            "pass", evidence=[f"different VPCs joined by {', '.join(sorted(set(peer_routes)))}"]
        )
    return PathResult(
        "fail",
        missing=[
            f"{src.label} is in VPC {', '.join(sorted(src_vpcs))} but {dst.label} is in VPC "
            f"{', '.join(sorted(dst_vpcs))}, with no peering or transit gateway route between them"
        ],
        fixes=[f"attach {src.label} to subnets of VPC {', '.join(sorted(dst_vpcs))}"],
    )


def nacl_path(model: Model, src: Endpoint, dst: Endpoint, port: int) -> PathResult:
    """Stateless NACLs: the request out and in, and the reply (to an ephemeral port) back."""
    result = PathResult("pass")
    src_cidrs = _cidrs(model, src.subnet_ids)
    dst_cidrs = _cidrs(model, dst.subnet_ids)
    checked = False
    for sid in src.subnet_ids:
        nacl = model.nacl_for(sid)
        if nacl is None or not dst_cidrs:
            continue
        checked = True
        for peer in dst_cidrs:
            for egress, p in ((True, port), (False, EPHEMERAL_PORT)):
                ok, why = nacl.decide(egress, "tcp", p, peer)
                if not ok:
                    result = result.merge(
                        PathResult(
                            "fail",
                            missing=[f"{src.label} subnet {sid}: {why} ({peer})"],
                            fixes=[_nacl_fix(nacl.id, egress, p, peer)],
                        )
                    )
    for sid in dst.subnet_ids:
        nacl = model.nacl_for(sid)
        if nacl is None or not src_cidrs:
            continue
        checked = True
        for peer in src_cidrs:
            for egress, p in ((False, port), (True, EPHEMERAL_PORT)):
                ok, why = nacl.decide(egress, "tcp", p, peer)
                if not ok:
                    result = result.merge(
                        PathResult(
                            "fail",
                            missing=[f"{dst.label} subnet {sid}: {why} ({peer})"],
                            fixes=[_nacl_fix(nacl.id, egress, p, peer)],
                        )
                    )
    if result.status == "pass":
        result.evidence.append(
            "network ACLs allow the request and its replies"
            if checked
            else "network ACLs: VPC default (allow all)"
        )
    return result


def _nacl_fix(nacl_id: str, egress: bool, port: int, peer: Network) -> str:
    ports = f"from_port={port}, to_port={port}" if port != EPHEMERAL_PORT else "from_port=1024, to_port=65535"
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
        result = result.merge(_subnet_to_internet(model, src.label, sid))
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
        for egress, p in ((True, port), (False, EPHEMERAL_PORT)):
            ok, why = nacl.decide(egress, "tcp", p, ANY_IPV4)
            if not ok:
                result = result.merge(
                    PathResult(
                        "fail",
                        missing=[f"subnet {sid}: {why}"],
                        fixes=[_nacl_fix(nacl.id, egress, p, ANY_IPV4)],
                    )
                )
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


def _subnet_to_internet(model: Model, label: str, sid: str) -> PathResult:
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
