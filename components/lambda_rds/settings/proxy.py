"""The `proxy_settings` section: RDS Proxy's connection pool."""

from __future__ import annotations

from typing import Any

from lambda_rds.args import ProxySettingsArgs
from lambda_rds.settings.coerce import (
    ConfigError,
    as_int,
    check_keys,
)
from lambda_rds.settings.model import ProxySettings


def resolve_proxy_settings(value: Any, proxy: bool) -> ProxySettings | None:
    """The `proxy_settings` section; None without a proxy (where setting it is refused)."""
    if value is not None and not proxy:
        raise ConfigError("proxy_settings", "only applies with proxy: true")
    raw = check_keys("proxy_settings", value, ProxySettingsArgs)
    if not proxy:
        return None
    max_pct = as_int("proxy_settings.max_connections_percent", raw.get("max_connections_percent"), 90, 1, 100)
    idle_pct = as_int(
        "proxy_settings.max_idle_connections_percent",
        raw.get("max_idle_connections_percent"),
        min(50, max_pct),
        0,
        max_pct,
    )
    return ProxySettings(
        max_connections_percent=max_pct,
        max_idle_connections_percent=idle_pct,
        connection_borrow_timeout_s=as_int(
            "proxy_settings.connection_borrow_timeout_s", raw.get("connection_borrow_timeout_s"), 120, 0, 3600
        ),
        idle_client_timeout_s=as_int(
            "proxy_settings.idle_client_timeout_s", raw.get("idle_client_timeout_s"), 1800, 1, 28800
        ),
    )
