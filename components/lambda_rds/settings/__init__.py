"""Validate `LambdaRdsArgs` and resolve every default into one frozen `Settings` object.

Pure: no Pulumi. Every mistake a user can make is raised here as `ConfigError`, naming the key path, the
value and what is allowed, before the component registers a single resource. One module per section of
the arguments (`network`, `database`, `proxy`, `functions`); `zones` decides what needs account facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambda_rds.args import (
    Architecture,
    Auth,
    DatabaseArgs,
    Egress,
    Engine,
    LambdaRdsArgs,
    NatGateways,
    NetworkArgs,
)
from lambda_rds.rules import layout
from lambda_rds.settings.coerce import ConfigError, as_bool, as_enum, as_int, as_tags, check_keys
from lambda_rds.settings.database import resolve_database
from lambda_rds.settings.functions import (
    EXAMPLE_APP,
    apply_default_concurrency,
    check_function_limits,
    default_connect_timeout,
    resolve_functions,
)
from lambda_rds.settings.model import (
    DatabaseSettings,
    FunctionSettings,
    MonitoringSettings,
    NetworkSettings,
    ProxySettings,
    ServerlessSettings,
    Settings,
)
from lambda_rds.settings.monitoring import resolve_monitoring
from lambda_rds.settings.names import for_component
from lambda_rds.settings.network import resolve_network
from lambda_rds.settings.proxy import resolve_proxy_settings
from lambda_rds.settings.zones import check_subnet_zones, choose_zones

__all__ = [
    "Architecture",
    "Auth",
    "ConfigError",
    "DatabaseSettings",
    "Egress",
    "Engine",
    "FunctionSettings",
    "MonitoringSettings",
    "NatGateways",
    "NetworkSettings",
    "ProxySettings",
    "ServerlessSettings",
    "Settings",
    "check_subnet_zones",
    "choose_zones",
    "for_component",
    "resolve",
]


def resolve(args: LambdaRdsArgs | Mapping[str, Any], *, base_dir: Path | None = None) -> Settings:
    """Validate ``args`` and resolve defaults. ``base_dir`` anchors relative folders (default: cwd)."""
    base = base_dir or Path.cwd()
    top = check_keys("", args, LambdaRdsArgs)
    engine = as_enum("engine", top.get("engine"), Engine, Engine.POSTGRES)
    auth = as_enum("auth", top.get("auth"), Auth, Auth.IAM)
    egress = as_enum(
        "egress", top.get("egress"), Egress, Egress.NONE if auth is Auth.IAM else Egress.ENDPOINTS
    )
    if auth is Auth.SECRET and egress is Egress.NONE:
        raise ConfigError(
            "egress",
            "'none' with auth 'secret' would make every function hang reading its secret (no route to "
            "Secrets Manager); use egress 'endpoints' (about $14.60/month for 2 AZs) or 'nat', or auth 'iam'",
        )
    nat_gateways = as_enum("nat_gateways", top.get("nat_gateways"), NatGateways, NatGateways.PER_AZ)
    if top.get("nat_gateways") is not None and egress is not Egress.NAT:
        raise ConfigError("nat_gateways", f"only applies with egress 'nat' (egress is {egress.value!r})")
    az_count = as_int("az_count", top.get("az_count"), 2, 2, layout.MAX_AZS)
    proxy = as_bool("proxy", top.get("proxy"), False)

    network = resolve_network(
        check_keys("network", top.get("network"), NetworkArgs),
        auth,
        egress,
        base,
        nat_gateways if top.get("nat_gateways") is not None else None,
    )
    if (
        top.get("nat_gateways") is not None
        and network.bring_your_own
        and nat_gateways is not NatGateways.REGIONAL
    ):
        # Silently ignoring it would let a reader believe the component created NAT gateways in their VPC.
        raise ConfigError(
            "nat_gateways",
            "does not apply with a bring-your-own network.vpc_id: the component creates no NAT gateway in "
            "your VPC; egress 'nat' there means your private subnets already route through your own NAT. "
            "Leave nat_gateways unset",
        )
    if nat_gateways is NatGateways.REGIONAL and network.bring_your_own:
        # The regional NAT gateway is only useful through the private route tables' default routes, and
        # the component owns no route table in a brought VPC (the same reason as s3_gateway_endpoint).
        raise ConfigError(
            "nat_gateways",
            "'regional' cannot be used with a bring-your-own network.vpc_id: the component creates no NAT "
            "gateway, internet gateway or route in your VPC (it owns none of its route tables); create the "
            "regional NAT gateway yourself (aws.ec2.NatGateway(vpc_id=..., availability_mode='regional'), "
            "with an internet gateway attached) and route your private subnets to it, and leave "
            "nat_gateways unset",
        )
    pinned = network.availability_zones
    if pinned and top.get("az_count") is None:
        az_count = len(pinned)
    if pinned and len(pinned) != az_count:
        raise ConfigError(
            "network.availability_zones",
            f"names {len(pinned)} AZ(s) but az_count is {az_count}: list exactly az_count zones",
        )
    database = resolve_database(
        check_keys("database", top.get("database"), DatabaseArgs),
        engine,
        top.get("engine_version"),
        base,
        proxy=proxy,
    )
    if proxy and database.serverless is not None and database.serverless.auto_pause:
        raise ConfigError(
            "database.serverless_v2.min_capacity",
            "0 (auto-pause) does not work with RDS Proxy (the proxy keeps connections open); "
            "use min_capacity >= 0.5 or proxy: false",
        )
    if proxy and database.readers and not database.is_aurora:
        # RDS Proxy read-only endpoints exist for Aurora clusters only; a request to one whose target
        # is an RDS instance fails (sources.RDS_PROXY_ENDPOINTS). Functions would have to bypass the proxy
        # to reach the replicas, which the security groups never allow when a proxy is on.
        raise ConfigError(
            "database.readers",
            f"{database.readers} read replicas with proxy: true on {engine.value}: RDS Proxy has read-only "
            "endpoints for Aurora clusters only; use an Aurora engine, proxy: false, or readers: 0",
        )
    if auth is Auth.IAM:
        # Rotation is of the app secret, which only `secret` auth has (IAM tokens expire by themselves).
        # Left unset it is simply off; an explicit schedule is refused so nobody believes it applies.
        rotation_raw = (top.get("database") or {}).get("rotation_days")
        if rotation_raw not in (None, 0):
            raise ConfigError(
                "database.rotation_days",
                f"{rotation_raw!r} only applies with auth 'secret' (IAM tokens expire after 15 minutes and "
                "there is no app password to rotate); remove it or set it to 0",
            )
        database = replace(database, rotation_days=0)
    elif database.rotation_days and dict(database.parameters).get("rds.restrict_password_commands") in (
        "1",
        "on",
    ):
        # With it on, only members of rds_password may change a password, the app user's own included
        # (sources.RDS_RESTRICT_PASSWORD): every setSecret would fail.
        raise ConfigError(
            "database.rotation_days",
            f"{database.rotation_days} cannot rotate with database.parameters "
            "rds.restrict_password_commands on: the app user may not change its own password then; set "
            "rotation_days: 0 or drop that parameter",
        )
    proxy_settings = resolve_proxy_settings(top.get("proxy_settings"), proxy)
    # Resolved once: the functions' default, and what the wiring gives its own functions and the contract.
    connect_timeout = default_connect_timeout(database)
    functions = resolve_functions(top, base, database, connect_timeout)
    if database.migrations_dir is None and any(fn.code == EXAMPLE_APP for fn in functions):
        database = replace(database, migrations_dir=EXAMPLE_APP / "migrations")
    check_function_limits(functions, database, proxy, proxy_settings)
    functions = apply_default_concurrency(functions, database, proxy)
    # Each tag goes on every taggable resource, beside the component's own: within every service's limits.
    tags = as_tags("tags", top.get("tags"))
    monitoring = resolve_monitoring(top.get("monitoring"))
    return Settings(
        engine=engine,
        az_count=az_count,
        proxy=proxy,
        egress=egress,
        nat_gateways=nat_gateways,
        auth=auth,
        network=network,
        database=database,
        proxy_settings=proxy_settings,
        functions=functions,
        default_connect_timeout_s=connect_timeout,
        tags=tags,
        monitoring=monitoring,
    )
