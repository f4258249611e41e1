"""The `database` section: engine, version, class, names, parameters, backups, monitoring, migrations."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambda_rds.args import Engine, ServerlessV2Args
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import engine_versions, facts_rds, log_parameters, sizing
from lambda_rds.settings.coerce import (
    ConfigError,
    as_bool,
    as_float,
    as_folder,
    as_int,
    as_retention_days,
    as_str,
    as_str_list,
    as_str_map,
    check_keys,
)
from lambda_rds.settings.model import DatabaseSettings, ServerlessSettings

# Defaults and allowed values come from the same fact tables the plan's AWS rules read
# (rules/facts_rds.py, each fact with its source), so a config is refused here for the reason the
# plan would fail it.
DEFAULT_ENGINE_VERSION = {e: facts_rds.DEFAULT_VERSIONS[e.value]["version"] for e in Engine}
DEFAULT_PORT = {"postgres": 5432, "mysql": 3306}
# Per ENGINE, not per family: `upgrade` exists for RDS PostgreSQL only (CreateDBCluster
# EnableCloudwatchLogsExports), so aurora-postgresql must not inherit the postgres default.
DEFAULT_LOG_EXPORTS = {e: facts_rds.DEFAULT_LOG_EXPORTS[e.value] for e in Engine}
ALLOWED_LOG_EXPORTS = {e: facts_rds.LOG_EXPORTS[e.value] for e in Engine}
# The parameter that forces TLS, and the value that does it (REFERENCE.md: RDS PostgreSQL 15+ defaults
# rds.force_ssl=1 but Aurora and older versions do not; MySQL's require_secure_transport defaults OFF).
TLS_PARAMETER = {"postgres": ("rds.force_ssl", "1"), "mysql": ("require_secure_transport", "1")}
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# CreateDBInstance / CreateDBCluster MasterUsername: 1 to 16 letters, digits or underscores, first a
# letter (facts_rds.MASTER_USERNAME_MAX; we also keep it lowercase so PostgreSQL needs no quoting).
MASTER_USERNAME_RE = re.compile(rf"^[a-z][a-z0-9_]{{0,{facts_rds.MASTER_USERNAME_MAX - 1}}}$")
RESERVED_DB_USERS = {
    "postgres": {"postgres", "rdsadmin", "rds_iam", "public"},
    "mysql": {"root", "rdsadmin", "mysql", "admin"},
}
AURORA_ONLY_KEYS = ("instances", "serverless_v2", "io_optimized")
DEFAULT_ROTATION_DAYS = 30
MAX_ROTATION_DAYS = 1000
# database.readers: RDS read replicas per source, up to 15 for PostgreSQL and MySQL
# (sources.RDS_READ_REPLICAS_CREATE); an Aurora cluster holds at most 15 Aurora Replicas beside its
# writer, so `instances` (writer + failover replicas) plus `readers` is at most 16 (sources.AURORA_OVERVIEW).
MAX_READERS = 15
AURORA_MAX_INSTANCES = 16
RDS_ONLY_KEYS = ("allocated_storage_gb", "max_allocated_storage_gb", "multi_az")


def parameter_family(engine: Engine, version: str) -> str:
    """The DB parameter group family of ``engine`` at ``version``, e.g. `postgres16` or `aurora-mysql8.0`."""
    major = version.split(".")[0]
    if engine is Engine.POSTGRES:
        return f"postgres{major}"
    if engine is Engine.AURORA_POSTGRESQL:
        return f"aurora-postgresql{major}"
    mysql_major = ".".join(version.split(".")[:2])
    return f"mysql{mysql_major}" if engine is Engine.MYSQL else f"aurora-mysql{mysql_major}"


def resolve_database(
    raw: Mapping[str, Any], engine: Engine, version_raw: Any, base: Path, *, proxy: bool = False
) -> DatabaseSettings:
    """The `database` section (and the top-level `engine_version`) for ``engine``, every default filled.

    ``proxy``: RDS Proxy fronts the database, so `engine_version` must be one it supports. Cross-section
    rules (rotation with the auth mode, the example app's migrations) are `settings.resolve`'s.
    """
    aurora = engine in (Engine.AURORA_POSTGRESQL, Engine.AURORA_MYSQL)
    family = "postgres" if engine in (Engine.POSTGRES, Engine.AURORA_POSTGRESQL) else "mysql"
    wrong = AURORA_ONLY_KEYS if not aurora else RDS_ONLY_KEYS
    for k in wrong:
        if k in raw:
            hint = "use database.instances >= 2 for Multi-AZ on Aurora" if k == "multi_az" else ""
            kind = (
                "Aurora engines (aurora-postgresql, aurora-mysql)"
                if not aurora
                else "RDS engines (postgres, mysql)"
            )
            raise ConfigError(
                f"database.{k}", f"only applies to {kind}; engine is {engine.value!r}. {hint}".strip()
            )
    version = as_str(
        "engine_version",
        version_raw,
        DEFAULT_ENGINE_VERSION[engine],
        re.compile(r"^\d+(\.[0-9A-Za-z_]+)*$"),
        "a version like '16' or '8.0'",
    )
    # What RDS Proxy takes, then what RDS still runs at all (the tables and their sources are in
    # rules/engine_versions.py; the plan checks the proxy table too: aws.rds.proxy-engine-version). Both
    # problems are named at once: fixing one should not reveal the other. A major past standard support is
    # NOT refused: AWS enrolls a running database in (billed) Extended Support by itself, and such a stack
    # must still be able to ship an unrelated fix, or the `readers: 0` step of a MySQL major upgrade; the
    # wiring warns at `up` and the plan reports the advisory aws.rds.engine-version-floor instead.
    problems = []
    if proxy and (why := engine_versions.proxy_problem(engine.value, version)):
        problems.append(f"with proxy: true, {why}")
    if why := engine_versions.retired_problem(engine.value, version):
        problems.append(why)
    if problems:
        raise ConfigError("engine_version", "; and ".join(problems))

    serverless: ServerlessSettings | None = None
    if aurora and raw.get("serverless_v2") is not None:
        sv = check_keys("database.serverless_v2", raw["serverless_v2"], ServerlessV2Args)
        min_c = as_float("database.serverless_v2.min_capacity", sv.get("min_capacity"), 0.5, 0, 256, 0.5)
        max_c = as_float("database.serverless_v2.max_capacity", sv.get("max_capacity"), 4, 1, 256, 0.5)
        if max_c < min_c:
            raise ConfigError(
                "database.serverless_v2.max_capacity", f"{max_c:g} is below min_capacity {min_c:g}"
            )
        if min_c == 0 and (minimum := facts_rds.auto_pause_minimum(engine.value, version)):
            raise ConfigError(
                "database.serverless_v2.min_capacity",
                f"0 (auto-pause) needs {engine.value} {minimum} or newer; engine_version is {version!r}. "
                f"Use engine_version >= {minimum} or min_capacity >= 0.5 ({facts_rds.AUTO_PAUSE_SOURCE})",
            )
        pause: int | None = None
        if min_c == 0:
            pause = as_int(
                "database.serverless_v2.seconds_until_auto_pause",
                sv.get("seconds_until_auto_pause"),
                300,
                300,
                86400,
            )
        elif sv.get("seconds_until_auto_pause") is not None:
            raise ConfigError(
                "database.serverless_v2.seconds_until_auto_pause", "only applies with min_capacity 0"
            )
        serverless = ServerlessSettings(min_c, max_c, pause)

    default_class = "db.serverless" if serverless else ("db.t4g.medium" if aurora else "db.t4g.micro")
    instance_class = as_str(
        "database.instance_class",
        raw.get("instance_class"),
        default_class,
        re.compile(r"^db\.[a-z0-9]+(\.[a-z0-9]+)?$"),
        "a class like 'db.t4g.micro'",
    )
    if serverless is not None and instance_class != "db.serverless":
        raise ConfigError(
            "database.instance_class", f"{instance_class!r} conflicts with serverless_v2; omit it"
        )
    if serverless is None and instance_class == "db.serverless":
        raise ConfigError("database.instance_class", "'db.serverless' needs database.serverless_v2 settings")
    try:
        max_conn = (
            sizing.max_connections(engine.value, serverless_max_acu=serverless.max_capacity)
            if serverless
            else sizing.max_connections(engine.value, instance_class)
        )
    except sizing.UnknownInstanceClass:
        raise ConfigError(
            "database.instance_class",
            f"{instance_class!r} is not a class lambda-rds can size (t3/t4g micro..2xlarge, m/r families "
            "large..24xlarge, e.g. db.t4g.micro, db.m7g.large, db.r6g.xlarge)",
        ) from None

    instances = as_int("database.instances", raw.get("instances"), 1, 1, 15)
    readers = as_int("database.readers", raw.get("readers"), 0, 0, MAX_READERS)
    if aurora and instances + readers > AURORA_MAX_INSTANCES:
        raise ConfigError(
            "database.readers",
            f"{readers} readers with instances {instances} make {instances + readers} cluster instances; an "
            f"Aurora cluster holds 1 writer and at most 15 Aurora Replicas ({AURORA_MAX_INSTANCES} in all)",
        )
    if readers and serverless is not None and serverless.auto_pause:
        # Our choice, not an AWS limit: the reader endpoint would wake paused readers on every routed
        # read (resume takes up to ~15 s), and auto-pause exists to make an idle stack cost nothing.
        raise ConfigError(
            "database.readers",
            f"{readers} readers with serverless_v2.min_capacity 0 (auto-pause): a paused reader takes up to "
            "~15 s to resume on each routed read; use min_capacity >= 0.5 or readers: 0",
        )

    allocated = as_int("database.allocated_storage_gb", raw.get("allocated_storage_gb"), 20, 20, 65536)
    max_alloc = as_int(
        "database.max_allocated_storage_gb", raw.get("max_allocated_storage_gb"), 100, 0, 65536
    )
    if max_alloc and max_alloc <= allocated:
        raise ConfigError(
            "database.max_allocated_storage_gb",
            f"{max_alloc} must exceed allocated_storage_gb {allocated} (or be 0 to disable)",
        )
    db_name = as_str(
        "database.db_name",
        raw.get("db_name"),
        "app",
        IDENTIFIER_RE,
        "lowercase letters, digits and underscores, starting with a letter, at most 32",
    )
    identifier = raw.get("identifier")
    if identifier is not None:
        identifier = as_str("database.identifier", identifier, "")
        if why := facts_rds.identifier_problem(identifier, facts_rds.DB_IDENTIFIER_MAX):
            raise ConfigError("database.identifier", why)
        identifier = identifier.lower()  # RDS stores identifiers lowercased: keep the diff quiet
    master = as_str(
        "database.master_username",
        raw.get("master_username"),
        "lambda_rds_admin",
        MASTER_USERNAME_RE,
        f"1 to {facts_rds.MASTER_USERNAME_MAX} lowercase letters, digits and underscores, starting with a "
        f"letter (RDS MasterUsername: {facts_rds.MASTER_USERNAME_SOURCE})",
    )
    app_user = as_str(
        "database.app_username",
        raw.get("app_username"),
        "app",
        IDENTIFIER_RE,
        "lowercase letters, digits and underscores, starting with a letter",
    )
    for key, user in (("database.master_username", master), ("database.app_username", app_user)):
        if user in RESERVED_DB_USERS[family]:
            raise ConfigError(key, f"{user!r} is reserved on {family}; choose another name")
    if app_user == master:
        raise ConfigError(
            "database.app_username", "must differ from master_username: functions never use the master user"
        )
    port = as_int("database.port", raw.get("port"), DEFAULT_PORT[family], 1150, 65535)

    # Parameter names are matched without case: the provider lowercases every name it sends and reads
    # (sources.TF_RDS_PARAMETER_FLEX), so `SLOW_QUERY_LOG` is `slow_query_log`. Lowercase them here, so
    # the TLS and log rules below read what AWS gets, and refuse two spellings of one parameter.
    params: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for name, value in as_str_map("database.parameters", raw.get("parameters")).items():
        low = name.lower()
        if low in spelled:
            raise ConfigError(
                f"database.parameters.{low}",
                f"{spelled[low]!r} and {name!r} name the same parameter (names are not case-sensitive: "
                f"the provider sends both as {low!r}); keep one ({sources.TF_RDS_PARAMETER_FLEX})",
            )
        spelled[low] = name
        params[low] = value
    tls_name, tls_value = TLS_PARAMETER[family]
    if tls_name in params and params[tls_name] not in (tls_value, "ON", "on"):
        raise ConfigError(f"database.parameters.{tls_name}", "TLS enforcement cannot be turned off")
    params[tls_name] = "ON" if engine is Engine.AURORA_MYSQL else tls_value
    statement_timeout_ms = as_int(
        "database.statement_timeout_ms", raw.get("statement_timeout_ms"), 10000, 100, 900_000
    )
    if engine is Engine.MYSQL:
        # MySQL has no per-user statement timeout (the bootstrap sets one on the role for PostgreSQL and
        # MariaDB); max_execution_time bounds SELECTs instance-wide instead.
        params.setdefault("max_execution_time", str(statement_timeout_ms))

    log_exports = as_str_list("database.log_exports", raw.get("log_exports")) or DEFAULT_LOG_EXPORTS[engine]
    for i, name in enumerate(log_exports):
        if name not in ALLOWED_LOG_EXPORTS[engine]:
            raise ConfigError(
                f"database.log_exports[{i}]",
                f"{name!r} is not allowed for {engine.value}; allowed: "
                f"{', '.join(ALLOWED_LOG_EXPORTS[engine])} ({facts_rds.LOG_EXPORTS_SOURCE})",
            )
        if why := log_parameters.not_built(engine.value, name):
            raise ConfigError(
                f"database.log_exports[{i}]", f"{name!r} is not possible on {engine.value}: {why}"
            )
    # An exported log is written only once its parameters switch it on (rules/log_parameters.py). The
    # log parameters take only the values AWS documents, exported or not (a looser one, `on` or
    # `file,table`, is a log the plan cannot vouch for); then add the ones the exports need, and refuse a
    # user parameter that turns an exported log off (its log group would stay empty).
    for key, switch in log_parameters.managed(engine.value).items():
        if key in params and (why := log_parameters.form_problem(switch, params[key])):
            raise ConfigError(f"database.parameters.{key}", why)
    for key, value in log_parameters.defaults(engine.value, log_exports).items():
        params.setdefault(key, value)
    for key, why_off in log_parameters.switched_off(engine.value, log_exports, params):
        events = (
            f"; events: one or more of {', '.join(log_parameters.AUDIT_EVENTS)}"
            if key == "server_audit_events"
            else ""
        )
        raise ConfigError(
            f"database.parameters.{key}",
            f"{why_off}{events}. To stop writing that log, remove it from database.log_exports",
        )
    log_retention = as_retention_days("database.log_retention_days", raw.get("log_retention_days"), 30)
    performance_insights = as_bool("database.performance_insights", raw.get("performance_insights"), False)
    # Aurora: Performance Insights is set on the cluster's instances, which have the cluster's class.
    if performance_insights and (why := facts_rds.insights_unsupported(engine.value, instance_class)):
        raise ConfigError(
            "database.performance_insights",
            f"true is not possible: {why}. Use a larger class (e.g. db.t4g.medium, db.r7g.large) or "
            "performance_insights: false",
        )
    monitoring = as_int("database.monitoring_interval", raw.get("monitoring_interval"), 0, 0, 60)
    if monitoring not in MONITORING_INTERVALS:
        raise ConfigError(
            "database.monitoring_interval",
            f"{monitoring} is not allowed; allowed: {', '.join(map(str, MONITORING_INTERVALS))}",
        )
    # None: decided once the functions are known (settings.resolve): the example app's migrations only
    # when the example app is deployed, so a consumer's own functions never get its `items` table.
    migrations = (
        as_folder("database.migrations_dir", raw["migrations_dir"], base)
        if raw.get("migrations_dir") is not None
        else None
    )
    kms = raw.get("kms_key_arn")
    if kms is not None:
        kms = as_str("database.kms_key_arn", kms, "", re.compile(r"^arn:aws[a-z-]*:kms:"), "a KMS key ARN")

    return DatabaseSettings(
        engine=engine,
        engine_version=version,
        engine_version_explicit=version_raw is not None,
        parameter_family=parameter_family(engine, version),
        instance_class=instance_class,
        allocated_storage_gb=allocated,
        max_allocated_storage_gb=max_alloc,
        db_name=db_name,
        identifier=identifier,
        master_username=master,
        app_username=app_user,
        port=port,
        multi_az=as_bool("database.multi_az", raw.get("multi_az"), False),
        instances=instances,
        serverless=serverless,
        io_optimized=as_bool("database.io_optimized", raw.get("io_optimized"), False),
        backup_retention_days=as_int(
            "database.backup_retention_days", raw.get("backup_retention_days"), 7, 1, 35
        ),
        deletion_protection=as_bool("database.deletion_protection", raw.get("deletion_protection"), True),
        protect=as_bool("database.protect", raw.get("protect"), True),
        kms_key_arn=kms,
        performance_insights=performance_insights,
        monitoring_interval=monitoring,
        log_exports=tuple(log_exports),
        log_retention_days=log_retention,
        delete_automated_backups=as_bool(
            "database.delete_automated_backups", raw.get("delete_automated_backups"), False
        ),
        auto_minor_version_upgrade=as_bool(
            "database.auto_minor_version_upgrade", raw.get("auto_minor_version_upgrade"), True
        ),
        apply_immediately=as_bool("database.apply_immediately", raw.get("apply_immediately"), False),
        ca_cert_identifier=as_str(
            "database.ca_cert_identifier",
            raw.get("ca_cert_identifier"),
            "rds-ca-rsa2048-g1",
            re.compile(r"^rds-ca-[a-z0-9-]+$"),
            "an RDS CA id like 'rds-ca-rsa2048-g1'",
        ),
        parameters=tuple(sorted(params.items())),
        statement_timeout_ms=statement_timeout_ms,
        migrations_dir=migrations,
        max_connections=max_conn,
        readers=readers,
        # AutomaticallyAfterDays is 1..1000 (sources.SM_ROTATION_RULES); 0 turns rotation off. Only
        # meaningful with auth 'secret': settings.resolve refuses it with iam.
        rotation_days=as_int(
            "database.rotation_days", raw.get("rotation_days"), DEFAULT_ROTATION_DAYS, 0, MAX_ROTATION_DAYS
        ),
    )


def database_identifier(project: str, stack: str, name: str) -> str:
    """The RDS instance/cluster identifier: deterministic, so the export log groups
    (`/aws/rds/instance/<id>/<log>`) can be created with retention before the database starts writing to
    them, and unique per project, stack and component (identifiers are unique per account and region).

    Lowercase letters, digits and single hyphens, first a letter, at most 63 characters (CreateDBInstance
    DBInstanceIdentifier); a longer one keeps its start and ends with a hash of the whole, so two long
    names stay distinct. Changing project, stack or component name replaces the database: choose them once.
    """
    raw = f"{project}-{stack}-{name}".lower()
    ident = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
    if not ident or not ident[0].isalpha():
        ident = f"db-{ident}".rstrip("-")
    limit = facts_rds.DB_IDENTIFIER_MAX
    if len(ident) > limit:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        ident = f"{ident[: limit - 9].rstrip('-')}-{digest}"
    if why := facts_rds.identifier_problem(ident, limit):
        raise ConfigError(
            "name", f"derived database identifier {why} (from project {project!r}, stack {stack!r})"
        )
    return ident
