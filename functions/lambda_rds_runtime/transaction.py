"""Transactions (`db.transaction()`): several statements on the Database's connection, committed together.

A transaction is never retried: a connection lost inside the block rolls it back on the server
(TransactionRolledBackError), one lost during COMMIT leaves its outcome unknown (ConnectionLostError).
"""

from __future__ import annotations

import time

from . import log
from .errors import (
    ConnectionLostError,
    DatabaseError,
    DatabaseUnavailableError,
    TransactionError,
    TransactionRolledBackError,
)
from .failures import describe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any

    from .database import Database
    from .result import Result


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
            conn = db._open(reason=f"lost while starting a transaction: {describe(exc)}")
            try:
                self._cursor = engine.begin(conn)
            except Exception as retry_exc:
                if engine.is_connection_lost(conn, retry_exc):
                    db._discard()
                    raise DatabaseUnavailableError(
                        f"connection to {db._where()} was lost twice while starting a transaction "
                        f"({describe(retry_exc)}); nothing was applied"
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
            reason = f"finishing its last statement failed ({describe(close_error)})"
        elif self._ended_by_server is not None:
            reason = f"the server rolled it back ({describe(self._ended_by_server)})"
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
                error=describe(end_exc),
                action="connection closed: the server rolls the transaction back",
            )
            if exc is not None:
                exc.add_note(
                    f"lambda_rds_runtime: ROLLBACK failed too ({describe(end_exc)}); the connection was "
                    "closed, so the server rolled the transaction back"
                )
                return
            raise TransactionRolledBackError(
                f"transaction on {db._where()} was not committed: {reason}; ROLLBACK failed "
                f"({describe(end_exc)}), so the connection was closed and the server rolls it back"
            ) from close_error or self._ended_by_server
        db._last_used = db._clock()
        if exc is not None:
            if engine.is_connection_lost(conn, exc):
                self._drop()
                raise TransactionRolledBackError(
                    f"connection to {db._where()} was lost inside a transaction ({describe(exc)}); the "
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
                    f"connection to {db._where()} was lost during COMMIT ({describe(exc)}); the "
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
                f"the server rolled this transaction back ({describe(self._ended_by_server)}); later "
                "statements of the block would run outside any transaction, so they are refused"
            )

    def _failed(self, exc: BaseException) -> BaseException:
        """Record a statement failure; return the exception to raise (the connection-lost form if so)."""
        db = self._db
        engine = db._engine
        if engine.is_connection_lost(self._conn, exc):
            self._lost = describe(exc)
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
