"""One lazily opened connection per execution environment, checked before use and replaced when dead.

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
"""

from __future__ import annotations

import time

from . import log
from .credentials import password_source
from .engines import load_engine
from .errors import (
    AuthenticationError,
    ConnectionLostError,
    DatabaseError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    TransactionError,
    TransactionRolledBackError,
    exception_text,
)
from .tcp import SilenceCheck

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any

    from .config import DbConfig
    from .credentials import IamTokenSource, Login, SecretSource
    from .engines.contract import Engine
    from .result import Result
    from .routing import ReadRouter

# A connection idle for longer than this is pinged before use. Shorter than the NAT gateway's 350 s idle
# drop (which is silent until the next packet is answered by a RST) and far below RDS Proxy's 1800 s idle
# client timeout; costs one round trip only on the first call after a long pause.
DEFAULT_IDLE_PING_SECONDS = 120.0
# Kept free before the function's own timeout when a deadline comes from the Lambda context: time to roll
# back, log and answer (a 503 beats a "Task timed out" with no log line).
DEADLINE_MARGIN_SECONDS = 0.5


class Database:
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
        self.config = config
        self._engine = engine or load_engine(config.engine)
        self._source = source or password_source(config)
        self._idle_ping_seconds = idle_ping_seconds
        self._clock = clock
        self._conn: Any = None
        self._silence: SilenceCheck | None = None
        self._last_used = 0.0
        self._tx: Transaction | None = None
        self._deadline: float | None = None
        self._watchdog: _Watchdog | None = None
        self._fd = -1
        self._in_flight_fd: int | None = None
        self.connects = 0
        self.auth_refreshes = 0
        self.last_connect_ms: float | None = None
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

    def _arm(self, deadline: float | None) -> None:
        self._deadline = deadline
        if deadline is None:
            return
        watchdog = self._watchdog
        if watchdog is None:
            self._watchdog = _Watchdog(self)  # one thread per execution environment, started once
        elif deadline < watchdog.target:
            watchdog.wake.set()  # it sleeps until a later moment (or waits for a deadline): re-read

    def close(self) -> None:
        """Close the connection (e.g. before a SnapStart snapshot); the next call opens a new one.
        Also ends the deadline watchdog thread, if any (the next deadline starts a new one)."""
        self._discard()
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.stop()
        if self._reads is not None:
            self._reads.close()

    @property
    def connected(self) -> bool:
        """Whether a connection is currently held (it may still turn out dead on next use)."""
        return self._conn is not None

    # -- internals ----------------------------------------------------------------------------------

    def _run(self, conn: Any, sql: str, params: Any) -> Result:
        """engine.run, bounded by the deadline if one is set (see `set_deadline`)."""
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
        log.emit("statement_timeout", "ERROR", engine=self._engine.name, reason=_describe(exc))
        return DatabaseTimeoutError(
            f"{self._where()} did not answer before the deadline (the function's remaining time): a live "
            "but silent peer, e.g. a hung proxy; the connection was closed and the statement may or may not "
            "have been applied"
        )

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
            detail = _describe(exc)
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
                        f"connection to {self._where()} was lost twice in a row ({_describe(retry_exc)})"
                    ) from None
                raise
        self._last_used = self._clock()
        return result

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
            return self._open(reason=f"dead after {idle:.1f}s idle: {_describe(exc)}")
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
        detail = _describe(exc, redact=login.password)
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
            kind = _connect_failure_kind(detail)
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


class Transaction:
    """Context manager returned by `Database.transaction()`; yields a cursor bound to the transaction.

    Leaving the block without an exception commits, and returns normally only if the COMMIT was
    acknowledged; otherwise it raises: TransactionRolledBackError (nothing was applied: a statement failed,
    the server aborted the transaction, or the connection died before COMMIT was sent) or
    ConnectionLostError (the connection died during COMMIT: it may or may not have been applied).
    While the block is open every statement of the Database (`db.execute`, `db.query`, `db.ping`) runs
    inside it, never on a new autocommit connection; nesting is refused.
    """

    __slots__ = ("_conn", "_cursor", "_db", "_ended_by_server", "_lost")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: Any = None
        self._cursor: Any = None
        self._ended_by_server: BaseException | None = None
        self._lost: str | None = None

    def __enter__(self) -> TransactionCursor:
        db = self._db
        if db._tx is not None:
            raise TransactionError(
                "nested db.transaction() is not supported: the block already runs inside a transaction "
                "(run these statements in the outer block, or use SAVEPOINT yourself)"
            )
        engine = db._engine
        conn = db._ready()
        try:
            self._cursor = engine.begin(conn)
        except Exception as exc:
            if not engine.is_connection_lost(conn, exc):
                raise
            # Nothing of the block has run yet: starting it again on a fresh connection is safe.
            db._discard()
            conn = db._open(reason=f"lost while starting a transaction: {_describe(exc)}")
            try:
                self._cursor = engine.begin(conn)
            except Exception as retry_exc:
                if engine.is_connection_lost(conn, retry_exc):
                    db._discard()
                    raise DatabaseUnavailableError(
                        f"connection to {db._where()} was lost twice while starting a transaction "
                        f"({_describe(retry_exc)}); nothing was applied"
                    ) from None
                raise
        self._conn = conn
        db._tx = self
        return TransactionCursor(self, self._cursor)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        db = self._db
        db._tx = None
        engine = db._engine
        conn = self._conn
        if self._lost is None and not engine.is_open(conn):
            self._lost = "the driver reported the connection closed"
        if self._lost is not None:
            self._drop()
            own_error = exc is not None and not isinstance(exc, DatabaseError)
            if own_error and not engine.is_connection_lost(conn, exc):  # type: ignore[arg-type]
                return  # the caller's own error propagates; the transaction died with the connection
            raise TransactionRolledBackError(
                f"connection to {db._where()} was lost inside a transaction ({self._lost}) before COMMIT "
                "was sent: the server rolls the transaction back, nothing of it was applied"
            ) from None
        close_error: Exception | None = None
        try:
            self._cursor.close()  # PyMySQL reads any unread result sets here, and may raise
        except Exception as error:
            close_error = error
        reason: str | None = None
        if exc is not None:
            reason = "the block raised"
        elif close_error is not None:
            reason = f"finishing its last statement failed ({_describe(close_error)})"
        elif self._ended_by_server is not None:
            reason = f"the server rolled it back ({_describe(self._ended_by_server)})"
        else:
            reason = engine.abort_reason(conn)
            if reason is None and db._silence is not None and db._silence.broken():
                reason = "the server closed the connection before COMMIT was sent"
                self._drop()
                raise TransactionRolledBackError(
                    f"transaction on {db._where()} was not committed: {reason}; the server rolls it "
                    "back, nothing of it was applied"
                )
        if reason is None:
            self._commit()
            return
        try:
            self._bounded(engine.rollback, conn)
            engine.finish(conn)
        except Exception as end_exc:
            # The connection's state is unknown: never reuse it (a BEGIN left open would commit this block
            # with the next one, and swallow later autocommit writes). Closing it makes the server roll back.
            self._drop()
            log.emit(
                "transaction_end_failed",
                "ERROR",
                engine=engine.name,
                error=_describe(end_exc),
                action="connection closed: the server rolls the transaction back",
            )
            if exc is not None:
                exc.add_note(
                    f"lambda_rds_runtime: ROLLBACK failed too ({_describe(end_exc)}); the connection was "
                    "closed, so the server rolled the transaction back"
                )
                return
            raise TransactionRolledBackError(
                f"transaction on {db._where()} was not committed: {reason}; ROLLBACK failed "
                f"({_describe(end_exc)}), so the connection was closed and the server rolls it back"
            ) from close_error or self._ended_by_server
        db._last_used = db._clock()
        if exc is not None:
            if engine.is_connection_lost(conn, exc):
                self._drop()
                raise TransactionRolledBackError(
                    f"connection to {db._where()} was lost inside a transaction ({_describe(exc)}); the "
                    "server rolls it back, nothing of it was applied"
                ) from None
            return  # the block's own exception propagates; the transaction was rolled back
        raise TransactionRolledBackError(
            f"transaction on {db._where()} was rolled back, nothing of it was applied: {reason}"
        ) from close_error or self._ended_by_server

    def _bounded(self, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)` within the Database's deadline, if one is set."""
        return self._db._within_deadline(call, *args)

    def _commit(self) -> None:
        db, conn, engine = self._db, self._conn, self._db._engine
        if db._deadline is not None and time.monotonic() >= db._deadline:
            self._drop()
            raise TransactionRolledBackError(
                f"no time left before the deadline to COMMIT on {db._where()}: the connection was closed, "
                "the server rolls the transaction back, nothing of it was applied"
            )
        try:
            self._bounded(engine.commit, conn)
        except Exception as exc:
            lost = engine.is_connection_lost(conn, exc)
            self._drop()
            if lost:
                log.emit("connection_lost", "ERROR", engine=engine.name, retried=False, in_transaction=True)
                raise ConnectionLostError(
                    f"connection to {db._where()} was lost during COMMIT ({_describe(exc)}); the "
                    "transaction may or may not have been applied"
                ) from None
            raise  # the server refused the COMMIT (e.g. a deferred constraint): it rolled back
        try:
            engine.finish(conn)
        except Exception:
            self._drop()  # committed; the connection's mode is unknown, so it is not reused
        db._last_used = db._clock()

    def _drop(self) -> None:
        db = self._db
        if db._conn is self._conn:
            db._discard()
        else:
            db._engine.close(self._conn)

    def _check_usable(self) -> None:
        if self._db._tx is not self:
            raise TransactionError("this transaction block has ended; its cursor cannot be used any more")
        if self._lost is not None:
            raise TransactionRolledBackError(
                f"connection to {self._db._where()} was lost inside this transaction ({self._lost}): it is "
                "rolled back, and later statements of the block cannot run"
            )
        if self._ended_by_server is not None:
            raise TransactionRolledBackError(
                f"the server rolled this transaction back ({_describe(self._ended_by_server)}); later "
                "statements of the block would run outside any transaction, so they are refused"
            )

    def _failed(self, exc: BaseException) -> BaseException:
        """Record a statement failure; return the exception to raise (the connection-lost form if so)."""
        db = self._db
        engine = db._engine
        if engine.is_connection_lost(self._conn, exc):
            self._lost = _describe(exc)
            self._drop()
            log.emit("connection_lost", "ERROR", engine=engine.name, retried=False, in_transaction=True)
            return ConnectionLostError(
                f"connection to {db._where()} was lost inside a transaction ({self._lost}); the server rolls "
                "the transaction back"
            )
        if engine.ends_transaction(exc):
            self._ended_by_server = exc
        return exc

    def _run(self, sql: str, params: Any) -> Result:
        """`db.execute` inside the block: on the transaction's connection, never retried."""
        self._check_usable()
        try:
            return self._db._run(self._conn, sql, params)
        except Exception as exc:
            raised = self._failed(exc)
            if raised is exc:
                raise
            raise raised from None


class TransactionCursor:
    """The driver's cursor, checked: statements after the block ended or its connection died are refused,
    and a lost connection raises ConnectionLostError. Everything else is the driver cursor's."""

    __slots__ = ("_cursor", "_tx")

    def __init__(self, tx: Transaction, cursor: Any) -> None:
        self._tx = tx
        self._cursor = cursor

    def execute(self, sql: Any, params: Any = None) -> Any:
        """The driver's `execute`, inside the transaction."""
        return self._run(self._cursor.execute, sql, params)

    def executemany(self, sql: Any, seq_of_params: Any) -> Any:
        """The driver's `executemany`, inside the transaction."""
        return self._run(self._cursor.executemany, sql, seq_of_params)

    def _run(self, method: Any, sql: Any, args: Any) -> Any:
        tx = self._tx
        tx._check_usable()
        try:
            return tx._bounded(method, sql, args)
        except Exception as exc:
            raised = tx._failed(exc)
            if raised is exc:
                raise
            raise raised from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)


class _Watchdog:
    """Shuts down the socket of a statement still waiting for the server when the deadline passes.

    libpq has no client-side read timeout, and a per-statement timer or psycopg2's non-blocking mode would
    cost every statement. Instead one daemon thread per execution environment sleeps until the deadline
    (deadlines only move forward from one invocation to the next, so arming is an attribute store) and,
    if a statement is in flight then, shuts its socket down: the blocked driver call returns at once with a
    lost connection, which the Database reports as DatabaseTimeoutError. Lambda freezes the thread with
    the process between invocations.
    """

    def __init__(self, db: Database) -> None:
        import threading  # deferred: only functions that pass a context pay for it

        self._db = db
        self._stopped = False
        self.target = float("inf")
        self.wake = threading.Event()
        threading.Thread(target=self._loop, name="lambda-rds-deadline", daemon=True).start()

    def stop(self) -> None:
        """End the thread (Database.close)."""
        self._stopped = True
        self.wake.set()

    def _loop(self) -> None:
        db = self._db
        wake = self.wake
        while not self._stopped:
            wake.clear()  # before reading the state: a later `set` makes the next wait return at once
            deadline = db._deadline
            now = time.monotonic()
            if deadline is not None and now < deadline:
                self.target = deadline
                wake.wait(deadline - now)
                continue
            fd = db._in_flight_fd
            if deadline is not None and fd is not None and not self._stopped:
                _shutdown(fd)
            self.target = float("inf")
            wake.wait()  # until a new deadline is armed


def _shutdown(fd: int) -> None:
    """Shut the connection down under the driver (on a duplicate descriptor: the driver's stays open, so
    it sees end of file and raises instead of waiting)."""
    import socket

    try:
        duplicate = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        return  # already closed
    finally:
        duplicate.close()


def _describe(exc: BaseException, redact: str | None = None) -> str:
    """One line of driver message, with the password/token removed should a driver ever echo it. The
    runtime never puts a password into SQL, so the only way a part of one reaches a message is an encoding
    error quoting the character: those never show it (see errors.exception_text)."""
    text = exception_text(exc)
    if redact:
        text = text.replace(redact, "***")
    return text[:500]


# What a refused connection means, by the driver's words (lower case): said instead of "within Ns",
# which is only true of timeouts, refusals and unreachable hosts.
_CONNECT_FAILURE_KINDS = (
    (("certificate verify failed", "certificate_verify_failed", "does not match host name", "mismatch"),
     "TLS verification failed (is DB_CA_BUNDLE the right CA for this endpoint, and the host name the one in "
     "its certificate?)"),
    (("no pg_hba.conf entry", "rejects connection"),
     "the server refused this client by its access rules (pg_hba.conf)"),
    (("does not exist", "unknown database"), "the database does not exist"),
    (("' to database '",), "the user may not use this database (no grants on it, or it does not exist)"),
    (("too many connections", "too many clients", "connection slots are reserved", "max_user_connections"),
     "too many connections (the server's or the user's connection limit is reached: use RDS Proxy, or "
     "lower the functions' concurrency)"),
)  # fmt: skip


def _connect_failure_kind(detail: str) -> str | None:
    lowered = detail.lower()
    for markers, kind in _CONNECT_FAILURE_KINDS:
        if any(marker in lowered for marker in markers):
            return kind
    return None
