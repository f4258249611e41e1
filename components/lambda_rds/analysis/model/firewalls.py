"""Security groups and network ACLs from resources, inline blocks and standalone rules alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambda_rds.analysis.model.resources import Resource, is_unknown
from lambda_rds.analysis.model.tokens import (
    T_DEFAULT_NACL,
    T_DEFAULT_SG,
    T_NACL,
    T_NACL_ASSOC,
    T_NACL_RULE,
    T_SG,
    T_SG_EGRESS,
    T_SG_INGRESS,
    T_SG_RULE,
)
from lambda_rds.analysis.model.values import (
    as_bool,
    as_int,
    as_list,
    as_mapping,
    as_net,
    as_str,
    as_strs,
    physical_id,
    protocol_name,
    unknown_ids,
)
from lambda_rds.analysis.model.views import NaclEntry, NetworkAcl, SecurityGroup, SgRule


def _sg_rules_inline(blocks: Any, own_id: str, origin: str) -> tuple[SgRule, ...]:
    rules = []
    for b in as_list(blocks):
        b = as_mapping(b)
        peers = list(as_strs(b.get("securityGroups")))
        if as_bool(b.get("self")):
            peers.append(own_id)
        cidrs = [
            n for c in as_list(b.get("cidrBlocks")) + as_list(b.get("ipv6CidrBlocks")) if (n := as_net(c))
        ]
        rules.append(
            SgRule(
                protocol_name(b.get("protocol")),
                as_int(b.get("fromPort")),
                as_int(b.get("toPort")),
                tuple(cidrs),
                tuple(peers),
                as_strs(b.get("prefixListIds")),
                origin,
                unknown_peer=unknown_ids(as_list(b.get("securityGroups"))),
            )
        )
    return tuple(rules)


def collect_security_groups(resources: Sequence[Resource]) -> dict[str, SecurityGroup]:
    """The security groups by id, with their inline rules and the standalone rules that name them."""
    groups: dict[str, dict[str, Any]] = {}
    gid: str | None
    for r in resources:
        if r.type in (T_SG, T_DEFAULT_SG):
            gid = physical_id(r)
            groups[gid] = {
                "name": r.name,
                "vpc": as_str(r.get("vpcId")),
                "ingress": list(_sg_rules_inline(r.get("ingress"), gid, r.name)),
                "egress": list(_sg_rules_inline(r.get("egress"), gid, r.name)),
                "default": r.type == T_DEFAULT_SG,
            }
    for r in resources:
        if r.type == T_SG_RULE:
            gid = as_str(r.get("securityGroupId"))
            if gid is None or gid not in groups:
                continue
            peers = []
            if as_str(r.get("sourceSecurityGroupId")):
                peers.append(str(r.get("sourceSecurityGroupId")))
            if as_bool(r.get("self")):
                peers.append(gid)
            cidrs = [
                n for c in as_list(r.get("cidrBlocks")) + as_list(r.get("ipv6CidrBlocks")) if (n := as_net(c))
            ]
            rule = SgRule(
                protocol_name(r.get("protocol")),
                as_int(r.get("fromPort")),
                as_int(r.get("toPort")),
                tuple(cidrs),
                tuple(peers),
                as_strs(r.get("prefixListIds")),
                r.name,
                unknown_peer=is_unknown(r.get("sourceSecurityGroupId")),
            )
            direction = "egress" if as_str(r.get("type")) == "egress" else "ingress"
            groups[gid][direction].append(rule)
        elif r.type in (T_SG_INGRESS, T_SG_EGRESS):
            gid = as_str(r.get("securityGroupId"))
            if gid is None or gid not in groups:
                continue
            cidrs = [n for c in (r.get("cidrIpv4"), r.get("cidrIpv6")) if (n := as_net(c))]
            peer = as_str(r.get("referencedSecurityGroupId"))
            rule = SgRule(
                protocol_name(r.get("ipProtocol")),
                as_int(r.get("fromPort")),
                as_int(r.get("toPort")),
                tuple(cidrs),
                (peer,) if peer else (),
                as_strs(r.get("prefixListId")),
                r.name,
                unknown_peer=is_unknown(r.get("referencedSecurityGroupId")),
            )
            groups[gid]["egress" if r.type == T_SG_EGRESS else "ingress"].append(rule)
    return {
        gid: SecurityGroup(g["name"], gid, g["vpc"], tuple(g["ingress"]), tuple(g["egress"]), g["default"])
        for gid, g in groups.items()
    }


def _nacl_inline(blocks: Any, egress: bool) -> list[NaclEntry]:
    out = []
    for b in as_list(blocks):
        b = as_mapping(b)
        out.append(
            NaclEntry(
                as_int(b.get("ruleNo")) or 0,
                egress,
                (as_str(b.get("action")) or "").lower() == "allow",
                protocol_name(b.get("protocol")),
                as_int(b.get("fromPort")),
                as_int(b.get("toPort")),
                as_net(b.get("cidrBlock") or b.get("ipv6CidrBlock")),
            )
        )
    return out


def collect_network_acls(resources: Sequence[Resource]) -> dict[str, NetworkAcl]:
    """The network ACLs by id, with their entries and the subnets associated with them."""
    raw: dict[str, dict[str, Any]] = {}
    nid: str | None
    for r in resources:
        if r.type in (T_NACL, T_DEFAULT_NACL):
            nid = physical_id(r)
            raw[nid] = {
                "name": r.name,
                "vpc": as_str(r.get("vpcId")),
                "subnets": list(as_strs(r.get("subnetIds"))),
                "entries": _nacl_inline(r.get("ingress"), False) + _nacl_inline(r.get("egress"), True),
                "default": r.type == T_DEFAULT_NACL,
            }
    for r in resources:
        nid = as_str(r.get("networkAclId"))
        if nid is None or nid not in raw:
            continue
        if r.type == T_NACL_RULE:
            raw[nid]["entries"].append(
                NaclEntry(
                    as_int(r.get("ruleNumber")) or 0,
                    bool(as_bool(r.get("egress"))),
                    (as_str(r.get("ruleAction")) or "").lower() == "allow",
                    protocol_name(r.get("protocol")),
                    as_int(r.get("fromPort")),
                    as_int(r.get("toPort")),
                    as_net(r.get("cidrBlock") or r.get("ipv6CidrBlock")),
                )
            )
        elif r.type == T_NACL_ASSOC and (sid := as_str(r.get("subnetId"))):
            # An explicit association moves the subnet away from any other NACL.
            for other in raw.values():
                if sid in other["subnets"]:
                    other["subnets"].remove(sid)
            raw[nid]["subnets"].append(sid)
    return {
        nid: NetworkAcl(n["name"], nid, n["vpc"], tuple(n["subnets"]), tuple(n["entries"]), n["default"])
        for nid, n in raw.items()
    }
