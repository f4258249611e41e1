"""Read what one function's path to its database depends on, from the live account, as analysis resources.

The function (configuration, reserved concurrency), its role (inline and attached policies), the
database or proxy its DB_HOST names (or ``--db``; a proxy brings its target databases, a database brings
the proxies in front of it, which share its connections), the secret it reads (metadata only), every
VPC involved (subnets, route tables, internet and NAT gateways, endpoints, security groups, network ACLs)
and the other functions that use the same database (their concurrency shares its connections).

Only ``Describe*``/``Get*``/``List*`` calls, all paginated (``aws.Aws`` enforces both). A call the caller
may not make is noted and skipped; the checks that needed it then answer "unknown" instead of guessing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.doctor import locate, normalise
from lambda_rds.doctor.aws import Aws, AwsError, error_code, is_access_denied
from lambda_rds.doctor.status import StatusNote, status_notes
from lambda_rds.rules import facts_lambda, iam

T = TypeVar("T")

NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "DBInstanceNotFound",
        "DBInstanceNotFoundFault",
        "DBClusterNotFoundFault",
        "DBProxyNotFoundFault",
        "DBProxyEndpointNotFoundFault",
        "DBSubnetGroupNotFoundFault",
        "DBParameterGroupNotFound",
        "DBParameterGroupNotFoundFault",
        "InvalidSubnetID.NotFound",
    }
)


@dataclass
class Snapshot:
    """What was read, normalised, plus what the report needs to say about it."""

    region: str
    function: str
    function_arn: str | None
    target: locate.Match
    resources: list[Resource]
    related: set[str]  # verdict subjects this diagnosis is about (the function, its target, the target's dbs)
    siblings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: list[StatusNote] = field(default_factory=list)  # what AWS reports about their state
    account_concurrency_limit: int | None = None
    """Lambda GetAccountSettings AccountLimit.ConcurrentExecutions in the region (None: not readable)."""
    unreserved_concurrency: int | None = None
    """AccountLimit.UnreservedConcurrentExecutions: what unreserved functions share (at least 100)."""


def _no_items() -> list[Any]:
    """A fresh, typed empty answer for a listing that could not be read."""
    return []


def role_name_from_arn(arn: str) -> str:
    """``arn:aws:iam::123:role/service-role/app`` -> ``app`` (GetRole wants the name, not the path)."""
    return arn.rsplit("/", 1)[-1]


class Reader:
    """One diagnosis' worth of reads; ``notes`` collects what could not be read and why."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.notes: list[str] = []
        self.resources: list[Resource] = []
        self._seen: set[str] = set()
        self._proxy_cache: list[dict[str, Any]] | None = None  # DescribeDBProxies, read at most once
        self.status: list[StatusNote] = []

    # -- plumbing ---------------------------------------------------------------------------------------
    def add(self, *items: Resource | None) -> None:
        for r in items:
            if r is not None and r.urn not in self._seen:
                self._seen.add(r.urn)
                self.resources.append(r)

    def optional(self, what: str, call: Callable[[], T], default: T) -> T:
        """Run a read whose absence the checks survive; note access denials and missing resources."""
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.parsers import ResponseParserError

        try:
            return call()
        except (BotoCoreError, ResponseParserError) as exc:  # e.g. an endpoint that does not know the API
            self.notes.append(f"{what} failed: {exc}")
            return default
        except ClientError as exc:
            if is_access_denied(exc):
                self.notes.append(
                    f"not allowed to {what} ({error_code(exc)}): the checks that need it say unknown"
                )
            elif error_code(exc) in NOT_FOUND_CODES:
                self.notes.append(f"{what}: not found ({error_code(exc)})")
            else:
                self.notes.append(f"{what} failed: {error_code(exc) or exc}")
            return default

    def required(self, what: str, call: Callable[[], T]) -> T:
        from botocore.exceptions import ClientError

        try:
            return call()
        except ClientError as exc:
            code = error_code(exc)
            if code in NOT_FOUND_CODES:
                raise AwsError(f"{what}: not found in {self.aws.region} ({code})") from None
            raise AwsError(f"{what} failed: {code}: {_message(exc)}") from None

    # -- account ----------------------------------------------------------------------------------------
    def account_concurrency(self) -> tuple[int | None, int | None]:
        """(ConcurrentExecutions, UnreservedConcurrentExecutions) from lambda:GetAccountSettings.

        The account's real quota (AWS's default is 1000, new accounts start lower): the checks use it
        instead of the default (sources.GET_ACCOUNT_SETTINGS).
        """
        empty: dict[str, Any] = {}
        answer = self.optional(
            "lambda:GetAccountSettings", lambda: self.aws.call("lambda", "get_account_settings"), empty
        )
        limit = answer.get("AccountLimit") or {}
        total, unreserved = limit.get("ConcurrentExecutions"), limit.get("UnreservedConcurrentExecutions")
        return (
            int(total) if isinstance(total, int) else None,
            int(unreserved) if isinstance(unreserved, int) else None,
        )

    # -- function and role ------------------------------------------------------------------------------
    def function(self, name: str) -> tuple[dict[str, Any], int | None]:
        config = self.required(
            f"lambda:GetFunctionConfiguration {name}",
            lambda: self.aws.call("lambda", "get_function_configuration", FunctionName=name),
        )
        self.status.extend(status_notes("function", config))
        reserved = self.reserved_concurrency(str(config["FunctionName"]))
        return config, reserved

    def reserved_concurrency(self, name: str) -> int | None:
        answer = self.optional(
            f"lambda:GetFunctionConcurrency {name}",
            lambda: self.aws.call("lambda", "get_function_concurrency", FunctionName=name),
            {"unreadable": True},
        )
        if answer.get("unreadable"):
            self.notes.append(f"{name}: reserved concurrency unknown, counted as unreserved")
        value = answer.get("ReservedConcurrentExecutions")
        return int(value) if value is not None else None

    def role(self, role_arn: str) -> None:
        name = role_name_from_arn(role_arn)
        item = self.optional(
            f"iam:GetRole {name}", lambda: self.aws.call("iam", "get_role", RoleName=name).get("Role"), None
        )
        if not item:
            return
        inline: dict[str, Any] = {}
        for pname in self.optional(
            f"iam:ListRolePolicies {name}",
            lambda: self.aws.pages("iam", "list_role_policies", "PolicyNames", RoleName=name),
            _no_items(),
        ):
            doc = self.optional(
                f"iam:GetRolePolicy {name}/{pname}",
                functools.partial(self._role_policy, name, str(pname)),
                None,
            )
            if doc is not None:
                inline[pname] = doc
        attached = self.optional(
            f"iam:ListAttachedRolePolicies {name}",
            lambda: self.aws.pages("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name),
            _no_items(),
        )
        arns = [str(a["PolicyArn"]) for a in attached if a.get("PolicyArn")]
        if item.get("PermissionsBoundary"):
            boundary = item["PermissionsBoundary"].get("PermissionsBoundaryArn")
            self.notes.append(
                f"role {name} has permissions boundary {boundary}: not evaluated (nor are SCPs)"
            )
        self.add(normalise.role(item, inline, arns))
        for arn in arns:
            # AWS-managed policies the analysis already knows (iam.MANAGED_POLICY_ACTIONS) need no read.
            if arn not in iam.MANAGED_POLICY_ACTIONS:
                self.add(self.managed_policy(arn))

    def _role_policy(self, role: str, policy: str) -> Any:
        return self.aws.call("iam", "get_role_policy", RoleName=role, PolicyName=policy).get("PolicyDocument")

    def managed_policy(self, arn: str) -> Resource | None:
        policy = self.optional(
            f"iam:GetPolicy {arn}",
            lambda: self.aws.call("iam", "get_policy", PolicyArn=arn).get("Policy"),
            None,
        )
        if not policy or not policy.get("DefaultVersionId"):
            return None
        version = self.optional(
            f"iam:GetPolicyVersion {arn}",
            lambda: self.aws.call(
                "iam", "get_policy_version", PolicyArn=arn, VersionId=policy["DefaultVersionId"]
            ).get("PolicyVersion"),
            None,
        )
        if not version:
            return None
        return normalise.managed_policy(arn, str(policy.get("PolicyName") or arn), version.get("Document"))

    # -- the database or proxy --------------------------------------------------------------------------
    def instances(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_instances", "DBInstances", **params)

    def clusters(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_clusters", "DBClusters", **params)

    def proxies(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_proxies", "DBProxies", **params)

    def _by_id(self, lister: Callable[..., list[dict[str, Any]]], **params: Any) -> list[dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            return lister(**params)
        except ClientError as exc:
            if error_code(exc) in NOT_FOUND_CODES:
                return []
            raise

    def find_target(self, host: str | None, db: str | None) -> locate.Match:
        """The target named by ``--db`` (identifier or host) or else by DB_HOST."""
        if db and not locate.looks_like_host(db):
            found = self.required(
                f"rds:Describe* {db}",
                lambda: locate.match_identifier(
                    db,
                    self._by_id(self.instances, DBInstanceIdentifier=db),
                    self._by_id(self.clusters, DBClusterIdentifier=db),
                    self._by_id(self.proxies, DBProxyName=db),
                ),
            )
            if found is None:
                raise AwsError(
                    f"--db {db}: no RDS instance, Aurora cluster or RDS Proxy with that identifier "
                    f"in {self.aws.region}"
                )
            return found
        wanted = db or host
        if not wanted:
            raise AwsError("the function has no DB_HOST environment variable: name the database with --db ID")
        origin = "--db" if db else "DB_HOST"
        # Cheapest first; each list is read only if the previous ones did not match.
        steps: list[Callable[[], locate.Match | None]] = [
            lambda: locate.match_host(wanted, instances=self.instances()),
            lambda: locate.match_host(wanted, clusters=self.clusters()),
            lambda: locate.match_host(wanted, proxies=self._proxy_list()),
            lambda: locate.match_host(
                wanted,
                proxies=self._proxy_list(),
                proxy_endpoints=self.optional(
                    "rds:DescribeDBProxyEndpoints",
                    lambda: self.aws.pages("rds", "describe_db_proxy_endpoints", "DBProxyEndpoints"),
                    _no_items(),
                ),
            ),
        ]
        for step in steps:
            found = self.required(f"rds:Describe* for {origin} {wanted}", step)
            if found is not None:
                how = found.how.replace("DB_HOST", origin) if db else found.how
                return replace(found, how=how)
        raise AwsError(
            f"{origin} {wanted} is not the endpoint of any RDS instance, Aurora cluster or RDS Proxy in "
            f"{self.aws.region}: pass --db ID (and --region if it lives elsewhere)"
        )

    def _proxy_list(self) -> list[dict[str, Any]]:
        if self._proxy_cache is None:
            self._proxy_cache = self.proxies()
        return self._proxy_cache

    def load_instance(self, item: Mapping[str, Any]) -> set[str]:
        """An instance, its subnet group and user-set parameters; returns the VPC ids involved."""
        self.add(normalise.db_instance(item))
        self.status.extend(status_notes("instance", item))
        group = item.get("DBSubnetGroup") or {}
        if group.get("DBSubnetGroupName"):
            self.add(normalise.db_subnet_group(group))
        pg = ((item.get("DBParameterGroups") or [{}])[0]).get("DBParameterGroupName")
        if pg and not str(pg).startswith("default."):
            params = self.optional(
                f"rds:DescribeDBParameters {pg}",
                lambda: self.aws.pages(
                    "rds", "describe_db_parameters", "Parameters", DBParameterGroupName=pg, Source="user"
                ),
                _no_items(),
            )
            self.add(normalise.parameter_group(str(pg), params, cluster=False))
        return {str(group["VpcId"])} if group.get("VpcId") else set()

    def load_cluster(self, item: Mapping[str, Any]) -> set[str]:
        ident = str(item["DBClusterIdentifier"])
        self.add(normalise.db_cluster(item))
        self.status.extend(status_notes("cluster", item))
        members = self.optional(
            f"rds:DescribeDBInstances (members of {ident})",
            lambda: self.instances(Filters=[{"Name": "db-cluster-id", "Values": [ident]}]),
            _no_items(),
        )
        for member in members:
            self.add(normalise.cluster_member(member))
        vpcs: set[str] = set()
        group_name = item.get("DBSubnetGroup")
        if group_name:
            groups = self.optional(
                f"rds:DescribeDBSubnetGroups {group_name}",
                lambda: self.aws.pages(
                    "rds", "describe_db_subnet_groups", "DBSubnetGroups", DBSubnetGroupName=group_name
                ),
                _no_items(),
            )
            for g in groups:
                self.add(normalise.db_subnet_group(g))
                if g.get("VpcId"):
                    vpcs.add(str(g["VpcId"]))
        cpg = item.get("DBClusterParameterGroup")
        if cpg and not str(cpg).startswith("default."):
            params = self.optional(
                f"rds:DescribeDBClusterParameters {cpg}",
                lambda: self.aws.pages(
                    "rds",
                    "describe_db_cluster_parameters",
                    "Parameters",
                    DBClusterParameterGroupName=cpg,
                    Source="user",
                ),
                _no_items(),
            )
            self.add(normalise.parameter_group(str(cpg), params, cluster=True))
        return vpcs

    def proxy_targets(self, name: str) -> list[dict[str, Any]]:
        return self.optional(
            f"rds:DescribeDBProxyTargets {name}",
            functools.partial(
                self.aws.pages, "rds", "describe_db_proxy_targets", "Targets", DBProxyName=name
            ),
            _no_items(),
        )

    def load_proxy(
        self,
        item: Mapping[str, Any],
        endpoint: Mapping[str, Any] | None = None,
        targets: list[dict[str, Any]] | None = None,
    ) -> tuple[set[str], list[str]]:
        """A proxy, its targets and default target group; returns (VPC ids, target identifiers)."""
        name = str(item["DBProxyName"])
        self.add(normalise.db_proxy(item, endpoint))
        if targets is None:
            targets = self.proxy_targets(name)
        self.status.extend(status_notes("proxy", item))
        for target in targets:
            self.status.extend(status_notes("proxy-target", target))
        target_resources = normalise.proxy_targets(name, targets)
        self.add(*target_resources)
        groups = self.optional(
            f"rds:DescribeDBProxyTargetGroups {name}",
            lambda: self.aws.pages(
                "rds", "describe_db_proxy_target_groups", "TargetGroups", DBProxyName=name
            ),
            _no_items(),
        )
        self.add(normalise.proxy_target_group(name, groups))
        vpcs = {str(v) for v in ((endpoint or {}).get("VpcId"), item.get("VpcId")) if v}
        idents = [
            str(r.outputs.get("dbInstanceIdentifier") or r.outputs.get("dbClusterIdentifier"))
            for r in target_resources
        ]
        return vpcs, idents

    def load_target(self, match: locate.Match) -> tuple[set[str], set[str]]:
        """Everything about the target; returns (VPC ids, verdict subjects it concerns)."""
        if match.kind == "instance":
            return self.load_instance(match.item), {match.identifier}
        if match.kind == "cluster":
            return self.load_cluster(match.item), {match.identifier}
        vpcs, idents = self.load_proxy(match.item, match.proxy_endpoint)
        subjects = {match.identifier}
        for ident in idents:
            found = self.optional(
                f"rds:Describe* proxy target {ident}",
                functools.partial(self._instance_or_cluster, ident),
                None,
            )
            if found is None:
                self.notes.append(f"proxy target {ident} could not be read")
                continue
            vpcs |= (
                self.load_instance(found.item) if found.kind == "instance" else self.load_cluster(found.item)
            )
            subjects.add(found.identifier)
        return vpcs, subjects

    def _instance_or_cluster(self, ident: str) -> locate.Match | None:
        return locate.match_identifier(
            ident,
            self._by_id(self.instances, DBInstanceIdentifier=ident),
            self._by_id(self.clusters, DBClusterIdentifier=ident),
        )

    def fronting_proxies(self, match: locate.Match) -> set[str]:
        """Proxies whose pool takes connections from the target database (they change its headroom)."""
        vpcs: set[str] = set()
        kind_key = "RDS_INSTANCE" if match.kind == "instance" else "TRACKED_CLUSTER"
        for proxy in self.optional("rds:DescribeDBProxies", self._proxy_list, _no_items()):
            name = str(proxy["DBProxyName"])
            targets = self.proxy_targets(name)
            if any(t.get("Type") == kind_key and t.get("RdsResourceId") == match.identifier for t in targets):
                found_vpcs, _ = self.load_proxy(proxy, targets=targets)
                vpcs |= found_vpcs
                self.notes.append(
                    f"proxy {name} also pools connections to {match.identifier}: counted in its capacity"
                )
        return vpcs

    # -- the secret -------------------------------------------------------------------------------------
    def secret(self, arn: str) -> None:
        item = self.optional(
            f"secretsmanager:DescribeSecret {arn}",
            lambda: self.aws.call("secretsmanager", "describe_secret", SecretId=arn),
            None,
        )
        if item:
            self.add(*normalise.secret(item))

    # -- networks ---------------------------------------------------------------------------------------
    def vpcs_of_subnets(self, subnet_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(subnet_ids))
        if not ids:
            return set()
        subnets = self.optional(
            "ec2:DescribeSubnets (the function's subnets)",
            lambda: self.aws.pages("ec2", "describe_subnets", "Subnets", SubnetIds=ids),
            _no_items(),
        )
        return {str(s["VpcId"]) for s in subnets if s.get("VpcId")}

    def networks(self, vpc_ids: Iterable[str]) -> None:
        """Every network piece of the VPCs, one paginated call per kind for all of them at once."""
        vpcs = sorted(set(vpc_ids))
        if not vpcs:
            return
        by_vpc = [{"Name": "vpc-id", "Values": vpcs}]
        tables = self.optional(
            "ec2:DescribeRouteTables",
            lambda: self.aws.pages("ec2", "describe_route_tables", "RouteTables", Filters=by_vpc),
            _no_items(),
        )
        mains = normalise.main_route_table_ids(tables)
        for v in self.optional(
            "ec2:DescribeVpcs",
            lambda: self.aws.pages("ec2", "describe_vpcs", "Vpcs", VpcIds=vpcs),
            _no_items(),
        ):
            self.add(normalise.vpc(v, mains.get(str(v["VpcId"]))))
        for s in self.optional(
            "ec2:DescribeSubnets",
            lambda: self.aws.pages("ec2", "describe_subnets", "Subnets", Filters=by_vpc),
            _no_items(),
        ):
            self.add(normalise.subnet(s))
        for t in tables:
            resources, notes = normalise.route_table(t)
            self.add(*resources)
            self.notes.extend(notes)
        for g in self.optional(
            "ec2:DescribeInternetGateways",
            lambda: self.aws.pages(
                "ec2",
                "describe_internet_gateways",
                "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": vpcs}],
            ),
            _no_items(),
        ):
            self.add(normalise.internet_gateway(g))
        # DescribeNatGateways names its filter parameter `Filter`, unlike the others.
        for n in self.optional(
            "ec2:DescribeNatGateways",
            lambda: self.aws.pages("ec2", "describe_nat_gateways", "NatGateways", Filter=by_vpc),
            _no_items(),
        ):
            if str(n.get("State", "")).lower() == "available":
                self.add(normalise.nat_gateway(n))
            elif str(n.get("State", "")).lower() not in ("deleted",):
                self.notes.append(
                    f"NAT gateway {n['NatGatewayId']} is {n.get('State')}: routes to it carry nothing yet"
                )
        for e in self.optional(
            "ec2:DescribeVpcEndpoints",
            lambda: self.aws.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
            _no_items(),
        ):
            if str(e.get("State", "")).lower() == "available":
                self.add(normalise.vpc_endpoint(e))
            else:
                self.notes.append(
                    f"VPC endpoint {e['VpcEndpointId']} ({e.get('ServiceName')}) is {e.get('State')}: "
                    "not usable, left out"
                )
        for g in self.optional(
            "ec2:DescribeSecurityGroups",
            lambda: self.aws.pages("ec2", "describe_security_groups", "SecurityGroups", Filters=by_vpc),
            _no_items(),
        ):
            self.add(normalise.security_group(g))
        for a in self.optional(
            "ec2:DescribeNetworkAcls",
            lambda: self.aws.pages("ec2", "describe_network_acls", "NetworkAcls", Filters=by_vpc),
            _no_items(),
        ):
            self.add(normalise.network_acl(a))

    # -- functions sharing the database -----------------------------------------------------------------
    def siblings(self, function: str, hosts: set[str]) -> list[tuple[dict[str, Any], int | None]]:
        found: list[tuple[dict[str, Any], int | None]] = []
        for config in self.optional(
            "lambda:ListFunctions (other functions using the same database)",
            lambda: self.aws.pages("lambda", "list_functions", "Functions"),
            _no_items(),
        ):
            host = ((config.get("Environment") or {}).get("Variables") or {}).get("DB_HOST")
            if config.get("FunctionName") != function and host and locate.normalise_host(str(host)) in hosts:
                found.append((config, self.reserved_concurrency(str(config["FunctionName"]))))
        return found


def _message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Message", "")) or str(exc)
    return str(exc)


def _target_hosts(match: locate.Match) -> set[str]:
    """Every host name that reaches the target (for matching other functions' DB_HOST)."""
    item = match.item
    hosts = {match.endpoint, match.primary_host or ""}
    if match.kind == "instance":
        hosts.add(str((item.get("Endpoint") or {}).get("Address") or ""))
    elif match.kind == "cluster":
        hosts |= {str(item.get("Endpoint") or ""), str(item.get("ReaderEndpoint") or "")}
        hosts |= {str(h) for h in item.get("CustomEndpoints") or []}
    else:
        hosts.add(str(item.get("Endpoint") or ""))
    return {locate.normalise_host(h) for h in hosts if h}


def _model_hosts(match: locate.Match) -> set[str]:
    """The host strings the analysis model itself recognises for the target (``Model.target_of``)."""
    item = match.item
    if match.kind == "instance":
        return {str((item.get("Endpoint") or {}).get("Address") or "")} - {""}
    if match.kind == "cluster":
        return {str(item.get("Endpoint") or ""), str(item.get("ReaderEndpoint") or "")} - {""}
    return {match.endpoint} - {""}


def _pin_host(fn: Resource, host: str | None) -> Resource:
    """The function resource with DB_HOST set to the host the model recognises for the target."""
    env = dict(fn.outputs.get("environment", {}).get("variables", {}))
    if not host or env.get("DB_HOST") == host:
        return fn
    env["DB_HOST"] = host
    outputs = dict(fn.outputs)
    outputs["environment"] = {"variables": env}
    return replace(fn, outputs=outputs)


def read(aws: Aws, function: str, db: str | None = None, *, include_siblings: bool = True) -> Snapshot:
    """Read everything the checks need for ``function`` (a name or ARN) and its database."""
    reader = Reader(aws)
    config, reserved = reader.function(function)
    name = str(config["FunctionName"])
    fn = normalise.function(config, reserved)
    env = fn.outputs.get("environment", {}).get("variables", {})
    if config.get("Role"):
        reader.role(str(config["Role"]))

    match = reader.find_target(env.get("DB_HOST"), db)
    if match.kind == "instance" and match.item.get("DBClusterIdentifier"):
        # A cluster member's own endpoint: the model folds members into their cluster, so check the cluster.
        cluster_id = str(match.item["DBClusterIdentifier"])
        clusters = reader.required(
            f"rds:DescribeDBClusters {cluster_id}", lambda: reader.clusters(DBClusterIdentifier=cluster_id)
        )
        if clusters:
            member = match.identifier
            match = locate.Match(
                "cluster",
                cluster_id,
                match.endpoint,
                f"{match.how} of {member}, a member of cluster {cluster_id}",
                clusters[0],
                primary_host=str(clusters[0].get("Endpoint") or "") or None,
            )
    vpcs, subjects = reader.load_target(match)
    if match.kind != "proxy":
        vpcs |= reader.fronting_proxies(match)
    if env.get("DB_SECRET_ARN"):
        reader.secret(str(env["DB_SECRET_ARN"]))

    fn_subnets = list((fn.outputs.get("vpcConfig") or {}).get("subnetIds") or [])
    vpcs |= reader.vpcs_of_subnets(fn_subnets)
    reader.networks(vpcs)

    hosts = _target_hosts(match)
    current = str(env.get("DB_HOST") or "")
    pin = match.primary_host if current not in _model_hosts(match) else None
    if pin:
        if not current:
            reader.notes.append(f"no DB_HOST set: checking {match.kind} {match.identifier} named by --db")
        elif locate.normalise_host(current) in hosts:
            reader.notes.append(
                f"DB_HOST {current} reaches {match.kind} {match.identifier} ({match.how}); checked as {pin}"
            )
        else:
            reader.notes.append(
                f"DB_HOST {current} is not an endpoint of {match.kind} {match.identifier} (named by --db); "
                f"checked as {pin}: if DB_HOST is a DNS alias make sure it resolves there, else fix DB_HOST"
            )
    reader.add(_pin_host(fn, pin))
    sibling_names: list[str] = []
    if include_siblings:
        for sib_config, sib_reserved in reader.siblings(name, hosts):
            sibling = normalise.function(sib_config, sib_reserved)
            sib_host = str(
                ((sib_config.get("Environment") or {}).get("Variables") or {}).get("DB_HOST") or ""
            )
            reader.add(
                _pin_host(sibling, match.primary_host if sib_host not in _model_hosts(match) else None)
            )
            sibling_names.append(sibling.name)
    account_limit, unreserved = reader.account_concurrency()
    if account_limit is not None and unreserved is not None:
        minimum = facts_lambda.MIN_UNRESERVED_CONCURRENCY
        reader.notes.append(
            f"Lambda account concurrency in {aws.region}: limit {account_limit}, unreserved {unreserved}"
            + (
                f" (the minimum {minimum}: no function can reserve more until a reservation is lowered or "
                "the quota raised)"
                if unreserved <= minimum
                else f" (at most {unreserved - minimum} more can be reserved)"
            )
        )
    return Snapshot(
        region=aws.region,
        function=name,
        function_arn=config.get("FunctionArn"),
        target=match,
        resources=reader.resources,
        related={name} | subjects,
        siblings=sibling_names,
        notes=reader.notes,
        status=reader.status,
        account_concurrency_limit=account_limit,
        unreserved_concurrency=unreserved,
    )
