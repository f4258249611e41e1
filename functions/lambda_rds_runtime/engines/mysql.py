"""MySQL / MariaDB / Aurora MySQL through PyMySQL: verified TLS, autocommit, keepalives, bounded connect.

PyMySQL uses the text protocol (COM_QUERY with client-side parameter interpolation): no server-side
prepared statements, so RDS Proxy does not pin for that reason. With IAM auth the server asks for the
`mysql_clear_password` plugin, which PyMySQL supports (the token travels inside TLS only).
"""

from __future__ import annotations

import ssl

import pymysql

from ..result import Result
from ..tcp import tune_socket

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..config import DbConfig
    from ..credentials import Login

ER_ACCESS_DENIED = 1045
ER_ACCESS_DENIED_NO_PASSWORD = 1698
ER_LOCK_DEADLOCK = 1213
SERVER_STATUS_IN_TRANS = 1  # pymysql.constants.SERVER_STATUS
_contexts: dict[str, ssl.SSLContext] = {}


def tls_context(ca_bundle: str) -> ssl.SSLContext:
    """A verifying context (CA + host name), cached per bundle: loading the RDS bundle costs a few ms."""
    context = _contexts.get(ca_bundle)
    if context is None:
        context = ssl.create_default_context(cafile=ca_bundle)
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        # Python 3.13 turns on strict X.509 checks by default; several RDS CA certificates predate the
        # RFC 5280 details it enforces, and libpq (the PostgreSQL path) does not apply them either.
        context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
        _contexts[ca_bundle] = context
    return context


def lift_handshake_timeouts(conn: Any) -> None:
    """... then lift the bounds so long statements are limited by the server-side statement timeout, not
    by the client. (`_read_timeout`/`_write_timeout` are PyMySQL's own attributes; requirements.txt pins
    PyMySQL and tests/functions checks both behaviours.)"""
    conn._read_timeout = None
    conn._write_timeout = None


class MysqlEngine:
    """Engine adapter for MySQL-compatible servers."""

    name = "mysql"

    def connect(self, config: DbConfig, login: Login) -> Any:
        """Open a verified TLS connection in autocommit mode, every connect-phase wait bounded."""
        timeout = config.connect_timeout
        conn = pymysql.connect(
            host=config.host,
            port=config.port,
            user=login.user,
            # Bytes: PyMySQL would encode a str as latin-1, which cannot carry most characters and does not
            # match what the server hashed (the IDENTIFIED BY text in utf8mb4).
            password=login.password.encode("utf-8"),
            database=config.database,
            ssl=tls_context(config.ca_bundle),
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=timeout,
            # PyMySQL's connect_timeout covers only the TCP connect; a listener that accepts and then says
            # nothing would block the greeting read forever. Bound every read during the handshake, and
            # every write: PyMySQL switches the socket to the write timeout to send the TLS request and
            # keeps it for the TLS handshake, which would otherwise wait forever on a stalled peer ...
            read_timeout=timeout,
            write_timeout=timeout,
        )
        lift_handshake_timeouts(conn)
        tune_socket(conn._sock, timeout)
        return conn

    def run(self, conn: Any, sql: str, params: Any) -> Result:
        """Execute and fetch everything."""
        with conn.cursor() as cur:
            cur.execute(sql, params)
            rows = list(cur.fetchall()) if cur.description is not None else []
            return Result(rows, cur.rowcount, cur.lastrowid)

    def ping(self, conn: Any) -> None:
        """COM_PING: one round trip without parsing SQL."""
        conn.ping(reconnect=False)

    def bound(self, conn: Any, seconds: float) -> None:
        """PyMySQL applies its read/write timeouts to each socket operation; a timeout force-closes the
        connection (OperationalError 2013)."""
        conn._read_timeout = seconds
        conn._write_timeout = seconds

    def unbound(self, conn: Any) -> None:
        """Back to no client-side bound (the role's statement timeout limits long statements)."""
        conn._read_timeout = None
        conn._write_timeout = None

    def is_open(self, conn: Any) -> bool:
        """PyMySQL drops its socket when it notices the connection died."""
        return bool(conn.open)

    def fileno(self, conn: Any) -> int:
        """PyMySQL exposes no public accessor for its socket."""
        return int(conn._sock.fileno())

    def close(self, conn: Any) -> None:
        """Close quietly (COM_QUIT on a dead socket raises)."""
        try:
            conn.close()
        except Exception:
            return  # closing a dead connection may raise; there is nothing left to release

    def is_auth_failure(self, exc: BaseException) -> bool:
        """ER_ACCESS_DENIED_ERROR: wrong password or an invalid IAM token."""
        return (
            isinstance(exc, pymysql.err.OperationalError)
            and bool(exc.args)
            and exc.args[0] in (ER_ACCESS_DENIED, ER_ACCESS_DENIED_NO_PASSWORD)
        )

    def is_connection_lost(self, conn: Any, exc: BaseException) -> bool:
        """PyMySQL force-closes the connection on any socket-level failure."""
        return isinstance(exc, pymysql.err.Error) and not conn.open

    def begin(self, conn: Any) -> Any:
        """START TRANSACTION, then a cursor."""
        conn.begin()
        return conn.cursor()

    def abort_reason(self, conn: Any) -> str | None:
        """The server's status flags (sent with every OK/EOF packet) say whether a transaction is open.

        With autocommit on, a transaction the server ended inside the block (a deadlock rolls it back, DDL
        commits implicitly) leaves the later statements committed one by one: not one unit any more."""
        if not conn.server_status & SERVER_STATUS_IN_TRANS:
            return (
                "the server ended the transaction inside the block (a deadlock rolls it back, DDL or "
                "another implicit-commit statement commits it), so the block did not run as one unit"
            )
        return None

    def ends_transaction(self, exc: BaseException) -> bool:
        """ER_LOCK_DEADLOCK rolls back the whole transaction (the error packet carries no status flags)."""
        return isinstance(exc, pymysql.err.Error) and bool(exc.args) and exc.args[0] == ER_LOCK_DEADLOCK

    def commit(self, conn: Any) -> None:
        """COMMIT (autocommit resumes by itself afterwards)."""
        conn.commit()

    def rollback(self, conn: Any) -> None:
        """ROLLBACK."""
        conn.rollback()

    def finish(self, conn: Any) -> None:
        """Nothing to do: autocommit stays on; START TRANSACTION only suspends it."""
