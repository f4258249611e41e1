"""MySQL / MariaDB / Aurora MySQL through PyMySQL: verified TLS, autocommit, keepalives, bounded connect.

PyMySQL uses the text protocol (COM_QUERY with client-side parameter interpolation): no server-side
prepared statements, so RDS Proxy does not pin for that reason. With IAM auth the server asks for the
`mysql_clear_password` plugin, which PyMySQL supports (the token travels inside TLS only).
"""

from __future__ import annotations

import re
import socket
import ssl
import time

import pymysql

from ..deadline import HandshakeCutoff
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
ER_LOCK_WAIT_TIMEOUT = 1205  # rolls the whole transaction back only with innodb_rollback_on_timeout
# A read-only server refusing a write: ER_OPTION_PREVENTS_STATEMENT ("running with the --read-only
# option", MySQL, MariaDB and Aurora readers), ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (SQLSTATE 25006),
# ER_READ_ONLY_MODE (MariaDB "Running in read-only mode"), ER_INNODB_READ_ONLY.
READ_ONLY_ERRORS = frozenset({1290, 1792, 1836, 1874})
# A statement stopped by its server-side time limit: MariaDB's max_statement_time (ER_STATEMENT_TIMEOUT)
# and MySQL's MAX_EXECUTION_TIME hint (ER_QUERY_TIMEOUT). The server is alive and answered.
STATEMENT_TIMEOUT_ERRORS = frozenset({1969, 3024})
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


def open_mysql(
    *,
    host: str,
    port: int,
    user: str,
    password: str,
    database: str,
    ca_bundle: str,
    timeout: float,
    client_flag: int = 0,
) -> Any:
    """A verified-TLS, autocommit, utf8mb4 PyMySQL connection whose whole handshake (TCP, greeting, TLS,
    login, SET NAMES) ends within `timeout` seconds (the runtime and the bootstrap both use it).

    PyMySQL's own timeouts bound each socket operation, not their sum: a peer dripping one byte every
    1.5 s never trips a 2 s read timeout. So PyMySQL gets a socket we connected ourselves (within the
    timeout) and a HandshakeCutoff shuts it down at the deadline. The per-operation bounds stay as well
    (a silent peer is seen at the first read), and are lifted once connected.
    """
    conn = pymysql.connect(
        host=host,
        port=port,
        user=user,
        # Bytes: PyMySQL would encode a str as latin-1, which cannot carry most characters and does not
        # match what the server hashed (the IDENTIFIED BY text in utf8mb4).
        password=password.encode("utf-8"),
        database=database,
        ssl=tls_context(ca_bundle),
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        client_flag=client_flag,
        defer_connect=True,
    )
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout)
    except OSError as exc:  # the words PyMySQL would use (CR_CONN_HOST_ERROR)
        message = f"Can't connect to MySQL server on {host!r} ({exc})"
        raise pymysql.err.OperationalError(2003, message) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    cutoff = HandshakeCutoff(sock, deadline - time.monotonic())
    try:
        conn.connect(sock)
    except Exception:
        if not cutoff.fired:
            raise
    finally:
        cutoff.stop()
    if cutoff.fired:
        conn._force_close()  # cut mid-handshake (or just as it completed): never use it
        raise pymysql.err.OperationalError(
            2003,
            f"Can't connect to MySQL server on {host!r}: the handshake (TCP, TLS and login together) did "
            f"not complete within {timeout:g}s",
        ) from None
    lift_handshake_timeouts(conn)
    return conn


_HINT_MAX_TIME = re.compile(r"MAX_EXECUTION_TIME\s*\(\s*(\d+)\s*\)", re.IGNORECASE)


def _skip_to_select(sql: str) -> int:
    """Index of the statement's first keyword, past whitespace, comments (`/* */`, `-- `, `#`) and the
    opening parentheses of `(SELECT ...) UNION ...`; -1 inside an unterminated comment."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace() or c == "(":
            i += 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                return -1
            i = end + 2
        elif c == "#" or (sql.startswith("--", i) and (i + 2 == n or sql[i + 2].isspace())):
            end = sql.find("\n", i)
            if end < 0:
                return -1
            i = end + 1
        else:
            return i
    return -1


def with_max_execution_time(sql: str, ms: int) -> str:
    """`sql` with MySQL's MAX_EXECUTION_TIME(ms) hint after its first SELECT, past leading comments and
    parentheses. A query block takes one hint comment only (a second is ignored), so a `SELECT /*+ ...
    */` the statement already carries gets the hint inside it, and its own MAX_EXECUTION_TIME keeps the
    smaller value. Anything that is not a SELECT is returned as is (the hint is SELECT-only).
    https://dev.mysql.com/doc/refman/8.0/en/optimizer-hints.html"""
    start = _skip_to_select(sql)
    if start < 0 or sql[start : start + 6].upper() != "SELECT":
        return sql
    after = start + 6
    if after < len(sql) and (sql[after].isalnum() or sql[after] in "_$"):
        return sql  # SELECTED, SELECT_x: another word
    rest = sql[after:]
    stripped = rest.lstrip()
    if stripped.startswith("/*+"):
        at = after + (len(rest) - len(stripped))
        end = sql.find("*/", at + 3)
        if end < 0:
            return sql
        hint = sql[at + 3 : end]
        found = _HINT_MAX_TIME.search(hint)
        if found is not None:
            smaller = min(ms, int(found.group(1)))
            hint = f"{hint[: found.start()]}MAX_EXECUTION_TIME({smaller}){hint[found.end() :]}"
            return f"{sql[: at + 3]}{hint}{sql[end:]}"
        return f"{sql[: at + 3]} MAX_EXECUTION_TIME({ms}){sql[at + 3 :]}"
    return f"{sql[:after]} /*+ MAX_EXECUTION_TIME({ms}) */{rest}"


class MysqlEngine:
    """Engine adapter for MySQL-compatible servers."""

    name = "mysql"
    # DDL, LOCK TABLES, START TRANSACTION ... commit the open transaction first (transaction.py).
    implicit_commits = True
    # Comments end at the first `*/` (no nesting).
    nested_comments = False

    def connect(self, config: DbConfig, login: Login) -> Any:
        """Open a verified TLS connection in autocommit mode, the whole handshake within the connect
        timeout (open_mysql)."""
        timeout = config.connect_timeout
        conn = open_mysql(
            host=config.host,
            port=config.port,
            user=login.user,
            password=login.password,
            database=config.database,
            ca_bundle=config.ca_bundle,
            timeout=timeout,
        )
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

    def transaction_state(self, conn: Any) -> str:
        """The server's SERVER_STATUS_IN_TRANS flag, which PyMySQL keeps from the last OK packet (no
        round trip). With autocommit on, a transaction the server ended inside the block (DDL commits
        implicitly) leaves the later statements committed one by one. A result set's EOF packet does not
        update it in PyMySQL, but a statement that returns rows cannot end a transaction either; an error
        packet carries no flags at all (see refresh_transaction_state)."""
        return "open" if conn.server_status & SERVER_STATUS_IN_TRANS else "ended"

    def refresh_transaction_state(self, conn: Any) -> str:
        """COM_PING: its OK packet carries the current flags (one round trip; only after a failed
        statement that may have ended the transaction, e.g. a failing CREATE TABLE, which MySQL and
        MariaDB commit implicitly before they run it)."""
        conn.ping(reconnect=False)
        return self.transaction_state(conn)

    def ends_transaction(self, exc: BaseException) -> bool:
        """ER_LOCK_DEADLOCK rolls back the whole transaction (the error packet carries no status flags)."""
        return isinstance(exc, pymysql.err.Error) and bool(exc.args) and exc.args[0] == ER_LOCK_DEADLOCK

    def error_code(self, exc: BaseException) -> int | None:
        """The server's error number, if `exc` is a PyMySQL error carrying one."""
        if isinstance(exc, pymysql.err.Error) and exc.args and isinstance(exc.args[0], int):
            return exc.args[0]
        return None

    def may_roll_back(self, exc: BaseException) -> bool:
        """ER_LOCK_WAIT_TIMEOUT rolls the whole transaction back when innodb_rollback_on_timeout is on
        (off by default: then only the statement): refresh_transaction_state tells which."""
        return self.error_code(exc) == ER_LOCK_WAIT_TIMEOUT

    def refuses_write(self, exc: BaseException) -> bool:
        """A read-only replica refusing a write (READ_ONLY_ERRORS)."""
        return self.error_code(exc) in READ_ONLY_ERRORS

    def with_time_limit(self, conn: Any, sql: str, seconds: float) -> str:
        """`sql` stopped by the server after `seconds` (a reader's share of the time, routing.py), in the
        same statement (no round trip, no session state): MariaDB `SET STATEMENT max_statement_time = s
        FOR ...` (https://mariadb.com/kb/en/set-statement/), MySQL the `MAX_EXECUTION_TIME(ms)` hint,
        which only a SELECT takes (https://dev.mysql.com/doc/refman/8.0/en/optimizer-hints.html); other
        statements keep the client-side bound alone."""
        if "MariaDB" in str(getattr(conn, "server_version", "")):
            return f"SET STATEMENT max_statement_time = {seconds:.3f} FOR {sql}"
        return with_max_execution_time(sql, max(1, round(seconds * 1000)))

    def session_time_limit(self, conn: Any) -> float | None:
        """MariaDB `@@max_statement_time` (seconds; the user's `MAX_STATEMENT_TIME` sets it), MySQL
        `@@max_execution_time` (ms, SELECT only, as the hint); 0 means none."""
        mariadb = "MariaDB" in str(getattr(conn, "server_version", ""))
        with conn.cursor() as cur:
            cur.execute("SELECT @@max_statement_time" if mariadb else "SELECT @@max_execution_time")
            row = cur.fetchone()
        value = float(row[0] or 0) if row else 0.0
        seconds = value if mariadb else value / 1000.0
        return seconds if seconds > 0 else None

    def error_without_time_limit(self, exc: BaseException) -> None:
        """Nothing to undo: MariaDB's `SET STATEMENT ... FOR` and MySQL's hint do not move the error
        position (MySQL's "near '...'" quotes the text after the error)."""

    def is_statement_timeout(self, exc: BaseException) -> bool:
        """The server stopped the statement at its time limit (STATEMENT_TIMEOUT_ERRORS)."""
        return self.error_code(exc) in STATEMENT_TIMEOUT_ERRORS

    def commit(self, conn: Any) -> None:
        """COMMIT (autocommit resumes by itself afterwards)."""
        conn.commit()

    def rollback(self, conn: Any) -> None:
        """ROLLBACK."""
        conn.rollback()

    def finish(self, conn: Any) -> None:
        """Check that autocommit is still on (START TRANSACTION only suspends it): a `SET autocommit = 0`
        run inside the block leaves it off, and every later write would wait for a COMMIT that never
        comes (lost). The flag is in the last OK packet (no round trip); the caller closes the connection
        when this raises."""
        if not conn.get_autocommit():
            raise pymysql.err.InterfaceError(0, "autocommit was turned off inside the transaction block")
