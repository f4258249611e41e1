"""EC2 firewall answers -> ``Resource``: security groups (default included) and network ACLs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_DEFAULT_NACL,
    T_DEFAULT_SG,
    T_NACL,
    T_SG,
)
from lambda_rds.doctor.normalise.common import record, tag_name


def _sg_blocks(permissions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    blocks = []
    for p in permissions:
        blocks.append(
            {
                "protocol": str(p.get("IpProtocol", "-1")),
                "fromPort": p.get("FromPort"),
                "toPort": p.get("ToPort"),
                "cidrBlocks": [r["CidrIp"] for r in p.get("IpRanges") or [] if r.get("CidrIp")],
                "ipv6CidrBlocks": [r["CidrIpv6"] for r in p.get("Ipv6Ranges") or [] if r.get("CidrIpv6")],
                "securityGroups": [g["GroupId"] for g in p.get("UserIdGroupPairs") or [] if g.get("GroupId")],
                "prefixListIds": [
                    x["PrefixListId"] for x in p.get("PrefixListIds") or [] if x.get("PrefixListId")
                ],
            }
        )
    return blocks


def security_group(item: Mapping[str, Any]) -> Resource:
    """Rules from ``IpPermissions``/``IpPermissionsEgress`` (what DescribeSecurityGroupRules also lists)."""
    gid = str(item["GroupId"])
    token = T_DEFAULT_SG if item.get("GroupName") == "default" else T_SG
    return record(
        token,
        str(item.get("GroupName") or gid),
        gid,
        {
            "vpcId": item.get("VpcId"),
            "name": item.get("GroupName"),
            "ingress": _sg_blocks(item.get("IpPermissions") or []),
            "egress": _sg_blocks(item.get("IpPermissionsEgress") or []),
        },
        str(item.get("SecurityGroupArn") or gid),
    )


def network_acl(item: Mapping[str, Any]) -> Resource:
    nid = str(item["NetworkAclId"])
    ingress: list[dict[str, Any]] = []
    egress: list[dict[str, Any]] = []
    for e in item.get("Entries") or []:
        ports = e.get("PortRange") or {}
        block = {
            "ruleNo": e.get("RuleNumber"),
            "action": e.get("RuleAction"),
            "protocol": str(e.get("Protocol", "-1")),
            "fromPort": ports.get("From"),
            "toPort": ports.get("To"),
            "cidrBlock": e.get("CidrBlock"),
            "ipv6CidrBlock": e.get("Ipv6CidrBlock"),
        }
        (egress if e.get("Egress") else ingress).append({k: v for k, v in block.items() if v is not None})
    return record(
        T_DEFAULT_NACL if item.get("IsDefault") else T_NACL,
        tag_name(item, nid),
        nid,
        {
            "vpcId": item.get("VpcId"),
            "subnetIds": [a["SubnetId"] for a in item.get("Associations") or [] if a.get("SubnetId")],
            "ingress": ingress,
            "egress": egress,
        },
    )
