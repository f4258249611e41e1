"""Databases (Aurora members and RDS read replicas folded in), RDS proxies and secrets, from resources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lambda_rds.analysis.model.resources import Resource, is_unknown
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
    T_SECRET,
    T_SECRET_ROTATION,
)
from lambda_rds.analysis.model.values import (
    as_bool,
    as_float,
    as_int,
    as_list,
    as_mapping,
    as_str,
    as_strs,
    first_block,
)
from lambda_rds.analysis.model.views import Database, Proxy, Secret
from lambda_rds.rules import iam


def _parameters(group: Resource | None) -> dict[str, str]:
    if group is None:
        return {}
    return {
        str(p.get("name")): str(p.get("value"))
        for p in (as_mapping(x) for x in as_list(group.get("parameters")))
        if p.get("name") is not None
    }


def _find_named(resources: Sequence[Resource], type_token: str, name: str | None) -> Resource | None:
    if not name:
        return None
    for r in resources:
        if r.type == type_token and name in (as_str(r.get("name")), r.id, r.name):
            return r
    return None


def _default_port(engine: str) -> int:
    return 3306 if ("mysql" in engine or "mariadb" in engine) else 5432


def _master_secret_arn(r: Resource) -> str | None:
    for s in as_list(r.get("masterUserSecrets")):
        if arn := as_str(as_mapping(s).get("secretArn")):
            return arn
    return None


def _fold_replicas(dbs: list[Database], resources: Sequence[Resource]) -> list[Database]:
    """RDS read replicas (``replicateSourceDb``: the source's identifier, or its ARN) folded into their
    source: they are its read capacity, not databases of their own (no subnet group, user or backups of
    their own: sources.CREATE_DB_INSTANCE_READ_REPLICA)."""
    replicas = [r for r in resources if r.type == T_DB_INSTANCE and as_str(r.get("replicateSourceDb"))]
    if not replicas:
        return dbs
    out = []
    for db in dbs:
        keys = {k for k in (db.identifier, db.resource.id, as_str(db.resource.get("arn"))) if k}
        mine = tuple(
            r
            for r in replicas
            if (as_str(r.get("replicateSourceDb")) or "").split(":")[-1] in keys
            or as_str(r.get("replicateSourceDb")) in keys
        )
        if db.kind == "instance" and mine:
            hosts = tuple(h for r in mine for h in (as_str(r.get("address")),) if h)
            db = replace(db, replicas=mine, reader_hosts=hosts)
        out.append(db)
    return out


def build_databases(resources: Sequence[Resource]) -> list[Database]:
    """The RDS instances and Aurora clusters, cluster members and read replicas folded in."""
    dbs = []
    for r in resources:
        if r.type == T_DB_INSTANCE:
            if as_str(r.get("clusterIdentifier")):
                continue  # a cluster member declared as an instance: folded into its cluster
            if as_str(r.get("replicateSourceDb")):
                continue  # a read replica: folded into its source (_fold_replicas)
            engine = as_str(r.get("engine")) or "postgres"
            sng = _find_named(resources, T_DB_SUBNET_GROUP, as_str(r.get("dbSubnetGroupName")))
            pg = _find_named(resources, T_PARAM_GROUP, as_str(r.get("parameterGroupName")))
            hosts = tuple(h for h in (as_str(r.get("address")), as_str(r.get("endpoint"))) if h)
            dbs.append(
                Database(
                    name=r.name,
                    kind="instance",
                    resource=r,
                    engine=engine,
                    engine_version=as_str(r.get("engineVersion")),
                    port=as_int(r.get("port")) or _default_port(engine),
                    hosts=hosts,
                    subnet_ids=as_strs(sng.get("subnetIds")) if sng else (),
                    sg_ids=as_strs(r.get("vpcSecurityGroupIds")),
                    publicly_accessible=bool(as_bool(r.get("publiclyAccessible"))),
                    instance_classes=as_strs(r.get("instanceClass")),
                    serverless_min_acu=None,
                    serverless_max_acu=None,
                    resource_id=as_str(r.get("resourceId")),
                    identifier=as_str(r.get("identifier")) or r.id or None,
                    parameters=_parameters(pg),
                    has_custom_parameter_group=pg is not None or bool(as_str(r.get("parameterGroupName"))),
                    master_username=as_str(r.get("username")),
                    master_secret_arn=_master_secret_arn(r),
                )
            )
        elif r.type == T_CLUSTER:
            engine = as_str(r.get("engine")) or "aurora-postgresql"
            ident = as_str(r.get("clusterIdentifier")) or r.id or None
            members = tuple(
                m
                for m in resources
                if m.type in (T_CLUSTER_INSTANCE, T_DB_INSTANCE)
                and as_str(m.get("clusterIdentifier")) in {ident, r.id, r.name}
            )
            sng = _find_named(resources, T_DB_SUBNET_GROUP, as_str(r.get("dbSubnetGroupName")))
            cpg = _find_named(resources, T_CLUSTER_PARAM_GROUP, as_str(r.get("dbClusterParameterGroupName")))
            scaling = first_block(r.get("serverlessv2ScalingConfiguration"))
            hosts = tuple(h for h in (as_str(r.get("endpoint")), as_str(r.get("readerEndpoint"))) if h)
            classes = tuple(c for m in members if (c := as_str(m.get("instanceClass"))))
            dbs.append(
                Database(
                    name=r.name,
                    kind="cluster",
                    resource=r,
                    engine=engine,
                    engine_version=as_str(r.get("engineVersion")),
                    port=as_int(r.get("port")) or _default_port(engine),
                    hosts=hosts,
                    subnet_ids=as_strs(sng.get("subnetIds")) if sng else (),
                    sg_ids=as_strs(r.get("vpcSecurityGroupIds")),
                    publicly_accessible=any(bool(as_bool(m.get("publiclyAccessible"))) for m in members),
                    instance_classes=classes,
                    serverless_min_acu=as_float(scaling.get("minCapacity")),
                    serverless_max_acu=as_float(scaling.get("maxCapacity")),
                    resource_id=as_str(r.get("clusterResourceId")),
                    identifier=ident,
                    parameters=_parameters(cpg),
                    has_custom_parameter_group=cpg is not None,
                    master_username=as_str(r.get("masterUsername")),
                    master_secret_arn=_master_secret_arn(r),
                    members=members,
                    # The reader endpoint balances over the Aurora Replicas (sources.AURORA_READER_ENDPOINT).
                    reader_hosts=tuple(h for h in (as_str(r.get("readerEndpoint")),) if h),
                )
            )
    return _fold_replicas(dbs, resources)


def build_proxies(resources: Sequence[Resource]) -> list[Proxy]:
    """The RDS proxies with their targets, pool size, auth and read-only endpoint."""
    proxies = []
    for r in resources:
        if r.type != T_PROXY:
            continue
        pname = as_str(r.get("name")) or r.name
        keys = {pname, r.name, r.id}
        targets = tuple(
            ident
            for t in resources
            if t.type == T_PROXY_TARGET and as_str(t.get("dbProxyName")) in keys
            for ident in (as_str(t.get("dbInstanceIdentifier")) or as_str(t.get("dbClusterIdentifier")),)
            if ident
        )
        pct = 100
        for tg in resources:
            if tg.type == T_PROXY_TG and as_str(tg.get("dbProxyName")) in keys:
                pct = as_int(first_block(tg.get("connectionPoolConfig")).get("maxConnectionsPercent")) or 100
        auths = [as_mapping(a) for a in as_list(r.get("auths"))]
        iam_auth = (as_str(r.get("defaultAuthScheme")) or "").upper() == "IAM_AUTH" or any(
            (as_str(a.get("iamAuth")) or "").upper() == "REQUIRED" for a in auths
        )
        arn = as_str(r.get("arn"))
        read_only = next(
            (
                e
                for e in resources
                if e.type == T_PROXY_ENDPOINT
                and as_str(e.get("dbProxyName")) in keys
                and (as_str(e.get("targetRole")) or "").upper() == "READ_ONLY"
            ),
            None,
        )
        proxies.append(
            Proxy(
                name=r.name,
                resource=r,
                arn=arn,
                proxy_id=iam.proxy_id_from_arn(arn) if arn else None,
                endpoint=as_str(r.get("endpoint")),
                engine_family=as_str(r.get("engineFamily")) or "POSTGRESQL",
                subnet_ids=as_strs(r.get("vpcSubnetIds")),
                sg_ids=as_strs(r.get("vpcSecurityGroupIds")),
                require_tls=bool(as_bool(r.get("requireTls"))),
                iam_auth=iam_auth,
                target_names=targets,
                max_connections_percent=pct,
                reader_endpoint=as_str(read_only.get("endpoint")) if read_only else None,
                reader_subnet_ids=as_strs(read_only.get("vpcSubnetIds")) if read_only else (),
                reader_sg_ids=as_strs(read_only.get("vpcSecurityGroupIds")) if read_only else (),
            )
        )
    return proxies


def build_secrets(resources: Sequence[Resource], dbs: Sequence[Database]) -> list[Secret]:
    """The Secrets Manager secrets with their rotation, plus the master secrets RDS manages."""
    rotation: dict[str, int | None] = {}
    for r in resources:
        if r.type == T_SECRET_ROTATION and (sid := as_str(r.get("secretId"))):
            rotation[sid] = as_int(first_block(r.get("rotationRules")).get("automaticallyAfterDays")) or 0
    secrets = []
    for r in resources:
        if r.type == T_SECRET:
            arn = as_str(r.get("arn")) or r.id or None
            days = next(
                (d for k in (arn, r.id, as_str(r.get("name"))) if k and (d := rotation.get(k)) is not None),
                None,
            )
            secrets.append(Secret(r.name, arn, as_str(r.get("kmsKeyId")), days))
    for db in dbs:
        if db.master_secret_arn:
            # RDS rotates the secrets it manages every 7 days (REFERENCE.md).
            secrets.append(
                Secret(f"{db.name} (RDS-managed master secret)", db.master_secret_arn, None, 7, True)
            )
    return secrets


def group_parameters(resources: Sequence[Resource], r: Resource) -> dict[str, str] | None:
    """The user-set parameters of the group an RDS instance (``parameterGroupName``) or Aurora cluster
    (``dbClusterParameterGroupName``) names, by lowercase name: {} when it names none (RDS's default
    group), None when the named group is not among ``resources`` or not known yet (its values cannot be
    judged)."""
    cluster = r.type == T_CLUSTER
    raw = r.get("dbClusterParameterGroupName" if cluster else "parameterGroupName")
    if is_unknown(raw):
        return None  # a group created in the same preview: its name is not known yet
    name = as_str(raw)
    if not name:
        return {}
    group = _find_named(resources, T_CLUSTER_PARAM_GROUP if cluster else T_PARAM_GROUP, name)
    if group is None:
        return None
    # Names are matched without case: the provider lowercases every name it sends and reads
    # (sources.TF_RDS_PARAMETER_FLEX). Two spellings with different values leave what RDS keeps
    # undocumented: both values are kept, joined, which no log switch reads as on.
    out: dict[str, str] = {}
    for key, value in _parameters(group).items():
        low = key.lower()
        out[low] = value if out.get(low, value) == value else f"{out[low]} / {value}"
    return out
