"""AWS ``Describe*``/``Get*`` answers -> the analysis ``Resource`` records ``plan`` also consumes.

Pure functions over the SDK's response dicts. Each fills exactly the camelCase keys
``lambda_rds.analysis.model.build`` documents for its Pulumi type token, so the very same model and checks run
over a live account. Ids are AWS ids; ``urn`` is the ARN or id (there are no URNs outside Pulumi); names
are the ``Name`` tag when there is one, else the AWS name or id, because the report quotes them.

Function environments keep only the runtime's contract variables (``DB_*``): anything else may be a
secret and is none of the analysis's business.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lambda_rds.analysis.model import build as m
from lambda_rds.analysis.model.resources import Resource

# The runtime's environment contract (ARCHITECTURE.md, "Function environment").
CONTRACT_ENV = frozenset(
    {
        "DB_ENGINE",
        "DB_HOST",
        "DB_PORT",
        "DB_NAME",
        "DB_USER",
        "DB_AUTH",
        "DB_SECRET_ARN",
        "DB_CA_BUNDLE",
        "DB_CONNECT_TIMEOUT",
    }
)


def _res(type_token: str, name: str, rid: str, outputs: Mapping[str, Any], urn: str = "") -> Resource:
    clean = {k: v for k, v in outputs.items() if v is not None}
    return Resource(type_token, name, rid, inputs={}, outputs=clean, urn=urn or rid)


def tag_name(item: Mapping[str, Any], default: str) -> str:
    """The ``Name`` tag (EC2 ``Tags`` or RDS ``TagList``), else ``default``."""
    for tag in list(item.get("Tags") or []) + list(item.get("TagList") or []):
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return default


def policy_document(value: Any) -> dict[str, Any] | None:
    """IAM documents arrive decoded (boto3) or URL-encoded JSON (raw API, some recordings)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        for text in (value, urllib.parse.unquote(value)):
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            return doc if isinstance(doc, dict) else None
    return None


# ---- network -----------------------------------------------------------------------------------------
def vpc(item: Mapping[str, Any], main_route_table_id: str | None) -> Resource:
    vid = str(item["VpcId"])
    return _res(
        m.T_VPC,
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
    return _res(
        m.T_SUBNET,
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
    out = [_res(m.T_RT, name, rid, {"vpcId": vpc_id, "routes": routes})]
    for assoc in item.get("Associations") or []:
        state = str((assoc.get("AssociationState") or {}).get("State", "associated"))
        if state not in ("associated", "associating"):
            continue
        aid = str(assoc.get("RouteTableAssociationId") or f"{rid}-assoc")
        if assoc.get("Main"):
            out.append(_res(m.T_MAIN_RTA, f"{name} (main)", aid, {"vpcId": vpc_id, "routeTableId": rid}))
        elif assoc.get("SubnetId"):
            out.append(
                _res(
                    m.T_RTA,
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
    return _res(m.T_IGW, tag_name(item, gid), gid, {"vpcId": attached[0].get("VpcId")})


def nat_gateway(item: Mapping[str, Any]) -> Resource:
    nid = str(item["NatGatewayId"])
    addresses = item.get("NatGatewayAddresses") or [{}]
    return _res(
        m.T_NAT,
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
    return _res(
        m.T_VPCE,
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
    token = m.T_DEFAULT_SG if item.get("GroupName") == "default" else m.T_SG
    return _res(
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
    return _res(
        m.T_DEFAULT_NACL if item.get("IsDefault") else m.T_NACL,
        tag_name(item, nid),
        nid,
        {
            "vpcId": item.get("VpcId"),
            "subnetIds": [a["SubnetId"] for a in item.get("Associations") or [] if a.get("SubnetId")],
            "ingress": ingress,
            "egress": egress,
        },
    )


# ---- compute and identity ----------------------------------------------------------------------------
def function(config: Mapping[str, Any], reserved: int | None) -> Resource:
    """``GetFunctionConfiguration`` (or a ``ListFunctions`` item) plus ``GetFunctionConcurrency``."""
    name = str(config["FunctionName"])
    vpc_config = config.get("VpcConfig") or {}
    variables = (config.get("Environment") or {}).get("Variables") or {}
    outputs: dict[str, Any] = {
        "name": name,
        "arn": config.get("FunctionArn"),
        "role": config.get("Role"),
        "timeout": config.get("Timeout"),
        "memorySize": config.get("MemorySize"),
        "reservedConcurrentExecutions": reserved,
        "environment": {"variables": {k: v for k, v in variables.items() if k in CONTRACT_ENV}},
        "runtime": config.get("Runtime"),
        "architectures": list(config.get("Architectures") or ["x86_64"]),
    }
    if vpc_config.get("SubnetIds"):
        # Not VpcConfig.VpcId: the subnets decide the VPC (and moto answers a fixed placeholder there).
        outputs["vpcConfig"] = {
            "subnetIds": list(vpc_config["SubnetIds"]),
            "securityGroupIds": list(vpc_config.get("SecurityGroupIds") or []),
        }
    return _res(m.T_FUNCTION, name, name, outputs, str(config.get("FunctionArn") or name))


def role(item: Mapping[str, Any], inline: Mapping[str, Any], managed_arns: Sequence[str]) -> Resource:
    """``GetRole`` + each ``GetRolePolicy`` document (by policy name) + ``ListAttachedRolePolicies`` ARNs."""
    name = str(item["RoleName"])
    return _res(
        m.T_ROLE,
        name,
        name,
        {
            "name": name,
            "arn": item.get("Arn"),
            "inlinePolicies": [
                {"name": pname, "policy": json.dumps(parsed)}
                for pname, raw in sorted(inline.items())
                if (parsed := policy_document(raw)) is not None
            ],
            "managedPolicyArns": list(managed_arns),
            "permissionsBoundary": (item.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        },
        str(item.get("Arn") or name),
    )


def managed_policy(arn: str, name: str, document: Any) -> Resource | None:
    """A managed policy's default version (``GetPolicy`` + ``GetPolicyVersion``)."""
    doc = policy_document(document)
    if doc is None:
        return None
    return _res(m.T_POLICY, name, arn, {"arn": arn, "name": name, "policy": json.dumps(doc)}, arn)


def secret(item: Mapping[str, Any]) -> list[Resource]:
    """``DescribeSecret`` (metadata only: doctor never reads a secret's value)."""
    arn = str(item["ARN"])
    name = str(item.get("Name") or arn)
    out = [_res(m.T_SECRET, name, arn, {"arn": arn, "name": name, "kmsKeyId": item.get("KmsKeyId")}, arn)]
    if item.get("RotationEnabled"):
        days = (item.get("RotationRules") or {}).get("AutomaticallyAfterDays")
        out.append(
            _res(
                m.T_SECRET_ROTATION,
                f"{name} rotation",
                f"{arn}/rotation",
                {"secretId": arn, "rotationRules": {"automaticallyAfterDays": days}},
            )
        )
    return out


# ---- databases ---------------------------------------------------------------------------------------
def db_subnet_group(item: Mapping[str, Any]) -> Resource:
    name = str(item["DBSubnetGroupName"])
    return _res(
        m.T_DB_SUBNET_GROUP,
        name,
        name,
        {
            "name": name,
            "vpcId": item.get("VpcId"),
            "subnetIds": [
                s["SubnetIdentifier"] for s in item.get("Subnets") or [] if s.get("SubnetIdentifier")
            ],
        },
        str(item.get("DBSubnetGroupArn") or name),
    )


def parameter_group(name: str, parameters: Iterable[Mapping[str, Any]], *, cluster: bool) -> Resource:
    """Only the user-set parameters (``Source='user'``): the defaults are formulas the model knows."""
    params = [
        {"name": p["ParameterName"], "value": p["ParameterValue"]}
        for p in parameters
        if p.get("ParameterName") and p.get("ParameterValue") is not None
    ]
    token = m.T_CLUSTER_PARAM_GROUP if cluster else m.T_PARAM_GROUP
    return _res(token, name, name, {"name": name, "parameters": params})


def _master_secret(item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    arn = (item.get("MasterUserSecret") or {}).get("SecretArn")
    return [{"secretArn": arn}] if arn else None


def db_instance(item: Mapping[str, Any]) -> Resource:
    ident = str(item["DBInstanceIdentifier"])
    endpoint = item.get("Endpoint") or {}
    address, port = endpoint.get("Address"), endpoint.get("Port") or item.get("DbInstancePort") or None
    groups = item.get("DBParameterGroups") or [{}]
    return _res(
        m.T_DB_INSTANCE,
        ident,
        ident,
        {
            "identifier": ident,
            "arn": item.get("DBInstanceArn"),
            "engine": item.get("Engine"),
            "engineVersion": item.get("EngineVersion"),
            "port": port,
            "address": address,
            "endpoint": f"{address}:{port}" if address and port else None,
            "instanceClass": item.get("DBInstanceClass"),
            "clusterIdentifier": item.get("DBClusterIdentifier"),
            "dbSubnetGroupName": (item.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            "vpcSecurityGroupIds": [
                g["VpcSecurityGroupId"]
                for g in item.get("VpcSecurityGroups") or []
                if g.get("VpcSecurityGroupId")
            ],
            "publiclyAccessible": bool(item.get("PubliclyAccessible")),
            "resourceId": item.get("DbiResourceId"),
            "parameterGroupName": groups[0].get("DBParameterGroupName"),
            "username": item.get("MasterUsername"),
            "masterUserSecrets": _master_secret(item),
            "storageEncrypted": item.get("StorageEncrypted"),
            "multiAz": item.get("MultiAZ"),
            "iamDatabaseAuthenticationEnabled": item.get("IAMDatabaseAuthenticationEnabled"),
            "status": item.get("DBInstanceStatus"),
        },
        str(item.get("DBInstanceArn") or ident),
    )


def cluster_member(item: Mapping[str, Any]) -> Resource:
    ident = str(item["DBInstanceIdentifier"])
    return _res(
        m.T_CLUSTER_INSTANCE,
        ident,
        ident,
        {
            "identifier": ident,
            "clusterIdentifier": item.get("DBClusterIdentifier"),
            "instanceClass": item.get("DBInstanceClass"),
            "publiclyAccessible": bool(item.get("PubliclyAccessible")),
            "engine": item.get("Engine"),
        },
        str(item.get("DBInstanceArn") or ident),
    )


def db_cluster(item: Mapping[str, Any]) -> Resource:
    ident = str(item["DBClusterIdentifier"])
    scaling = item.get("ServerlessV2ScalingConfiguration") or {}
    return _res(
        m.T_CLUSTER,
        ident,
        ident,
        {
            "clusterIdentifier": ident,
            "arn": item.get("DBClusterArn"),
            "engine": item.get("Engine"),
            "engineVersion": item.get("EngineVersion"),
            "port": item.get("Port"),
            "endpoint": item.get("Endpoint"),
            "readerEndpoint": item.get("ReaderEndpoint"),
            "customEndpoints": list(item.get("CustomEndpoints") or []),
            "clusterResourceId": item.get("DbClusterResourceId"),
            "dbClusterParameterGroupName": item.get("DBClusterParameterGroup"),
            "dbSubnetGroupName": item.get("DBSubnetGroup"),
            "vpcSecurityGroupIds": [
                g["VpcSecurityGroupId"]
                for g in item.get("VpcSecurityGroups") or []
                if g.get("VpcSecurityGroupId")
            ],
            "serverlessv2ScalingConfiguration": (
                {"minCapacity": scaling.get("MinCapacity"), "maxCapacity": scaling.get("MaxCapacity")}
                if scaling
                else None
            ),
            "masterUsername": item.get("MasterUsername"),
            "masterUserSecrets": _master_secret(item),
            "storageEncrypted": item.get("StorageEncrypted"),
            "iamDatabaseAuthenticationEnabled": item.get("IAMDatabaseAuthenticationEnabled"),
            "status": item.get("Status"),
        },
        str(item.get("DBClusterArn") or ident),
    )


def db_proxy(item: Mapping[str, Any], endpoint_override: Mapping[str, Any] | None = None) -> Resource:
    """A proxy; with ``endpoint_override`` (a ``DescribeDBProxyEndpoints`` item) the function talks to that
    custom endpoint, whose own subnets and security groups are the ones on the path."""
    name = str(item["DBProxyName"])
    ep = endpoint_override or {}
    return _res(
        m.T_PROXY,
        name,
        name,
        {
            "name": name,
            "arn": item.get("DBProxyArn"),
            "endpoint": ep.get("Endpoint") or item.get("Endpoint"),
            "engineFamily": item.get("EngineFamily"),
            "vpcSubnetIds": list(ep.get("VpcSubnetIds") or item.get("VpcSubnetIds") or []),
            "vpcSecurityGroupIds": list(
                ep.get("VpcSecurityGroupIds") or item.get("VpcSecurityGroupIds") or []
            ),
            "requireTls": bool(item.get("RequireTLS")),
            "auths": [
                {
                    "authScheme": a.get("AuthScheme"),
                    "iamAuth": a.get("IAMAuth"),
                    "secretArn": a.get("SecretArn"),
                    "clientPasswordAuthType": a.get("ClientPasswordAuthType"),
                }
                for a in item.get("Auth") or []
            ],
            "defaultAuthScheme": item.get("DefaultAuthScheme"),
            "status": item.get("Status"),
        },
        str(item.get("DBProxyArn") or name),
    )


def proxy_targets(proxy_name: str, targets: Iterable[Mapping[str, Any]]) -> list[Resource]:
    """``DescribeDBProxyTargets``: a cluster target is one ``TRACKED_CLUSTER`` entry (its instances are
    listed too, with ``TrackedClusterId``: folded into the cluster)."""
    out = []
    for t in targets:
        rid = t.get("RdsResourceId")
        if not rid:
            continue
        kind = str(t.get("Type", ""))
        if kind == "TRACKED_CLUSTER":
            props = {"dbProxyName": proxy_name, "dbClusterIdentifier": rid}
        elif kind == "RDS_INSTANCE" and not t.get("TrackedClusterId"):
            props = {"dbProxyName": proxy_name, "dbInstanceIdentifier": rid}
        else:
            continue
        out.append(_res(m.T_PROXY_TARGET, f"{proxy_name}/{rid}", f"{proxy_name}/{rid}", props))
    return out


def proxy_target_group(proxy_name: str, groups: Iterable[Mapping[str, Any]]) -> Resource | None:
    for g in groups:
        if g.get("IsDefault") or g.get("TargetGroupName") == "default":
            pool = g.get("ConnectionPoolConfig") or {}
            return _res(
                m.T_PROXY_TG,
                f"{proxy_name}/default",
                str(g.get("TargetGroupArn") or f"{proxy_name}/default"),
                {
                    "dbProxyName": proxy_name,
                    "connectionPoolConfig": {"maxConnectionsPercent": pool.get("MaxConnectionsPercent")},
                },
            )
    return None
