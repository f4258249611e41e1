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

# libpq answers for a wrong password (SCRAM/md5), PAM (what RDS IAM auth uses) and PgBouncer.
# psycopg2.extensions.TRANSACTION_STATUS_INERROR (libpq PQTRANS_INERROR)
TRANSACTION_STATUS_INERROR = 3
_AUTH_MARKERS = ("password authentication failed", "pam authentication failed", "sasl authentication failed")


_deadline = 0.0
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

    def connect(self, config: DbConfig, login: Login) -> Any:
        """Open a verify-full TLS connection in autocommit mode."""
        conn = psycopg2.connect(
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
        # Client-side flag only (psycopg2 sends nothing): each statement commits on its own, so no
        # transaction is left open between invocations to pin an RDS Proxy connection or hold locks.
        conn.autocommit = True
        return conn

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
        global _deadline
        _deadline = time.monotonic() + seconds
        psycopg2.extensions.set_wait_callback(_wait_within_deadline)

    def unbound(self, conn: Any) -> None:
        """Back to libpq's blocking calls."""
        psycopg2.extensions.set_wait_callback(None)

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

    def abort_reason(self, conn: Any) -> str | None:
        """After any error PostgreSQL aborts the transaction and answers COMMIT with ROLLBACK, which
        psycopg2 does not report: the state libpq tracked from the last ReadyForQuery tells us first."""
        if conn.info.transaction_status == TRANSACTION_STATUS_INERROR:
            return "a statement in it failed, so PostgreSQL aborted the transaction"
        return None

    def ends_transaction(self, exc: BaseException) -> bool:
        """PostgreSQL keeps an aborted transaction open (until ROLLBACK); abort_reason sees it."""
        return False

    def commit(self, conn: Any) -> None:
        """COMMIT (psycopg2 sends nothing if no statement ran)."""
        conn.commit()

    def rollback(self, conn: Any) -> None:
        """ROLLBACK."""
        conn.rollback()

    def finish(self, conn: Any) -> None:
        """Back to autocommit (client-side flag; only possible outside a transaction)."""
        conn.autocommit = True
