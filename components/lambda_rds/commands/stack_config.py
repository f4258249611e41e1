"""Stack config (`Pulumi.<stack>.yaml`) -> `LambdaRdsArgs`. Pure.

Keys live in the project namespace (`lambda-rds:engine`, `lambda-rds:database`, ...), one per top-level
argument, plus `lambda-rds:name` (the component's name, default `app`) and `lambda-rds:waivers` (read by
`lambda-rds plan`). Any other key in the namespace is a typo and is rejected with the allowed list.
Other namespaces are the providers' business (`aws:region`) or another program's, and are ignored, except
a key that names one of the component's arguments (`engine`, `database`, `functions`, ...) under a
namespace no provider owns: refused, naming the key and the namespace expected. That catches a misspelt
namespace (`lambda_rds:engine`) and, likelier, a project renamed in Pulumi.yaml (`name: orders-db`) whose
stack files still say `lambda-rds:engine`, whatever the spelling; an unrelated key one edit away from the
project's name (`orders2:slackWebhook` in project `orders1`, `mysql:endpoint` in project `mysql8`) is
not the component's and passes.

Why refuse rather than warn: Pulumi passes every stack config key to the program whatever its namespace
(sources.PULUMI_CONFIG: `<namespace>:<key>`), so the program is the only place that can notice, and an
ignored key deploys something else than asked (postgres for `engine: mysql`, a database without the
deletion protection a `database` key set) that is costly to change afterwards; a warning scrolls past in
`pulumi up`'s diagnostics while the wrong resources are created. The JSON text the Pulumi CLI hands over
for structured values is decoded; plain strings are kept.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from importlib import metadata
from typing import Any

from lambda_rds.args import LambdaRdsArgs
from lambda_rds.settings import ConfigError

PROGRAM_KEYS = ("name", "waivers")
# Pulumi's own namespace and common providers': a key there is never the component's, even when its name
# is one of the component's arguments (`pulumi:tags`, `postgresql:database`, `mysql:proxy`). Providers
# installed in this Python (`pulumi-<name>` packages) are added to them (`provider_namespaces`).
KNOWN_PROVIDER_NAMESPACES = frozenset(
    {
        "pulumi", "aws", "aws-native", "awsx", "eks", "random", "tls", "command", "std", "archive", "http",
        "null", "time", "local", "external", "postgresql", "mysql", "vault", "kubernetes", "docker",
        "cloudflare", "datadog", "github", "gitlab", "gcp", "google-native", "azure", "azure-native",
        "azuread", "auth0", "okta", "snowflake", "mongodbatlas", "newrelic", "pagerduty", "tailscale",
    }
)  # fmt: skip


@cache
def component_keys() -> tuple[str, ...]:
    """The component's top-level arguments, as the stack config names them (`LambdaRdsArgs`' keys)."""
    return tuple(typing.get_type_hints(LambdaRdsArgs, include_extras=True))


@cache
def provider_namespaces() -> frozenset[str]:
    """`KNOWN_PROVIDER_NAMESPACES` plus the providers installed here (`pulumi-postgresql` -> `postgresql`)."""
    installed = set()
    for dist in metadata.distributions():
        try:
            name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        except KeyError:  # a broken install without a name: not a provider we can tell
            continue
        if name.startswith("pulumi-"):
            installed.add(name.removeprefix("pulumi-"))
    return KNOWN_PROVIDER_NAMESPACES | installed


def foreign_component_key(full_key: str, namespace: str) -> str | None:
    """The key part of ``full_key`` when it names a component argument under a namespace that is neither
    the project's (``namespace``) nor a provider's, else None."""
    other, sep, rest = full_key.partition(":")
    if not sep or other == namespace or rest not in component_keys():
        return None
    if other in provider_namespaces():
        return None
    return rest


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
            rest = foreign_component_key(full_key, namespace)
            if rest is not None:
                raise ConfigError(
                    full_key,
                    f"{rest!r} is a lambda-rds setting, but under namespace {full_key.partition(':')[0]!r}, "
                    f"not this project's ({namespace!r}, the name in Pulumi.yaml): the program reads only "
                    f"'{namespace}:*' keys, so this one would be ignored and its default deployed instead; "
                    f"rename it to '{namespace}:{rest}'",
                )
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
