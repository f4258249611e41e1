"""Running one PostgreSQL migration, and saying exactly what happened when it did not go as planned.

A migration runs in one transaction with its bookkeeping row, so it is applied and recorded, or neither.
Nothing runs before the file's first statement in that transaction, so a file may start with
`SET TRANSACTION ISOLATION LEVEL ...` (which must come before any query). What a file can do to that
transaction, and how each case is told apart:
- a ROLLBACK (or ABORT) undoes what came before it, and PostgreSQL reports only the last command's
  status of a multi-statement file: such a file is refused before it runs (sql_scan reads its
  statements), and the server's own answer is still checked after it in case the scan misread it (a
  last status of ROLLBACK, or no transaction open though the scan found no COMMIT, which also catches
  PREPARE TRANSACTION): refused, not recorded;
- its own COMMIT makes what came before durable (a file wrapped in BEGIN/COMMIT): once it ran to the
  end, everything persisted and it is recorded; if it fails after such a COMMIT, part of it persisted,
  and the error says so;
- `SET search_path` / `SET ROLE` would carry over to the next migration and to the grants: the session
  is reset after every migration (RESET ALL, RESET ROLE; never DISCARD ALL, which would drop the lock);
- statements that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, sources.PG_CREATE_INDEX)
  run when the file's first line is NO_TRANSACTION_MARKER: in autocommit, recorded after it succeeded.
  Such a file must not leave a transaction open (BEGIN without COMMIT): the record, the grants and the
  unlock would run inside it and be rolled back when the connection closes, so it is rolled back and
  refused.
"""

from __future__ import annotations

import contextlib

from ..engines.postgres import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INERROR
from . import pg_sql, sql_scan
from .errors import BootstrapError, one_line, redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .migrations import Migration
    from .request import BootstrapRequest

# SQLSTATE 25001 active_sql_transaction: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
# but also "SET TRANSACTION ISOLATION LEVEL must be called before any query": the hint needs the text.
ACTIVE_SQL_TRANSACTION = "25001"
_IN_BLOCK = "inside a transaction block"
_REMOVE_CONTROL = (
    "Remove the transaction control from the file (each migration already runs in its own transaction) "
    "and re-run the bootstrap"
)


class _EndedInRollback(Exception):
    """The file's own ROLLBACK ended the migration's transaction."""


class _EndedUnseen(Exception):
    """The migration's transaction is over after the file, but the scan found no COMMIT in it."""


def apply_migration(conn: Any, request: BootstrapRequest, migration: Migration, done: list[str]) -> None:
    """Run and record `migration` (the caller holds the lock); raise BootstrapError saying what persisted."""
    if sql_scan.rolls_back(migration.sql):
        raise BootstrapError(
            f"migration {migration.name} contains ROLLBACK (or ABORT): it would undo part of itself, so it "
            f"is refused before running and NOT recorded as applied; {_before(done)}. {_REMOVE_CONTROL}"
        )
    try:
        if migration.no_transaction:
            _outside_transaction(conn, request, migration, done)
        else:
            _in_transaction(conn, request, migration, done)
    finally:
        if conn.closed == 0:
            with contextlib.suppress(Exception):  # a failure here surfaces on the next statement
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(pg_sql.reset_session())


def _in_transaction(conn: Any, request: BootstrapRequest, migration: Migration, done: list[str]) -> None:
    from ..engines.postgres import PostgresEngine

    before = _before(done)
    conn.autocommit = False  # psycopg2 sends BEGIN with the file: nothing of ours runs before its first line
    committing = False
    try:
        with conn.cursor() as cur:
            cur.execute(migration.sql)
            # Ended by the file itself with a ROLLBACK (its last command; one earlier is refused above).
            if conn.info.transaction_status == TRANSACTION_STATUS_IDLE and _last_is_rollback(cur):
                raise _EndedInRollback
            # Over, though the scan saw no COMMIT: something it misread ended it (a ROLLBACK, ABORT or
            # PREPARE TRANSACTION); what ran after that ran in autocommit.
            if conn.info.transaction_status == TRANSACTION_STATUS_IDLE and not sql_scan.commits(
                migration.sql
            ):
                raise _EndedUnseen
            # Still in a transaction, or ended by the file's own COMMIT (what followed it ran in autocommit
            # and succeeded): everything it ran persisted or persists with the record.
            cur.execute(*pg_sql.record_migration(migration.name, migration.checksum))
        committing = True
        conn.commit()
    except _EndedUnseen:
        raise BootstrapError(
            f"migration {migration.name} ended its transaction without a COMMIT the bootstrap could read "
            "(a ROLLBACK, ABORT or PREPARE TRANSACTION it did not recognise): what it ran before that was "
            "undone (or left prepared, see pg_prepared_xacts), the statements after it may have persisted, "
            f"and it is NOT recorded as applied; {before}. Inspect the database, remove the transaction "
            "control from the file (each migration already runs in its own transaction) and make it safe "
            "to re-run"
        ) from None
    except _EndedInRollback:
        with contextlib.suppress(Exception):
            conn.rollback()
        raise BootstrapError(
            f"migration {migration.name} ended its transaction with its own ROLLBACK: what it ran since its "
            f"transaction began was undone{_commit_note(migration)}, and it is NOT recorded as applied; "
            f"{before}. {_REMOVE_CONTROL}"
        ) from None
    except Exception as exc:
        detail = redact(one_line(exc), request.secrets) + _hint(exc)
        if PostgresEngine().is_connection_lost(conn, exc):
            raise BootstrapError(
                f"migration {migration.name}: the connection was lost while it ran ({detail}); {before}. "
                f"If {pg_sql.MIGRATIONS_TABLE} lists {migration.name}, it was applied; otherwise "
                "PostgreSQL rolled it back (unless it contains its own COMMIT). Re-run the bootstrap: "
                "it continues from what is recorded"
            ) from None
        status = conn.info.transaction_status
        with contextlib.suppress(Exception):  # the original failure is what must be reported
            conn.rollback()
        # Outside our transaction when it failed (not in an aborted block: the file's COMMIT ended it and
        # the failing statement ran in autocommit), or the file has a COMMIT before the failing statement.
        surely_ended = not committing and status != TRANSACTION_STATUS_INERROR
        if surely_ended or sql_scan.commits(migration.sql):
            part = "persisted" if surely_ended else "persisted if that COMMIT ran before the failure"
            raise BootstrapError(
                f"migration {migration.name} failed after committing part of itself (it contains "
                f"COMMIT or other transaction control, so it is not atomic): the statements before "
                f"that COMMIT {part}, the rest was undone, and it is NOT recorded as applied; {before}. "
                "Inspect the database, remove the transaction control from the migration (each migration "
                f"already runs in its own transaction) and make it safe to re-run: {detail}"
            ) from None
        raise BootstrapError(
            f"migration {migration.name} failed and was rolled back (nothing of it persisted; "
            f"{before}); fix it and re-run the bootstrap: {detail}"
        ) from None


def _outside_transaction(conn: Any, request: BootstrapRequest, migration: Migration, done: list[str]) -> None:
    """A file marked NO_TRANSACTION_MARKER: autocommit, recorded once it succeeded and left no transaction
    open (the record, the grants and the unlock would otherwise run in it, and be undone at close)."""
    before = _before(done)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(migration.sql)
    except Exception as exc:
        detail = redact(one_line(exc), request.secrets)
        _end_open_transaction(conn)
        # Several statements in one query form one implicit transaction, undone as a whole, except what
        # came before a COMMIT in it.
        persisted = "; the statements before its COMMIT persisted" if sql_scan.commits(migration.sql) else ""
        raise BootstrapError(
            f"migration {migration.name} (run outside a transaction, as its first line asks) failed and is "
            f"NOT recorded as applied{persisted}; {before}. Such a file should hold a single statement. "
            "A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it (DROP INDEX "
            f"CONCURRENTLY IF EXISTS ...) before re-running the bootstrap: {detail}"
        ) from None
    if conn.info.transaction_status != TRANSACTION_STATUS_IDLE:
        _end_open_transaction(conn)
        raise BootstrapError(
            f"migration {migration.name} (run outside a transaction, as its first line asks) left a "
            "transaction open (BEGIN or START TRANSACTION without COMMIT): what it ran in that transaction "
            f"was rolled back{_commit_note(migration)}, and it is NOT recorded as applied; {before}. A file "
            "marked no-transaction must not open a transaction: remove the BEGIN, or the marker"
        )
    try:
        with conn.cursor() as cur:
            cur.execute(*pg_sql.record_migration(migration.name, migration.checksum))
    except Exception as exc:
        raise BootstrapError(
            f"migration {migration.name} ran (outside a transaction), but recording it in "
            f"{pg_sql.MIGRATIONS_TABLE} failed ({before}): record it by hand or make it safe to re-run "
            f"before re-running the bootstrap: {redact(one_line(exc), request.secrets)}"
        ) from None


def _end_open_transaction(conn: Any) -> None:
    """Roll back a transaction the file opened (in autocommit, psycopg2's rollback() would do nothing)."""
    if conn.closed != 0 or conn.info.transaction_status == TRANSACTION_STATUS_IDLE:
        return
    with contextlib.suppress(Exception), conn.cursor() as cur:
        cur.execute("ROLLBACK")


def _last_is_rollback(cur: Any) -> bool:
    """The last command's status tag (COMMIT of a failed transaction also answers ROLLBACK)."""
    return str(cur.statusmessage or "").split(" ", 1)[0].upper() == "ROLLBACK"


def _commit_note(migration: Migration) -> str:
    if sql_scan.commits(migration.sql):
        return " (what came before its COMMIT persisted)"
    return ""


def _hint(exc: BaseException) -> str:
    if getattr(exc, "pgcode", None) != ACTIVE_SQL_TRANSACTION:
        return ""
    if "SET TRANSACTION" in str(exc).upper():
        return " (SET TRANSACTION must be the first statement of the file: nothing runs before it)"
    if _IN_BLOCK in str(exc):
        from .migrations import NO_TRANSACTION_MARKER

        return (
            f" (a statement that cannot run in a transaction block goes in a file of its own whose first "
            f"line is '{NO_TRANSACTION_MARKER}')"
        )
    return ""


def _before(done: list[str]) -> str:
    return f"applied before it in this run: {', '.join(done) or 'none'}"
