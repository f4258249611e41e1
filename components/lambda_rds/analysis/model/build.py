"""Typed views over a resource list: the network, the functions, the databases, as AWS would see them.

Built from ``Resource`` records whatever their source. Per type, the camelCase keys read (a boto3
adapter for ``doctor`` fills these and nothing else is required):

- ``aws:ec2/vpc:Vpc``: cidrBlock, mainRouteTableId, defaultSecurityGroupId
- ``aws:ec2/subnet:Subnet``: vpcId, availabilityZone, availabilityZoneId, cidrBlock, mapPublicIpOnLaunch
- ``aws:ec2/routeTable:RouteTable``: vpcId, routes[{cidrBlock, gatewayId, natGatewayId, vpcEndpointId,
  networkInterfaceId, transitGatewayId, vpcPeeringConnectionId}]; ``aws:ec2/defaultRouteTable``: the same
  plus defaultRouteTableId
- ``aws:ec2/route:Route``: routeTableId, destinationCidrBlock, and one target id as above
- ``aws:ec2/routeTableAssociation``: subnetId, routeTableId; ``aws:ec2/mainRouteTableAssociation``: vpcId,
  routeTableId
- ``aws:ec2/internetGateway``: vpcId; ``aws:ec2/internetGatewayAttachment``: vpcId, internetGatewayId
- ``aws:ec2/natGateway``: subnetId, connectivityType, allocationId, availabilityMode, vpcId (regional
  gateways have no subnet); ``aws:ec2/eip``: domain
- ``aws:ec2/securityGroup`` and ``aws:ec2/defaultSecurityGroup``: vpcId, ingress[], egress[]
  ({protocol, fromPort, toPort, cidrBlocks, ipv6CidrBlocks, securityGroups, self, prefixListIds})
- ``aws:ec2/securityGroupRule``: type, securityGroupId, protocol, fromPort, toPort, cidrBlocks,
  ipv6CidrBlocks, sourceSecurityGroupId, self, prefixListIds
- ``aws:vpc/securityGroupIngressRule`` / ``EgressRule``: securityGroupId, ipProtocol, fromPort, toPort,
  cidrIpv4, cidrIpv6, referencedSecurityGroupId, prefixListId
- ``aws:ec2/networkAcl`` / ``defaultNetworkAcl``: vpcId, subnetIds, ingress[], egress[] ({ruleNo, action,
  protocol, fromPort, toPort, cidrBlock}); ``aws:ec2/networkAclRule``: networkAclId, ruleNumber, egress,
  protocol, ruleAction, cidrBlock, fromPort, toPort; ``aws:ec2/networkAclAssociation``: networkAclId, subnetId
- ``aws:ec2/vpcEndpoint``: vpcId, serviceName, vpcEndpointType, subnetIds, securityGroupIds,
  privateDnsEnabled, routeTableIds
- ``aws:lambda/function``: arn, role, vpcConfig{subnetIds, securityGroupIds}, timeout, memorySize,
  reservedConcurrentExecutions, environment{variables}, runtime, architectures
- ``aws:iam/role``: arn, inlinePolicies[{policy}], managedPolicyArns; ``aws:iam/rolePolicy``: role, policy;
  ``aws:iam/rolePolicyAttachment``: role, policyArn; ``aws:iam/policy``: arn, policy
- ``aws:rds/instance``: engine, engineVersion, port, address, instanceClass, dbSubnetGroupName,
  vpcSecurityGroupIds, publiclyAccessible, resourceId, parameterGroupName, username, and the flags the
  policies read (storageEncrypted, multiAz, …); ``aws:rds/cluster`` likewise with endpoint,
  clusterResourceId, dbClusterParameterGroupName, serverlessv2ScalingConfiguration;
  ``aws:rds/clusterInstance``: clusterIdentifier, instanceClass
- ``aws:rds/subnetGroup``: name, subnetIds; ``aws:rds/parameterGroup`` / ``clusterParameterGroup``: name,
  parameters[{name, value}]
- ``aws:rds/proxy``: arn, endpoint, engineFamily, vpcSubnetIds, vpcSecurityGroupIds, requireTls, auths,
  defaultAuthScheme; ``aws:rds/proxyTarget``: dbProxyName, dbInstanceIdentifier | dbClusterIdentifier;
  ``aws:rds/proxyDefaultTargetGroup``: dbProxyName, connectionPoolConfig{maxConnectionsPercent}

Resources refer to each other by id, ARN or name, as in AWS: the model resolves them with indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from lambda_rds.analysis.model.resources import Resource, is_unknown, parse_json_property
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_CLUSTER_INSTANCE,
    T_CLUSTER_PARAM_GROUP,
    T_DB_INSTANCE,
    T_DB_SUBNET_GROUP,
    T_DEFAULT_NACL,
    T_DEFAULT_RT,
    T_DEFAULT_SG,
    T_FUNCTION,
    T_IGW,
    T_IGW_ATTACH,
    T_MAIN_RTA,
    T_NACL,
    T_NACL_ASSOC,
    T_NACL_RULE,
    T_NAT,
    T_PARAM_GROUP,
    T_POLICY,
    T_POLICY_ATTACH,
    T_PROXY,
    T_PROXY_ENDPOINT,
    T_PROXY_TARGET,
    T_PROXY_TG,
    T_ROLE,
    T_ROLE_POLICY,
    T_ROLE_POLICY_ATTACH,
    T_ROUTE,
    T_RT,
    T_RTA,
    T_SECRET,
    T_SECRET_ROTATION,
    T_SG,
    T_SG_EGRESS,
    T_SG_INGRESS,
    T_SG_RULE,
    T_SUBNET,
    T_VPC,
    T_VPCE,
    T_VPCE_RTA,
)
from lambda_rds.analysis.model.values import (
    as_bool,
    as_float,
    as_int,
    as_list,
    as_mapping,
    as_net,
    as_str,
    as_strs,
    first_block,
    protocol_name,
    unknown_ids,
)
from lambda_rds.analysis.model.views import (
    Database,
    Function,
    Model,
    NaclEntry,
    NatGateway,
    NetworkAcl,
    Proxy,
    Role,
    Route,
    RouteTable,
    RouteTarget,
    Secret,
    SecurityGroup,
    SgRule,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from lambda_rds.rules import iam

__all__ = ["Model", "build_model"]


def _rid(r: Resource) -> str:
    """The physical id, or a stand-in derived from the URN when the engine does not know it yet."""
    return r.id or f"unknown:{r.key}"


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


def _collect_sgs(resources: Sequence[Resource]) -> dict[str, SecurityGroup]:
    groups: dict[str, dict[str, Any]] = {}
    gid: str | None
    for r in resources:
        if r.type in (T_SG, T_DEFAULT_SG):
            gid = _rid(r)
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


def _collect_nacls(resources: Sequence[Resource]) -> dict[str, NetworkAcl]:
    raw: dict[str, dict[str, Any]] = {}
    nid: str | None
    for r in resources:
        if r.type in (T_NACL, T_DEFAULT_NACL):
            nid = _rid(r)
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


def _service_short(service_name: str) -> str:
    """``com.amazonaws.us-east-1.secretsmanager`` -> ``secretsmanager``."""
    return service_name.rsplit(".", 1)[-1] if service_name else ""


def _policy_docs_for_role(resources: Sequence[Resource], role: Resource) -> Role:
    role_name = as_str(role.get("name")) or role.name
    role_arn = as_str(role.get("arn"))
    role_keys = {k for k in (role_name, role_arn, role.id, role.name) if k}
    policies_by_arn = {
        arn: doc
        for p in resources
        if p.type == T_POLICY
        and (arn := as_str(p.get("arn")))
        and (doc := parse_json_property(p.get("policy")))
    }
    docs: list[dict[str, Any]] = []
    managed: list[str] = []
    unknown_managed: list[str] = []

    def attach(arn: str) -> None:
        managed.append(arn)
        if arn in iam.MANAGED_POLICY_ACTIONS:
            actions = list(iam.MANAGED_POLICY_ACTIONS[arn])
            docs.append({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
        elif arn in policies_by_arn:
            docs.append(dict(policies_by_arn[arn]))
        else:
            unknown_managed.append(arn)

    for block in as_list(role.get("inlinePolicies")):
        doc = parse_json_property(as_mapping(block).get("policy"))
        if isinstance(doc, Mapping):
            docs.append(dict(doc))
    for arn in as_strs(role.get("managedPolicyArns")):
        attach(arn)
    for r in resources:
        if r.type == T_ROLE_POLICY and as_str(r.get("role")) in role_keys:
            doc = parse_json_property(r.get("policy"))
            if isinstance(doc, Mapping):
                docs.append(dict(doc))
        elif r.type in (T_ROLE_POLICY_ATTACH, T_POLICY_ATTACH) and (arn := as_str(r.get("policyArn"))):
            names = {as_str(r.get("role"))} | set(as_strs(r.get("roles")))
            if role_keys & names:
                attach(arn)
    return Role(role.name, role_arn, tuple(docs), tuple(managed), tuple(unknown_managed))


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


def _build_databases(resources: Sequence[Resource]) -> list[Database]:
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


def _build_proxies(resources: Sequence[Resource]) -> list[Proxy]:
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


def _build_functions(resources: Sequence[Resource], roles: Mapping[str, Role]) -> list[Function]:
    out = []
    for r in resources:
        if r.type != T_FUNCTION:
            continue
        vpc = first_block(r.get("vpcConfig"))
        raw_subnets = as_list(vpc.get("subnetIds"))
        raw_sgs = as_list(vpc.get("securityGroupIds"))
        env = {
            str(k): str(v)
            for k, v in as_mapping(first_block(r.get("environment")).get("variables")).items()
            if v is not None
        }
        role_arn = as_str(r.get("role"))
        reserved = as_int(r.get("reservedConcurrentExecutions"))
        arch = as_strs(r.get("architectures"))
        out.append(
            Function(
                name=r.name,
                arn=as_str(r.get("arn")),
                role_arn=role_arn,
                role=roles.get(role_arn) if role_arn else None,
                subnet_ids=as_strs(raw_subnets),
                sg_ids=as_strs(raw_sgs),
                timeout=as_int(r.get("timeout")) or 3,
                memory_mb=as_int(r.get("memorySize")) or 128,
                reserved_concurrency=None if reserved is None or reserved < 0 else reserved,
                env=env,
                runtime=as_str(r.get("runtime")),
                architecture=arch[0] if arch else "x86_64",
                in_vpc=bool(raw_subnets) or is_unknown(vpc.get("subnetIds")),
                unknown_network=unknown_ids(raw_subnets + raw_sgs) or is_unknown(vpc.get("subnetIds")),
                parent=r.parent,
            )
        )
    return out


def _build_secrets(resources: Sequence[Resource], dbs: Sequence[Database]) -> list[Secret]:
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


def _region_and_account(resources: Sequence[Resource]) -> tuple[str, str | None]:
    region, account = "", None
    for r in resources:
        arn = as_str(r.get("arn"))
        if not arn or not arn.startswith("arn:"):
            continue
        parts = arn.split(":")
        if len(parts) > 4:
            region = region or parts[3]
            account = account or (parts[4] or None)
        if region and account:
            break
    return region or "us-east-1", account


def build_model(resources: Iterable[Resource]) -> Model:
    """Index a resource list into the typed views the checks use."""
    res = list(resources)
    m = Model(res)
    m.region, m.account_id = _region_and_account(res)
    for r in res:
        if r.type == T_VPC:
            m.vpcs[_rid(r)] = Vpc(
                r.name,
                _rid(r),
                as_net(r.get("cidrBlock")),
                as_str(r.get("mainRouteTableId")),
                as_str(r.get("defaultSecurityGroupId")),
            )
            if mrt := as_str(r.get("mainRouteTableId")):
                m.main_route_table.setdefault(_rid(r), mrt)
        elif r.type == T_SUBNET:
            m.subnets[_rid(r)] = Subnet(
                r.name,
                _rid(r),
                as_str(r.get("vpcId")),
                as_str(r.get("availabilityZone")),
                as_str(r.get("availabilityZoneId")),
                as_net(r.get("cidrBlock")),
                bool(as_bool(r.get("mapPublicIpOnLaunch"))),
            )
        elif r.type == T_IGW:
            m.igws[_rid(r)] = as_str(r.get("vpcId"))
        elif r.type == T_NAT:
            m.nats[_rid(r)] = NatGateway(
                r.name,
                _rid(r),
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
    m.sgs = _collect_sgs(res)
    m.nacls = _collect_nacls(res)
    for r in res:
        if r.type == T_VPCE:
            service_name = as_str(r.get("serviceName")) or ""
            m.endpoints.append(
                VpcEndpoint(
                    r.name,
                    _rid(r),
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
    for r in res:
        if r.type == T_ROLE:
            role = _policy_docs_for_role(res, r)
            for k in (role.arn, r.name, as_str(r.get("name"))):
                if k:
                    m.roles[k] = role
    m.functions = _build_functions(res, m.roles)
    m.databases = _build_databases(res)
    m.proxies = _build_proxies(res)
    m.secrets = _build_secrets(res, m.databases)
    return m


def _build_routes(m: Model, res: Sequence[Resource]) -> None:
    igw_ids = set(m.igws)
    tables: dict[str, dict[str, Any]] = {}
    for r in res:
        if r.type in (T_RT, T_DEFAULT_RT):
            rt_id = as_str(r.get("defaultRouteTableId")) if r.type == T_DEFAULT_RT else None
            rt_id = rt_id or _rid(r)
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
                    tables[rt_id]["routes"].append(Route(None, "vpce", _rid(r), r.name))
        elif r.type == T_VPCE_RTA and (rt_id := as_str(r.get("routeTableId"))) in tables:
            tables[rt_id]["routes"].append(Route(None, "vpce", as_str(r.get("vpcEndpointId")) or "", r.name))
    for rt_id, t in tables.items():
        table_vpc = m.vpcs.get(t["vpc"] or "")
        local = (
            [Route(table_vpc.cidr, "local", "local", "(implicit)")] if table_vpc and table_vpc.cidr else []
        )
        m.route_tables[rt_id] = RouteTable(t["name"], rt_id, t["vpc"], tuple(local + t["routes"]))
