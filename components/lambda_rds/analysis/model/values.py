"""Reading property values whatever the source: unknowns, JSON-ish scalars, single-block lists, CIDRs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource, is_unknown

ANY_IPV4 = ipaddress.ip_network("0.0.0.0/0")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def physical_id(r: Resource) -> str:
    """The physical id, or a stand-in derived from the URN when the engine does not know it yet."""
    return r.id or f"unknown:{r.key}"


def as_str(value: Any) -> str | None:
    if value is None or is_unknown(value):
        return None
    return str(value)


def as_int(value: Any) -> int | None:
    if value is None or is_unknown(value) or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool | None:
    if value is None or is_unknown(value):
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def as_list(value: Any) -> list[Any]:
    if value is None or is_unknown(value):
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    return [value]


def as_strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in as_list(value) if not is_unknown(v))


def as_net(cidr: Any) -> Network | None:
    text = as_str(cidr)
    if not text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def first_block(value: Any) -> Mapping[str, Any]:
    """Pulumi renders single nested blocks either as an object or as a one-element list."""
    if isinstance(value, (list, tuple)):
        return as_mapping(value[0]) if value else {}
    return as_mapping(value)


def protocol_name(value: Any) -> str:
    """Normalise ``-1``/``all``/``6``/``tcp`` to ``all``/``tcp``/``udp``/``icmp``/the number."""
    text = (as_str(value) or "-1").lower()
    return {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(text, text)


def unknown_ids(values: Iterable[Any]) -> bool:
    return any(is_unknown(v) for v in values)


def contains(outer: Network, inner: Network) -> bool:
    if outer.version != inner.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]


def overlaps(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def as_float(value: Any) -> float | None:
    if value is None or is_unknown(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
