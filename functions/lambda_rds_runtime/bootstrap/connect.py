"""Connections for the bootstrap: same TLS rules as the runtime (verified, host name checked)."""

from __future__ import annotations

import time

from .errors import BootstrapError, one_line, redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .request import BootstrapRequest

# The database may have become "available" seconds ago; give it a couple of chances (never for auth errors).
CONNECT_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 1.0


class LoginRejected(Exception):
    """The server answered and refused these credentials (message: the driver's, one line)."""


class DatabaseAccessDenied(Exception):
    """The credentials were accepted, but the user may not use the database (yet): PostgreSQL checks the
    CONNECT privilege, MySQL the database grants, only after authentication succeeded."""


# MySQL ER_DBACCESS_DENIED_ERROR: "Access denied for user 'x'@'%' to database 'y'" (after authentication).
ER_DBACCESS_DENIED = 1044
_PG_NO_CONNECT = ("permission denied for database", "does not have connect privilege")


def connect_as_master(request: BootstrapRequest, *, multi_statements: bool = False) -> Any:
    """The master connection (retried while the server is unreachable, never on a refused login)."""
    try:
        return open_connection(
            request,
            request.master_user,
            request.master_password,
            multi_statements=multi_statements,
            attempts=CONNECT_ATTEMPTS,
        )
    except LoginRejected as exc:
        raise BootstrapError(
            f"{request.engine} at {request.host}:{request.port} rejected the master user "
            f"{request.master_user!r}: {redact(str(exc), request.secrets)}"
        ) from None
    except DatabaseAccessDenied as exc:
        raise BootstrapError(
            f"the master user {request.master_user!r} may not use database {request.database!r}: "
            f"{redact(str(exc), request.secrets)}"
        ) from None


def open_connection(
    request: BootstrapRequest, user: str, password: str, *, multi_statements: bool = False, attempts: int = 1
) -> Any:
    """Connect to the application database as `user`; raises LoginRejected or BootstrapError."""
    last: Exception | None = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(RETRY_PAUSE_SECONDS * attempt)
        try:
            if request.engine == "postgres":
                return _postgres(request, user, password)
            return _mysql(request, user, password, multi_statements)
        except (LoginRejected, DatabaseAccessDenied):
            raise
        except Exception as exc:
            last = exc
    detail = redact(one_line(last or Exception("no attempt")), request.secrets)
    raise BootstrapError(
        f"cannot connect to {request.engine} at {request.host}:{request.port}/{request.database} "
        f"as {user!r} ({attempts} attempt(s), {request.connect_timeout:g}s timeout): {detail}"
    )


def login_works(request: BootstrapRequest, user: str, password: str) -> bool:
    """Whether `user` can log in with `password` (over TLS): how we learn if a password must be reset
    without reading password hashes, which the RDS master user is not allowed to read."""
    try:
        conn = open_connection(request, user, password)
    except LoginRejected:
        return False
    except DatabaseAccessDenied:
        return True  # authenticated; the grants come later in this run (a first run may have failed)
    conn.close()
    return True


def _postgres(request: BootstrapRequest, user: str, password: str) -> Any:
    import psycopg2

    from ..engines.postgres import PostgresEngine, libpq_connect_timeout

    try:
        conn = psycopg2.connect(
            host=request.host,
            port=request.port,
            dbname=request.database,
            user=user,
            password=password,
            sslmode="verify-full",
            sslrootcert=request.ca_bundle,
            connect_timeout=libpq_connect_timeout(request.connect_timeout),
        )
    except psycopg2.OperationalError as exc:
        if PostgresEngine().is_auth_failure(exc):
            raise LoginRejected(one_line(exc)) from None
        if any(marker in str(exc).lower() for marker in _PG_NO_CONNECT):
            raise DatabaseAccessDenied(one_line(exc)) from None
        raise
    conn.autocommit = True
    return conn


def _mysql(request: BootstrapRequest, user: str, password: str, multi_statements: bool) -> Any:
    import pymysql
    from pymysql.constants import CLIENT

    from ..engines.mysql import MysqlEngine, open_mysql

    try:
        # The whole handshake (TCP, TLS, login) within the connect timeout, as in the runtime; the
        # per-read bounds are lifted once connected: migrations may legitimately run longer.
        return open_mysql(
            host=request.host,
            port=request.port,
            user=user,
            password=password,
            database=request.database,
            ca_bundle=request.ca_bundle,
            timeout=request.connect_timeout,
            client_flag=CLIENT.MULTI_STATEMENTS if multi_statements else 0,
        )
    except pymysql.err.OperationalError as exc:
        if MysqlEngine().is_auth_failure(exc):
            raise LoginRejected(one_line(exc)) from None
        if exc.args and exc.args[0] == ER_DBACCESS_DENIED:
            raise DatabaseAccessDenied(one_line(exc)) from None
        raise
