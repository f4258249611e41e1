"""How values arrive (plain JSON from any language) and how a bad one is reported: one place.

Other languages send plain JSON, so integers may arrive as floats and enums as strings: both are accepted.
Every helper raises `ConfigError` naming the dotted key path, the value and what is allowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


class ConfigError(ValueError):
    """A user error in the component's arguments. ``key`` is the dotted path of the offending setting."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"lambda-rds: {key}: {message}")
        self.key = key


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


def check_keys(key: str, value: Any, schema: type) -> Mapping[str, Any]:
    """The object at ``key`` ({} when unset); a key the TypedDict ``schema`` does not declare is refused."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"expected an object, got {type(value).__name__} {value!r}")
    allowed = sorted(schema.__annotations__)
    for k in value:
        if k not in allowed:
            raise ConfigError(f"{key}.{k}" if key else k, f"unknown key; allowed keys: {', '.join(allowed)}")
    return value


def as_enum(key: str, value: Any, enum: type[E], default: E) -> E:
    """The ``enum`` member ``value`` names (a member or its plain value), or ``default`` when unset."""
    if value is None:
        return default
    raw = value.value if isinstance(value, Enum) else value
    for member in enum:
        if member.value == raw:
            return member
    allowed = ", ".join(str(m.value) for m in enum)
    raise ConfigError(key, f"{raw!r} is not allowed; allowed values: {allowed}")


def as_int(key: str, value: Any, default: int, lo: int, hi: int) -> int:
    """An integer in ``lo..hi`` (a whole float is accepted), or ``default`` when unset."""
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


def as_float(key: str, value: Any, default: float, lo: float, hi: float, step: float | None = None) -> float:
    """A number in ``lo..hi``, a multiple of ``step`` when given, or ``default`` when unset."""
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


def as_bool(key: str, value: Any, default: bool) -> bool:
    """A real boolean, or ``default`` when unset; YAML 1.1 words like ``yes`` are refused with a hint."""
    if value is None:
        return default
    if not isinstance(value, bool):
        if isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n"):
            # YAML 1.1 read these as booleans; Pulumi's config (YAML 1.2) keeps them as strings.
            raise ConfigError(key, f"{value!r} is a string in Pulumi config (YAML 1.2); write true or false")
        raise ConfigError(key, f"expected true or false, got {value!r}")
    return value


def as_str(key: str, value: Any, default: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
    """A non-empty string matching ``pattern`` (``what`` describes it in errors), or ``default`` if unset."""
    if value is None:
        return default
    if not isinstance(value, str) or not value:
        raise ConfigError(key, f"expected a non-empty string, got {value!r}")
    if pattern is not None and not pattern.match(value):
        raise ConfigError(key, f"{value!r} is not allowed; expected {what or pattern.pattern}")
    return value


def as_str_list(key: str, value: Any) -> tuple[str, ...]:
    """A list of non-empty strings as a tuple; () when unset."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(key, f"expected a list of strings, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ConfigError(f"{key}[{i}]", f"expected a non-empty string, got {item!r}")
    return tuple(value)


def as_str_map(key: str, value: Any) -> dict[str, str]:
    """An object of string values (a number becomes its text, ``1.0`` becomes ``"1"``); {} when unset."""
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


# Tags go on every taggable resource: EC2 (VPC, subnets, groups, gateways), RDS, Lambda, IAM roles,
# Secrets Manager and CloudWatch Logs. Each takes 50 tags per resource (sources.TAG_QUOTAS,
# sources.LOGS_TAG_RESOURCE, sources.SM_TAG_RESOURCE); more fail the create (TagLimitExceeded,
# TooManyTagsException). The component adds up to 5 of its own: lambda-rds:component, lambda-rds:project
# and lambda-rds:stack everywhere (component.py), Name and lambda-rds:tier on subnets (resources/network.py).
TAGS_PER_RESOURCE = 50
COMPONENT_TAGS_AT_MOST = 5
MAX_USER_TAGS = TAGS_PER_RESOURCE - COMPONENT_TAGS_AT_MOST
# The smallest length any of them takes: EC2's keys "a maximum of 127 Unicode characters" (sources.EC2_TAG),
# Secrets Manager's values 255 (sources.SM_TAG_RESOURCE); the others take 128 and 256.
TAG_KEY_MAX = 127
TAG_VALUE_MAX = 255
# IAM, Lambda, CloudWatch Logs and RDS take only [\p{L}\p{Z}\p{N}_.:/=+\-@] (sources.IAM_TAG,
# sources.LAMBDA_TAG_RESOURCE, sources.LOGS_TAG_RESOURCE, sources.RDS_TAG); EC2 and Secrets Manager take
# any Unicode, so the intersection is that: Unicode letters (L), separators (Z) and numbers (N), plus these.
TAG_PUNCTUATION = "_.:/=+-@"
# aws: is AWS's, in any case (keys and values, sources.TAG_QUOTAS, sources.EC2_TAG); RDS also refuses rds:
# on keys and values (sources.RDS_TAG; refused in any case here too, to be safe). lambda-rds: is the
# component's own (the deployer policy trusts lambda-rds:project and lambda-rds:stack).
RESERVED_TAG_PREFIXES = ("aws:", "rds:")
COMPONENT_TAG_PREFIX = "lambda-rds:"


def _tag_characters_refused(text: str) -> list[str]:
    """The characters of ``text`` some service refuses in a tag, each once, in order of appearance."""
    refused = (c for c in text if c not in TAG_PUNCTUATION and unicodedata.category(c)[0] not in "LZN")
    return list(dict.fromkeys(refused))


def as_tags(key: str, value: Any) -> dict[str, str]:
    """The user's tags (an object of strings, `as_str_map`), each one every service the component tags
    accepts: at most `MAX_USER_TAGS` of them, no reserved prefix, lengths and characters within all of
    their limits. An error names ``<key>.<tag key>``."""
    tags = as_str_map(key, value)
    if len(tags) > MAX_USER_TAGS:
        raise ConfigError(
            key,
            f"{len(tags)} tags; at most {MAX_USER_TAGS} are allowed: AWS takes {TAGS_PER_RESOURCE} tags per "
            f"resource and the component adds up to {COMPONENT_TAGS_AT_MOST} of its own "
            "(lambda-rds:component, lambda-rds:project, lambda-rds:stack; Name and lambda-rds:tier on "
            "subnets); drop some",
        )
    for k, v in tags.items():
        where = f"{key}.{k}"
        if not k:
            raise ConfigError(key, "a tag key is empty; AWS needs 1 to 127 characters")
        if k.startswith(COMPONENT_TAG_PREFIX):
            raise ConfigError(
                where, f"keys starting with {COMPONENT_TAG_PREFIX!r} are the component's own; rename it"
            )
        for text, what in ((k, "key"), (v, "value")):
            reserved = next((p for p in RESERVED_TAG_PREFIXES if text.lower().startswith(p)), None)
            if reserved is not None:
                raise ConfigError(
                    where,
                    f"the {what} starts with {text[: len(reserved)]!r}: AWS reserves aws: (in any case) and "
                    "RDS refuses rds: on tag keys and values; rename it",
                )
        if len(k) > TAG_KEY_MAX:
            raise ConfigError(where, f"the key has {len(k)} characters; at most {TAG_KEY_MAX} (EC2's limit)")
        if len(v) > TAG_VALUE_MAX:
            raise ConfigError(
                where, f"the value has {len(v)} characters; at most {TAG_VALUE_MAX} (Secrets Manager's limit)"
            )
        for text, what in ((k, "key"), (v, "value")):
            refused = _tag_characters_refused(text)
            if refused:
                raise ConfigError(
                    where,
                    f"the {what} has {', '.join(map(repr, refused))}, which IAM, Lambda, RDS and CloudWatch "
                    f"Logs refuse in tags; allowed: letters, digits, spaces and {' '.join(TAG_PUNCTUATION)}",
                )
    return tags


def as_folder(key: str, value: str, base: Path) -> Path:
    """An existing folder; a relative ``value`` is taken from ``base``."""
    path = Path(value)
    if not path.is_absolute():
        path = base / path
    if not path.is_dir():
        raise ConfigError(key, f"folder {value!r} does not exist (resolved to {path})")
    return path


def as_retention_days(key: str, value: Any, default: int) -> int:
    """A CloudWatch Logs retention in days (one of ``LOG_RETENTION_DAYS``), or ``default`` when unset."""
    days = as_int(key, value, default, 1, 3653)
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            key, f"{days} is not a CloudWatch retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    return days
