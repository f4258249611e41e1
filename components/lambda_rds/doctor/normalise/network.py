"""EC2 network answers -> ``Resource``: VPCs, subnets, route tables, internet and NAT gateways, endpoints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_IGW,
    T_MAIN_RTA,
    T_NAT,
    T_RT,
    T_RTA,
    T_SUBNET,
    T_VPC,
    T_VPCE,
)
from lambda_rds.doctor.normalise.common import record, tag_name


def vpc(item: Mapping[str, Any], main_route_table_id: str | None) -> Resource:
    vid = str(item["VpcId"])
    return record(
        T_VPC,
        tag_name(item, vid),
        vid,
        {
            "cidrBlock": item.get("CidrBlock"),
            "mainRouteTableId": main_route_table_id,
            "isDefault": item.get("IsDefault"),
        },
        str(item.get("VpcArn") or vid),
    )


def subnet(item: Mapping[str, Any]) -> Resource:
    sid = str(item["SubnetId"])
    return record(
        T_SUBNET,
        tag_name(item, sid),
        sid,
        {
            "vpcId": item.get("VpcId"),
            "availabilityZone": item.get("AvailabilityZone"),
            "availabilityZoneId": item.get("AvailabilityZoneId"),
            "cidrBlock": item.get("CidrBlock"),
            "mapPublicIpOnLaunch": bool(item.get("MapPublicIpOnLaunch")),
        },
        str(item.get("SubnetArn") or sid),
    )


def _route_entry(route: Mapping[str, Any]) -> dict[str, Any]:
    # Gateways the model has no kind for (egress-only, carrier, local, core network) land on gatewayId,
    # where the model classifies them as "other" (not an internet gateway, not a NAT).
    gateway = (
        route.get("GatewayId")
        or route.get("EgressOnlyInternetGatewayId")
        or route.get("CarrierGatewayId")
        or route.get("LocalGatewayId")
        or route.get("CoreNetworkArn")
    )
    entry = {
        "cidrBlock": route.get("DestinationCidrBlock"),
        "ipv6CidrBlock": route.get("DestinationIpv6CidrBlock"),
        "destinationPrefixListId": route.get("DestinationPrefixListId"),
        "gatewayId": gateway,
        "natGatewayId": route.get("NatGatewayId"),
        "networkInterfaceId": route.get("NetworkInterfaceId"),
        "transitGatewayId": route.get("TransitGatewayId"),
        "vpcPeeringConnectionId": route.get("VpcPeeringConnectionId"),
    }
    return {k: v for k, v in entry.items() if v is not None}


def route_table(item: Mapping[str, Any]) -> tuple[list[Resource], list[str]]:
    """The table, its subnet associations and main-table association; plus notes on blackhole routes.

    A ``blackhole`` route's target is gone (a deleted NAT gateway, a removed peering): AWS drops the
    traffic, so the route is left out and a note says why.
    """
    rid = str(item["RouteTableId"])
    name = tag_name(item, rid)
    notes: list[str] = []
    routes = []
    for route in item.get("Routes") or []:
        if str(route.get("State", "active")).lower() == "blackhole":
            dest = route.get("DestinationCidrBlock") or route.get("DestinationPrefixListId") or "?"
            target = next(
                (str(v) for k, v in route.items() if k.endswith("Id") and k != "DestinationPrefixListId"), "?"
            )
            notes.append(
                f"route table {name} ({rid}): route {dest} -> {target} is a blackhole (its target no longer "
                "exists); traffic there is dropped"
            )
            continue
        routes.append(_route_entry(route))
    vpc_id = item.get("VpcId")
    out = [record(T_RT, name, rid, {"vpcId": vpc_id, "routes": routes})]
    for assoc in item.get("Associations") or []:
        state = str((assoc.get("AssociationState") or {}).get("State", "associated"))
        if state not in ("associated", "associating"):
            continue
        aid = str(assoc.get("RouteTableAssociationId") or f"{rid}-assoc")
        if assoc.get("Main"):
            out.append(record(T_MAIN_RTA, f"{name} (main)", aid, {"vpcId": vpc_id, "routeTableId": rid}))
        elif assoc.get("SubnetId"):
            out.append(
                record(
                    T_RTA,
                    f"{name}/{assoc['SubnetId']}",
                    aid,
                    {"subnetId": assoc["SubnetId"], "routeTableId": rid},
                )
            )
    return out, notes


def main_route_table_ids(route_tables: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """VPC id -> its main route table id."""
    found: dict[str, str] = {}
    for item in route_tables:
        if any(a.get("Main") for a in item.get("Associations") or []):
            found[str(item.get("VpcId"))] = str(item["RouteTableId"])
    return found


def internet_gateway(item: Mapping[str, Any]) -> Resource | None:
    gid = str(item["InternetGatewayId"])
    attached = [
        a
        for a in item.get("Attachments") or []
        if str(a.get("State", "")).lower() in ("available", "attached")
    ]
    if not attached:
        return None
    return record(T_IGW, tag_name(item, gid), gid, {"vpcId": attached[0].get("VpcId")})


def nat_gateway(item: Mapping[str, Any]) -> Resource:
    nid = str(item["NatGatewayId"])
    addresses = item.get("NatGatewayAddresses") or [{}]
    return record(
        T_NAT,
        tag_name(item, nid),
        nid,
        {
            "subnetId": item.get("SubnetId"),
            "vpcId": item.get("VpcId"),
            "connectivityType": item.get("ConnectivityType") or "public",
            "availabilityMode": item.get("AvailabilityMode") or "zonal",
            "allocationId": addresses[0].get("AllocationId"),
        },
    )


def vpc_endpoint(item: Mapping[str, Any]) -> Resource:
    eid = str(item["VpcEndpointId"])
    return record(
        T_VPCE,
        tag_name(item, eid),
        eid,
        {
            "vpcId": item.get("VpcId"),
            "serviceName": item.get("ServiceName"),
            "vpcEndpointType": item.get("VpcEndpointType") or "Gateway",
            "subnetIds": list(item.get("SubnetIds") or []),
            "securityGroupIds": [g["GroupId"] for g in item.get("Groups") or [] if g.get("GroupId")],
            "privateDnsEnabled": bool(item.get("PrivateDnsEnabled")),
            "routeTableIds": list(item.get("RouteTableIds") or []),
        },
    )
