"""Security policies over the model, mapped to AWS Foundational Security Best Practices (FSBP) control ids.

Each policy has an id (the FSBP id, or ``LR.*`` for lambda-rds's own rules where FSBP has none), a
severity, whether a violation fails the plan (``mandatory``) or is only reported (advisory), and a scope:
``all`` stacks or ``prod`` only (Multi-AZ, deletion protection, monitoring and flow logs are production
concerns; a throwaway dev stack is not wrong to skip them). Waivers (``waivers.py``) turn a violation
into a reported, justified exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from lambda_rds.analysis.model.resources import Resource, parse_json_property
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_CLUSTER_INSTANCE,
    T_DB_INSTANCE,
    T_DEFAULT_SG,
    T_FLOW_LOG,
    T_FUNCTION,
    T_FUNCTION_URL,
    T_KMS_KEY,
    T_PERMISSION,
    T_SG,
)
from lambda_rds.analysis.model.values import ANY_IPV4, as_bool, as_int, as_list, as_mapping, as_str
from lambda_rds.analysis.model.views import Database, Model
from lambda_rds.rules import iam

Severity = Literal["critical", "high", "medium", "low"]
Scope = Literal["all", "prod"]


@dataclass(frozen=True)
class Context:
    stack: str = "dev"
    production: bool = False
    lambda_concurrency_limit: int = 1000
    """The account's Lambda ConcurrentExecutions quota in the region (default quota 1000; `doctor` reads
    the real one with GetAccountSettings; `lambda-rds plan --lambda-concurrency-limit N` sets it)."""


@dataclass(frozen=True)
class Finding:
    policy: str
    title: str
    severity: Severity
    mandatory: bool
    resource: str
    resource_type: str
    message: str
    waived: bool = False
    waiver_reason: str | None = None
    source: str = ""
    """Where the rule comes from (the AWS reference URL), for AWS rules; empty for FSBP policies."""

    @property
    def blocking(self) -> bool:
        return self.mandatory and not self.waived

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "title": self.title,
            "severity": self.severity,
            "mandatory": self.mandatory,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
            "waived": self.waived,
            "waiver_reason": self.waiver_reason,
            "source": self.source,
        }


Violation = tuple[Resource, str]
Check = Callable[[Model], Iterator[Violation]]
ContextCheck = Callable[[Model, Context], Iterator[Violation]]


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    severity: Severity
    mandatory: bool
    scope: Scope
    check: Check
    source: str = ""
    """AWS rules: the reference the rule is read from (URL)."""
    read_on: str = ""
    """AWS rules: the date the source was read (YYYY-MM-DD)."""
    requires: str = ""
    """AWS rules: what AWS requires, in one sentence (the docs table's middle column)."""
    context_check: ContextCheck | None = None
    """Checks that depend on the account (quotas) take the context too."""

    def applies(self, ctx: Context) -> bool:
        return self.scope == "all" or ctx.production

    def run(self, model: Model, ctx: Context) -> Iterator[Violation]:
        if self.context_check is not None:
            return self.context_check(model, ctx)
        return self.check(model)


POLICIES: list[Policy] = []


def policy(
    pid: str,
    title: str,
    severity: Severity,
    *,
    mandatory: bool,
    scope: Scope = "all",
    source: str = "",
    read_on: str = "",
    requires: str = "",
) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        if any(p.id == pid for p in POLICIES):
            raise ValueError(f"policy id {pid} registered twice")
        POLICIES.append(Policy(pid, title, severity, mandatory, scope, fn, source, read_on, requires))
        return fn

    return register


def _instances(m: Model) -> list[Resource]:
    """Stand-alone RDS instances (cluster members are judged through their cluster)."""
    return [r for r in m.of_type(T_DB_INSTANCE) if not as_str(r.get("clusterIdentifier"))]


def _replica(r: Resource) -> bool:
    """An RDS read replica (``replicateSourceDb``): no backups, final snapshot or master user of its own
    (CreateDBInstanceReadReplica has none of them); its source is judged for those."""
    return bool(as_str(r.get("replicateSourceDb")))


def _cluster_members(m: Model) -> list[Resource]:
    return m.of_type(T_CLUSTER_INSTANCE) + [
        r for r in m.of_type(T_DB_INSTANCE) if as_str(r.get("clusterIdentifier"))
    ]


# ---- RDS ---------------------------------------------------------------------------------------------
@policy("RDS.2", "RDS instances prohibit public access", "critical", mandatory=True)
def _rds2(m: Model) -> Iterator[Violation]:
    for r in _instances(m) + _cluster_members(m):
        if as_bool(r.get("publiclyAccessible")):
            yield r, "publiclyAccessible is true"


@policy("RDS.18", "RDS instances are deployed in a VPC", "high", mandatory=True)
def _rds18(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        # A same-Region read replica lives in its source's subnet group and may not name one
        # (sources.DB_SUBNET_GROUP_NOT_ALLOWED): its source is judged instead.
        if not r.get("dbSubnetGroupName") and not as_str(r.get("replicateSourceDb")):
            yield r, "no dbSubnetGroupName: the instance would land in the default VPC"


@policy("RDS.3", "RDS instances are encrypted at rest", "high", mandatory=True)
def _rds3(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_bool(r.get("storageEncrypted")):
            yield r, "storageEncrypted is not true"


@policy("RDS.27", "RDS clusters are encrypted at rest", "high", mandatory=True)
def _rds27(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if not as_bool(r.get("storageEncrypted")):
            yield r, "storageEncrypted is not true"


def _major(version: str | None) -> int | None:
    match = re.match(r"(\d+)", version or "")
    return int(match.group(1)) if match else None


def _transit_violation(db: Database) -> str | None:
    if db.family == "postgres":
        value = db.parameters.get("rds.force_ssl")
        if value is not None:
            return None if value.strip() in ("1", "true", "on") else f"rds.force_ssl is {value}"
        # RDS PostgreSQL 15+ defaults rds.force_ssl to 1 (REFERENCE.md); no version = RDS's current default.
        if (
            db.kind == "instance"
            and not db.has_custom_parameter_group
            and (_major(db.engine_version) or 99) >= 15
        ):
            return None
        return "rds.force_ssl is not set to 1 (defaults to 0 on Aurora and PostgreSQL 14 and older)"
    value = db.parameters.get("require_secure_transport")
    if value is not None and value.strip().lower() in ("1", "on", "true"):
        return None
    return "require_secure_transport is not ON (MySQL defaults it OFF)"


@policy("RDS.38", "RDS for PostgreSQL is encrypted in transit (rds.force_ssl=1)", "high", mandatory=True)
def _rds38(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        if db.family == "postgres" and (why := _transit_violation(db)):
            yield db.resource, why


@policy(
    "RDS.39", "RDS for MySQL is encrypted in transit (require_secure_transport=ON)", "high", mandatory=True
)
def _rds39(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        if db.family == "mysql" and (why := _transit_violation(db)):
            yield db.resource, why


@policy("LR.PROXY-TLS", "RDS Proxy requires TLS", "high", mandatory=True)
def _proxy_tls(m: Model) -> Iterator[Violation]:
    for p in m.proxies:
        if not p.require_tls:
            yield p.resource, "requireTls is not true: clients may connect in clear text (seed 003's mistake)"


@policy("RDS.10", "RDS instances use IAM authentication", "medium", mandatory=False)
def _rds10(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_bool(r.get("iamDatabaseAuthenticationEnabled")):
            yield r, "iamDatabaseAuthenticationEnabled is not true"


@policy("RDS.12", "RDS clusters use IAM authentication", "medium", mandatory=False)
def _rds12(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if not as_bool(r.get("iamDatabaseAuthenticationEnabled")):
            yield r, "iamDatabaseAuthenticationEnabled is not true"


@policy("RDS.5", "RDS instances are Multi-AZ", "high", mandatory=True, scope="prod")
def _rds5(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_bool(r.get("multiAz")):
            yield r, "multiAz is not true: one AZ outage stops the database"


@policy("RDS.15", "RDS clusters span multiple AZs", "high", mandatory=True, scope="prod")
def _rds15(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        if db.kind == "cluster" and len(db.members) < 2:
            yield (
                db.resource,
                f"{len(db.members)} cluster instance(s): no reader to fail over to in another AZ",
            )


@policy("RDS.8", "RDS instances have deletion protection", "high", mandatory=True, scope="prod")
def _rds8(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_bool(r.get("deletionProtection")):
            yield r, "deletionProtection is not true"


@policy("RDS.7", "RDS clusters have deletion protection", "high", mandatory=True, scope="prod")
def _rds7(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if not as_bool(r.get("deletionProtection")):
            yield r, "deletionProtection is not true"


@policy(
    "LR.FINAL-SNAPSHOT",
    "Production databases keep a final snapshot on delete",
    "high",
    mandatory=False,
    scope="prod",
)
def _final_snapshot(m: Model) -> Iterator[Violation]:
    for r in _instances(m) + m.of_type(T_CLUSTER):
        if _replica(r):
            continue  # DeleteDBInstance refuses a final snapshot for a replica (sources.DELETE_DB_INSTANCE)
        if as_bool(r.get("skipFinalSnapshot")):
            yield r, "skipFinalSnapshot is true: a routine replacement would lose the data (pulumi-aws#2426)"


@policy("RDS.11", "Automatic backups retained at least 7 days", "medium", mandatory=False)
def _rds11(m: Model) -> Iterator[Violation]:
    for r in _instances(m) + m.of_type(T_CLUSTER):
        if _replica(r):
            continue  # replicas only when asked: sources.CONFIG_DB_INSTANCE_BACKUP_ENABLED checkReadReplicas
        days = as_int(r.get("backupRetentionPeriod"))
        if days is None:
            days = 1 if r.type == T_CLUSTER else 0  # provider defaults: instance 0 (off), cluster 1
        if days < 7:
            yield r, f"backupRetentionPeriod is {days} (< 7 days)"


@policy("RDS.13", "RDS automatic minor version upgrades are enabled", "medium", mandatory=False)
def _rds13(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if (
            r.get("autoMinorVersionUpgrade") is not None
            and as_bool(r.get("autoMinorVersionUpgrade")) is False
        ):
            yield r, "autoMinorVersionUpgrade is false"


@policy("RDS.35", "RDS cluster instances have automatic minor version upgrades", "medium", mandatory=False)
def _rds35(m: Model) -> Iterator[Violation]:
    for r in _cluster_members(m):
        if (
            r.get("autoMinorVersionUpgrade") is not None
            and as_bool(r.get("autoMinorVersionUpgrade")) is False
        ):
            yield r, "autoMinorVersionUpgrade is false"


@policy("RDS.9", "RDS instances publish logs to CloudWatch Logs", "medium", mandatory=False)
def _rds9(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_list(r.get("enabledCloudwatchLogsExports")):
            yield r, "enabledCloudwatchLogsExports is empty"


@policy("RDS.37", "Aurora PostgreSQL clusters publish logs to CloudWatch Logs", "medium", mandatory=False)
def _rds37(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if "postgres" in str(r.get("engine", "")) and "postgresql" not in as_list(
            r.get("enabledCloudwatchLogsExports")
        ):
            yield r, "enabledCloudwatchLogsExports lacks 'postgresql'"


@policy("RDS.34", "Aurora MySQL clusters publish audit logs to CloudWatch Logs", "medium", mandatory=False)
def _rds34(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if "mysql" in str(r.get("engine", "")) and "audit" not in as_list(
            r.get("enabledCloudwatchLogsExports")
        ):
            yield r, "enabledCloudwatchLogsExports lacks 'audit'"


@policy("RDS.6", "Enhanced monitoring is configured", "low", mandatory=False, scope="prod")
def _rds6(m: Model) -> Iterator[Violation]:
    for r in _instances(m) + _cluster_members(m):
        if not as_int(r.get("monitoringInterval")):
            yield r, "monitoringInterval is 0 (enhanced monitoring off)"


@policy("RDS.17", "RDS instances copy tags to snapshots", "low", mandatory=False)
def _rds17(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if not as_bool(r.get("copyTagsToSnapshot")):
            yield r, "copyTagsToSnapshot is not true"


@policy("RDS.16", "RDS clusters copy tags to snapshots", "low", mandatory=False)
def _rds16(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if not as_bool(r.get("copyTagsToSnapshot")):
            yield r, "copyTagsToSnapshot is not true"


_DEFAULT_PORTS = {5432, 3306}


@policy("RDS.23", "Databases do not use the engine's default port", "low", mandatory=False)
def _rds23(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        if db.port in _DEFAULT_PORTS:
            yield db.resource, f"port {db.port} is the engine default (optional hardening)"


_DEFAULT_ADMIN_NAMES = {"postgres", "admin", "root", "master"}


@policy("RDS.25", "RDS instances use a custom administrator name", "medium", mandatory=False)
def _rds25(m: Model) -> Iterator[Violation]:
    for r in _instances(m):
        if _replica(r):
            continue  # the master user is the source's (a replica cannot name one)
        user = as_str(r.get("username"))
        if user is None or user.lower() in _DEFAULT_ADMIN_NAMES:
            yield r, f"master username is {user or 'unset'}"


@policy("RDS.24", "RDS clusters use a custom administrator name", "medium", mandatory=False)
def _rds24(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        user = as_str(r.get("masterUsername"))
        if user is None or user.lower() in _DEFAULT_ADMIN_NAMES:
            yield r, f"master username is {user or 'unset'}"


# ---- EC2 / VPC ---------------------------------------------------------------------------------------
@policy("EC2.2", "VPC default security groups allow no traffic", "medium", mandatory=False)
def _ec2_2(m: Model) -> Iterator[Violation]:
    managed = {sg.vpc_id for sg in m.sgs.values() if sg.is_default}
    for sg in m.sgs.values():
        if sg.is_default and (sg.ingress or sg.egress):
            res = next(r for r in m.resources if r.type == T_DEFAULT_SG and r.name == sg.name)
            yield res, "the default security group has rules"
    for r in m.of_type("aws:ec2/vpc:Vpc"):
        if (r.id or None) not in managed:
            yield (
                r,
                "default security group left with AWS's allow rules (adopt it with "
                "aws.ec2.DefaultSecurityGroup, no rules)",
            )


@policy("EC2.6", "VPC flow logging is enabled", "medium", mandatory=False, scope="prod")
def _ec2_6(m: Model) -> Iterator[Violation]:
    logged = {as_str(r.get("vpcId")) for r in m.of_type(T_FLOW_LOG)}
    for r in m.of_type("aws:ec2/vpc:Vpc"):
        if r.id not in logged:
            yield r, "no aws.ec2.FlowLog for this VPC"


@policy(
    "LR.NAT-SAME-AZ",
    "Private subnets leave through a NAT gateway in their own AZ, or a regional one",
    "low",
    mandatory=False,
    scope="prod",
    source="https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html",
)
def _nat_same_az(m: Model) -> Iterator[Violation]:
    # AWS: "If you have resources in multiple Availability Zones and they share one NAT gateway, and if the
    # NAT gateway's Availability Zone is down, resources in the other Availability Zones lose internet
    # access." A regional NAT gateway (availabilityMode regional) is in every AZ with ENIs routed to it
    # (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html).
    by_id = {r.id: r for r in m.resources if r.type == "aws:ec2/subnet:Subnet"}
    for subnet in m.subnets.values():
        rt = m.route_table_for(subnet.id)
        default = (
            next((r for r in rt.routes if r.destination is not None and r.covers(ANY_IPV4)), None)
            if rt is not None
            else None
        )
        if default is None or default.target != "nat" or subnet.id not in by_id:
            continue
        nat = m.nats.get(default.target_id)
        if nat is None or nat.regional or nat.subnet_id is None:
            continue
        home = m.subnets.get(nat.subnet_id)
        if home is None or home.az is None or subnet.az is None or home.az == subnet.az:
            continue
        yield (
            by_id[subnet.id],
            f"routes 0.0.0.0/0 from {subnet.az} to NAT gateway {nat.name} in {home.az}: losing {home.az} "
            "cuts this subnet's egress (and its traffic pays cross-AZ transfer); use nat_gateways 'per_az' "
            "or 'regional' (the same hourly price for the same AZs)",
        )


def _open_ingress(m: Model) -> Iterator[tuple[Resource, int | None, int | None, str]]:
    by_id = {r.id: r for r in m.resources if r.type in (T_SG, T_DEFAULT_SG)}
    for sg in m.sgs.values():
        res = by_id.get(sg.id)
        if res is None:
            continue
        for rule in sg.ingress:
            if any(c.prefixlen == 0 for c in rule.cidrs):
                lo, hi = (None, None) if rule.protocol == "all" else (rule.from_port, rule.to_port)
                yield res, lo, hi, rule.describe()


def _covers(lo: int | None, hi: int | None, port: int) -> bool:
    return lo is None or hi is None or lo <= port <= hi


@policy("EC2.13", "Security groups do not allow 0.0.0.0/0 or ::/0 to port 22", "high", mandatory=True)
def _ec2_13(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if _covers(lo, hi, 22):
            yield res, f"open ingress: {text}"


@policy("EC2.14", "Security groups do not allow 0.0.0.0/0 or ::/0 to port 3389", "high", mandatory=True)
def _ec2_14(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if _covers(lo, hi, 3389):
            yield res, f"open ingress: {text}"


_AUTHORIZED_OPEN = {80, 443}
_HIGH_RISK = (
    20,
    21,
    22,
    23,
    25,
    110,
    135,
    143,
    445,
    1433,
    1434,
    3000,
    3306,
    3389,
    4333,
    5000,
    5432,
    5500,
    5601,
    8080,
    8088,
    8888,
    9200,
    9300,
)


@policy("EC2.18", "Unrestricted ingress only on authorized ports (80, 443)", "high", mandatory=True)
def _ec2_18(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        if lo is None or hi is None or not (lo == hi and lo in _AUTHORIZED_OPEN):
            yield res, f"open ingress beyond 80/443: {text}"


@policy("EC2.19", "No unrestricted ingress to high-risk ports", "critical", mandatory=True)
def _ec2_19(m: Model) -> Iterator[Violation]:
    for res, lo, hi, text in _open_ingress(m):
        hits = [p for p in _HIGH_RISK if _covers(lo, hi, p)]
        if hits:
            yield res, f"open ingress to high-risk port(s) {', '.join(map(str, hits[:6]))}: {text}"


@policy(
    "LR.SG-BY-REFERENCE",
    "Database and proxy ingress names the client's security group, not a CIDR",
    "medium",
    mandatory=False,
)
def _sg_reference(m: Model) -> Iterator[Violation]:
    by_id = {r.id: r for r in m.resources if r.type in (T_SG, T_DEFAULT_SG)}
    targets: list[tuple[tuple[str, ...], int]] = [(db.sg_ids, db.port) for db in m.databases]
    targets += [(p.sg_ids, p.port) for p in m.proxies]
    seen: set[str] = set()
    for sg_ids, port in targets:
        for gid in sg_ids:
            sg = m.sgs.get(gid)
            if sg is None or gid in seen:
                continue
            for rule in sg.ingress:
                if rule.cidrs and rule.allows_port("tcp", port) and gid in by_id:
                    seen.add(gid)
                    yield (
                        by_id[gid],
                        (
                            f"ingress on {port} by CIDR ({', '.join(map(str, rule.cidrs))}, "
                            f"{rule.origin}): any host in that "
                            "range may connect; reference the function's security group instead"
                        ),
                    )
                    break


# ---- Lambda ------------------------------------------------------------------------------------------
@policy("Lambda.1", "Lambda functions are not publicly invokable", "critical", mandatory=True)
def _lambda1(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_PERMISSION):
        if as_str(r.get("principal")) == "*" and not (r.get("sourceArn") or r.get("sourceAccount")):
            yield r, "principal '*' without sourceArn/sourceAccount"
    for r in m.of_type(T_FUNCTION_URL):
        if (as_str(r.get("authorizationType")) or "").upper() == "NONE":
            yield r, "function URL with authorizationType NONE"


# AWS Lambda runtimes in standard support (not deprecated) as of 2026-11.
SUPPORTED_RUNTIMES = frozenset(
    {
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "java17",
        "java21",
        "java25",
        "dotnet8",
        "dotnet10",
        "ruby3.3",
        "ruby3.4",
        "provided.al2023",
        "provided.al2",
    }
)


@policy("Lambda.2", "Lambda functions use a supported runtime", "medium", mandatory=False)
def _lambda2(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_FUNCTION):
        runtime = as_str(r.get("runtime"))
        if runtime and runtime not in SUPPORTED_RUNTIMES:
            yield r, f"runtime {runtime} is deprecated or unknown"


@policy("Lambda.3", "Lambda functions are in a VPC", "low", mandatory=False)
def _lambda3(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        if not fn.in_vpc:
            yield _res(m, T_FUNCTION, fn.name), "no vpcConfig"


@policy("Lambda.5", "VPC Lambda functions span at least 2 AZs", "medium", mandatory=False)
def _lambda5(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        if fn.in_vpc and not fn.unknown_network and all(s in m.subnets for s in fn.subnet_ids):
            azs = m.azs(fn.subnet_ids)
            if len(azs) < 2:
                yield _res(m, T_FUNCTION, fn.name), f"subnets in {len(azs)} AZ"


_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY)", re.IGNORECASE)


@policy("LR.SECRET-IN-ENV", "No passwords in Lambda environment variables", "critical", mandatory=True)
def _secret_env(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        for key, value in fn.env.items():
            if (
                _SECRET_NAME.search(key)
                and value
                and not value.startswith("arn:")
                and not key.endswith(("_ARN", "_NAME", "_ID"))
            ):
                yield (
                    _res(m, T_FUNCTION, fn.name),
                    f"environment variable {key} holds a literal secret (seed 002's mistake)",
                )


@policy("LR.MASTER-USER", "Functions do not connect as the master user", "high", mandatory=False)
def _master_user(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        target = m.target_of(fn)
        dbs = (
            m.proxy_databases(target) if target is not None and not isinstance(target, Database) else [target]
        )
        user = fn.env.get("DB_USER")
        for db in dbs:
            if isinstance(db, Database) and user and db.master_username and user == db.master_username:
                yield (
                    _res(m, T_FUNCTION, fn.name),
                    f"DB_USER {user} is {db.name}'s master user (terraform-aws-rds-aurora#335)",
                )


def _res(m: Model, type_token: str, name: str) -> Resource:
    return next(r for r in m.resources if r.type == type_token and r.name == name)


# ---- Secrets Manager, KMS ----------------------------------------------------------------------------
@policy("SecretsManager.1", "Secrets have automatic rotation enabled", "medium", mandatory=False)
def _sm1(m: Model) -> Iterator[Violation]:
    for s in m.secrets:
        if s.rotation_days is None and not s.managed_by_rds:
            yield _res(m, "aws:secretsmanager/secret:Secret", s.name), "no aws.secretsmanager.SecretRotation"


@policy("SecretsManager.4", "Secrets rotate within 90 days", "medium", mandatory=False)
def _sm4(m: Model) -> Iterator[Violation]:
    for s in m.secrets:
        if s.rotation_days is not None and s.rotation_days > 90 and not s.managed_by_rds:
            yield (
                _res(m, "aws:secretsmanager/secret:Secret", s.name),
                f"rotation every {s.rotation_days} days",
            )


@policy("KMS.4", "KMS key rotation is enabled", "medium", mandatory=False)
def _kms4(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_KMS_KEY):
        spec = as_str(r.get("customerMasterKeySpec")) or as_str(r.get("keySpec")) or "SYMMETRIC_DEFAULT"
        if spec == "SYMMETRIC_DEFAULT" and not as_bool(r.get("enableKeyRotation")):
            yield r, "enableKeyRotation is not true"


@policy("KMS.2", "IAM policies do not allow decryption on all KMS keys", "medium", mandatory=False)
def _kms2(m: Model) -> Iterator[Violation]:
    for r in m.resources:
        if r.type not in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
            continue
        doc = parse_json_property(r.get("policy"))
        statements = as_mapping(doc).get("Statement", []) if doc else []
        for st in statements if isinstance(statements, list) else [statements]:
            st = as_mapping(st)
            if st.get("Effect") != "Allow" or "*" not in iam.statement_resources(dict(st)):
                continue
            if any(
                a.lower() in ("kms:decrypt", "kms:*", "*", "kms:reencryptfrom")
                for a in iam.statement_actions(dict(st))
            ):
                yield r, "allows kms:Decrypt on Resource '*'"
                break


def evaluate(model: Model, ctx: Context) -> list[Finding]:
    """Every violation of every applicable policy, in registry order."""
    findings = []
    for p in POLICIES:
        if not p.applies(ctx):
            continue
        for res, message in p.run(model, ctx):
            findings.append(
                Finding(p.id, p.title, p.severity, p.mandatory, res.name, res.type, message, source=p.source)
            )
    return findings


def catalogue() -> list[dict[str, Any]]:
    """The policy list for docs and the report: id, title, severity, mandatory, scope."""
    return [
        {"id": p.id, "title": p.title, "severity": p.severity, "mandatory": p.mandatory, "scope": p.scope}
        for p in POLICIES
    ]


def with_waiver(finding: Finding, reason: str) -> Finding:
    return replace(finding, waived=True, waiver_reason=reason)


# AWS's own rules (what a real `pulumi up` would reject) register into the same list: imported last, as
# they use `policy` above.
from lambda_rds.analysis.checks import aws as _aws_rules  # noqa: E402, F401

__all__ = ["POLICIES", "Context", "Finding", "Policy", "catalogue", "evaluate", "with_waiver"]
