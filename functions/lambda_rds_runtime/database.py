"""`Database`: the runtime's public API, one self-healing connection per execution environment.

One lazily opened connection per execution environment, checked before use and replaced when dead.

Lifecycle of a call to `Database.execute`:
1. No connection yet -> open one (TLS verify-full, credentials from the IAM token or the cached secret).
2. A connection exists -> zero-round-trip check: does the driver still think it is open, and is the socket
   silent? A server that restarted or killed our backend has written a goodbye or closed the socket, so the
   socket is readable. After a long idle period (a frozen Lambda, NAT idle drop) we also ping once.
   A connection found dead here is replaced before anything is sent, so the statement runs exactly once.
3. The statement fails because the connection died while it was in flight -> the connection is dropped.
   A statement the caller declared `read_only=True` is retried once on a fresh connection; anything else
   raises ConnectionLostError (the server may or may not have applied it).
4. Opening a connection fails with an authentication error in secret mode -> the secret is read again once
   (it was probably rotated) and the connect retried once.

Database (here) is the public API on top of connection.py, which implements these steps; transaction.py
holds `db.transaction()`, deadline.py the watchdog behind `set_deadline`, routing.py the reader routing
(DB_READ_HOST) and failures.py the wording of driver errors.
"""

from __future__ import annotations

import time

from .connection import DEFAULT_IDLE_PING_SECONDS, Connection
from .transaction import Transaction, TransactionCursor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .config import DbConfig
    from .credentials import IamTokenSource, SecretSource
    from .engines.contract import Engine
    from .result import Result
    from .routing import ReadRouter

__all__ = [
    "DEADLINE_MARGIN_SECONDS",
    "DEFAULT_IDLE_PING_SECONDS",
    "Database",
    "Transaction",
    "TransactionCursor",
]

# Kept free before the function's own timeout when a deadline comes from the Lambda context: time to roll
# back, log and answer (a 503 beats a "Task timed out" with no log line).
DEADLINE_MARGIN_SECONDS = 0.5


class Database(Connection):
    """A self-healing connection to the database described by a DbConfig."""

    def __init__(
        self,
        config: DbConfig,
        *,
        engine: Engine | None = None,
        source: IamTokenSource | SecretSource | None = None,
        idle_ping_seconds: float = DEFAULT_IDLE_PING_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            config, engine=engine, source=source, idle_ping_seconds=idle_ping_seconds, clock=clock
        )
        self._tx: Transaction | None = None
        # DB_READ_HOST (database.readers): reads declared read-only go to a reader (routing.py).
        self._reads: ReadRouter | None = None
        read_host = getattr(config, "read_host", None)
        if read_host:
            from .routing import ReadRouter  # deferred: only functions with readers load it

            self._reads = ReadRouter(self, read_host)

    # -- public API ---------------------------------------------------------------------------------

    def execute(self, sql: str, params: Any = None, *, read_only: bool = False) -> Result:
        """Run one statement (parameterised: `%s` placeholders) and return its rows and counts.

        `read_only=True` declares the statement safe to run twice; only then is it retried after the
        connection dies mid-flight. Inside a `transaction()` block the statement runs in that transaction.
        With DB_READ_HOST set, a read-only statement outside a transaction may run on a reader (routing.py).
        """
        tx = self._tx
        if tx is not None:
            return tx._run(sql, params)
        if read_only and self._reads is not None:
            return self._reads.execute(sql, params)  # the reader, or the writer when it is down
        return self._execute(self._ready(), sql, params, read_only)

    def query(self, sql: str, params: Any = None, *, read_only: bool = False) -> list[tuple[Any, ...]]:
        """`execute(...).rows`."""
        return self.execute(sql, params, read_only=read_only).rows

    def ping(self) -> float:
        """One `SELECT 1` round trip (retried once if the connection died); returns its milliseconds,
        not counting the opening of the connection on the first call."""
        tx = self._tx
        if tx is not None:
            started = time.perf_counter()
            tx._run("SELECT 1", None)
            return (time.perf_counter() - started) * 1000.0
        conn = self._ready()
        started = time.perf_counter()
        self._execute(conn, "SELECT 1", None, True)
        return (time.perf_counter() - started) * 1000.0

    def transaction(self) -> Transaction:
        """`with db.transaction() as cur:` several statements committed together (never retried).

        Leaving the block returns only after an acknowledged COMMIT; see Transaction for what it raises.
        Nested blocks raise TransactionError."""
        return Transaction(self)

    def set_deadline(self, seconds: float | None) -> None:
        """Bound every statement from now on: a server (or proxy) that has not answered within `seconds`
        from now in total gets the connection closed and DatabaseTimeoutError raised. None removes it."""
        self._arm(None if seconds is None else time.monotonic() + seconds)

    def deadline_from(self, context: Any) -> None:
        """Set the deadline from a Lambda context: its remaining time minus a margin to answer and log.
        Anything without `get_remaining_time_in_millis` (None, local calls) removes the deadline."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            self._arm(None)
            return
        seconds = remaining() / 1000.0
        self._arm(time.monotonic() + max(seconds - DEADLINE_MARGIN_SECONDS, seconds / 2))

    def close(self) -> None:
        """Close the connection (e.g. before a SnapStart snapshot); the next call opens a new one.
        Also ends the deadline watchdog thread, if any (the next deadline starts a new one)."""
        super().close()
        if self._reads is not None:
            self._reads.close()

    @property
    def connected(self) -> bool:
        """Whether a connection is currently held (it may still turn out dead on next use)."""
        return self._conn is not None
