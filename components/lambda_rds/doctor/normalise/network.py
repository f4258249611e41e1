"""EC2 network answers -> ``Resource``: the VPC, its routes and gateways, endpoints and NAT instances.

VPCs, subnets, route tables, internet and NAT gateways, endpoints, and the network interfaces
and instances of NAT instances (a default route to a network interface)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_EIP,
    T_ENI,
    T_IGW,
    T_INSTANCE,
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
            # Doctor's own (the analysis ignores it): Lambda needs a free address to create an ENI there.
            "availableIpAddressCount": item.get("AvailableIpAddressCount"),
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
    blackholes: list[str] = []
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
            # Still in the table: a new route to the same destination is refused (replace it instead).
            blackholes.append(str(dest))
            continue
        routes.append(_route_entry(route))
    vpc_id = item.get("VpcId")
    out = [record(T_RT, name, rid, {"vpcId": vpc_id, "routes": routes, "blackholeDestinations": blackholes})]
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


def network_interface(item: Mapping[str, Any]) -> list[Resource]:
    """A DescribeNetworkInterfaces item -> the ENI record (``aws:ec2/networkInterface``) and, when it has a
    public address (``Association.PublicIp``: an Elastic IP, or a public IPv4 address EC2 gave it), an
    ``aws:ec2/eip`` record naming it, which is how the analysis model learns an interface can reach the
    internet gateway (``NetworkInterface.public_ip``)."""
    eid = str(item["NetworkInterfaceId"])
    name = tag_name({"Tags": item.get("TagSet") or []}, eid)
    out = [
        record(
            T_ENI,
            name,
            eid,
            {
                "subnetId": item.get("SubnetId"),
                "vpcId": item.get("VpcId"),
                "securityGroups": [g["GroupId"] for g in item.get("Groups") or [] if g.get("GroupId")],
                # EC2's default for a new interface is on; AWS always answers it.
                "sourceDestCheck": item.get("SourceDestCheck"),
            },
        )
    ]
    association = item.get("Association") or {}
    public_ip = association.get("PublicIp")
    if public_ip:
        allocation = association.get("AllocationId")
        out.append(
            record(
                T_EIP,
                str(public_ip),
                str(allocation or f"{eid}/public-ip"),
                {"networkInterface": eid, "publicIp": public_ip, "allocationId": allocation},
            )
        )
    return out


def instance(item: Mapping[str, Any]) -> Resource:
    """A DescribeInstances instance -> ``aws:ec2/instance`` with the keys the model reads: its primary
    interface (device 0), the others, and ``sourceDestCheck`` (the instance attribute is its primary
    interface's: ModifyInstanceAttribute SourceDestCheck,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html). Doctor's own
    keys (the analysis ignores them): ``instanceState`` (State.Name: pending | running | shutting-down |
    terminated | stopping | stopped) and ``httpTokens`` (MetadataOptions.HttpTokens: ``required`` means
    IMDSv2 only)."""
    iid = str(item["InstanceId"])
    primary: str | None = None
    others: list[dict[str, str]] = []
    for ni in item.get("NetworkInterfaces") or []:
        nid = ni.get("NetworkInterfaceId")
        if not nid:
            continue
        if (ni.get("Attachment") or {}).get("DeviceIndex") == 0:
            primary = str(nid)
        else:
            others.append({"networkInterfaceId": str(nid)})
    return record(
        T_INSTANCE,
        tag_name(item, iid),
        iid,
        {
            "instanceId": iid,
            "primaryNetworkInterface": {"networkInterfaceId": primary} if primary else None,
            "networkInterfaces": others,
            "sourceDestCheck": item.get("SourceDestCheck"),
            "instanceType": item.get("InstanceType"),
            "subnetId": item.get("SubnetId"),
            "instanceState": (item.get("State") or {}).get("Name"),
            "httpTokens": (item.get("MetadataOptions") or {}).get("HttpTokens"),
        },
        str(item.get("InstanceArn") or iid),
    )
