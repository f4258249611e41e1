"""Reader routing: statements declared `read_only=True` go to DB_READ_HOST, everything else to DB_HOST.

Rules (docs/inside-the-function.md, "Readers"):
- Only `db.execute(..., read_only=True)` / `db.query(..., read_only=True)` outside a transaction, and only
  when the statement itself reads: it starts with SELECT, WITH, SHOW, VALUES, TABLE or EXPLAIN and names
  no word that writes, locks or reads session state (INSERT, UPDATE, DELETE, FOR UPDATE/SHARE, nextval,
  LAST_INSERT_ID(), ...). Anything else stays on the writer: a mistaken `read_only=True` on a write is
  never sent to a reader. `db.transaction()` and `db.ping()` always use the writer.
- A reader that cannot be reached (refused, timed out, lost twice) is skipped: the statement runs on the
  writer and the caller sees no error. So is a read a hot standby cancelled to replay WAL ("conflict with
  recovery"), without marking the reader down. One WARNING line `reader_unavailable` marks the start of an
  outage; the reader is tried again after RETRY_AFTER_SECONDS, and `reader_restored` (INFO) marks the end.
- Replicas lag: a read that must see the caller's own write just before it must not be declared
  read-only (or must run in the same transaction).

DB_READ_HOST holds one host, or several comma-separated (RDS read replicas have no shared endpoint): each
execution environment picks one at random and keeps it. An entry may carry its own `:port` (local
tests); otherwise DB_PORT applies. Stdlib only, imported only when DB_READ_HOST is set.
"""

from __future__ import annotations

import os
import time

from . import log
from .config import DbConfig
from .connection import Connection
from .errors import ConnectionLostError, DatabaseUnavailableError
from .failures import connect_failure_kind, describe

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

_READ_STARTS = frozenset({"SELECT", "WITH", "SHOW", "VALUES", "TABLE", "EXPLAIN"})
# Words that make a statement unsafe on a reader: writes, locks, sequences, session state that a replica
# does not share with the caller's writer session (LAST_INSERT_ID(), currval), transaction control.
_NOT_ON_A_READER = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "INTO", "CREATE", "ALTER", "DROP",
        "TRUNCATE", "GRANT", "REVOKE", "LOCK", "SHARE", "CALL", "DO", "COPY", "SET", "EXECUTE", "PREPARE",
        "NEXTVAL", "SETVAL", "CURRVAL", "LASTVAL", "LAST_INSERT_ID", "FOUND_ROWS", "ROW_COUNT", "GET_LOCK",
        "RELEASE_LOCK", "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "LISTEN",
        "NOTIFY", "VACUUM", "REFRESH",
    }
)  # fmt: skip
_NOT_ON_A_READER_PREFIXES = ("PG_ADVISORY", "PG_TRY_ADVISORY", "SET_CONFIG", "PG_NOTIFY")
# PostgreSQL's message when a standby cancels a query to replay WAL (SQLSTATE 40001 or 40P01).
RECOVERY_CONFLICT = "conflict with recovery"
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_decided: dict[str, bool] = {}


def reads_only(sql: str) -> bool:
    """Whether `sql` may run on a reader: a read by its first word, and no word that writes or locks.

    Deliberately coarse: a false "no" costs nothing (the writer answers), a false "yes" would send a
    write to a reader. Words inside string literals and comments count too (in the safe direction)."""
    known = _decided.get(sql)
    if known is not None:
        return known
    text = "".join(c if c in _WORD_CHARS else " " for c in sql.upper())
    words = text.split()
    verdict = bool(words) and words[0] in _READ_STARTS
    if verdict:
        for word in words:
            if word in _NOT_ON_A_READER or word.startswith(_NOT_ON_A_READER_PREFIXES):
                verdict = False
                break
    if len(_decided) < 512:
        _decided[sql] = verdict
    return verdict


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
    `connect_failed` (the router logs one line for the outage, and the caller sees no error)."""

    def _connect_error(self, exc: Exception, login: Login) -> Exception:
        if self._engine.is_auth_failure(exc):
            return super()._connect_error(exc, login)
        detail = describe(exc, redact=login.password)
        kind = connect_failure_kind(detail)
        return DatabaseUnavailableError(f"cannot connect to reader {self._where()}: {kind or detail}")


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
        self._reader: Connection | None = None
        self._down_until = 0.0
        self._down = False
        self.reads_on_reader = 0
        self.reads_on_writer = 0
        self.fallbacks = 0
        self.conflicts = 0

    def execute(self, sql: str, params: Any) -> Result:
        """Run a statement declared read-only: on the reader when it is safe and the reader is up."""
        writer = self._writer
        if not self.host or not reads_only(sql) or (self._down and self._clock() < self._down_until):
            self.reads_on_writer += 1
            return writer._execute(writer._ready(), sql, params, True)
        reader = self._reader_db()
        if reader._deadline != writer._deadline:
            reader._arm(writer._deadline)  # the invocation's deadline bounds reads on the reader too
        try:
            result = reader._execute(reader._ready(), sql, params, True)
        except (DatabaseUnavailableError, ConnectionLostError) as exc:
            self._mark_down(exc)
            self.reads_on_writer += 1
            return writer._execute(writer._ready(), sql, params, True)
        except Exception as exc:
            if RECOVERY_CONFLICT not in str(exc):
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

    def close(self) -> None:
        """Close the reader's connection (the writer's is the owner's)."""
        if self._reader is not None:
            self._reader.close()

    def _reader_db(self) -> Connection:
        reader = self._reader
        if reader is None:
            c = self._writer.config
            config = DbConfig(
                engine=c.engine,
                host=self.host,
                port=self.port,
                database=c.database,
                user=c.user,
                auth=c.auth,
                ca_bundle=c.ca_bundle,
                connect_timeout=min(c.connect_timeout, READER_CONNECT_TIMEOUT),
                secret_arn=c.secret_arn,
                region=c.region,
            )
            # secret: the writer's source (one cached secret); iam: a token signed for the reader's host.
            source = self._writer._source if c.auth == "secret" else None
            reader = _ReaderConnection(config, engine=self._writer._engine, source=source)
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
