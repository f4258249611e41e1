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
from .errors import AuthenticationError, ConnectionLostError, DatabaseUnavailableError
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

# A connection idle for longer than this is pinged before use. Shorter than the NAT gateway's 350 s idle
# drop (which is silent until the next packet is answered by a RST) and far below RDS Proxy's 1800 s idle
# client timeout; costs one round trip only on the first call after a long pause.
DEFAULT_IDLE_PING_SECONDS = 120.0


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
        self.connects = 0
        self.auth_refreshes = 0
        self.last_connect_ms: float | None = None

    # -- public API ---------------------------------------------------------------------------------

    def execute(self, sql: str, params: Any = None, *, read_only: bool = False) -> Result:
        """Run one statement (parameterised: `%s` placeholders) and return its rows and counts.

        `read_only=True` declares the statement safe to run twice; only then is it retried after the
        connection dies mid-flight.
        """
        return self._execute(self._ready(), sql, params, read_only)

    def query(self, sql: str, params: Any = None, *, read_only: bool = False) -> list[tuple[Any, ...]]:
        """`execute(...).rows`."""
        return self.execute(sql, params, read_only=read_only).rows

    def ping(self) -> float:
        """One `SELECT 1` round trip (retried once if the connection died); returns its milliseconds,
        not counting the opening of the connection on the first call."""
        conn = self._ready()
        started = time.perf_counter()
        self._execute(conn, "SELECT 1", None, True)
        return (time.perf_counter() - started) * 1000.0

    def transaction(self) -> Transaction:
        """`with db.transaction() as cur:` several statements committed together (never retried)."""
        return Transaction(self)

    def close(self) -> None:
        """Close the connection (e.g. before a SnapStart snapshot); the next call opens a new one."""
        self._discard()

    @property
    def connected(self) -> bool:
        """Whether a connection is currently held (it may still turn out dead on next use)."""
        return self._conn is not None

    # -- internals ----------------------------------------------------------------------------------

    def _execute(self, conn: Any, sql: str, params: Any, read_only: bool) -> Result:
        engine = self._engine
        try:
            result = engine.run(conn, sql, params)
        except Exception as exc:
            if not engine.is_connection_lost(conn, exc):
                self._last_used = self._clock()
                raise
            self._discard()
            detail = _describe(exc)
            if not read_only:
                log.emit("connection_lost", "ERROR", engine=engine.name, retried=False, reason=detail)
                raise ConnectionLostError(
                    f"connection to {self._where()} was lost while the statement was in flight ({detail}); "
                    "it may or may not have been applied, so it was not retried"
                ) from None
            conn = self._open(reason=f"lost during a read-only statement: {detail}")
            try:
                result = engine.run(conn, sql, params)
            except Exception as retry_exc:
                if engine.is_connection_lost(conn, retry_exc):
                    self._discard()
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
        try:
            self._engine.ping(conn)
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
        self._silence = SilenceCheck(engine.fileno(conn))
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
            error = DatabaseUnavailableError(
                f"cannot connect to {self._where()} within {self.config.connect_timeout:g}s: {detail}"
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
    """Context manager returned by `Database.transaction()`; yields the driver's cursor."""

    __slots__ = ("_conn", "_cursor", "_db")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: Any = None
        self._cursor: Any = None

    def __enter__(self) -> Any:
        db = self._db
        self._conn = db._ready()
        try:
            self._cursor = db._engine.begin(self._conn)
        except Exception as exc:
            self._raise_if_lost(exc)
            raise
        return self._cursor

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        db = self._db
        try:
            db._engine.end(self._conn, self._cursor, commit=exc is None)
        except Exception as end_exc:
            if exc is None:
                self._raise_if_lost(end_exc, committing=True)
                raise
        if exc is not None:
            self._raise_if_lost(exc)
        db._last_used = db._clock()

    def _raise_if_lost(self, exc: BaseException, *, committing: bool = False) -> None:
        db = self._db
        if not db._engine.is_connection_lost(self._conn, exc):
            return
        db._discard()
        outcome = (
            "the COMMIT may or may not have been applied"
            if committing
            else "the server rolls the transaction back"
        )
        log.emit("connection_lost", "ERROR", engine=db._engine.name, retried=False, in_transaction=True)
        raise ConnectionLostError(
            f"connection to {db._where()} was lost inside a transaction ({_describe(exc)}); {outcome}"
        ) from None


def _describe(exc: BaseException, redact: str | None = None) -> str:
    """One line of driver message, with the password/token removed should a driver ever echo it."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if redact:
        text = text.replace(redact, "***")
    return text[:500]
