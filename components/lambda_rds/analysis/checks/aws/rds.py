"""AWS rules for RDS instances, Aurora clusters and their instances."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.checks.selectors import cluster_members, standalone_instances
from lambda_rds.analysis.model.tokens import T_CLUSTER, T_DB_INSTANCE
from lambda_rds.analysis.model.values import as_bool, as_float, as_int, as_list, as_str, first_block
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import facts_rds

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
    "where Performance Insights is on (Aurora instances inherit the cluster's mode)",
)
def _insights_mode(m: Model) -> Iterator[Violation]:
    for r in standalone_instances(m):
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
