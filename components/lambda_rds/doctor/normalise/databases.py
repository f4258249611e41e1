"""RDS answers -> ``Resource``: instances, Aurora clusters and members, subnet/parameter groups, proxies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_CLUSTER_INSTANCE,
    T_CLUSTER_PARAM_GROUP,
    T_DB_INSTANCE,
    T_DB_SUBNET_GROUP,
    T_PARAM_GROUP,
    T_PROXY,
    T_PROXY_ENDPOINT,
    T_PROXY_TARGET,
    T_PROXY_TG,
)
from lambda_rds.doctor.normalise.common import record


def db_subnet_group(item: Mapping[str, Any]) -> Resource:
    name = str(item["DBSubnetGroupName"])
    return record(
        T_DB_SUBNET_GROUP,
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
    token = T_CLUSTER_PARAM_GROUP if cluster else T_PARAM_GROUP
    return record(token, name, name, {"name": name, "parameters": params})


def _master_secret(item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    arn = (item.get("MasterUserSecret") or {}).get("SecretArn")
    return [{"secretArn": arn}] if arn else None


def db_instance(item: Mapping[str, Any], *, replica_of: str | None = None) -> Resource:
    """An instance; with ``replica_of`` (the source's identifier) a read replica read as its source's reader:
    the model folds it into the source (its read capacity and reader host). Never set for the target
    itself, which stays a database of its own even when it is a replica."""
    ident = str(item["DBInstanceIdentifier"])
    endpoint = item.get("Endpoint") or {}
    address, port = endpoint.get("Address"), endpoint.get("Port") or item.get("DbInstancePort") or None
    groups = item.get("DBParameterGroups") or [{}]
    return record(
        T_DB_INSTANCE,
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
            "replicateSourceDb": replica_of,
        },
        str(item.get("DBInstanceArn") or ident),
    )


def cluster_member(item: Mapping[str, Any]) -> Resource:
    ident = str(item["DBInstanceIdentifier"])
    return record(
        T_CLUSTER_INSTANCE,
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
    return record(
        T_CLUSTER,
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
    return record(
        T_PROXY,
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


def proxy_endpoint(item: Mapping[str, Any]) -> Resource:
    """A ``DescribeDBProxyEndpoints`` item: a READ_ONLY one is the proxy's reader (DB_READ_HOST)."""
    name = str(item["DBProxyEndpointName"])
    return record(
        T_PROXY_ENDPOINT,
        name,
        name,
        {
            "dbProxyName": item.get("DBProxyName"),
            "dbProxyEndpointName": name,
            "endpoint": item.get("Endpoint"),
            "targetRole": item.get("TargetRole"),
            "vpcSubnetIds": list(item.get("VpcSubnetIds") or []),
            "vpcSecurityGroupIds": list(item.get("VpcSecurityGroupIds") or []),
        },
        str(item.get("DBProxyEndpointArn") or name),
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
        out.append(record(T_PROXY_TARGET, f"{proxy_name}/{rid}", f"{proxy_name}/{rid}", props))
    return out


def proxy_target_group(proxy_name: str, groups: Iterable[Mapping[str, Any]]) -> Resource | None:
    for g in groups:
        if g.get("IsDefault") or g.get("TargetGroupName") == "default":
            pool = g.get("ConnectionPoolConfig") or {}
            return record(
                T_PROXY_TG,
                f"{proxy_name}/default",
                str(g.get("TargetGroupArn") or f"{proxy_name}/default"),
                {
                    "dbProxyName": proxy_name,
                    "connectionPoolConfig": {"maxConnectionsPercent": pool.get("MaxConnectionsPercent")},
                },
            )
    return None
