"""Stack config (`Pulumi.<stack>.yaml`) -> `LambdaRdsArgs`. Pure.

Keys live in the project namespace (`lambda-rds:engine`, `lambda-rds:database`, ...), one per top-level
argument, plus `lambda-rds:name` (the component's name, default `app`) and `lambda-rds:waivers` (read by
`lambda-rds plan`). Any other key in the namespace is a typo and is rejected with the allowed list;
other namespaces (`aws:region`) are the providers' business. The Pulumi CLI hands structured values over
as JSON text, so everything but plain strings is JSON-decoded.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

from lambda_rds.args import LambdaRdsArgs
from lambda_rds.settings import ConfigError

PROGRAM_KEYS = ("name", "waivers")


def _is_plain_string(annotation: Any) -> bool:
    inner = typing.get_args(annotation)[0] if typing.get_args(annotation) else annotation
    return inner is str or (isinstance(inner, type) and issubclass(inner, Enum))


def args_from_config(config: Mapping[str, Any], namespace: str = "lambda-rds") -> tuple[str, dict[str, Any]]:
    """Return ``(component name, args)`` from a flat config map with full keys (``ns:key``)."""
    hints = typing.get_type_hints(LambdaRdsArgs, include_extras=True)
    allowed = sorted([*hints, *PROGRAM_KEYS])
    args: dict[str, Any] = {}
    name = "app"
    prefix = f"{namespace}:"
    for full_key, raw in config.items():
        if not full_key.startswith(prefix):
            continue
        key = full_key[len(prefix) :]
        if key not in allowed:
            raise ConfigError(full_key, f"unknown config key; allowed keys: {', '.join(allowed)}")
        if key == "waivers":
            continue
        if key == "name":
            name = str(raw)
            continue
        value = raw
        if isinstance(raw, str) and not _is_plain_string(hints[key]):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                if raw.lower() in ("yes", "no", "on", "off", "y", "n"):
                    raise ConfigError(
                        full_key, f"{raw!r} is a string in Pulumi config (YAML 1.2); write true or false"
                    ) from None
                raise ConfigError(
                    full_key,
                    f"expected a structured value (YAML object, list, number or boolean), got {raw!r}",
                ) from None
        args[key] = value
    return name, args
