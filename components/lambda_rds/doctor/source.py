"""Read what one function's path to its database depends on, from the live account, as analysis resources.

The function (configuration, reserved concurrency), its role (inline and attached policies), the
database or proxy its DB_HOST names (or ``--db``; a proxy brings its target databases, a database brings
the proxies in front of it, which share its connections; with DB_READ_HOST, its readers: read replicas, a
proxy's read-only endpoint), the secret it reads (metadata only, its KMS key resolved to the key ARN), every
VPC involved (subnets, route tables, internet and NAT gateways, endpoints, security groups, network ACLs,
a NAT instance's interface and instance), the other functions that use the same database (their
concurrency shares its connections), and last the component's CloudWatch alarms (``alarm_reads``).

Only ``Describe*``/``Get*``/``List*`` calls, all paginated (``aws.Aws`` enforces both). A call the caller
may not make is noted and skipped; the checks that needed it then answer "unknown" instead of guessing.

The reads live by side: ``function_reads`` (Lambda, IAM, Secrets Manager), ``database_reads`` (RDS),
``network_reads`` (EC2) and ``alarm_reads`` (CloudWatch), on the common core in ``reads``; ``Reader`` brings
them together and ``read`` puts one diagnosis' snapshot together from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_VPCE
from lambda_rds.doctor import locate, normalise
from lambda_rds.doctor.alarm_reads import AlarmFinding, AlarmReads
from lambda_rds.doctor.aws import Aws
from lambda_rds.doctor.database_reads import DatabaseReads
from lambda_rds.doctor.function_reads import FunctionReads
from lambda_rds.doctor.network_reads import NetworkReads
from lambda_rds.doctor.quota_reads import QuotaReads
from lambda_rds.doctor.status import StatusNote
from lambda_rds.rules import facts_lambda


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
    vpc_dns: dict[str, dict[str, bool]] = field(default_factory=dict)
    vpc_zones: dict[str, dict[str, str]] = field(default_factory=dict)
    """enableDnsSupport / enableDnsHostnames of each VPC with an interface endpoint with private DNS."""
    alarms: list[AlarmFinding] = field(default_factory=list)
    """The component's alarms in ALARM (warnings: they do not fail the run)."""


class Reader(FunctionReads, DatabaseReads, NetworkReads, AlarmReads, QuotaReads):
    """One diagnosis' worth of reads; ``notes`` collects what could not be read and why."""


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


def _private_dns_endpoint_vpcs(resources: list[Resource], region: str, service: str) -> set[str]:
    """The VPCs holding an interface endpoint with private DNS for ``service``."""
    name = f"com.amazonaws.{region}.{service}"
    return {
        str(r.get("vpcId"))
        for r in resources
        if r.type == T_VPCE and r.get("serviceName") == name and r.get("privateDnsEnabled")
    }


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


def _reader_hosts(resources: list[Resource]) -> list[str]:
    """Every reader host the model knows: replicas' addresses, clusters' reader endpoints, the proxies'
    read-only endpoints (``Model.read_targets_of`` compares DB_READ_HOST with these exact strings)."""
    hosts: list[str] = []
    for r in resources:
        if r.outputs.get("replicateSourceDb"):
            hosts.append(str(r.outputs.get("address") or ""))
        hosts.append(str(r.outputs.get("readerEndpoint") or ""))
        if str(r.outputs.get("targetRole") or "").upper() == "READ_ONLY":
            hosts.append(str(r.outputs.get("endpoint") or ""))
    return [h for h in hosts if h]


def _pin_readers(fn: Resource, resources: list[Resource]) -> Resource:
    """DB_READ_HOST with each host spelled as RDS answers it (DNS ignores case and a trailing dot)."""
    env = dict(fn.outputs.get("environment", {}).get("variables", {}))
    if not env.get("DB_READ_HOST"):
        return fn
    known = {locate.normalise_host(h): h for h in _reader_hosts(resources)}
    hosts = [h.strip() for h in str(env["DB_READ_HOST"]).split(",") if h.strip()]
    env["DB_READ_HOST"] = ",".join(known.get(locate.normalise_host(h), h) for h in hosts)
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

    reader.read_hosts = [h.strip() for h in str(env.get("DB_READ_HOST") or "").split(",") if h.strip()]
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
    fn_vpcs = reader.vpcs_of_subnets(fn_subnets)
    vpcs |= fn_vpcs
    reader.networks(vpcs)
    if env.get("DB_SECRET_ARN") or env.get("DB_AUTH") == "secret":
        # No interface endpoint of its own with private DNS: the service's name may still resolve to an
        # endpoint in a central VPC, through a private hosted zone associated with this one.
        reader.hosted_zones(
            fn_vpcs - _private_dns_endpoint_vpcs(reader.resources, aws.region, "secretsmanager")
        )

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
    reader.add(_pin_readers(_pin_host(fn, pin), reader.resources))
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
    # Last: the checks need none of it, so a slow CloudWatch never costs them their share of the deadline.
    if config.get("FunctionArn"):
        reader.component_alarms(name, reader.function_tags(str(config["FunctionArn"])))
    if fn_subnets:
        # Only a function in a VPC takes network interfaces; last of all, like the alarms.
        headroom = reader.eni_headroom()
        if headroom is not None:
            reader.notes.append(headroom.note())
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
        vpc_dns=reader.vpc_dns,
        vpc_zones=reader.vpc_zones,
        alarms=reader.alarms,
    )
