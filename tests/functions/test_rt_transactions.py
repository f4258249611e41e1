"""`db.transaction()` never lies (issue 12, defects 1-4), on PostgreSQL, MariaDB and through PgBouncer.

- leaving the block returns only if the transaction committed (PostgreSQL answers COMMIT of an aborted
  transaction with ROLLBACK, and psycopg2 does not raise);
- a block that could not be ended never leaves BEGIN open on the shared connection;
- nested blocks are refused with the library's own error, never committing the outer one;
- inside a block, `db.execute` belongs to the block or fails: never a new autocommit connection.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.sql
import pymysql
import pytest
from lambda_rds_runtime import (
    TransactionError,
    TransactionPartlyCommittedError,
    TransactionRolledBackError,
)
from rt_helpers import MariaTarget, PgTarget
from rt_servers import PgBouncerServer

# PostgreSQL, PgBouncer and MariaDB tests share a file: each test names the server it needs.
PG = pytest.mark.xdist_group("postgres")
MARIA = pytest.mark.xdist_group("mariadb")
ENGINES = [pytest.param("postgres", marks=PG), pytest.param("mariadb", marks=MARIA)]


def stored(kind: str, tgt: Any) -> list[int]:
    """Ids in table t, read by the admin on a separate connection (what is really committed)."""
    if kind == "mariadb":
        rows = tgt.server.sql("SELECT id FROM t ORDER BY id", database=tgt.database)
    else:
        rows = tgt.server.sql("SELECT id FROM t ORDER BY id", dbname=tgt.database)
    return [row[0] for row in rows]


def kill(kind: str, tgt: Any) -> None:
    """End the application user's server sessions."""
    if kind == "mariadb":
        tgt.server.kill(tgt.user)
        time.sleep(0.1)  # KILL is asynchronous in MariaDB
    else:
        tgt.server.terminate(tgt.user)


# -- defect 1: PostgreSQL COMMIT of an aborted transaction ------------------------------------------------


@pytest.mark.parametrize("via_bouncer", [False, True], ids=["postgres", "pgbouncer"])
@PG
def test_pg_block_that_caught_an_sql_error_does_not_report_commit(
    request: pytest.FixtureRequest, pg_target: PgTarget, via_bouncer: bool
) -> None:
    if via_bouncer:
        bouncer: PgBouncerServer = request.getfixturevalue("pgbouncer")
        bouncer.add_user(pg_target.user, pg_target.password)
        db = pg_target.database_for(port=bouncer.port)
    else:
        db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int)")
    with pytest.raises(TransactionRolledBackError, match="aborted the transaction"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(psycopg2.errors.DivisionByZero):  # "handled": the transaction is aborted
            cur.execute("SELECT 1/0")
    assert stored("postgres", pg_target) == []
    # The connection is back in autocommit and usable; the next block commits normally.
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (2)")
    db.execute("INSERT INTO t VALUES (3)")
    assert stored("postgres", pg_target) == [2, 3]
    assert db.connects == 1


@PG
def test_pg_savepoint_recovery_still_commits(pg_target: PgTarget) -> None:
    """Recovering with ROLLBACK TO SAVEPOINT leaves a healthy transaction: that one does commit."""
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int PRIMARY KEY)")
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("SAVEPOINT s")
        try:
            cur.execute("INSERT INTO t VALUES (1)")
        except psycopg2.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT s")
        cur.execute("INSERT INTO t VALUES (2)")
    assert stored("postgres", pg_target) == [1, 2]


# -- defect 2: MySQL block whose ending fails must not leave BEGIN open ----------------------------------


@MARIA
def test_mysql_failed_block_end_leaves_no_transaction_open(maria_target: MariaTarget) -> None:
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT)")
    # A procedure whose second result set fails: PyMySQL raises only when the cursor is closed.
    db.execute("CREATE PROCEDURE two_sets() BEGIN SELECT 1; SELECT * FROM no_such_table; END")
    with pytest.raises(TransactionRolledBackError, match="no_such_table") as info, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("CALL two_sets()")
    assert isinstance(info.value.__cause__, pymysql.err.ProgrammingError)
    # An autocommit write reported as done must survive the connection closing ...
    db.execute("INSERT INTO t VALUES (2)")
    db.close()
    # ... and the failed block must never be committed by a later BEGIN.
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (3)")
    assert stored("mariadb", maria_target) == [2, 3]


@MARIA
def test_mysql_deadlock_inside_a_block_is_not_reported_committed(maria_target: MariaTarget) -> None:
    """A deadlock rolls the whole transaction back; statements after it would autocommit one by one."""
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
    db.execute("INSERT INTO t VALUES (1, 0), (2, 0)")
    other = maria_target.server.admin(maria_target.database)
    other.begin()
    with other.cursor() as ocur:
        ocur.execute("UPDATE t SET v = 1 WHERE id = 2")
    deadlocked: list[BaseException] = []

    def second_lock() -> None:
        try:
            with other.cursor() as ocur:
                ocur.execute("UPDATE t SET v = 1 WHERE id = 1")  # waits for the block below
            other.commit()
        except BaseException as exc:
            deadlocked.append(exc)

    with pytest.raises(TransactionRolledBackError, match="rolled"), db.transaction() as cur:
        cur.execute("UPDATE t SET v = 5 WHERE id = 1")
        thread = threading.Thread(target=second_lock, daemon=True)
        thread.start()
        time.sleep(0.3)
        try:
            cur.execute("UPDATE t SET v = 5 WHERE id = 2")  # deadlock: one of the two is rolled back
        except pymysql.err.OperationalError as exc:
            assert exc.args[0] == 1213
        else:  # pragma: no cover - InnoDB picked the other transaction as the victim
            thread.join(10)
            pytest.skip("InnoDB rolled back the other transaction")
        thread.join(10)
        cur.execute("INSERT INTO t VALUES (3, 3)")  # refused: it would run outside any transaction
    other.close()
    assert 3 not in stored("mariadb", maria_target)


# -- defect 3: nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_nested_transaction_is_refused_and_commits_nothing(
    request: pytest.FixtureRequest, engine: str
) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    db = tgt.database_for()
    db.execute("CREATE TABLE t (id INT)")
    with pytest.raises(TransactionError, match="nested"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with db.transaction() as inner:
            inner.execute("INSERT INTO t VALUES (2)")
    assert stored(engine, tgt) == []
    with db.transaction() as cur:  # the refused attempt left the Database usable
        cur.execute("INSERT INTO t VALUES (3)")
    assert stored(engine, tgt) == [3]


# -- defect 4: db.execute inside a block after the connection died ----------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_execute_inside_a_block_after_the_connection_died_is_refused(
    request: pytest.FixtureRequest, engine: str
) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    db = tgt.database_for()
    db.execute("CREATE TABLE t (id INT)")
    with pytest.raises(TransactionRolledBackError, match="lost inside"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        kill(engine, tgt)
        with contextlib.suppress(Exception):
            cur.execute("INSERT INTO t VALUES (2)")
        with pytest.raises(TransactionError, match="lost inside this transaction"):
            db.execute("INSERT INTO t VALUES (3)")  # never on a fresh autocommit connection
        db.execute("INSERT INTO t VALUES (4)")
    assert stored(engine, tgt) == []
    db.execute("INSERT INTO t VALUES (5)")  # after the block: reconnects as usual
    assert stored(engine, tgt) == [5]


@pytest.mark.parametrize("engine", ENGINES)
def test_execute_inside_a_block_belongs_to_the_block(request: pytest.FixtureRequest, engine: str) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    db = tgt.database_for()
    db.execute("CREATE TABLE t (id INT)")
    with pytest.raises(RuntimeError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        db.execute("INSERT INTO t VALUES (2)")
        assert db.query("SELECT COUNT(*) FROM t") == [(2,)]
        assert db.ping() >= 0
        raise RuntimeError("abort the block")
    assert stored(engine, tgt) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_kill_just_before_commit_reports_rolled_back(request: pytest.FixtureRequest, engine: str) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    db = tgt.database_for()
    db.execute("CREATE TABLE t (id INT)")
    with (
        pytest.raises(TransactionRolledBackError, match="nothing of it was applied"),
        db.transaction() as cur,
    ):
        cur.execute("INSERT INTO t VALUES (1)")
        kill(engine, tgt)
    assert stored(engine, tgt) == []
    assert db.query("SELECT 1") == [(1,)]


@PG
def test_cursor_after_the_block_is_refused(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    with db.transaction() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    with pytest.raises(TransactionError, match="has ended"):
        cur.execute("SELECT 1")


# -- second review (H8b): the block's connection is not the caller's to end ------------------------------


@MARIA
def test_mysql_autocommit_turned_off_in_a_block_does_not_swallow_later_writes(
    maria_target: MariaTarget,
) -> None:
    """`SET autocommit = 0` inside a block survived the COMMIT: every later `db.execute` write waited for
    a COMMIT that never came, and was lost with the connection. The connection is dropped instead."""
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
    with db.transaction() as cur:
        cur.execute("SET autocommit = 0")
        cur.execute("INSERT INTO t VALUES (1)")
    db.execute("INSERT INTO t VALUES (2)")
    assert stored("mariadb", maria_target) == [1, 2]
    with pytest.raises(ValueError, match="app"), db.transaction() as cur:
        cur.execute("SET autocommit = 0")
        raise ValueError("app")
    db.execute("INSERT INTO t VALUES (3)")
    assert stored("mariadb", maria_target) == [1, 2, 3]


def _end_through_the_driver(kind: str, conn: Any, method: str) -> None:
    if method != "autocommit":
        getattr(conn, method)()
    elif kind == "postgres":
        conn.autocommit = True
    else:
        conn.autocommit(True)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("method", ["commit", "rollback", "autocommit"])
def test_cursor_connection_ending_the_block_is_reported(
    request: pytest.FixtureRequest, kind: str, method: str
) -> None:
    """`cur.connection` is the driver's own connection (psycopg2's sql/extras helpers need it): a
    `commit()`, `rollback()` or autocommit switch through it that ends the transaction is seen in the
    status the driver already holds, before the block's next statement or at its end, and the block
    raises instead of going on (or reporting a commit) as if it were one unit."""
    tgt = request.getfixturevalue("pg_target" if kind == "postgres" else "maria_target")
    db = tgt.database_for()
    db.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    committed = [] if method == "rollback" else [1]
    if kind == "postgres" and method == "autocommit":  # psycopg2 refuses to switch inside a transaction
        with pytest.raises(psycopg2.ProgrammingError), db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            _end_through_the_driver(kind, cur.connection, method)
        committed = []
    elif method == "autocommit":  # PyMySQL sends nothing: autocommit is on (START TRANSACTION suspends it)
        with db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            _end_through_the_driver(kind, cur.connection, method)
            cur.execute("INSERT INTO t VALUES (2)")
        committed = [1, 2]
    else:
        partly = pytest.raises(TransactionPartlyCommittedError, match="MAY have been committed")
        with partly, db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            _end_through_the_driver(kind, cur.connection, method)
            cur.execute("INSERT INTO t VALUES (2)")  # refused: it would run outside the transaction
        with pytest.raises(TransactionPartlyCommittedError), db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (10)")
            _end_through_the_driver(kind, cur.connection, method)
        committed += [] if method == "rollback" else [10]
    assert stored(kind, tgt) == committed
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (3)")
        assert cur.connection.encoding if kind == "postgres" else cur.connection.get_server_info()
    db.execute("INSERT INTO t VALUES (4)")  # autocommit again
    assert stored(kind, tgt) == sorted([*committed, 3, 4])
    db.close()


@PG
def test_psycopg2_helpers_take_the_cursor_connection(pg_target: PgTarget) -> None:
    """psycopg2's `sql.Composable.as_string`, `quote_ident` and `register_uuid` need the real connection
    type: they raised TypeError with a wrapper."""
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id INT PRIMARY KEY, u uuid)")
    with db.transaction() as cur:
        assert psycopg2.sql.Identifier("t").as_string(cur.connection) == '"t"'
        assert psycopg2.extensions.quote_ident("a b", cur.connection) == '"a b"'
        psycopg2.extras.register_uuid(conn_or_curs=cur.connection)
        value = uuid.UUID(int=7)
        cur.execute(
            psycopg2.sql.SQL("INSERT INTO {} VALUES (1, %s)").format(psycopg2.sql.Identifier("t")), (value,)
        )
        cur.execute("SELECT u FROM t")
        assert cur.fetchall() == [(value,)]
    assert db.query("SELECT count(*) FROM t") == [(1,)]
    db.close()
