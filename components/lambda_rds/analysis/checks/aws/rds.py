"""AWS rules for RDS instances, Aurora clusters and their instances."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.checks.selectors import cluster_members, standalone_instances
from lambda_rds.analysis.model.databases import group_parameters
from lambda_rds.analysis.model.resources import Resource, is_unknown
from lambda_rds.analysis.model.tokens import T_CLUSTER, T_DB_INSTANCE
from lambda_rds.analysis.model.values import as_bool, as_float, as_int, as_list, as_str, first_block
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import facts_rds, log_parameters

REGISTRY = Registry()
policy = REGISTRY.policy


@policy(
    "aws.rds.log-exports",
    "CloudWatch log exports are valid for the engine",
    "high",
    mandatory=True,
    source=facts_rds.LOG_EXPORTS_SOURCE,
    read_on=sources.READ_ON,
    requires="EnableCloudwatchLogsExports takes only the engine's log types: "
    + "; ".join(f"{e}: {', '.join(v)}" for e, v in facts_rds.LOG_EXPORTS.items()),
)
def _log_exports(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_DB_INSTANCE) + m.of_type(T_CLUSTER):
        engine = as_str(r.get("engine")) or ""
        allowed = facts_rds.LOG_EXPORTS.get(engine)
        if allowed is None:
            continue
        bad = [x for x in as_list(r.get("enabledCloudwatchLogsExports")) if x not in allowed]
        if bad:
            yield r, (f"{engine} cannot export {', '.join(map(str, bad))} (allowed: {', '.join(allowed)})")


def _switch_text() -> str:
    """The log-parameter table as one sentence, for the rule's `requires` (docs/aws-rules.md)."""
    parts = [
        f"{engine} {log}: "
        + ", ".join(
            f"{s.parameter}={s.value}" + (" (its default)" if s.unset_is_on else "") for s in switches
        )
        for engine, logs in log_parameters.LOG_SWITCHES.items()
        for log, switches in logs.items()
        if switches
    ]
    return "; ".join(parts)


T_OPTION_GROUP = "aws:rds/optionGroup:OptionGroup"


def _audit_option_problem(m: Model, r: Resource) -> str | None:
    """Why an RDS for MySQL instance exporting `audit` writes no audit log: it needs an option group with
    MARIADB_AUDIT_PLUGIN (sources.RDS_MYSQL_AUDIT_PLUGIN). None when it has one, or it cannot be told."""
    raw = r.get("optionGroupName")
    if is_unknown(raw):
        return None
    name = as_str(raw)
    plugin = log_parameters.AUDIT_OPTION
    if not name:
        return f"audit is exported but the instance has no option group with {plugin}: the log stays empty"
    group = next(
        (g for g in m.of_type(T_OPTION_GROUP) if name in (as_str(g.get("name")), g.id, g.name)), None
    )
    if group is None:
        return None  # an option group made elsewhere: its options are not in the plan
    options = {as_str(first_block(o).get("optionName")) for o in as_list(group.get("options"))}
    if plugin not in options:
        return f"audit is exported but option group {name} has no {plugin}: the log stays empty"
    return None


@policy(
    "aws.rds.log-switched-on",
    "An exported log is switched on by its parameter",
    "medium",
    mandatory=True,
    source=sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH,
    read_on=sources.READ_ON,
    requires="RDS writes a MySQL log to the exported log group only when its parameter group switches it "
    f"on: {_switch_text()}; RDS for MySQL's audit log needs an option group with "
    f"{log_parameters.AUDIT_OPTION}. The error, instance, iam-db-auth-error and PostgreSQL logs need no "
    f"parameter (Aurora: {sources.AURORA_MYSQL_LOGS_TO_CLOUDWATCH}, {sources.AURORA_MYSQL_AUDITING})",
)
def _log_switched_on(m: Model) -> Iterator[Violation]:
    # Databases, not resources: a read replica names no engine of its own (it is its source's) and
    # exports its own logs through the parameter group it names.
    judged = [(r, db.engine) for db in m.databases for r in (db.resource, *db.replicas)]
    for r, engine in judged:
        exports = [str(x) for x in as_list(r.get("enabledCloudwatchLogsExports"))]
        if engine == "mysql" and "audit" in exports and (why := _audit_option_problem(m, r)):
            yield r, why
        params = group_parameters(m.resources, r)
        if params is None:
            continue  # the parameter group is not in the plan (or not known yet): AWS will tell
        for _, why in log_parameters.switched_off(engine, exports, params):
            yield r, why


@policy(
    "aws.rds.insights-class",
    "Database Insights / Performance Insights only on instance classes that support it",
    "high",
    mandatory=True,
    source=facts_rds.INSIGHTS_SOURCE,
    read_on=sources.READ_ON,
    requires="Performance Insights (Database Insights) is not supported on db.t2/t3/t4g micro and small for "
    "RDS MySQL and MariaDB, nor on db.t2, db.t3, db.t4g.micro/small for Aurora MySQL "
    f"(Aurora: {facts_rds.INSIGHTS_AURORA_SOURCE})",
)
def _insights_class(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m) + cluster_members(m):
        if not as_bool(r.get("performanceInsightsEnabled")):
            continue
        engine = as_str(r.get("engine")) or ""
        klass = as_str(r.get("instanceClass")) or ""
        why = facts_rds.insights_unsupported(engine, klass)
        if why:
            yield r, why


def _insights_mode_problem(mode: str | None, pi_on: bool, retention: int | None) -> str | None:
    if mode is None:
        return (
            "Performance Insights is on but databaseInsightsMode is not set: set it explicitly "
            "('standard'; 'advanced' is billed per vCPU/ACU)"
        )
    if mode not in facts_rds.INSIGHTS_MODES:
        return f"databaseInsightsMode {mode!r} is not one of {', '.join(facts_rds.INSIGHTS_MODES)}"
    if mode == "advanced" and (
        not pi_on or (retention is not None and retention != facts_rds.ADVANCED_INSIGHTS_RETENTION_DAYS)
    ):
        return (
            "databaseInsightsMode 'advanced' needs performanceInsightsEnabled and a retention of "
            f"{facts_rds.ADVANCED_INSIGHTS_RETENTION_DAYS} days"
        )
    return None


@policy(
    "aws.rds.insights-mode",
    "The Database Insights mode is explicit where Performance Insights is on",
    "medium",
    mandatory=True,
    source=facts_rds.INSIGHTS_MODE_SOURCE,
    read_on=sources.READ_ON,
    requires="DatabaseInsightsMode is standard or advanced; advanced needs PerformanceInsightsEnabled and "
    f"a {facts_rds.ADVANCED_INSIGHTS_RETENTION_DAYS}-day retention and is billed: it is never left implicit "
    "where Performance Insights is on (Aurora instances inherit the cluster's mode; read replicas are sent "
    f"none: CreateDBInstanceReadReplica does not support it, {sources.READ_REPLICA_NO_INSIGHTS_MODE})",
)
def _insights_mode(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
        if as_str(r.get("replicateSourceDb")):
            continue  # DatabaseInsightsMode "isn't supported" on CreateDBInstanceReadReplica: never sent
        pi_on = bool(as_bool(r.get("performanceInsightsEnabled")))
        mode = as_str(r.get("databaseInsightsMode"))
        if pi_on or mode is not None:
            why = _insights_mode_problem(mode, pi_on, as_int(r.get("performanceInsightsRetentionPeriod")))
            if why:
                yield r, why
    for db in m.databases:
        if db.kind != "cluster":
            continue
        r = db.resource
        pi_on = bool(as_bool(r.get("performanceInsightsEnabled"))) or any(
            as_bool(x.get("performanceInsightsEnabled")) for x in db.members
        )
        mode = as_str(r.get("databaseInsightsMode"))
        if pi_on or mode is not None:
            why = _insights_mode_problem(mode, pi_on, as_int(r.get("performanceInsightsRetentionPeriod")))
            if why:
                yield r, why


@policy(
    "aws.rds.auto-pause-version",
    "Aurora Serverless v2 auto-pause (min capacity 0) only on engine versions that support it",
    "high",
    mandatory=True,
    source=facts_rds.AUTO_PAUSE_SOURCE,
    read_on=sources.READ_ON,
    requires="ServerlessV2ScalingConfiguration MinCapacity 0 needs Aurora PostgreSQL 13.15, 14.12, 15.7, "
    "16.3 or higher, or Aurora MySQL 3.08.0 or higher (older versions: 0.5 at least; "
    f"{sources.SERVERLESS_V2_SCALING})",
)
def _auto_pause_version(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_CLUSTER):
        scaling = first_block(r.get("serverlessv2ScalingConfiguration"))
        if as_float(scaling.get("minCapacity")) != 0:
            continue
        engine = as_str(r.get("engine")) or ""
        version = as_str(r.get("engineVersion"))
        if not version:
            continue
        minimum = facts_rds.auto_pause_minimum(engine, version)
        if minimum:
            yield (
                r,
                (
                    f"{engine} {version} cannot auto-pause (min_capacity 0): needs {minimum} or newer "
                    "(or min_capacity >= 0.5)"
                ),
            )


@policy(
    "aws.rds.final-snapshot-identifier",
    "Final snapshot identifiers are valid RDS snapshot identifiers",
    "high",
    mandatory=True,
    source=facts_rds.SNAPSHOT_IDENTIFIER_SOURCE,
    read_on=sources.READ_ON,
    requires=f"FinalDBSnapshotIdentifier: 1 to {facts_rds.SNAPSHOT_IDENTIFIER_MAX} letters, digits or "
    "hyphens, first a letter, no trailing hyphen and no two consecutive hyphens",
)
def _final_snapshot_identifier(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m) + m.of_type(T_CLUSTER):
        value = as_str(r.get("finalSnapshotIdentifier"))
        if value is None:
            continue  # unknown until apply (a random suffix), or not set
        why = facts_rds.identifier_problem(value, facts_rds.SNAPSHOT_IDENTIFIER_MAX)
        if why:
            yield r, f"final snapshot identifier {why}"


_MASTER_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@policy(
    "aws.rds.master-username",
    "Master user names fit RDS's limits",
    "high",
    mandatory=True,
    source=facts_rds.MASTER_USERNAME_SOURCE,
    read_on=sources.READ_ON,
    requires=f"MasterUsername: 1 to {facts_rds.MASTER_USERNAME_MAX} letters, digits or underscores, the "
    "first a letter, not a word the engine reserves",
)
def _master_username(m: Model) -> Iterator[Violation]:
    for r, key in [(r, "username") for r in standalone_instances(m)] + [
        (r, "masterUsername") for r in m.of_type(T_CLUSTER)
    ]:
        value = as_str(r.get(key))
        if value is None:
            continue
        if not 1 <= len(value) <= facts_rds.MASTER_USERNAME_MAX:
            yield (
                r,
                (
                    f"master user name ({key}) {value!r} has {len(value)} characters "
                    f"(1 to {facts_rds.MASTER_USERNAME_MAX} allowed)"
                ),
            )
        elif not _MASTER_USERNAME.fullmatch(value):
            yield (
                r,
                (
                    f"master user name ({key}) {value!r} must start with a letter and hold only letters, "
                    "digits and underscores"
                ),
            )


@policy(
    "aws.rds.multi-az-zone",
    "A Multi-AZ RDS instance names no Availability Zone",
    "high",
    mandatory=True,
    source=sources.TF_MULTI_AZ_ZONE_ERROR,
    read_on=sources.READ_ON,
    requires="AvailabilityZone is left out where MultiAZ is true: RDS answers InvalidParameterCombination "
    '("Requesting a specific availability zone is not valid for Multi-AZ instances"), on CreateDBInstance '
    f"({sources.MULTI_AZ_NO_AVAILABILITY_ZONE}) and on CreateDBInstanceReadReplica, whose replica then gets "
    f"a standby in another AZ ({sources.READ_REPLICA_REQUEST_PARAMETERS})",
)
def _multi_az_zone(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_DB_INSTANCE):
        # The inputs, what is sent: the outputs of every Multi-AZ instance name the AZ it runs in (so
        # CrossGuard, which gives outputs only, judges nothing here).
        zone = as_str(r.inputs.get("availabilityZone"))
        if zone and as_bool(r.inputs.get("multiAz")):
            yield (
                r,
                f"multiAz is true and availabilityZone is {zone}: RDS refuses an AZ for a Multi-AZ instance",
            )
