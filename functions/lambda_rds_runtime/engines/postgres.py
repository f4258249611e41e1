"""PostgreSQL through psycopg2 (libpq): verify-full TLS, autocommit, keepalives, no session SET.

psycopg2 sends every statement with the simple query protocol (parameters are interpolated client-side),
so RDS Proxy never pins a connection because of prepared statements.
"""

from __future__ import annotations

import math
import select
import time

import psycopg2
import psycopg2.extensions

from ..result import Result
from ..tcp import KEEPALIVE_COUNT, KEEPALIVE_IDLE_SECONDS, KEEPALIVE_INTERVAL_SECONDS, user_timeout_ms

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..config import DbConfig
    from ..credentials import Login

# libpq's PQtransactionStatus after the last ReadyForQuery (psycopg2.extensions.TRANSACTION_STATUS_*):
# IDLE = no transaction open, INERROR = open but aborted by a failed statement.
TRANSACTION_STATUS_IDLE = 0
TRANSACTION_STATUS_INERROR = 3
# SQLSTATE 25006 read_only_sql_transaction: a hot standby (or a read-only transaction) refused a write.
READ_ONLY_SQL_TRANSACTION = "25006"
# SQLSTATE 57014 query_canceled, with the statement_timeout message (not a cancel request).
QUERY_CANCELED = "57014"
# libpq answers for a wrong password (SCRAM/md5), PAM (what RDS IAM auth uses) and PgBouncer.
_AUTH_MARKERS = ("password authentication failed", "pam authentication failed", "sasl authentication failed")


_deadline = 0.0
# The wait callback the application installed (psycogreen ...), put back by `unbound`.
_saved_callback: Any = None
_POLL_OK, _POLL_READ, _POLL_WRITE = 0, 1, 2  # psycopg2.extensions.POLL_*


def _wait_within_deadline(conn: Any) -> None:
    """psycopg2 wait callback: drive the non-blocking connection until done or until the deadline. An
    error raised here makes psycopg2 close the connection ("green panic"): a statement in flight may or
    may not have been applied, and the connection is never reused."""
    while True:
        state = conn.poll()
        if state == _POLL_OK:
            return
        remaining = _deadline - time.monotonic()
        if remaining > 0:
            if state == _POLL_READ:
                ready = select.select([conn.fileno()], [], [], remaining)[0]
            else:
                ready = select.select([], [conn.fileno()], [], remaining)[1]
            if ready:
                continue
        raise psycopg2.OperationalError("the server did not answer before the deadline")


def libpq_connect_timeout(seconds: float) -> int:
    """libpq takes whole seconds and treats anything below 2 as 2."""
    return max(2, math.ceil(seconds))


class PostgresEngine:
    """Engine adapter for PostgreSQL, Aurora PostgreSQL and PgBouncer/RDS Proxy in front of them."""

    name = "postgres"
    # PostgreSQL has no implicit commit: DDL is transactional, BEGIN inside a transaction only warns.
    implicit_commits = False
    # `/* ... */` comments nest (statements.statement_kind).
    nested_comments = True

    def connect(self, config: DbConfig, login: Login) -> Any:
        """Open a verify-full TLS connection in autocommit mode. libpq's connect_timeout takes whole
        seconds, at least 2: a shorter bound (a reader's share of the time, routing.py) drives the
        connect in psycopg2's green mode, polled until the bound."""
        short = config.connect_timeout < 2
        if short:
            self.bound(None, config.connect_timeout)
        try:
            conn = self._connect(config, login)
        finally:
            if short:
                self.unbound(None)
        # Client-side flag only (psycopg2 sends nothing): each statement commits on its own, so no
        # transaction is left open between invocations to pin an RDS Proxy connection or hold locks.
        conn.autocommit = True
        return conn

    def _connect(self, config: DbConfig, login: Login) -> Any:
        return psycopg2.connect(
            host=config.host,
            port=config.port,
            dbname=config.database,
            user=login.user,
            password=login.password,
            sslmode="verify-full",
            sslrootcert=config.ca_bundle,
            connect_timeout=libpq_connect_timeout(config.connect_timeout),
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE_SECONDS,
            keepalives_interval=KEEPALIVE_INTERVAL_SECONDS,
            keepalives_count=KEEPALIVE_COUNT,
            tcp_user_timeout=user_timeout_ms(config.connect_timeout),
        )

    def run(self, conn: Any, sql: str, params: Any) -> Result:
        """Execute and fetch everything (results are small by design: handlers page their queries)."""
        with conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description is not None else []
            return Result(rows, cur.rowcount)

    def ping(self, conn: Any) -> None:
        """`SELECT 1`: the cheapest statement that proves the whole path works."""
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    def bound(self, conn: Any, seconds: float) -> None:
        """libpq has no client-side read timeout, so psycopg2 runs in its "green" mode for the duration:
        it sends without blocking and calls `_wait_within_deadline`, which polls with a timeout."""
        global _deadline, _saved_callback
        _deadline = time.monotonic() + seconds
        current = psycopg2.extensions.get_wait_callback()
        if current is not _wait_within_deadline:
            _saved_callback = current
        psycopg2.extensions.set_wait_callback(_wait_within_deadline)

    def unbound(self, conn: Any) -> None:
        """Back to the application's wait callback, if it installed one (psycogreen), or to libpq's
        blocking calls."""
        global _saved_callback
        saved, _saved_callback = _saved_callback, None
        psycopg2.extensions.set_wait_callback(saved)

    def is_open(self, conn: Any) -> bool:
        """psycopg2 sets `closed` to 1 (closed) or 2 (broken)."""
        return conn.closed == 0

    def fileno(self, conn: Any) -> int:
        """The libpq socket."""
        return int(conn.fileno())

    def close(self, conn: Any) -> None:
        """Close quietly."""
        try:
            conn.close()
        except Exception:
            return  # closing a dead connection may raise; there is nothing left to release

    def is_auth_failure(self, exc: BaseException) -> bool:
        """Wrong password, expired/invalid IAM token, or the proxy rejecting the login."""
        if not isinstance(exc, psycopg2.OperationalError):
            return False
        if getattr(exc, "pgcode", None) in ("28P01", "28000"):
            return True
        message = str(exc).lower()
        return any(marker in message for marker in _AUTH_MARKERS)

    def is_connection_lost(self, conn: Any, exc: BaseException) -> bool:
        """psycopg2 marks the connection broken (`closed == 2`) when the socket died under it."""
        return isinstance(exc, psycopg2.Error) and conn.closed != 0

    def begin(self, conn: Any) -> Any:
        """Leave autocommit: psycopg2 then sends BEGIN with the first statement."""
        conn.autocommit = False
        return conn.cursor()

    def transaction_state(self, conn: Any) -> str:
        """libpq tracks the server's status from every ReadyForQuery, errors included (no round trip,
        ~75 ns). After any error PostgreSQL aborts the transaction and answers COMMIT with ROLLBACK, which
        psycopg2 does not report: "aborted" tells us first. "ended": a COMMIT/ROLLBACK ran in the block."""
        status = conn.get_transaction_status()
        if status == TRANSACTION_STATUS_INERROR:
            return "aborted"
        if status == TRANSACTION_STATUS_IDLE:
            return "ended"
        return "open"

    def refresh_transaction_state(self, conn: Any) -> str:
        """Error responses are followed by ReadyForQuery too: libpq's status is already current."""
        return self.transaction_state(conn)

    def may_roll_back(self, exc: BaseException) -> bool:
        """Whether the server may have ended the transaction on this error: transaction_state says."""
        return False

    def refuses_write(self, exc: BaseException) -> bool:
        """A hot standby refusing a write: "cannot execute INSERT in a read-only transaction", nextval(),
        txid_current() ("cannot assign TransactionIds during recovery"), lo_import() ..."""
        return isinstance(exc, psycopg2.Error) and getattr(exc, "pgcode", None) == READ_ONLY_SQL_TRANSACTION

    def ends_transaction(self, exc: BaseException) -> bool:
        """PostgreSQL keeps an aborted transaction open (until ROLLBACK); abort_reason sees it."""
        return False

    def with_time_limit(self, conn: Any, sql: str, seconds: float) -> str:
        """`sql` stopped by the server after `seconds` (a reader's share of the time, routing.py): `SET
        LOCAL statement_timeout` in the same query string. A simple query of several statements runs as
        one implicit transaction, which SET LOCAL ends with: no session state is left behind (nothing
        for PgBouncer or RDS Proxy to keep), and no round trip is added.
        https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT"""
        # A line of its own: an error in `sql` then points at the caller's text (LINE 2), which
        # error_without_time_limit renumbers.
        return f"SET LOCAL statement_timeout = {max(1, round(seconds * 1000))};\n{sql}"

    def error_without_time_limit(self, exc: BaseException) -> None:
        """Renumber the `LINE n:` context of an error raised by a with_time_limit statement, so it reads
        as on the writer (`str(exc)`; psycopg2's read-only `pgerror` and `diag.statement_position` still
        count the prefix line)."""
        if not isinstance(exc, psycopg2.Error) or not exc.args or not isinstance(exc.args[0], str):
            return
        lines = exc.args[0].split("\n")
        for i, line in enumerate(lines):
            head, sep, rest = line.partition(": ")
            if sep and head.startswith("LINE ") and head[5:].isdigit() and int(head[5:]) > 1:
                new_head = f"LINE {int(head[5:]) - 1}"
                lines[i] = f"{new_head}: {rest}"
                shorter = len(head) - len(new_head)  # LINE 10 -> LINE 9: the caret line moves left too
                if shorter and i + 1 < len(lines) and lines[i + 1].startswith(" " * shorter):
                    lines[i + 1] = lines[i + 1][shorter:]
        exc.args = ("\n".join(lines), *exc.args[1:])

    def session_time_limit(self, conn: Any) -> float | None:
        """`statement_timeout` of the session (the role's `ALTER ROLE ... SET`, the database's, the
        server's), in ms in pg_settings; 0 means none."""
        with conn.cursor() as cur:
            cur.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
            row = cur.fetchone()
        ms = int(row[0]) if row else 0
        return ms / 1000.0 if ms > 0 else None

    def is_statement_timeout(self, exc: BaseException) -> bool:
        """The server cancelled the statement at statement_timeout (57014 and its message)."""
        return (
            isinstance(exc, psycopg2.Error)
            and getattr(exc, "pgcode", None) == QUERY_CANCELED
            and "statement timeout" in str(exc)
        )

    def commit(self, conn: Any) -> None:
        """COMMIT (psycopg2 sends nothing if no statement ran)."""
        conn.commit()

    def rollback(self, conn: Any) -> None:
        """ROLLBACK."""
        conn.rollback()

    def finish(self, conn: Any) -> None:
        """Back to autocommit (client-side flag; only possible outside a transaction)."""
        conn.autocommit = True
