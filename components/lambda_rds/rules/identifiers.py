"""Physical names derived from other names, cut to what AWS accepts (pure, shared by wiring and tests)."""

from __future__ import annotations

import hashlib

from lambda_rds.rules import facts_rds


def fit(value: str, max_len: int) -> str:
    """``value`` cut to ``max_len`` with a short digest of the whole, so distinct long names stay distinct."""
    if len(value) <= max_len:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:8]
    return f"{value[: max_len - 9]}-{digest}"


def replica_identifier(identifier: str, index: int) -> str:
    """`<identifier>-replica-<n>`, cut to the 63 characters of DBInstanceIdentifier."""
    suffix = f"-replica-{index + 1}"
    return f"{identifier[: facts_rds.DB_IDENTIFIER_MAX - len(suffix)].rstrip('-')}{suffix}"


def proxy_endpoint_name(identifier: str) -> str:
    """`<database identifier>-read`, cut to DBProxyEndpointName's 63 characters (botocore rds
    CreateDBProxyEndpoint: pattern [a-zA-Z](?:-?[a-zA-Z0-9]+)*, 1..63)."""
    suffix = "-read"
    return f"{identifier[: 63 - len(suffix)].rstrip('-')}{suffix}"
