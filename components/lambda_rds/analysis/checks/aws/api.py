"""Field validity from AWS's own API models: every mapped input meets its request member's constraints.

One rule per service (``aws.api.lambda``, ``aws.api.rds``, ...). The constraints come from
``api_fields.json`` (generated from botocore's service models by ``scripts/gen_api_fields.py``, which
records the botocore version): enum, numeric range, string and list length, and the regex pattern,
matched against the whole value as AWS does. Values not known at plan time are skipped, never guessed.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lambda_rds.analysis.checks.aws.api_map import SERVICE_REFERENCE
from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.resources import Resource, is_unknown
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources

REGISTRY = Registry()
policy = REGISTRY.policy

FIELDS_FILE = Path(__file__).with_name("api_fields.json")

# Terraform's sentinel for "no reserved concurrency" is -1, which it turns into DeleteFunctionConcurrency;
# the API's minimum of 0 does not apply to it.
_TRANSLATED = {("reservedConcurrentExecutions", -1)}


@functools.cache
def api_fields() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIELDS_FILE.read_text())
    return data


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:  # a Java-only construct: the rule cannot judge it, so it does not
        return None


def _values(resource: Resource, path: str) -> Iterator[Any]:
    """Every value at ``path`` (``a.b``, ``a.[].b``) in the resource's properties."""
    steps = path.split(".")
    current: list[Any] = [resource.get(steps[0])]
    for step in steps[1:]:
        nxt: list[Any] = []
        for value in current:
            if step == "[]" and isinstance(value, list):
                nxt.extend(value)
            elif isinstance(value, dict):
                nxt.append(value.get(step))
        current = nxt
    yield from (v for v in current if v is not None and not is_unknown(v))


def _enum_text(value: str, allowed: list[str]) -> str:
    """The allowed values, or for long enums (Lambda runtimes) the ones that look like the bad value."""
    if len(allowed) <= 10:
        return ", ".join(allowed)
    near = [a for a in allowed if a[:3].lower() == value[:3].lower()] or allowed[:10]
    return f"{', '.join(near)} (of {len(allowed)} values)"


def check_value(path: str, value: Any, spec: dict[str, Any]) -> str | None:
    """Why ``value`` breaks the API member ``spec``, or None when it is valid (or not judgeable)."""
    kind = spec["type"]
    api = spec["api"]
    if kind == "string":
        if not isinstance(value, str):
            return None
        if "enum" in spec and value not in spec["enum"]:
            return f"{path}={value!r} is not one of {_enum_text(value, spec['enum'])} ({api})"
        if ("min" in spec and len(value) < spec["min"]) or ("max" in spec and len(value) > spec["max"]):
            return (
                f"{path} is {len(value)} characters; {api} takes "
                f"{spec.get('min', 0)}..{spec.get('max', 'any')}"
            )
        pattern = _pattern(spec["pattern"]) if "pattern" in spec else None
        if pattern is not None and not pattern.fullmatch(value):
            return f"{path}={value!r} does not match {spec['pattern']!r} ({api})"
        return None
    if kind in ("integer", "long", "double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if (path, value) in _TRANSLATED:
            return None
        if ("min" in spec and value < spec["min"]) or ("max" in spec and value > spec["max"]):
            return f"{path}={value:g} is outside {spec.get('min', '-inf')}..{spec.get('max', 'inf')} ({api})"
        return None
    too_few = "min" in spec and isinstance(value, list) and len(value) < spec["min"]
    too_many = "max" in spec and isinstance(value, list) and len(value) > spec["max"]
    if kind == "list" and (too_few or too_many):
        return f"{path} has {len(value)} items; {api} takes {spec.get('min', 0)}..{spec.get('max', 'any')}"
    return None


def violations(resource: Resource, service: str | None = None) -> Iterator[str]:
    for path, spec in sorted(api_fields()["fields"].get(resource.type, {}).items()):
        if service is not None and not spec["api"].startswith(f"{service}:"):
            continue
        for value in _values(resource, path):
            problem = check_value(path, value, spec)
            if problem:
                yield problem


def _register(service: str) -> None:
    types = sorted(
        token
        for token, fields in api_fields()["fields"].items()
        if any(spec["api"].startswith(f"{service}:") for spec in fields.values())
    )

    def check(m: Model) -> Iterator[Violation]:
        for token in types:
            for r in m.of_type(token):
                for problem in violations(r, service):
                    yield r, problem

    policy(
        f"aws.api.{service}",
        f"{service} inputs meet the {service} API model",
        "high",
        mandatory=True,
        source=SERVICE_REFERENCE[service],
        read_on=sources.READ_ON,
        requires=(
            f"every mapped {service} input ({len(types)} resource types) is within the API model's enum, "
            f"range, length and pattern (botocore {api_fields()['botocore_version']})"
        ),
    )(check)


for _service in sorted(SERVICE_REFERENCE):
    _register(_service)
