"""Security policies for RDS instances, Aurora clusters and RDS Proxy (FSBP ``RDS.*``, ``LR.*``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.checks.selectors import cluster_members, standalone_instances
from lambda_rds.analysis.model.databases import group_parameters
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_CLUSTER
from lambda_rds.analysis.model.values import as_bool, as_int, as_list, as_str
from lambda_rds.analysis.model.views import Database, Model
from lambda_rds.rules import log_parameters

REGISTRY = Registry()
policy = REGISTRY.policy


def _replica(r: Resource) -> bool:
    """An RDS read replica (``replicateSourceDb``): no backups, final snapshot or master user of its own
    (CreateDBInstanceReadReplica has none of them); its source is judged for those."""
    return bool(as_str(r.get("replicateSourceDb")))


def public_instances(m: Model) -> list[Resource]:
    """The instances FSBP RDS.2 flags: ``publiclyAccessible`` true, stand-alone (replicas included) or in a
    cluster. The setting alone decides, whatever the security group admits
    (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-2). ``doctor`` fails
    ``reach.db-internet`` for the databases holding these, so both judge from this one list."""
    return [r for r in standalone_instances(m) + cluster_members(m) if as_bool(r.get("publiclyAccessible"))]


@policy("RDS.2", "RDS instances prohibit public access", "critical", mandatory=True)
def _rds2(m: Model) -> Iterator[Violation]:
    for r in public_instances(m):
        yield r, "publiclyAccessible is true"


@policy("RDS.18", "RDS instances are deployed in a VPC", "high", mandatory=True)
def _rds18(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
        # A same-Region read replica lives in its source's subnet group and may not name one
        # (sources.DB_SUBNET_GROUP_NOT_ALLOWED): its source is judged instead.
        if not r.get("dbSubnetGroupName") and not as_str(r.get("replicateSourceDb")):
            yield r, "no dbSubnetGroupName: the instance would land in the default VPC"


@policy("RDS.3", "RDS instances are encrypted at rest", "high", mandatory=True)
def _rds3(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
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
    for r in standalone_instances(m):
        if not as_bool(r.get("iamDatabaseAuthenticationEnabled")):
            yield r, "iamDatabaseAuthenticationEnabled is not true"


@policy("RDS.12", "RDS clusters use IAM authentication", "medium", mandatory=False)
def _rds12(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        if not as_bool(r.get("iamDatabaseAuthenticationEnabled")):
            yield r, "iamDatabaseAuthenticationEnabled is not true"


@policy("RDS.5", "RDS instances are Multi-AZ", "high", mandatory=True, scope="prod")
def _rds5(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
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
    for r in standalone_instances(m):
        # A read replica holds no data of its own and must go when `database.readers` goes down:
        # CreateDBInstanceReadReplica ignores DeletionProtection=true anyway (terraform-provider-aws#6011),
        # and Security Hub's rule reports replicas too: expected (docs/architecture.md, "Readers").
        if _replica(r):
            continue
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
    for r in standalone_instances(m) + m.of_type(T_CLUSTER):
        if _replica(r):
            continue  # DeleteDBInstance refuses a final snapshot for a replica (sources.DELETE_DB_INSTANCE)
        if as_bool(r.get("skipFinalSnapshot")):
            yield r, "skipFinalSnapshot is true: a routine replacement would lose the data (pulumi-aws#2426)"


@policy("RDS.11", "Automatic backups retained at least 7 days", "medium", mandatory=False)
def _rds11(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m) + m.of_type(T_CLUSTER):
        if _replica(r):
            continue  # replicas only when asked: sources.CONFIG_DB_INSTANCE_BACKUP_ENABLED checkReadReplicas
        days = as_int(r.get("backupRetentionPeriod"))
        if days is None:
            days = 1 if r.type == T_CLUSTER else 0  # provider defaults: instance 0 (off), cluster 1
        if days < 7:
            yield r, f"backupRetentionPeriod is {days} (< 7 days)"


@policy("RDS.13", "RDS automatic minor version upgrades are enabled", "medium", mandatory=False)
def _rds13(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
        if (
            r.get("autoMinorVersionUpgrade") is not None
            and as_bool(r.get("autoMinorVersionUpgrade")) is False
        ):
            yield r, "autoMinorVersionUpgrade is false"


@policy("RDS.35", "RDS cluster instances have automatic minor version upgrades", "medium", mandatory=False)
def _rds35(m: Model) -> Iterator[Violation]:
    for r in cluster_members(m):
        if (
            r.get("autoMinorVersionUpgrade") is not None
            and as_bool(r.get("autoMinorVersionUpgrade")) is False
        ):
            yield r, "autoMinorVersionUpgrade is false"


def _logs_switched_off(m: Model, r: Resource, engine: str, logs: list[str]) -> list[str]:
    """Why exported ``logs`` of ``r`` stay empty: their parameters are off (rules/log_parameters.py). An
    export alone satisfies no logging control: RDS ships only what the engine writes."""
    params = group_parameters(m.resources, r)
    if params is None:
        return []  # the group is not in the plan (or not known yet): nothing to judge
    return [why for _, why in log_parameters.switched_off(engine, logs, params)]


def _engines(m: Model) -> dict[str, str]:
    """Engine by instance name: a read replica names none of its own (it runs its source's)."""
    return {r.name: db.engine for db in m.databases for r in (db.resource, *db.replicas)}


@policy("RDS.9", "RDS instances publish logs to CloudWatch Logs", "medium", mandatory=False)
def _rds9(m: Model) -> Iterator[Violation]:
    engines = _engines(m)
    for r in standalone_instances(m):
        exports = [str(x) for x in as_list(r.get("enabledCloudwatchLogsExports"))]
        if not exports:
            yield r, "enabledCloudwatchLogsExports is empty"
        engine = as_str(r.get("engine")) or engines.get(r.name, "")
        for why in _logs_switched_off(m, r, engine, exports):
            yield r, why


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
        if "mysql" not in str(r.get("engine", "")):
            continue
        if "audit" not in as_list(r.get("enabledCloudwatchLogsExports")):
            yield r, "enabledCloudwatchLogsExports lacks 'audit'"
            continue
        # The export ships an audit log only Advanced Auditing writes (sources.AURORA_MYSQL_AUDITING).
        for why in _logs_switched_off(m, r, "aurora-mysql", ["audit"]):
            yield r, why


@policy("RDS.45", "Aurora MySQL clusters have audit logging enabled", "medium", mandatory=False)
def _rds45(m: Model) -> Iterator[Violation]:
    # FSBP RDS.45 (sources.FSBP_RDS; AWS Config aurora-mysql-cluster-audit-logging,
    # sources.CONFIG_AURORA_MYSQL_AUDIT_LOGGING): Advanced Auditing on in the cluster parameter group,
    # whatever is exported.
    for r in m.of_type(T_CLUSTER):
        if "mysql" not in str(r.get("engine", "")):
            continue
        params = group_parameters(m.resources, r)
        if params is None:
            continue
        for switch in log_parameters.switches("aurora-mysql", "audit"):
            value = params.get(switch.parameter)
            if not log_parameters.is_on(switch, value):
                now = repr(value) if value is not None else "not set (OFF by default)"
                yield r, f"{switch.parameter} is {now}: Advanced Auditing writes no audit log"


@policy("RDS.6", "Enhanced monitoring is configured", "low", mandatory=False, scope="prod")
def _rds6(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m) + cluster_members(m):
        if not as_int(r.get("monitoringInterval")):
            yield r, "monitoringInterval is 0 (enhanced monitoring off)"


@policy("RDS.17", "RDS instances copy tags to snapshots", "low", mandatory=False)
def _rds17(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
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
    for r in standalone_instances(m):
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
