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

from lambda_rds import layout
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
from lambda_rds.settings.coerce import ConfigError, _bool, _check_keys, _enum, _int, _str_map
from lambda_rds.settings.database import _database
from lambda_rds.settings.functions import (
    EXAMPLE_APP,
    _apply_default_concurrency,
    _check_function_limits,
    _functions,
)
from lambda_rds.settings.model import (
    DatabaseSettings,
    FunctionSettings,
    NetworkSettings,
    ProxySettings,
    ServerlessSettings,
    Settings,
)
from lambda_rds.settings.network import _network
from lambda_rds.settings.proxy import _proxy_settings
from lambda_rds.settings.zones import check_subnet_zones, choose_zones

__all__ = [
    "Architecture",
    "Auth",
    "ConfigError",
    "DatabaseSettings",
    "Egress",
    "Engine",
    "FunctionSettings",
    "NatGateways",
    "NetworkSettings",
    "ProxySettings",
    "ServerlessSettings",
    "Settings",
    "check_subnet_zones",
    "choose_zones",
    "resolve",
]


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
    pinned = network.availability_zones
    if pinned and top.get("az_count") is None:
        az_count = len(pinned)
    if pinned and len(pinned) != az_count:
        raise ConfigError(
            "network.availability_zones",
            f"names {len(pinned)} AZ(s) but az_count is {az_count}: list exactly az_count zones",
        )
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
    functions = _functions(top, base, database)
    if database.migrations_dir is None and any(fn.code == EXAMPLE_APP for fn in functions):
        database = replace(database, migrations_dir=EXAMPLE_APP / "migrations")
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
