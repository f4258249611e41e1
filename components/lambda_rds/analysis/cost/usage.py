"""The optional usage file: what the resources alone cannot tell the estimator.

YAML, every key optional (shown with its meaning)::

    default_function:            # applies to every function not listed under `functions`
      requests_per_month: 0
      avg_duration_ms: 0
    functions:                   # by the name in the config (`app`) or the logical name (`app-fn-app`)
      app: {requests_per_month: 3000000, avg_duration_ms: 40}
    nat_gb_per_month: 0          # data processed by NAT gateways
    endpoint_gb_per_month: 0     # data processed by interface endpoints
    aurora_acu_hours_per_month: 0   # Serverless v2 capacity actually used (ACU x hours)
    aurora_storage_gb: 0
    aurora_io_requests_per_month: 0   # Aurora Standard storage I/O requests (I/O-Optimized has no I/O charge)
    secrets_api_calls_per_month: 0
    log_ingest_gb_per_month: 0
    lambda_free_tier: false      # apply the account-wide Lambda free tier to this stack

The Lambda free tier (1M requests and 400,000 GB-s a month) is per account and shared by every function in
it, so it is off by default: a pull request's estimate shows the marginal cost in an account that already
uses it. Set ``lambda_free_tier: true`` for a dedicated account.

A ``functions`` key is checked against the stack (``bind_functions``): the config name of a component's
function (``app`` for ``<component>-fn-app``) or any Lambda function's logical name. A key naming no
function is an error naming the allowed keys, never a silently unpriced function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_FUNCTION


class UsageError(ValueError):
    """A usage file value that is not a non-negative number, or a `functions` key naming no function in the
    stack (the message names the key, and the allowed keys)."""


@dataclass(frozen=True)
class FunctionUsage:
    requests_per_month: float = 0.0
    avg_duration_ms: float = 0.0


@dataclass(frozen=True)
class Usage:
    functions: Mapping[str, FunctionUsage] = field(default_factory=dict)
    default_function: FunctionUsage = FunctionUsage()
    nat_gb_per_month: float = 0.0
    endpoint_gb_per_month: float = 0.0
    aurora_acu_hours_per_month: float | None = None
    aurora_storage_gb: float = 0.0
    aurora_io_requests_per_month: float | None = None
    secrets_api_calls_per_month: float = 0.0
    log_ingest_gb_per_month: float = 0.0
    lambda_free_tier: bool = False

    def for_function(self, name: str) -> FunctionUsage:
        return self.functions.get(name, self.default_function)


def _num(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key, 0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise UsageError(f"{where}{key}: expected a non-negative number, got {value!r}")
    return float(value)


def _fn(raw: Any, where: str) -> FunctionUsage:
    if not isinstance(raw, Mapping):
        raise UsageError(f"{where}: expected a mapping with requests_per_month and avg_duration_ms")
    unknown = set(raw) - {"requests_per_month", "avg_duration_ms"}
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return FunctionUsage(
        _num(raw, "requests_per_month", f"{where}."), _num(raw, "avg_duration_ms", f"{where}.")
    )


_TOP_KEYS = {
    "default_function",
    "functions",
    "nat_gb_per_month",
    "endpoint_gb_per_month",
    "aurora_acu_hours_per_month",
    "aurora_storage_gb",
    "aurora_io_requests_per_month",
    "secrets_api_calls_per_month",
    "log_ingest_gb_per_month",
    "lambda_free_tier",
}


def parse_usage(raw: Any) -> Usage:
    """Validate a parsed usage document (None means no usage: fixed costs only)."""
    if raw is None:
        return Usage()
    if not isinstance(raw, Mapping):
        raise UsageError("usage file: expected a mapping at the top level")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise UsageError(f"usage file: unknown key(s) {', '.join(sorted(unknown))}")
    functions = raw.get("functions") or {}
    if not isinstance(functions, Mapping):
        raise UsageError("functions: expected a mapping of function name -> usage")
    acu = raw.get("aurora_acu_hours_per_month")
    io = raw.get("aurora_io_requests_per_month")
    free = raw.get("lambda_free_tier", False)
    if not isinstance(free, bool):
        raise UsageError(f"lambda_free_tier: expected true or false, got {free!r}")
    return Usage(
        functions={str(k): _fn(v, f"functions.{k}") for k, v in functions.items()},
        default_function=_fn(raw.get("default_function") or {}, "default_function"),
        nat_gb_per_month=_num(raw, "nat_gb_per_month", ""),
        endpoint_gb_per_month=_num(raw, "endpoint_gb_per_month", ""),
        aurora_acu_hours_per_month=None if acu is None else _num(raw, "aurora_acu_hours_per_month", ""),
        aurora_storage_gb=_num(raw, "aurora_storage_gb", ""),
        aurora_io_requests_per_month=None if io is None else _num(raw, "aurora_io_requests_per_month", ""),
        secrets_api_calls_per_month=_num(raw, "secrets_api_calls_per_month", ""),
        log_ingest_gb_per_month=_num(raw, "log_ingest_gb_per_month", ""),
        lambda_free_tier=free,
    )


def _config_names(resources: Sequence[Resource]) -> dict[str, list[str]]:
    """Config name -> logical names of the functions a component deployed as `<component>-fn-<name>`.

    The component is the function's parent (its own logical name from the resource list); a function
    without one (a plain `aws.lambda_.Function`, or a source without parents) only has its logical name."""
    parents = {r.urn: r.name for r in resources if r.urn}
    out: dict[str, list[str]] = {}
    for r in resources:
        component = parents.get(r.parent or "") if r.type == T_FUNCTION else None
        prefix = f"{component}-fn-"
        if component and r.name.startswith(prefix) and len(r.name) > len(prefix):
            out.setdefault(r.name[len(prefix) :], []).append(r.name)
    return out


def bind_functions(usage: Usage, resources: Sequence[Resource]) -> Usage:
    """The usage with its ``functions`` keyed by the logical names the estimate prices.

    A key may be a function's config name (``app``) or its logical name (``app-fn-app``); the logical
    name wins when both readings exist. A key naming no function, a config name shared by several
    components' functions, or two keys for one function is a ``UsageError`` naming the allowed keys."""
    if not usage.functions:
        return usage
    logical = {r.name for r in resources if r.type == T_FUNCTION}
    aliases = _config_names(resources)
    allowed = ", ".join(sorted(set(logical) | set(aliases))) or "none (this stack has no Lambda function)"
    bound: dict[str, FunctionUsage] = {}
    given_as: dict[str, str] = {}
    for key, value in usage.functions.items():
        if key in logical:
            name = key
        elif len(aliases.get(key, ())) == 1:
            name = aliases[key][0]
        elif key in aliases:
            raise UsageError(
                f"functions.{key}: names {len(aliases[key])} functions ({', '.join(sorted(aliases[key]))}); "
                "key each by its logical name"
            )
        else:
            raise UsageError(f"functions.{key}: no such function in this stack; allowed: {allowed}")
        if name in given_as:
            raise UsageError(
                f"functions.{given_as[name]} and functions.{key} both name {name}; keep one of them"
            )
        given_as[name] = key
        bound[name] = value
    return replace(usage, functions=bound)
