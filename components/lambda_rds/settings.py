"""Validate `LambdaRdsArgs` and resolve every default into one frozen `Settings` object.

Pure: no Pulumi. Every mistake a user can make is raised here as `ConfigError`, naming the key path, the
value and what is allowed, before the component registers a single resource. Other languages send plain
JSON, so integers may arrive as floats and enums as strings: both are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from lambda_rds import layout, sizing
from lambda_rds.args import (
    Architecture,
    Auth,
    DatabaseArgs,
    Egress,
    Engine,
    FunctionArgs,
    LambdaRdsArgs,
    NatGateways,
    NetworkArgs,
    ProxySettingsArgs,
    ServerlessV2Args,
)
from lambda_rds.paths import functions_dir

E = TypeVar("E", bound=Enum)


class ConfigError(ValueError):
    """A user error in the component's arguments. ``key`` is the dotted path of the offending setting."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"lambda-rds: {key}: {message}")
        self.key = key


# ---- defaults and facts -------------------------------------------------------------------------------

DEFAULT_ENGINE_VERSION = {
    Engine.POSTGRES: "16",
    Engine.MYSQL: "8.0",
    Engine.AURORA_POSTGRESQL: "16.6",
    Engine.AURORA_MYSQL: "8.0.mysql_aurora.3.08.0",
}
DEFAULT_PORT = {"postgres": 5432, "mysql": 3306}
DEFAULT_LOG_EXPORTS = {"postgres": ("postgresql", "upgrade"), "mysql": ("error", "slowquery")}
ALLOWED_LOG_EXPORTS = {
    "postgres": ("postgresql", "upgrade", "iam-db-auth-error"),
    "mysql": ("audit", "error", "general", "slowquery", "iam-db-auth-error"),
}
# The parameter that forces TLS, and the value that does it (REFERENCE.md: RDS PostgreSQL 15+ defaults
# rds.force_ssl=1 but Aurora and older versions do not; MySQL's require_secure_transport defaults OFF).
TLS_PARAMETER = {"postgres": ("rds.force_ssl", "1"), "mysql": ("require_secure_transport", "1")}
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
# Lambda runs these on Amazon Linux 2; psycopg2-binary's aarch64 wheels need glibc 2.27+
# (packaging/targets.py).
ARM64_GLIBC_226_RUNTIMES = frozenset({"python3.10", "python3.11"})
# Availability Zones (by zone id) where RDS Proxy cannot run (REFERENCE.md: us-east-1 use1-az3).
PROXY_UNSUPPORTED_ZONE_IDS = frozenset({"use1-az3"})
RESERVED_FUNCTION_NAMES = frozenset({"bootstrap"})
FUNCTION_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")
RESERVED_DB_USERS = {
    "postgres": {"postgres", "rdsadmin", "rds_iam", "public"},
    "mysql": {"root", "rdsadmin", "mysql", "admin"},
}
AURORA_ONLY_KEYS = ("instances", "serverless_v2", "io_optimized")
RDS_ONLY_KEYS = ("allocated_storage_gb", "max_allocated_storage_gb", "multi_az")


# ---- the resolved settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkSettings:
    vpc_cidr: str
    vpc_id: str | None
    private_subnet_ids: tuple[str, ...]
    endpoint_services: tuple[str, ...]
    """Interface endpoints to create (already includes secretsmanager in secret+endpoints mode)."""
    s3_gateway_endpoint: bool
    flow_logs: bool
    flow_logs_retention_days: int

    @property
    def bring_your_own(self) -> bool:
        return self.vpc_id is not None


@dataclass(frozen=True)
class ServerlessSettings:
    min_capacity: float
    max_capacity: float
    seconds_until_auto_pause: int | None

    @property
    def auto_pause(self) -> bool:
        return self.min_capacity == 0


@dataclass(frozen=True)
class DatabaseSettings:
    engine: Engine
    engine_version: str
    parameter_family: str
    instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    db_name: str
    master_username: str
    app_username: str
    port: int
    multi_az: bool
    instances: int
    serverless: ServerlessSettings | None
    io_optimized: bool
    backup_retention_days: int
    deletion_protection: bool
    protect: bool
    kms_key_arn: str | None
    performance_insights: bool
    monitoring_interval: int
    log_exports: tuple[str, ...]
    auto_minor_version_upgrade: bool
    apply_immediately: bool
    ca_cert_identifier: str
    parameters: tuple[tuple[str, str], ...]
    """User parameters plus the TLS-forcing one, sorted (stable diffs)."""
    statement_timeout_ms: int
    migrations_dir: Path
    max_connections: int

    @property
    def is_aurora(self) -> bool:
        return self.engine in (Engine.AURORA_POSTGRESQL, Engine.AURORA_MYSQL)

    @property
    def family(self) -> str:
        """`postgres` or `mysql`: the wire protocol, the runtime's DB_ENGINE."""
        return "postgres" if self.engine in (Engine.POSTGRES, Engine.AURORA_POSTGRESQL) else "mysql"

    @property
    def proxy_engine_family(self) -> str:
        return "POSTGRESQL" if self.family == "postgres" else "MYSQL"


@dataclass(frozen=True)
class ProxySettings:
    max_connections_percent: int
    max_idle_connections_percent: int
    connection_borrow_timeout_s: int
    idle_client_timeout_s: int


@dataclass(frozen=True)
class FunctionSettings:
    name: str
    code: Path
    handler: str
    runtime: str
    architecture: Architecture
    memory_mb: int
    timeout_s: int
    connect_timeout_s: int
    reserved_concurrency: int | None
    environment: tuple[tuple[str, str], ...]
    log_retention_days: int


@dataclass(frozen=True)
class Settings:
    engine: Engine
    az_count: int
    proxy: bool
    egress: Egress
    nat_gateways: NatGateways
    auth: Auth
    network: NetworkSettings
    database: DatabaseSettings
    proxy_settings: ProxySettings | None
    functions: tuple[FunctionSettings, ...]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def nat_gateway_count(self) -> int:
        if self.egress is not Egress.NAT or self.network.bring_your_own:
            return 0
        return 1 if self.nat_gateways is NatGateways.SINGLE else self.az_count


# ---- coercion helpers: one place that knows how other languages send values ------------------------------


def _check_keys(key: str, value: Any, schema: type) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"expected an object, got {type(value).__name__} {value!r}")
    allowed = sorted(schema.__annotations__)
    for k in value:
        if k not in allowed:
            raise ConfigError(f"{key}.{k}" if key else k, f"unknown key; allowed keys: {', '.join(allowed)}")
    return value


def _enum(key: str, value: Any, enum: type[E], default: E) -> E:
    if value is None:
        return default
    raw = value.value if isinstance(value, Enum) else value
    for member in enum:
        if member.value == raw:
            return member
    allowed = ", ".join(str(m.value) for m in enum)
    raise ConfigError(key, f"{raw!r} is not allowed; allowed values: {allowed}")


def _int(key: str, value: Any, default: int, lo: int, hi: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"expected an integer {lo}..{hi}, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ConfigError(key, f"expected an integer {lo}..{hi}, got {value!r}")
        value = int(value)
    if not lo <= value <= hi:
        raise ConfigError(key, f"{value} is out of range; allowed {lo}..{hi}")
    return value


def _float(key: str, value: Any, default: float, lo: float, hi: float, step: float | None = None) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"expected a number {lo}..{hi}, got {value!r}")
    value = float(value)
    if not lo <= value <= hi:
        raise ConfigError(key, f"{value:g} is out of range; allowed {lo:g}..{hi:g}")
    if step and not (value / step).is_integer():
        raise ConfigError(key, f"{value:g} is not a multiple of {step:g}")
    return value


def _bool(key: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(key, f"expected true or false, got {value!r}")
    return value


def _str(key: str, value: Any, default: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str) or not value:
        raise ConfigError(key, f"expected a non-empty string, got {value!r}")
    if pattern is not None and not pattern.match(value):
        raise ConfigError(key, f"{value!r} is not allowed; expected {what or pattern.pattern}")
    return value


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(key, f"expected a list of strings, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ConfigError(f"{key}[{i}]", f"expected a non-empty string, got {item!r}")
    return tuple(value)


def _str_map(key: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"expected an object of strings, got {value!r}")
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise ConfigError(f"{key}.{k}", f"expected a string value, got {v!r}")
        out[k] = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return out


def _folder(key: str, value: str, base: Path) -> Path:
    path = Path(value)
    if not path.is_absolute():
        path = base / path
    if not path.is_dir():
        raise ConfigError(key, f"folder {value!r} does not exist (resolved to {path})")
    return path


# ---- resolution -------------------------------------------------------------------------------------


def resolve(args: LambdaRdsArgs | Mapping[str, Any], *, base_dir: Path | None = None) -> Settings:
    """Validate ``args`` and resolve defaults. ``base_dir`` anchors relative folders (default: cwd)."""
    base = base_dir or Path.cwd()
    top = _check_keys("", args, LambdaRdsArgs)
    engine = _enum("engine", top.get("engine"), Engine, Engine.POSTGRES)
    auth = _enum("auth", top.get("auth"), Auth, Auth.IAM)
    egress = _enum("egress", top.get("egress"), Egress, Egress.NONE if auth is Auth.IAM else Egress.ENDPOINTS)
    if auth is Auth.SECRET and egress is Egress.NONE:
        raise ConfigError(
            "egress",
            "'none' with auth 'secret' would make every function hang reading its secret (no route to "
            "Secrets Manager); use egress 'endpoints' (about $14.60/month for 2 AZs) or 'nat', or auth 'iam'",
        )
    nat_gateways = _enum("nat_gateways", top.get("nat_gateways"), NatGateways, NatGateways.PER_AZ)
    if top.get("nat_gateways") is not None and egress is not Egress.NAT:
        raise ConfigError("nat_gateways", f"only applies with egress 'nat' (egress is {egress.value!r})")
    az_count = _int("az_count", top.get("az_count"), 2, 2, layout.MAX_AZS)
    proxy = _bool("proxy", top.get("proxy"), False)

    network = _network(_check_keys("network", top.get("network"), NetworkArgs), auth, egress, base)
    database = _database(
        _check_keys("database", top.get("database"), DatabaseArgs), engine, top.get("engine_version"), base
    )
    if proxy and database.serverless is not None and database.serverless.auto_pause:
        raise ConfigError(
            "database.serverless_v2.min_capacity",
            "0 (auto-pause) does not work with RDS Proxy (the proxy keeps connections open); "
            "use min_capacity >= 0.5 or proxy: false",
        )
    proxy_settings = _proxy_settings(top.get("proxy_settings"), proxy)
    functions = _functions(top, base)
    _check_function_limits(functions, database, proxy, proxy_settings)
    functions = _apply_default_concurrency(functions, database, proxy)
    tags = _str_map("tags", top.get("tags"))
    return Settings(
        engine,
        az_count,
        proxy,
        egress,
        nat_gateways,
        auth,
        network,
        database,
        proxy_settings,
        functions,
        tags,
    )


def _network(raw: Mapping[str, Any], auth: Auth, egress: Egress, base: Path) -> NetworkSettings:
    vpc_id = raw.get("vpc_id")
    subnet_ids = _str_list("network.private_subnet_ids", raw.get("private_subnet_ids"))
    if (vpc_id is None) != (not subnet_ids):
        missing = "network.private_subnet_ids" if vpc_id is not None else "network.vpc_id"
        raise ConfigError(
            missing, "bring-your-own VPC needs both network.vpc_id and network.private_subnet_ids"
        )
    if vpc_id is not None:
        vpc_id = _str(
            "network.vpc_id", vpc_id, "", re.compile(r"^vpc-[0-9a-f]+$"), "a VPC id like vpc-0abc123"
        )
        if len(set(subnet_ids)) < 2:
            raise ConfigError(
                "network.private_subnet_ids",
                f"{len(set(subnet_ids))} subnet(s) given; functions, the database and the proxy need "
                "at least "
                "2 subnets in 2 different AZs",
            )
        if "vpc_cidr" in raw:
            raise ConfigError("network.vpc_cidr", "cannot be set with a bring-your-own network.vpc_id")
    vpc_cidr = _str("network.vpc_cidr", raw.get("vpc_cidr"), "10.0.0.0/16")
    try:
        layout.parse_vpc_cidr(vpc_cidr)
    except ValueError as exc:
        raise ConfigError("network.vpc_cidr", str(exc)) from None
    extra = _str_list("network.endpoint_services", raw.get("endpoint_services"))
    for i, svc in enumerate(extra):
        if not SERVICE_RE.match(svc):
            raise ConfigError(f"network.endpoint_services[{i}]", f"{svc!r} is not a service name like 'sts'")
    if extra and egress is not Egress.ENDPOINTS:
        raise ConfigError(
            "network.endpoint_services", f"only applies with egress 'endpoints' (egress is {egress.value!r})"
        )
    services: list[str] = []
    if egress is Egress.ENDPOINTS and auth is Auth.SECRET:
        services.append("secretsmanager")
    services += [s for s in extra if s not in services]
    return NetworkSettings(
        vpc_cidr=vpc_cidr,
        vpc_id=vpc_id,
        private_subnet_ids=subnet_ids,
        endpoint_services=tuple(services),
        s3_gateway_endpoint=_bool("network.s3_gateway_endpoint", raw.get("s3_gateway_endpoint"), False),
        flow_logs=_bool("network.flow_logs", raw.get("flow_logs"), False),
        flow_logs_retention_days=_retention(
            "network.flow_logs_retention_days", raw.get("flow_logs_retention_days"), 90
        ),
    )


def _retention(key: str, value: Any, default: int) -> int:
    days = _int(key, value, default, 1, 3653)
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            key, f"{days} is not a CloudWatch retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    return days


def _parameter_family(engine: Engine, version: str) -> str:
    major = version.split(".")[0]
    if engine is Engine.POSTGRES:
        return f"postgres{major}"
    if engine is Engine.AURORA_POSTGRESQL:
        return f"aurora-postgresql{major}"
    mysql_major = ".".join(version.split(".")[:2])
    return f"mysql{mysql_major}" if engine is Engine.MYSQL else f"aurora-mysql{mysql_major}"


def _database(raw: Mapping[str, Any], engine: Engine, version_raw: Any, base: Path) -> DatabaseSettings:
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
    version = _str(
        "engine_version",
        version_raw,
        DEFAULT_ENGINE_VERSION[engine],
        re.compile(r"^\d+(\.[0-9A-Za-z_]+)*$"),
        "a version like '16' or '8.0'",
    )
    if family == "postgres" and int(version.split(".")[0]) < 13:
        raise ConfigError("engine_version", f"{version!r} is past end of standard support; use 13 or newer")

    serverless: ServerlessSettings | None = None
    if aurora and raw.get("serverless_v2") is not None:
        sv = _check_keys("database.serverless_v2", raw["serverless_v2"], ServerlessV2Args)
        min_c = _float("database.serverless_v2.min_capacity", sv.get("min_capacity"), 0.5, 0, 256, 0.5)
        max_c = _float("database.serverless_v2.max_capacity", sv.get("max_capacity"), 4, 1, 256, 0.5)
        if max_c < min_c:
            raise ConfigError(
                "database.serverless_v2.max_capacity", f"{max_c:g} is below min_capacity {min_c:g}"
            )
        pause: int | None = None
        if min_c == 0:
            pause = _int(
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
    instance_class = _str(
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

    allocated = _int("database.allocated_storage_gb", raw.get("allocated_storage_gb"), 20, 20, 65536)
    max_alloc = _int("database.max_allocated_storage_gb", raw.get("max_allocated_storage_gb"), 100, 0, 65536)
    if max_alloc and max_alloc <= allocated:
        raise ConfigError(
            "database.max_allocated_storage_gb",
            f"{max_alloc} must exceed allocated_storage_gb {allocated} (or be 0 to disable)",
        )
    db_name = _str(
        "database.db_name",
        raw.get("db_name"),
        "app",
        IDENTIFIER_RE,
        "lowercase letters, digits and underscores, starting with a letter, at most 32",
    )
    master = _str(
        "database.master_username",
        raw.get("master_username"),
        "lambda_rds_admin",
        IDENTIFIER_RE,
        "lowercase letters, digits and underscores, starting with a letter",
    )
    app_user = _str(
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
    port = _int("database.port", raw.get("port"), DEFAULT_PORT[family], 1150, 65535)

    params = _str_map("database.parameters", raw.get("parameters"))
    tls_name, tls_value = TLS_PARAMETER[family]
    if tls_name in params and params[tls_name] not in (tls_value, "ON", "on"):
        raise ConfigError(f"database.parameters.{tls_name}", "TLS enforcement cannot be turned off")
    params[tls_name] = "ON" if engine is Engine.AURORA_MYSQL else tls_value
    statement_timeout_ms = _int(
        "database.statement_timeout_ms", raw.get("statement_timeout_ms"), 10000, 100, 900_000
    )
    if engine is Engine.MYSQL:
        # MySQL has no per-user statement timeout (the bootstrap sets one on the role for PostgreSQL and
        # MariaDB); max_execution_time bounds SELECTs instance-wide instead.
        params.setdefault("max_execution_time", str(statement_timeout_ms))

    log_exports = _str_list("database.log_exports", raw.get("log_exports")) or DEFAULT_LOG_EXPORTS[family]
    for i, name in enumerate(log_exports):
        if name not in ALLOWED_LOG_EXPORTS[family]:
            raise ConfigError(
                f"database.log_exports[{i}]",
                f"{name!r} is not allowed for {family}; allowed: {', '.join(ALLOWED_LOG_EXPORTS[family])}",
            )
    monitoring = _int("database.monitoring_interval", raw.get("monitoring_interval"), 0, 0, 60)
    if monitoring not in MONITORING_INTERVALS:
        raise ConfigError(
            "database.monitoring_interval",
            f"{monitoring} is not allowed; allowed: {', '.join(map(str, MONITORING_INTERVALS))}",
        )
    migrations = _folder(
        "database.migrations_dir",
        raw.get("migrations_dir") or str(functions_dir() / "app" / "migrations"),
        base,
    )
    kms = raw.get("kms_key_arn")
    if kms is not None:
        kms = _str("database.kms_key_arn", kms, "", re.compile(r"^arn:aws[a-z-]*:kms:"), "a KMS key ARN")

    return DatabaseSettings(
        engine=engine,
        engine_version=version,
        parameter_family=_parameter_family(engine, version),
        instance_class=instance_class,
        allocated_storage_gb=allocated,
        max_allocated_storage_gb=max_alloc,
        db_name=db_name,
        master_username=master,
        app_username=app_user,
        port=port,
        multi_az=_bool("database.multi_az", raw.get("multi_az"), False),
        instances=_int("database.instances", raw.get("instances"), 1, 1, 15),
        serverless=serverless,
        io_optimized=_bool("database.io_optimized", raw.get("io_optimized"), False),
        backup_retention_days=_int(
            "database.backup_retention_days", raw.get("backup_retention_days"), 7, 1, 35
        ),
        deletion_protection=_bool("database.deletion_protection", raw.get("deletion_protection"), True),
        protect=_bool("database.protect", raw.get("protect"), True),
        kms_key_arn=kms,
        performance_insights=_bool("database.performance_insights", raw.get("performance_insights"), False),
        monitoring_interval=monitoring,
        log_exports=tuple(log_exports),
        auto_minor_version_upgrade=_bool(
            "database.auto_minor_version_upgrade", raw.get("auto_minor_version_upgrade"), True
        ),
        apply_immediately=_bool("database.apply_immediately", raw.get("apply_immediately"), False),
        ca_cert_identifier=_str(
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
    )


def _proxy_settings(value: Any, proxy: bool) -> ProxySettings | None:
    if value is not None and not proxy:
        raise ConfigError("proxy_settings", "only applies with proxy: true")
    raw = _check_keys("proxy_settings", value, ProxySettingsArgs)
    if not proxy:
        return None
    max_pct = _int("proxy_settings.max_connections_percent", raw.get("max_connections_percent"), 90, 1, 100)
    idle_pct = _int(
        "proxy_settings.max_idle_connections_percent",
        raw.get("max_idle_connections_percent"),
        min(50, max_pct),
        0,
        max_pct,
    )
    return ProxySettings(
        max_connections_percent=max_pct,
        max_idle_connections_percent=idle_pct,
        connection_borrow_timeout_s=_int(
            "proxy_settings.connection_borrow_timeout_s", raw.get("connection_borrow_timeout_s"), 120, 0, 3600
        ),
        idle_client_timeout_s=_int(
            "proxy_settings.idle_client_timeout_s", raw.get("idle_client_timeout_s"), 1800, 1, 28800
        ),
    )


def _functions(top: Mapping[str, Any], base: Path) -> tuple[FunctionSettings, ...]:
    raw_all = top.get("functions")
    if raw_all is None:
        raw_all = {"app": {}}
    if not isinstance(raw_all, Mapping):
        raise ConfigError("functions", f"expected an object of name -> function settings, got {raw_all!r}")
    out: list[FunctionSettings] = []
    for name in sorted(raw_all):
        key = f"functions.{name}"
        if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
            raise ConfigError(
                key, "names are lowercase letters, digits and dashes, starting with a letter, at most 40"
            )
        if name in RESERVED_FUNCTION_NAMES:
            raise ConfigError(key, f"{name!r} is reserved for the component's own function")
        raw = _check_keys(key, raw_all[name], FunctionArgs)
        code_raw = raw.get("code")
        if code_raw is None and name != "app":
            raise ConfigError(f"{key}.code", "required: the folder with the function's source")
        code = _folder(f"{key}.code", code_raw or str(functions_dir() / "app"), base)
        runtime = _str(f"{key}.runtime", raw.get("runtime"), "python3.12")
        if runtime not in RUNTIMES:
            raise ConfigError(f"{key}.runtime", f"{runtime!r} is not allowed; allowed: {', '.join(RUNTIMES)}")
        architecture = _enum(f"{key}.architecture", raw.get("architecture"), Architecture, Architecture.ARM64)
        if architecture is Architecture.ARM64 and runtime in ARM64_GLIBC_226_RUNTIMES:
            raise ConfigError(
                f"{key}.runtime",
                f"{runtime!r} on arm64 runs on Amazon Linux 2 (glibc 2.26), for which psycopg2-binary ships "
                "no aarch64 wheel; use python3.12 or python3.13 on arm64, or architecture 'x86_64'",
            )
        connect_timeout = _int(f"{key}.connect_timeout_s", raw.get("connect_timeout_s"), 5, 1, 60)
        timeout = _int(f"{key}.timeout_s", raw.get("timeout_s"), 30, 1, 900)
        if timeout <= connect_timeout:
            raise ConfigError(
                f"{key}.timeout_s",
                f"{timeout} s must exceed connect_timeout_s {connect_timeout} s, "
                "or a database outage surfaces as 'Task timed out'",
            )
        env = _str_map(f"{key}.environment", raw.get("environment"))
        for k in env:
            if k.startswith("DB_"):
                raise ConfigError(
                    f"{key}.environment.{k}",
                    "DB_* variables are set by the component (the connection contract); rename it",
                )
        reserved = raw.get("reserved_concurrency")
        out.append(
            FunctionSettings(
                name=name,
                code=code,
                handler=_str(
                    f"{key}.handler",
                    raw.get("handler"),
                    "handler.handler",
                    re.compile(r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$"),
                    "module.function, e.g. 'handler.handler'",
                ),
                runtime=runtime,
                architecture=architecture,
                memory_mb=_int(f"{key}.memory_mb", raw.get("memory_mb"), 256, 128, 10240),
                timeout_s=timeout,
                connect_timeout_s=connect_timeout,
                reserved_concurrency=None
                if reserved is None
                else _int(f"{key}.reserved_concurrency", reserved, 0, 0, 10000),
                environment=tuple(sorted(env.items())),
                log_retention_days=_retention(f"{key}.log_retention_days", raw.get("log_retention_days"), 30),
            )
        )
    return tuple(out)


def _check_function_limits(
    functions: tuple[FunctionSettings, ...],
    db: DatabaseSettings,
    proxy: bool,
    proxy_settings: ProxySettings | None,
) -> None:
    for fn in functions:
        if db.statement_timeout_ms >= fn.timeout_s * 1000:
            raise ConfigError(
                "database.statement_timeout_ms",
                f"{db.statement_timeout_ms} ms is not below functions.{fn.name}.timeout_s "
                f"({fn.timeout_s} s): a slow query would surface as 'Task timed out'",
            )
    if proxy:
        return
    usable = sizing.usable_connections(db.max_connections)
    explicit = sum(fn.reserved_concurrency or 0 for fn in functions)
    if explicit > usable:
        detail = ", ".join(
            f"{fn.name}={fn.reserved_concurrency}" for fn in functions if fn.reserved_concurrency
        )
        raise ConfigError(
            "functions.*.reserved_concurrency",
            f"{explicit} concurrent executions ({detail}) could open {explicit} connections, but "
            f"{db.instance_class} {db.engine.value} allows max_connections={db.max_connections}, of which "
            f"{usable} are usable by functions; lower it, pick a larger instance class, or set proxy: true",
        )
    unreserved = [fn for fn in functions if fn.reserved_concurrency is None]
    if unreserved and (usable - explicit) // len(unreserved) < 1:
        raise ConfigError(
            "functions.*.reserved_concurrency",
            f"no connections left for {', '.join(fn.name for fn in unreserved)}: "
            f"{explicit} of {usable} usable "
            f"connections are reserved explicitly",
        )


def _apply_default_concurrency(
    functions: tuple[FunctionSettings, ...], db: DatabaseSettings, proxy: bool
) -> tuple[FunctionSettings, ...]:
    """Without a proxy, every function gets a reserved concurrency the database can hold (an equal share)."""
    if proxy:
        return functions
    unreserved = [fn for fn in functions if fn.reserved_concurrency is None]
    if not unreserved:
        return functions
    left = sizing.usable_connections(db.max_connections) - sum(
        fn.reserved_concurrency or 0 for fn in functions
    )
    share = left // len(unreserved)
    from dataclasses import replace

    return tuple(
        replace(fn, reserved_concurrency=share) if fn.reserved_concurrency is None else fn for fn in functions
    )


# ---- checks that need facts from the account (the component looks them up, these decide) -------------


def choose_zones(
    settings: Settings, zone_names: Sequence[str], zone_ids: Sequence[str], region: str
) -> list[str]:
    """The first ``az_count`` usable AZ names, skipping zones where RDS Proxy cannot run when it is on."""
    usable = [
        name
        for name, zid in zip(zone_names, zone_ids, strict=False)
        if not (settings.proxy and zid in PROXY_UNSUPPORTED_ZONE_IDS)
    ]
    if settings.az_count > len(usable):
        why = " where RDS Proxy can run" if settings.proxy and len(usable) < len(zone_names) else ""
        raise ConfigError(
            "az_count",
            f"{settings.az_count} is more than region {region} offers{why}: "
            f"{len(usable)} available ({', '.join(usable)})",
        )
    return usable[: settings.az_count]


def check_subnet_zones(subnet_zones: Mapping[str, str]) -> None:
    """Bring-your-own subnets must span at least 2 AZs (RDS subnet groups and RDS Proxy require it)."""
    zones = sorted(set(subnet_zones.values()))
    if len(zones) < 2:
        raise ConfigError(
            "network.private_subnet_ids",
            f"all {len(subnet_zones)} subnet(s) are in {', '.join(zones) or 'no AZ'}; "
            "at least 2 AZs are required",
        )
