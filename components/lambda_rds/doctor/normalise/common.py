"""Shared pieces of the normalisers: the ``Resource`` record builder and the ``Name`` tag lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_rds.analysis.model.resources import Resource


def record(type_token: str, name: str, rid: str, outputs: Mapping[str, Any], urn: str = "") -> Resource:
    """A ``Resource`` with these outputs (``None`` values dropped); ``urn`` defaults to the id."""
    clean = {k: v for k, v in outputs.items() if v is not None}
    return Resource(type_token, name, rid, inputs={}, outputs=clean, urn=urn or rid)


def tag_name(item: Mapping[str, Any], default: str) -> str:
    """The ``Name`` tag (EC2 ``Tags`` or RDS ``TagList``), else ``default``."""
    for tag in list(item.get("Tags") or []) + list(item.get("TagList") or []):
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return default
