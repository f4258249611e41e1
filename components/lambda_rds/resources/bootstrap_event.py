"""What the deploy-time bootstrap is told (the Invocation's input), and the fingerprint that re-runs it.

No Pulumi: plain values from `Settings` and the migration files it names; `bootstrap.py` wires them into
the Invocation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lambda_rds.settings import Settings


def migrations(folder: Path | None) -> list[dict[str, str]]:
    """The SQL migrations in apply order (by file name); none without a folder."""
    if folder is None:
        return []
    return [{"name": p.name, "sql": p.read_text()} for p in sorted(folder.glob("*.sql"))]


def bootstrap_event(
    s: Settings,
    *,
    host: str,
    port: int,
    master_secret_arn: str,
    app_password: str | None,
    app_secret_arn: str | None = None,
) -> dict[str, object]:
    """The Invocation's input: what the bootstrap does, with the master secret's ARN (not its password).

    With `secret` auth it also names the app secret: the launcher replaces `app_password` (the first
    password, from the state) with the secret's AWSCURRENT value, so a re-run after a rotation never sets
    the database back to the first password (lambda_rds.resources.rotation)."""
    db = s.database
    extra: dict[str, object] = {"app_secret_arn": app_secret_arn} if app_secret_arn else {}
    return {
        **extra,
        "engine": db.family,
        "host": host,
        "port": int(port),
        "database": db.db_name,
        "master_secret_arn": master_secret_arn,
        "app_user": db.app_username,
        "auth": s.auth.value,
        "app_password": app_password or None,
        "statement_timeout_ms": db.statement_timeout_ms,
        "migrations": migrations(db.migrations_dir),
    }


def fingerprint(s: Settings, *, code_sha256: str, launcher_sha256: str) -> str:
    """What the bootstrap does, independent of any secret: a change re-runs it."""
    db = s.database
    steps = migrations(db.migrations_dir)
    return hashlib.sha256(
        json.dumps(
            [steps, db.app_username, s.auth.value, db.statement_timeout_ms, code_sha256, launcher_sha256]
        ).encode()
    ).hexdigest()
