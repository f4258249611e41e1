"""Network views from resources: VPCs, subnets, gateways, route tables and VPC endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambda_rds.analysis.model.resources import Resource, is_unknown
from lambda_rds.analysis.model.tokens import (
    T_DEFAULT_RT,
    T_EIP,
    T_ENI,
    T_IGW,
    T_IGW_ATTACH,
    T_INSTANCE,
    T_MAIN_RTA,
    T_NAT,
    T_ROUTE,
    T_RT,
    T_RTA,
    T_SUBNET,
    T_VPC,
    T_VPCE,
    T_VPCE_RTA,
)
from lambda_rds.analysis.model.values import (
    as_bool,
    as_list,
    as_mapping,
    as_net,
    as_str,
    as_strs,
    physical_id,
)
from lambda_rds.analysis.model.views import (
    Model,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    RouteTarget,
    Subnet,
    Vpc,
    VpcEndpoint,
)


def _route_target(entry: Mapping[str, Any], igw_ids: set[str]) -> tuple[RouteTarget, str] | None:
    for key, kind in (
        ("natGatewayId", "nat"),
        ("vpcEndpointId", "vpce"),
        ("transitGatewayId", "tgw"),
        ("vpcPeeringConnectionId", "peering"),
        ("networkInterfaceId", "nat-instance"),
    ):
        value = as_str(entry.get(key))
        if value:
            return kind, value  # type: ignore[return-value]
    gateway = as_str(entry.get("gatewayId"))
    if gateway:
        if gateway == "local":
            return "local", gateway
        if gateway.startswith("vpce-"):
            return "vpce", gateway
        if gateway.startswith("igw-") or gateway in igw_ids:
            return "igw", gateway
        return "other", gateway
    if is_unknown(entry.get("gatewayId")) or is_unknown(entry.get("natGatewayId")):
        return "other", "unknown"
    return None


def _service_short(service_name: str) -> str:
    """``com.amazonaws.us-east-1.secretsmanager`` -> ``secretsmanager``."""
    return service_name.rsplit(".", 1)[-1] if service_name else ""


def add_network(m: Model, res: Sequence[Resource]) -> None:
    """Fill the model's VPCs, subnets, internet and NAT gateways, route tables and VPC endpoints."""
    for r in res:
        if r.type == T_VPC:
            m.vpcs[physical_id(r)] = Vpc(
                r.name,
                physical_id(r),
                as_net(r.get("cidrBlock")),
                as_str(r.get("mainRouteTableId")),
                as_str(r.get("defaultSecurityGroupId")),
            )
            if mrt := as_str(r.get("mainRouteTableId")):
                m.main_route_table.setdefault(physical_id(r), mrt)
        elif r.type == T_SUBNET:
            m.subnets[physical_id(r)] = Subnet(
                r.name,
                physical_id(r),
                as_str(r.get("vpcId")),
                as_str(r.get("availabilityZone")),
                as_str(r.get("availabilityZoneId")),
                as_net(r.get("cidrBlock")),
                bool(as_bool(r.get("mapPublicIpOnLaunch"))),
            )
        elif r.type == T_IGW:
            m.igws[physical_id(r)] = as_str(r.get("vpcId"))
        elif r.type == T_NAT:
            m.nats[physical_id(r)] = NatGateway(
                r.name,
                physical_id(r),
                as_str(r.get("subnetId")),
                (as_str(r.get("connectivityType")) or "public") == "public",
                as_str(r.get("allocationId")),
                as_str(r.get("vpcId")),
                (as_str(r.get("availabilityMode")) or "zonal") == "regional",
            )
    for r in res:
        if r.type == T_IGW_ATTACH and (igw := as_str(r.get("internetGatewayId"))):
            m.igws[igw] = as_str(r.get("vpcId"))
    _build_routes(m, res)
    _add_interfaces(m, res)
    for r in res:
        if r.type == T_VPCE:
            service_name = as_str(r.get("serviceName")) or ""
            m.endpoints.append(
                VpcEndpoint(
                    r.name,
                    physical_id(r),
                    as_str(r.get("vpcId")),
                    _service_short(service_name),
                    service_name,
                    as_str(r.get("vpcEndpointType")) or "Gateway",
                    as_strs(r.get("subnetIds")),
                    as_strs(r.get("securityGroupIds")),
                    bool(as_bool(r.get("privateDnsEnabled"))),
                    as_strs(r.get("routeTableIds")),
                )
            )


def _add_interfaces(m: Model, res: Sequence[Resource]) -> None:
    """ENIs with the Elastic IP associated with each and the instance each is attached to (a NAT
    instance: resources/nat_instance.py). Keys: networkInterface (Eip); primaryNetworkInterface
    {networkInterfaceId} or networkInterfaces[{networkInterfaceId}], sourceDestCheck (Instance)."""
    eips: dict[str, str] = {}
    for r in res:
        if r.type == T_EIP and (eni := as_str(r.get("networkInterface"))):
            eips[eni] = r.name
    attached: dict[str, tuple[str, bool | None]] = {}
    for r in res:
        if r.type != T_INSTANCE:
            continue
        legacy = [
            as_str(as_mapping(n).get("networkInterfaceId")) for n in as_list(r.get("networkInterfaces"))
        ]
        ids = [as_str(as_mapping(r.get("primaryNetworkInterface")).get("networkInterfaceId")), *legacy]
        check = as_bool(r.get("sourceDestCheck"))
        if check is None:
            # Unset: with the `network_interface` block the provider suppresses the attribute's diff and
            # never calls ModifyInstanceAttribute, so the interface's own setting rules (None: not the
            # instance's to judge). Otherwise its default, true, is applied at the next `up`, also with
            # `primary_network_interface` (sources.TF_INSTANCE_PRIMARY_ENI_SOURCE_DEST_CHECK).
            check = None if any(legacy) else True
        for eni in ids:
            if eni:
                attached[eni] = (r.name, check)
    for r in res:
        if r.type == T_ENI:
            eni_id = physical_id(r)
            check = as_bool(r.get("sourceDestCheck"))
            instance = attached.get(eni_id)
            m.enis[eni_id] = NetworkInterface(
                r.name,
                eni_id,
                as_str(r.get("subnetId")),
                tuple(as_strs(r.get("securityGroups"))),
                True if check is None else check,  # EC2's default: on (CreateNetworkInterface)
                eips.get(eni_id),
                instance[0] if instance else None,
                instance[1] if instance else None,
            )


def _build_routes(m: Model, res: Sequence[Resource]) -> None:
    """Route tables with their routes (inline, standalone, gateway endpoints) and subnet associations."""
    igw_ids = set(m.igws)
    tables: dict[str, dict[str, Any]] = {}
    for r in res:
        if r.type in (T_RT, T_DEFAULT_RT):
            rt_id = as_str(r.get("defaultRouteTableId")) if r.type == T_DEFAULT_RT else None
            rt_id = rt_id or physical_id(r)
            routes = []
            for entry in as_list(r.get("routes")):
                entry = as_mapping(entry)
                target = _route_target(entry, igw_ids)
                if target:
                    dest = as_net(entry.get("cidrBlock") or entry.get("ipv6CidrBlock"))
                    routes.append(Route(dest, target[0], target[1], r.name))
            tables[rt_id] = {"name": r.name, "vpc": as_str(r.get("vpcId")), "routes": routes}
            if r.type == T_DEFAULT_RT:
                vpc_id = next((v.id for v in m.vpcs.values() if v.main_route_table_id == rt_id), None)
                if vpc_id:
                    m.main_route_table[vpc_id] = rt_id
    for r in res:
        if r.type == T_ROUTE and (rt_id := as_str(r.get("routeTableId"))) in tables:
            target = _route_target(r.outputs or r.inputs, igw_ids) or _route_target(r.inputs, igw_ids)
            if target:
                dest = as_net(r.get("destinationCidrBlock") or r.get("destinationIpv6CidrBlock"))
                tables[rt_id]["routes"].append(Route(dest, target[0], target[1], r.name))
        elif (
            r.type == T_RTA
            and (sid := as_str(r.get("subnetId")))
            and (rt_id := as_str(r.get("routeTableId")))
        ):
            m.subnet_route_table[sid] = rt_id
        elif (
            r.type == T_MAIN_RTA
            and (vpc := as_str(r.get("vpcId")))
            and (rt_id := as_str(r.get("routeTableId")))
        ):
            m.main_route_table[vpc] = rt_id
    # Gateway endpoints add prefix-list routes to the tables they name.
    for r in res:
        if r.type == T_VPCE and (as_str(r.get("vpcEndpointType")) or "Gateway") == "Gateway":
            for rt_id in as_strs(r.get("routeTableIds")):
                if rt_id in tables:
                    tables[rt_id]["routes"].append(Route(None, "vpce", physical_id(r), r.name))
        elif r.type == T_VPCE_RTA and (rt_id := as_str(r.get("routeTableId"))) in tables:
            tables[rt_id]["routes"].append(Route(None, "vpce", as_str(r.get("vpcEndpointId")) or "", r.name))
    for rt_id, t in tables.items():
        table_vpc = m.vpcs.get(t["vpc"] or "")
        local = (
            [Route(table_vpc.cidr, "local", "local", "(implicit)")] if table_vpc and table_vpc.cidr else []
        )
        m.route_tables[rt_id] = RouteTable(t["name"], rt_id, t["vpc"], tuple(local + t["routes"]))
