"""Identifiers that end up inside DDL, where parameters cannot be used: validated, then quoted.

Only `[A-Za-z_][A-Za-z0-9_]*` is accepted, so quoting can never be escaped from; the length limits are
PostgreSQL's 63 bytes and MySQL's 32 characters for user names (64 for databases).
"""

from __future__ import annotations

import re

from .errors import BootstrapError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_LENGTH = {"postgres": 63, "mysql": 32}


def validate_identifier(value: object, field: str, engine: str, *, max_length: int | None = None) -> str:
    """Return `value` if it is a safe identifier for `engine`, else raise naming `field`."""
    limit = max_length or MAX_LENGTH[engine]
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise BootstrapError(f"{field} must match [A-Za-z_][A-Za-z0-9_]* (got {value!r})")
    if len(value) > limit:
        raise BootstrapError(f"{field} is longer than {limit} characters")
    return value


def pg_ident(name: str) -> str:
    """A PostgreSQL quoted identifier (case preserved)."""
    return f'"{name}"'


def mysql_ident(name: str) -> str:
    """A MySQL quoted identifier."""
    return f"`{name}`"
