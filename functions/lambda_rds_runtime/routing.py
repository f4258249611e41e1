"""Reader routing: statements declared `read_only=True` go to DB_READ_HOST, everything else to DB_HOST.

Rules (docs/inside-the-function.md, "Readers"):
- Only `db.execute(..., read_only=True)` / `db.query(..., read_only=True)` outside a transaction, and only
  when the statement itself reads: it starts with SELECT, WITH, VALUES, TABLE or EXPLAIN and names
  no word that writes, locks or reads session state (INSERT, UPDATE, DELETE, FOR UPDATE/SHARE, nextval,
  LAST_INSERT_ID(), current_setting, current_schema, txid_current, lo_*, a MySQL user variable `@x`, a
  session system variable `@@session.x`, ...). Anything else (SHOW included) stays on the writer. A
  statement that still writes (`SELECT add_item(...)`, a function with side effects) is refused by the
  reader as a write (SQLSTATE 25006, MySQL 1290/1792/1836/1874): nothing was written, so it runs on the
  writer, later calls of the same text go straight there, and the reader's session is closed.
  `db.transaction()` and `db.ping()` always use the writer.
- A reader that cannot be reached (refused, timed out, lost twice) is skipped: the statement runs on the
  writer and the caller sees no error. So is a read a hot standby cancelled to replay WAL ("conflict with
  recovery"), without marking the reader down. One WARNING line `reader_unavailable` marks the start of an
  outage; the reader is tried again after RETRY_AFTER_SECONDS, and `reader_restored` (INFO) marks the end.
- A reader that accepted the connection and stopped answering (a frozen host, a hung proxy) is given up on
  in time for the writer to answer: a read on a reader gets READER_SHARE of the invocation's remaining
  time (the writer keeps the rest), or READER_STATEMENT_SECONDS without a deadline, its connect
  included; then the watchdog closes the reader's socket, the reader is marked down and the writer runs
  the statement. Before that the server itself stops the statement (SERVER_LIMIT_SHARE of the bound,
  written into the statement: engine.with_time_limit): a slow but healthy reader answers with a clean
  cancel, is not marked down, and the writer re-runs the read if the time left allows. The written limit
  never raises the session's own (the role's statement_timeout, MariaDB's MAX_STATEMENT_TIME), read once
  per reader connection: when that one is lower nothing is written, and its error is the caller's.
- Replicas lag: a read that must see the caller's own write just before it must not be declared
  read-only (or must run in the same transaction).

DB_READ_HOST holds one host, or several comma-separated (RDS read replicas have no shared endpoint): each
execution environment picks one at random and keeps it. An entry may carry its own `:port` (local
tests); otherwise DB_PORT applies. Stdlib only, imported only when DB_READ_HOST is set. Which statements
may go to a reader (the word lists and verdict caches) is read_classifier.py; this module routes the calls.
"""

from __future__ import annotations

import os
import time

from . import log
from .connection import Connection
from .errors import ConnectionLostError, DatabaseTimeoutError, DatabaseUnavailableError
from .failures import connect_failure_kind, describe
from .read_classifier import reads_only, remember, remember_refused, was_refused

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .credentials import Login
    from .result import Result

# A reader that failed is not tried again for this long: a down reader must not cost every call a
# connect attempt (in AWS an unreachable host costs the whole connect timeout).
RETRY_AFTER_SECONDS = 30.0
# Connecting to a reader gives up sooner than DB_CONNECT_TIMEOUT: the writer is there to fall back to.
READER_CONNECT_TIMEOUT = 2.0
# A statement on a reader may use this share of the invocation's remaining time (from the Lambda context);
# the rest is kept for the writer, should the reader not answer: a read that fits in half the time still
# succeeds when the reader hangs. Without a deadline a reader statement gets READER_STATEMENT_SECONDS
# (three times the database role's default statement timeout of 10 s, database.statement_timeout_ms).
READER_SHARE = 0.5
READER_STATEMENT_SECONDS = 30.0
# The server itself stops a reader statement at this share of the reader's bound (PostgreSQL SET LOCAL
# statement_timeout, MariaDB max_statement_time, MySQL's MAX_EXECUTION_TIME hint on a SELECT): a slow but
# healthy reader answers with a clean cancel before the watchdog would cut its socket, so it is not
# marked down. The rest of the bound is the time for the cancel to come back.
SERVER_LIMIT_SHARE = 0.9

# PostgreSQL's message when a standby cancels a query to replay WAL (SQLSTATE 40001 or 40P01).
RECOVERY_CONFLICT = "conflict with recovery"


def parse_hosts(value: str, port: int) -> list[tuple[str, int]]:
    """`host[:port][,host[:port]...]` -> [(host, port)], DB_PORT for entries without one."""
    out = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port_text = item.rpartition(":")
        if sep and port_text.isdigit() and host:
            out.append((host, int(port_text)))
        else:
            out.append((item, port))
    return out


class _ReaderConnection(Connection):
    """The connection to one reader: failing to connect raises DatabaseUnavailableError without logging
    `connect_failed` (the router logs one line for the outage, and the caller sees no error). Its connect
    ends by the reader's bound too (the statement's share of the time): a reader host that hangs in the
    handshake must leave the writer the rest, as one that hangs in a statement does."""

    _connect_limit = READER_CONNECT_TIMEOUT
    # The session's own statement limit (seconds, None = none), read once per connection by _open.
    session_limit: float | None = None

    def _open(self, *, reason: str | None) -> Any:
        deadline = self._deadline
        if deadline is not None:
            limit = min(self._connect_limit, deadline - time.monotonic())
            if limit <= 0:
                raise DatabaseUnavailableError(f"no time left to connect to reader {self._where()}")
            self.config = self.config.with_changes(connect_timeout=limit)
        conn = super()._open(reason=reason)
        # The reader's server-side limit must never RAISE the one the user already has (the bootstrap's
        # role statement_timeout, MariaDB's MAX_STATEMENT_TIME): the prefix would override it. One round
        # trip per reader connection, within the reader's bound.
        try:
            self.session_limit = self._within_deadline(self._engine.session_time_limit, conn)
        except Exception as exc:
            self._discard()
            raise DatabaseUnavailableError(
                f"cannot read the session's statement limit on reader {self._where()}: {describe(exc)}"
            ) from None
        return conn

    def _connect_error(self, exc: Exception, login: Login) -> Exception:
        if self._engine.is_auth_failure(exc):
            return super()._connect_error(exc, login)
        detail = describe(exc, redact=login.password)
        kind = connect_failure_kind(detail)
        return DatabaseUnavailableError(f"cannot connect to reader {self._where()}: {kind or detail}")

    def _timed_out(self, exc: BaseException) -> DatabaseTimeoutError | None:
        """The reader's own bound passed (no `statement_timeout` ERROR line: the writer answers instead,
        and the router logs `reader_unavailable`)."""
        deadline = self._deadline
        if deadline is None or time.monotonic() < deadline:
            return None
        return DatabaseTimeoutError(
            f"reader {self._where()} did not answer within its share of the time: a frozen host or a hung "
            "proxy; its connection was closed"
        )


class ReadRouter:
    """Sends reads to one reader of DB_READ_HOST, and everything else (or everything, while the reader is
    down) to the writer `Database` that owns it."""

    def __init__(
        self,
        writer: Connection,
        read_host: str,
        *,
        retry_after: float = RETRY_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._writer = writer
        hosts = parse_hosts(read_host, writer.config.port)
        self.host, self.port = hosts[int.from_bytes(os.urandom(2), "big") % len(hosts)] if hosts else ("", 0)
        self._retry_after = retry_after
        self._clock = clock
        self._reader: _ReaderConnection | None = None
        self._down_until = 0.0
        self._down = False
        self.share = READER_SHARE
        self.statement_seconds = READER_STATEMENT_SECONDS
        self.reads_on_reader = 0
        self.reads_on_writer = 0
        self.fallbacks = 0
        self.conflicts = 0
        self.refused_writes = 0
        self.reader_timeouts = 0

    def execute(self, sql: str, params: Any) -> Result:
        """Run a statement declared read-only: on the reader when it is safe and the reader is up."""
        writer = self._writer
        refused = was_refused(sql)
        if (
            not self.host
            or not reads_only(sql)
            or refused
            or (self._down and self._clock() < self._down_until)
        ):
            self.reads_on_writer += 1
            # A statement a reader refused as a write is not retried on a fresh connection either.
            return writer._execute(writer._ready(), sql, params, not refused)
        bound = self._reader_deadline(writer._deadline)
        if bound is None:  # the invocation has no time left: the writer says so, the reader is not at fault
            return writer._execute(writer._ready(), sql, params, True)
        reader = self._reader_db()
        # Arming is an attribute store: the bound moves forward from one statement to the next.
        reader._arm(bound)
        started = time.monotonic()
        prefixed = True
        try:
            conn = reader._ready()
            limit = (bound - time.monotonic()) * SERVER_LIMIT_SHARE
            own = reader.session_limit
            # The smaller of the two: the session's own limit, when lower, applies by itself (no prefix).
            prefixed = limit > 0 and (own is None or limit < own)
            bounded_sql = writer._engine.with_time_limit(conn, sql, limit) if prefixed else sql
            result = reader._execute(conn, bounded_sql, params, True)
        except (DatabaseUnavailableError, ConnectionLostError) as exc:
            self._mark_down(exc)
            self.reads_on_writer += 1
            return writer._execute(writer._ready(), sql, params, True)
        except Exception as exc:
            if writer._engine.refuses_write(exc):
                # The reader refused a write hidden in a read (a function that writes, nextval() inside a
                # view ...): nothing was written, so the writer runs it, now and for later calls.
                remember(sql, False)
                remember_refused(sql)
                # The refused statement may have left session state on the reader (an advisory lock the
                # function took before its INSERT failed, a temporary table): closing the session ends it.
                reader._discard()
                self.refused_writes += 1
                self.reads_on_writer += 1
                log.emit(
                    "reader_refused_write",
                    "WARNING",
                    engine=writer.config.engine,
                    host=self.host,
                    reason=describe(exc),
                    action="ran on the writer; this statement text goes to the writer from now on",
                )
                # Not retried if the writer's connection dies under it: it is known to write.
                return writer._execute(writer._ready(), sql, params, False)
            if writer._engine.is_statement_timeout(exc):
                if not prefixed:  # the session's own limit, which the writer has too: its error, as is
                    raise
                return self._after_reader_limit(sql, params, exc, time.monotonic() - started)
            if RECOVERY_CONFLICT not in str(exc):
                if prefixed:  # the caller's error as on the writer, without the limit it never wrote
                    writer._engine.error_without_time_limit(exc)
                raise
            # A hot standby cancelled the read to replay the primary's changes (PostgreSQL replicas, with
            # max_standby_streaming_delay exceeded): nothing was written, so the writer answers instead.
            # Not an outage: the reader keeps taking reads.
            self.conflicts += 1
            self.reads_on_writer += 1
            return writer._execute(writer._ready(), sql, params, True)
        if self._down:
            self._down = False
            log.emit("reader_restored", engine=writer.config.engine, host=self.host)
        self.reads_on_reader += 1
        return result

    def _after_reader_limit(self, sql: str, params: Any, exc: Exception, spent: float) -> Result:
        """The reader stopped the statement at its share of the time: it is alive (not marked down). The
        writer runs it when the time left before the deadline is more than the reader already spent (a
        statement that needs more than its share may still fit); otherwise, or without a deadline (the
        reader then had READER_STATEMENT_SECONDS), the caller gets the timeout."""
        writer = self._writer
        self.reader_timeouts += 1
        deadline = writer._deadline
        rerun = deadline is not None and deadline - time.monotonic() > spent
        log.emit(
            "reader_statement_timeout",
            "WARNING",
            engine=writer.config.engine,
            host=self.host,
            seconds=round(spent, 3),
            action="ran on the writer" if rerun else "not re-run: too little time left",
        )
        if not rerun:
            raise DatabaseTimeoutError(
                f"the read ran longer than its share of the time on reader {self.host} ({spent:.2f}s, "
                "stopped by the server) and too little time is left to run it on the writer"
            ) from exc
        self.reads_on_writer += 1
        return writer._execute(writer._ready(), sql, params, True)

    def _reader_deadline(self, deadline: float | None) -> float | None:
        """When a statement on the reader is given up on: READER_SHARE of the time left before the
        invocation's deadline, or READER_STATEMENT_SECONDS from now without one; None if no time is left."""
        now = time.monotonic()
        if deadline is None:
            return now + self.statement_seconds
        if deadline <= now:
            return None
        return now + (deadline - now) * self.share

    def close(self) -> None:
        """Close the reader's connection (the writer's is the owner's)."""
        if self._reader is not None:
            self._reader.close()

    def _reader_db(self) -> _ReaderConnection:
        reader = self._reader
        if reader is None:
            c = self._writer.config
            limit = min(c.connect_timeout, READER_CONNECT_TIMEOUT)
            # The reader's own host and a connect held to its share; no read host of its own.
            config = c.with_changes(host=self.host, port=self.port, connect_timeout=limit, read_host=None)
            # secret: the writer's source (one cached secret); iam: a token signed for the reader's host.
            source = self._writer._source if c.auth == "secret" else None
            reader = _ReaderConnection(config, engine=self._writer._engine, source=source)
            reader._connect_limit = limit
            self._reader = reader
        return reader

    def _mark_down(self, exc: BaseException) -> None:
        self.fallbacks += 1
        self._down_until = self._clock() + self._retry_after
        if self._reader is not None:
            self._reader.close()
        if not self._down:
            self._down = True
            log.emit(
                "reader_unavailable",
                "WARNING",
                engine=self._writer.config.engine,
                host=self.host,
                reason=describe(exc),
                action=f"reads go to the writer; the reader is tried again in {self._retry_after:g}s",
            )
