"""lambda_rds_runtime: database connections for AWS Lambda functions, shipped in the lambda-rds layer.

    from lambda_rds_runtime import get_database

    def handler(event, context):
        rows = get_database().query("SELECT id, name FROM items ORDER BY id LIMIT %s", (10,), read_only=True)

Configuration comes only from the environment (DB_ENGINE, DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_AUTH,
DB_SECRET_ARN, DB_CA_BUNDLE, DB_CONNECT_TIMEOUT, DB_READ_HOST, AWS_REGION). Importing this package is
cheap: the driver is imported when the first connection is opened, the probe and Secrets Manager client
only when used, the reader routing only when DB_READ_HOST is set.
"""

from __future__ import annotations

from .config import DbConfig
from .database import Database, Transaction, TransactionCursor
from .errors import (
    AuthenticationError,
    ConnectionLostError,
    DatabaseError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    RuntimeConfigError,
    SecretFetchError,
    TransactionError,
    TransactionPartlyCommittedError,
    TransactionRolledBackError,
)
from .result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "AuthenticationError",
    "ConnectionLostError",
    "Database",
    "DatabaseError",
    "DatabaseTimeoutError",
    "DatabaseUnavailableError",
    "DbConfig",
    "Result",
    "RuntimeConfigError",
    "SecretFetchError",
    "Transaction",
    "TransactionCursor",
    "TransactionError",
    "TransactionPartlyCommittedError",
    "TransactionRolledBackError",
    "get_database",
    "reset_database",
    "run_probe",
]

_default: Database | None = None


def get_database(context: Any = None) -> Database:
    """The execution environment's Database, configured from the environment on first use.

    Pass the handler's Lambda `context` to bound every statement of this invocation by the function's
    remaining time (minus a margin): a silent peer then raises DatabaseTimeoutError instead of running
    into "Task timed out". Without a context the deadline is left as it is."""
    global _default
    if _default is None:
        _default = Database(DbConfig.from_env())
    if context is not None:
        _default.deadline_from(context)
    return _default


def reset_database() -> None:
    """Close and forget the shared Database (tests; a SnapStart before-snapshot hook)."""
    global _default
    db, _default = _default, None
    if db is not None:
        db.close()


def run_probe(config: DbConfig | None = None) -> dict[str, Any]:
    """Stage-by-stage connectivity report (DNS, TCP, TLS, credentials, auth); see probe.py."""
    from .probe import run_probe as _run_probe  # deferred: only the probe event pays for it

    return _run_probe(config)
