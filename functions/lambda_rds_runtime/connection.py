"""One driver connection kept alive: opened lazily, checked before use, replaced when dead.

Every call is bounded by the deadline, when one is set (the watchdog in deadline.py enforces it).
The base of Database (database.py: the writer, and the public API) and of a reader's connection
(routing.py). It implements steps 1 to 4 of the lifecycle described in database.py: opening (with one
re-read of a rotated secret), the zero-round-trip check before use, the ping after a long idle period, and
running one statement, retried once on a fresh connection only when it was declared read-only.
"""

from __future__ import annotations

import time

from . import log
from .credentials import password_source
from .deadline import Watchdog
from .engines import load_engine
from .errors import AuthenticationError, ConnectionLostError, DatabaseTimeoutError, DatabaseUnavailableError
from .failures import connect_failure_kind, describe
from .tcp import SilenceCheck

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .config import DbConfig
    from .credentials import IamTokenSource, Login, SecretSource
    from .engines.contract import Engine
    from .result import Result

# A connection idle for longer than this is pinged before use. Shorter than the NAT gateway's 350 s idle
# drop (which is silent until the next packet is answered by a RST) and far below RDS Proxy's 1800 s idle
# client timeout; costs one round trip only on the first call after a long pause.
DEFAULT_IDLE_PING_SECONDS = 120.0


class Connection:
    """A self-healing connection to the server described by a DbConfig (no public statement API: see
    Database)."""

    def __init__(
        self,
        config: DbConfig,
        *,
        engine: Engine | None = None,
        source: IamTokenSource | SecretSource | None = None,
        idle_ping_seconds: float = DEFAULT_IDLE_PING_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._engine = engine or load_engine(config.engine)
        self._source = source or password_source(config)
        self._idle_ping_seconds = idle_ping_seconds
        self._clock = clock
        self._conn: Any = None
        self._silence: SilenceCheck | None = None
        self._last_used = 0.0
        self._deadline: float | None = None
        self._watchdog: Watchdog | None = None
        self._fd = -1
        self._in_flight_fd: int | None = None
        self.connects = 0
        self.auth_refreshes = 0
        self.last_connect_ms: float | None = None

    def close(self) -> None:
        """Close the connection (e.g. before a SnapStart snapshot); the next call opens a new one.
        Also ends the deadline watchdog thread, if any (the next deadline starts a new one)."""
        self._discard()
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.stop()

    # -- deadline -----------------------------------------------------------------------------------

    def _arm(self, deadline: float | None) -> None:
        self._deadline = deadline
        if deadline is None:
            return
        watchdog = self._watchdog
        if watchdog is None:
            self._watchdog = Watchdog(self)  # one thread per execution environment, started once
        elif deadline < watchdog.target:
            watchdog.wake.set()  # it sleeps until a later moment (or waits for a deadline): re-read

    def _run(self, conn: Any, sql: str, params: Any) -> Result:
        """engine.run, bounded by the deadline if one is set (see `Database.set_deadline`)."""
        if self._deadline is None:
            return self._engine.run(conn, sql, params)
        return self._within_deadline(self._engine.run, conn, sql, params)

    def _within_deadline(self, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)` with the connection's socket registered with the watchdog, which shuts the socket
        down if the deadline passes while the call waits (the driver then raises a lost connection).
        Costs two attribute stores per call: no per-statement timer, no non-blocking mode."""
        deadline = self._deadline
        if deadline is None:
            return call(*args)
        if time.monotonic() >= deadline:
            raise DatabaseTimeoutError(
                f"no time left before the deadline to run a statement on {self._where()}; nothing was sent"
            )
        self._in_flight_fd = self._fd
        try:
            return call(*args)
        finally:
            self._in_flight_fd = None

    def _timed_out(self, exc: BaseException) -> DatabaseTimeoutError | None:
        """The error to raise when `exc` is the deadline expiring mid-statement (no retry: no time left)."""
        deadline = self._deadline
        if deadline is None or time.monotonic() < deadline:
            return None
        log.emit("statement_timeout", "ERROR", engine=self._engine.name, reason=describe(exc))
        return DatabaseTimeoutError(
            f"{self._where()} did not answer before the deadline (the function's remaining time): a live "
            "but silent peer, e.g. a hung proxy; the connection was closed and the statement may or may not "
            "have been applied"
        )

    # -- statements ---------------------------------------------------------------------------------

    def _execute(self, conn: Any, sql: str, params: Any, read_only: bool) -> Result:
        engine = self._engine
        try:
            result = self._run(conn, sql, params)
        except Exception as exc:
            if not engine.is_connection_lost(conn, exc):
                self._last_used = self._clock()
                raise
            self._discard()
            timeout = self._timed_out(exc)
            if timeout is not None:
                raise timeout from None
            detail = describe(exc)
            if not read_only:
                log.emit("connection_lost", "ERROR", engine=engine.name, retried=False, reason=detail)
                raise ConnectionLostError(
                    f"connection to {self._where()} was lost while the statement was in flight ({detail}); "
                    "it may or may not have been applied, so it was not retried"
                ) from None
            conn = self._open(reason=f"lost during a read-only statement: {detail}")
            try:
                result = self._run(conn, sql, params)
            except Exception as retry_exc:
                if engine.is_connection_lost(conn, retry_exc):
                    self._discard()
                    timeout = self._timed_out(retry_exc)
                    if timeout is not None:
                        raise timeout from None
                    raise ConnectionLostError(
                        f"connection to {self._where()} was lost twice in a row ({describe(retry_exc)})"
                    ) from None
                raise
        self._last_used = self._clock()
        return result

    # -- connection lifecycle -----------------------------------------------------------------------

    def _ready(self) -> Any:
        conn = self._conn
        engine = self._engine
        if conn is None:
            return self._open(reason=None if self.connects == 0 else "replacing a connection lost earlier")
        if not engine.is_open(conn):
            self._discard()
            return self._open(reason="the driver reported the connection closed")
        idle = self._clock() - self._last_used
        silence = self._silence
        if idle < self._idle_ping_seconds and silence is not None and not silence.broken():
            return conn
        return self._revalidate(conn, idle)

    def _revalidate(self, conn: Any, idle: float) -> Any:
        engine = self._engine
        # A `SELECT 1` answers at once from any live server: a peer silent for the connect timeout is
        # treated as dead (never wait here for the function's whole timeout).
        bound = self.config.connect_timeout
        if self._deadline is not None:
            bound = max(0.001, min(bound, self._deadline - time.monotonic()))
        try:
            engine.bound(conn, bound)
            try:
                engine.ping(conn)
            finally:
                engine.unbound(conn)
        except Exception as exc:
            self._discard()
            return self._open(reason=f"dead after {idle:.1f}s idle: {describe(exc)}")
        self._last_used = self._clock()
        return conn

    def _open(self, *, reason: str | None) -> Any:
        """Connect; `reason` is None for the first connection of the environment (not logged)."""
        engine = self._engine
        started = time.perf_counter()
        login = self._source.login()
        try:
            conn = engine.connect(self.config, login)
        except Exception as exc:
            if not (engine.is_auth_failure(exc) and self._source.refreshable):
                raise self._connect_error(exc, login) from None
            self.auth_refreshes += 1
            log.emit(
                "auth_refresh",
                "WARNING",
                engine=engine.name,
                user=login.user,
                reason="authentication failed with the cached secret; re-reading it once (rotation?)",
            )
            login = self._source.refresh()
            try:
                conn = engine.connect(self.config, login)
            except Exception as retry_exc:
                raise self._connect_error(retry_exc, login) from None
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        self._conn = conn
        self._fd = engine.fileno(conn)
        self._silence = SilenceCheck(self._fd)
        self._last_used = self._clock()
        self.connects += 1
        self.last_connect_ms = elapsed_ms
        if reason is not None:
            log.emit(
                "reconnect",
                engine=engine.name,
                host=self.config.host,
                auth=login.source,
                ms=round(elapsed_ms, 2),
                reason=reason,
            )
        return conn

    def _connect_error(self, exc: Exception, login: Login) -> Exception:
        detail = describe(exc, redact=login.password)
        if self._engine.is_auth_failure(exc):
            if login.source == "iam-token":
                hint = (
                    "check that the user has IAM auth enabled (PostgreSQL: GRANT rds_iam; MySQL: IDENTIFIED "
                    "WITH AWSAuthenticationPlugin) and that the role may rds-db:connect to the right ARN "
                    "(dbuser:prx-<id>/USER for a proxy, dbuser:db-<resource id>/USER for an instance)"
                )
            else:
                hint = "the secret was re-read once; the database and the secret disagree"
            error: Exception = AuthenticationError(
                f"{self._where()} rejected user {login.user!r} ({login.source}): {detail}; {hint}"
            )
        else:
            kind = connect_failure_kind(detail)
            error = DatabaseUnavailableError(
                f"cannot connect to {self._where()}: {kind}: {detail}"
                if kind
                else f"cannot connect to {self._where()} within {self.config.connect_timeout:g}s: {detail}"
            )
        log.emit("connect_failed", "ERROR", engine=self._engine.name, host=self.config.host, error=str(error))
        return error

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        self._silence = None
        if conn is not None:
            self._engine.close(conn)

    def _where(self) -> str:
        return f"{self.config.engine} at {self.config.host}:{self.config.port}/{self.config.database}"
