"""Transactions (`db.transaction()`): several statements on the Database's connection, committed together.

A transaction is never retried: a connection lost inside the block rolls it back on the server
(TransactionRolledBackError), one lost during COMMIT leaves its outcome unknown (ConnectionLostError).

A statement can end the transaction before the block does: MySQL/MariaDB commit implicitly before DDL,
TRUNCATE, LOCK TABLES, START TRANSACTION ... (even when the statement then fails), and a COMMIT or
ROLLBACK written in the block does it on both engines. After each statement the server's transaction
status (MySQL's SERVER_STATUS_IN_TRANS flag, libpq's transaction status: both already in memory, no
round trip) and the statement's first words say whether and how it ended: the block then raises at once
(TransactionPartlyCommittedError if anything may have been committed, TransactionRolledBackError if it
was rolled back) and refuses its later statements, which would run outside any transaction. Where
MySQL sent no flag, one COM_PING asks: after every failed statement (an error packet has none; a CALL,
an EXECUTE or an executable comment may have committed before failing), after an implicit-commit
statement that answered with rows (PyMySQL ignores a result set's end packet flags), and before a block
that raised is called rolled back.

The cursor's `connection` is the driver's own (psycopg2's `sql.Identifier(...).as_string()`,
`quote_ident` and `register_uuid` need the real type). A `commit()`, `rollback()`, autocommit switch or
`with conn:` through it that ends the transaction is seen in the same status, before the block's next
statement and at its end (TransactionPartlyCommittedError); a MySQL connection whose autocommit was turned
off inside the block is closed after it (engine.finish).
Several statements in one string are judged by their first words and the final status only.
The statement kinds come from statements.py, what a status means (and the error wording) from
transaction_status.py; this module holds the block and its cursor.
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
from .statements import statement_kind
from .transaction_status import (
    ROLLED_BACK,
    ROLLED_BACK_BY_FAILURE,
    UNKNOWN,
    ended_error,
    outcome_after,
    outcome_after_failure,
    what_ended,
)

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
    the server aborted the transaction, the COMMIT was refused, or the connection died before COMMIT was
    sent), ConnectionLostError (the connection died during COMMIT: it may or may not have been applied)
    or TransactionPartlyCommittedError (a statement of the block committed what ran before it).
    While the block is open every statement of the Database (`db.execute`, `db.query`, `db.ping`) runs
    inside it, never on a new autocommit connection; nesting is refused.
    """

    __slots__ = ("_conn", "_cursor", "_db", "_ended", "_ended_by_server", "_last_state", "_lost", "_ran")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: Any = None
        self._cursor: Any = None
        self._ended_by_server: BaseException | None = None
        self._lost: str | None = None
        # (outcome, what ended it) once a statement of the block ended the transaction early.
        self._ended: tuple[str, str] | None = None
        self._last_state = "open"
        self._ran = False

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
        if self._ended is not None:
            self._exit_ended(exc)
            return
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
            state = engine.transaction_state(conn)
            if state == "aborted":
                reason = "a statement in it failed, so PostgreSQL aborted the transaction"
            elif state == "ended" and (self._ran or engine.implicit_commits):
                # Not seen after any statement (e.g. a procedure's last result set, read when the cursor
                # closed, ended it): what ran before may be committed, so never claim a rollback.
                self._ended = (UNKNOWN, "the server reported no transaction open when the block ended")
                self._exit_ended(None)
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
        if self._committed_unseen(exc, close_error):
            # Never "rolled back" (nor the caller's exception alone, which the docs read as rolled back):
            # what ran before may be committed. The caller's exception is the cause.
            unseen = self._end_early(UNKNOWN, None, exc or close_error)
            self._drop()
            raise unseen
        try:
            self._bounded(engine.rollback, conn)
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
        try:
            engine.finish(conn)
        except Exception:
            self._drop()  # rolled back; the connection's mode is wrong or unknown, so it is not reused
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
            if engine.is_connection_lost(conn, exc):
                self._drop()
                log.emit("connection_lost", "ERROR", engine=engine.name, retried=False, in_transaction=True)
                raise ConnectionLostError(
                    f"connection to {db._where()} was lost during COMMIT ({describe(exc)}); the "
                    "transaction may or may not have been applied"
                ) from None
            # The server refused the COMMIT (a deferred constraint, a serialization failure): a refused
            # COMMIT rolls back. The connection is kept when it is back outside any transaction.
            if engine.transaction_state(conn) == "ended":
                try:
                    engine.finish(conn)
                    db._last_used = db._clock()
                except Exception:
                    self._drop()
            else:
                self._drop()
            raise TransactionRolledBackError(
                f"transaction on {db._where()} was rolled back, nothing of it was applied: the server "
                f"refused the COMMIT ({describe(exc)})"
            ) from exc
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
        if self._ended is not None:
            raise self._ended_error(refused=True)
        if self._ran and self._db._engine.transaction_state(self._conn) == "ended":
            # Ended since the last statement (whose own end _after checks): through the driver's
            # connection (`cur.connection.commit()`). This statement would run outside the transaction
            # (psycopg2 would open a new one). A status already in memory: no round trip.
            raise self._end_early(UNKNOWN, "connection")
        self._ran = True  # a statement runs: "no transaction open" at the block's end is then news

    # -- a statement that ended the transaction before the block did ---------------------------------

    def _kind(self, sql: object) -> str | None:
        return statement_kind(sql, nested_comments=self._db._engine.nested_comments)

    def _after(self, sql: object, returned_rows: bool) -> None:
        """After a statement of the block succeeded: raise if it ended the transaction. Costs a look at
        the statement's first words and at status the driver already holds (no round trip), except after
        a statement that commits implicitly and answered with rows (ANALYZE/CHECK/OPTIMIZE/REPAIR TABLE):
        PyMySQL does not read the status flag from a result set's end packet, so one COM_PING asks."""
        engine = self._db._engine
        kind = self._kind(sql)
        state = engine.transaction_state(self._conn)
        if kind == "implicit" and returned_rows and state == "open" and engine.implicit_commits:
            try:
                state = self._bounded(engine.refresh_transaction_state, self._conn)
            except Exception as exc:
                self._lost = describe(exc)
                self._drop()
                raise self._end_early(UNKNOWN, kind, exc) from exc
        aborted_before, self._last_state = self._last_state == "aborted", state
        outcome = outcome_after(
            kind, state, aborted_before=aborted_before, implicit_commits=engine.implicit_commits
        )
        if outcome is None:
            return
        raise self._end_early(outcome, kind)

    def _end_early(self, outcome: str, kind: str | None, cause: BaseException | None = None) -> Exception:
        self._ended = (outcome, what_ended(kind))
        log.emit("transaction_ended_early", "ERROR", engine=self._db._engine.name, outcome=outcome)
        error = self._ended_error(refused=False)
        if cause is not None:
            error.__cause__ = cause
        return error

    def _ended_error(self, *, refused: bool) -> Exception:
        assert self._ended is not None
        outcome, what = self._ended
        return ended_error(outcome, what, self._db._where(), refused=refused)

    def _committed_unseen(self, exc: BaseException | None, close_error: Exception | None) -> bool:
        """On MySQL/MariaDB, before claiming a rollback after the block raised or its last statement
        failed to finish: whether the transaction already ended unseen (a procedure's COMMIT read when the
        cursor closed, an error packet that carried no flags). One COM_PING, failure paths only. If the
        ping fails the ROLLBACK fails too, and that path closes the connection."""
        engine = self._db._engine
        if not engine.implicit_commits or not self._ran or self._ended_by_server is not None:
            return False
        if exc is None and close_error is None:
            return False
        try:
            return bool(self._bounded(engine.refresh_transaction_state, self._conn) == "ended")
        except Exception:
            return False

    def _exit_ended(self, exc: BaseException | None) -> None:
        """Leave a block whose transaction a statement ended, and raise unless the exception in flight
        already says what happened. The connection is closed: the session may hold what the statement
        left (LOCK TABLES locks, which ROLLBACK keeps; the transaction COMMIT AND CHAIN or START
        TRANSACTION opened, holding none of our statements), and closing ends all of it. Rare (a
        misuse), so the reconnect it costs does not matter."""
        self._drop()
        assert self._ended is not None
        if exc is None:
            raise self._ended_error(refused=False)
        if isinstance(exc, TransactionError) or self._ended[0] == ROLLED_BACK:
            return  # ours, or the failed statement's own error (rolled back): it propagates
        # The caller caught our error and raised another one: the docs say the block's own exception
        # means "rolled back", which is not true here.
        raise self._ended_error(refused=False) from exc

    def _failed(self, exc: BaseException, sql: object) -> BaseException:
        """Record a statement failure; return the exception to raise (the connection-lost form if so,
        TransactionPartlyCommittedError if the failed statement committed what ran before it)."""
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
        kind = self._kind(sql)
        try:
            if kind is not None or engine.implicit_commits or engine.may_roll_back(exc):
                # An error packet carries no status flags (MySQL): ask (one COM_PING, failures only).
                # After EVERY failure on MySQL/MariaDB: a CALL, an EXECUTE or an executable comment
                # (`/*!40000 DROP ... */`) may have committed implicitly before failing, and its first
                # words do not say so.
                state = self._bounded(engine.refresh_transaction_state, self._conn)
            else:
                state = engine.transaction_state(self._conn)
        except Exception as refresh_exc:
            self._lost = describe(refresh_exc)
            self._drop()
            if kind is not None and engine.implicit_commits:
                return self._end_early(UNKNOWN, kind, exc)
            return exc
        self._last_state = state
        if state != "ended":
            return exc  # open (MySQL: the statement alone failed) or aborted (PostgreSQL: seen at exit)
        outcome = outcome_after_failure(
            kind, implicit_commits=engine.implicit_commits, may_roll_back=engine.may_roll_back(exc)
        )
        if outcome == ROLLED_BACK:
            self._ended = (ROLLED_BACK, ROLLED_BACK_BY_FAILURE)
            return exc  # the statement's own error; later statements are refused, nothing was applied
        return self._end_early(outcome, kind, exc)

    def _run(self, sql: str, params: Any) -> Result:
        """`db.execute` inside the block: on the transaction's connection, never retried."""
        self._check_usable()
        try:
            result = self._db._run(self._conn, sql, params)
        except Exception as exc:
            raised = self._failed(exc, sql)
            if raised is exc:
                raise
            raise raised from None if raised.__cause__ is None else raised.__cause__
        self._after(sql, bool(result.rows))
        return result


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
            result = tx._bounded(method, sql, args)
        except Exception as exc:
            raised = tx._failed(exc, sql)
            if raised is exc:
                raise
            raise raised from None if raised.__cause__ is None else raised.__cause__
        tx._after(sql, self._cursor.description is not None)
        return result

    @property
    def connection(self) -> Any:
        """The driver's connection itself (psycopg2's sql/extras helpers check its type). Ending the
        transaction through it is seen from the driver's status before the next statement and at the
        block's end, and raises TransactionPartlyCommittedError (Transaction._check_usable)."""
        return self._cursor.connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)
