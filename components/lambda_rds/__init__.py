"""lambda-rds: AWS Lambda in a VPC in front of a private RDS or Aurora database, as one Pulumi component.

    from lambda_rds import LambdaRds
    db = LambdaRds("orders", {"engine": "postgres", "proxy": True})

`LambdaRds` and the argument types are imported lazily, so pure parts (`lambda_rds.analysis`,
`lambda_rds.settings`) stay importable without loading the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambda_rds._version import __version__

if TYPE_CHECKING:
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
    from lambda_rds.component import LambdaRds
    from lambda_rds.settings import ConfigError

_LAZY = {
    "LambdaRds": "lambda_rds.component",
    "ConfigError": "lambda_rds.settings",
    **{
        n: "lambda_rds.args"
        for n in (
            "Architecture",
            "Auth",
            "DatabaseArgs",
            "Egress",
            "Engine",
            "FunctionArgs",
            "LambdaRdsArgs",
            "NatGateways",
            "NetworkArgs",
            "ProxySettingsArgs",
            "ServerlessV2Args",
        )
    },
}

__all__ = [
    "Architecture",
    "Auth",
    "ConfigError",
    "DatabaseArgs",
    "Egress",
    "Engine",
    "FunctionArgs",
    "LambdaRds",
    "LambdaRdsArgs",
    "NatGateways",
    "NetworkArgs",
    "ProxySettingsArgs",
    "ServerlessV2Args",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lambda_rds' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
