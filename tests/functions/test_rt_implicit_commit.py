"""A statement that ends the transaction inside `db.transaction()` (issue 18, items 2 and 11).

- MySQL/MariaDB commit the open transaction implicitly before DDL, TRUNCATE, LOCK TABLES, START
  TRANSACTION ... (even when that statement fails): the block must say it was (partly) committed, never
  "rolled back, nothing of it was applied" (a caller retrying on that error would apply it twice), and
  refuse its later statements (they would autocommit one by one).
- A COMMIT written in the block does the same on both engines; a ROLLBACK written in the block lost the
  first rows while the block exited normally (PostgreSQL): it must raise.
- A deferred constraint failing at the block's COMMIT raised a raw psycopg2 error: it must be the
  documented TransactionRolledBackError (the cause chained).
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg2
import pymysql
import pytest
from lambda_rds_runtime import (
    Database,
    TransactionPartlyCommittedError,
    TransactionRolledBackError,
)
from lambda_rds_runtime.statements import statement_kind
from rt_helpers import LogCapture, MariaTarget, PgTarget
from rt_servers import PgBouncerServer

PG = pytest.mark.xdist_group("postgres")
MARIA = pytest.mark.xdist_group("mariadb")


def stored(tgt: Any, table: str = "t") -> list[int]:
    """Ids in `table`, read by the admin on a separate connection (what is really committed)."""
    if isinstance(tgt, MariaTarget):
        rows = tgt.server.sql(f"SELECT id FROM {table} ORDER BY id", database=tgt.database)
    else:
        rows = tgt.server.sql(f"SELECT id FROM {table} ORDER BY id", dbname=tgt.database)
    return [row[0] for row in rows]


def _maria(maria_target: MariaTarget) -> Database:
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
    db.execute("CREATE TABLE other (id INT) ENGINE=InnoDB")
    return db


# -- the classifier (no server) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("COMMIT", "commit"),
        ("  commit work;", "commit"),
        ("END", "commit"),
        ("COMMIT AND CHAIN", "commit"),
        ("ROLLBACK", "rollback"),
        ("/* why */ rollback;", "rollback"),
        ("-- note\nABORT", "rollback"),
        ("ROLLBACK TO SAVEPOINT s", None),
        ("ROLLBACK WORK TO s", None),
        ("BEGIN", "begin"),
        ("start transaction read only", "begin"),
        ("BEGIN NOT ATOMIC SELECT 1; END", None),
        ("TRUNCATE TABLE t", "implicit"),
        ("create table x (id int)", "implicit"),
        ("LOCK TABLES t WRITE", "implicit"),
        ("SET autocommit = 1", "implicit"),
        ("INSERT INTO t VALUES (1)", None),
        ("SELECT 1", None),
        (b"TRUNCATE t", "implicit"),
        ("", None),
        (object(), None),
    ],
)
def test_statement_kind(sql: object, kind: str | None) -> None:
    assert statement_kind(sql) == kind


# -- MySQL / MariaDB: implicit commits ---------------------------------------------------------------------


@MARIA
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE TABLE other",
        "CREATE TABLE t2 (id INT)",
        "ALTER TABLE other ADD COLUMN c INT",
        "DROP TABLE other",
        "RENAME TABLE other TO other2",
        "CREATE INDEX i ON other (id)",
        "LOCK TABLES other WRITE",
        "START TRANSACTION",
        "BEGIN",
        "COMMIT",
        "COMMIT AND CHAIN",
    ],
)
def test_mysql_implicit_commit_is_reported_committed_not_rolled_back(
    maria_target: MariaTarget, runtime_logs: LogCapture, statement: str
) -> None:
    db = _maria(maria_target)
    reached = []
    with (
        pytest.raises(TransactionPartlyCommittedError, match="IS committed") as info,
        db.transaction() as cur,
    ):
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute(statement)  # raises: what ran before it is committed
        reached.append(statement)
        cur.execute("INSERT INTO t VALUES (2)")
    assert reached == []
    assert not isinstance(info.value, TransactionRolledBackError)
    assert "do not retry it as a whole" in str(info.value)
    assert stored(maria_target) == [1]
    assert [e["outcome"] for e in runtime_logs.named("transaction_ended_early")] == ["committed"]
    # The Database is usable, in autocommit, with no table lock or chained transaction left over.
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (3)")
    db.execute("INSERT INTO t VALUES (4)")
    assert stored(maria_target) == [1, 3, 4]


@MARIA
def test_mysql_failing_ddl_still_commits_and_says_so(maria_target: MariaTarget) -> None:
    """MariaDB commits before running the DDL, even when the DDL then fails (the table exists)."""
    db = _maria(maria_target)
    with pytest.raises(TransactionPartlyCommittedError) as info, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("CREATE TABLE other (id INT)")
    assert isinstance(info.value.__cause__, pymysql.err.OperationalError)
    assert info.value.__cause__.args[0] == 1050  # ER_TABLE_EXISTS_ERROR
    assert stored(maria_target) == [1]


@MARIA
def test_mysql_block_stays_one_unit_until_a_statement_commits_it(maria_target: MariaTarget) -> None:
    """No false alarm before the TRUNCATE: a failed INSERT (duplicate key), a temporary table, user
    variables, a savepoint rolled back to and SET autocommit = 1 (already 1) keep the transaction."""
    db = _maria(maria_target)
    with pytest.raises(TransactionPartlyCommittedError, match="IS committed"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(pymysql.err.IntegrityError):
            cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("CREATE TEMPORARY TABLE scratch (id INT)")
        cur.execute("SET @x := 5")
        cur.execute("SAVEPOINT s")
        cur.execute("INSERT INTO t VALUES (2)")
        cur.execute("ROLLBACK TO SAVEPOINT s")
        cur.execute("SET autocommit = 1")
        cur.execute("SELECT @x")
        assert cur.fetchone() == (5,)
        cur.execute("INSERT INTO t VALUES (3)")
        assert stored(maria_target) == []  # nothing committed so far: still one transaction
        cur.execute("TRUNCATE TABLE other")
    assert stored(maria_target) == [1, 3]


@MARIA
def test_mysql_caught_error_then_more_statements_are_refused(maria_target: MariaTarget) -> None:
    db = _maria(maria_target)
    with pytest.raises(TransactionPartlyCommittedError, match="IS committed"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(TransactionPartlyCommittedError):
            cur.execute("TRUNCATE TABLE other")
        with pytest.raises(TransactionPartlyCommittedError, match="this statement was refused"):
            cur.execute("INSERT INTO t VALUES (2)")
        with pytest.raises(TransactionPartlyCommittedError, match="this statement was refused"):
            db.execute("INSERT INTO t VALUES (3)")
        # the block then ends without an exception: leaving it raises again
    assert stored(maria_target) == [1]


@MARIA
def test_mysql_swallowed_error_and_another_exception_is_not_passed_off_as_a_rollback(
    maria_target: MariaTarget,
) -> None:
    db = _maria(maria_target)
    with pytest.raises(TransactionPartlyCommittedError) as info, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(TransactionPartlyCommittedError):
            cur.execute("TRUNCATE TABLE other")
        raise KeyError("the caller's own error")
    assert isinstance(info.value.__cause__, KeyError)
    assert stored(maria_target) == [1]


@MARIA
def test_mysql_rollback_statement_in_the_block_raises_rolled_back(maria_target: MariaTarget) -> None:
    db = _maria(maria_target)
    rolled_back = pytest.raises(TransactionRolledBackError, match="nothing of the block was applied")
    with rolled_back, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("ROLLBACK")
        cur.execute("INSERT INTO t VALUES (2)")
    assert stored(maria_target) == []


# -- PostgreSQL: COMMIT / ROLLBACK written in the block, deferred constraints -----------------------------


def _pg(request: pytest.FixtureRequest, pg_target: PgTarget, via_bouncer: bool) -> Database:
    if via_bouncer:
        bouncer: PgBouncerServer = request.getfixturevalue("pgbouncer")
        bouncer.add_user(pg_target.user, pg_target.password)
        db = pg_target.database_for(port=bouncer.port)
    else:
        db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int PRIMARY KEY)")
    return db


@PG
@pytest.mark.parametrize("via_bouncer", [False, True], ids=["postgres", "pgbouncer"])
def test_pg_rollback_statement_in_the_block_raises_instead_of_exiting_normally(
    request: pytest.FixtureRequest, pg_target: PgTarget, via_bouncer: bool
) -> None:
    db = _pg(request, pg_target, via_bouncer)
    reached = []
    rolled_back = pytest.raises(TransactionRolledBackError, match="nothing of the block was applied")
    with rolled_back, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("ROLLBACK")
        reached.append(True)
        cur.execute("INSERT INTO t VALUES (2)")  # would autocommit on its own
    assert reached == []
    assert stored(pg_target) == []
    with db.transaction() as cur:  # usable again, in a real transaction
        cur.execute("INSERT INTO t VALUES (3)")
    assert stored(pg_target) == [3]


@PG
def test_pg_commit_statement_in_the_block_is_reported_committed(
    request: pytest.FixtureRequest, pg_target: PgTarget
) -> None:
    db = _pg(request, pg_target, False)
    with pytest.raises(TransactionPartlyCommittedError, match="IS committed"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        db.execute("COMMIT")  # db.execute inside the block is checked too
        cur.execute("INSERT INTO t VALUES (2)")
    assert stored(pg_target) == [1]
    db.execute("INSERT INTO t VALUES (3)")
    assert stored(pg_target) == [1, 3]


@PG
def test_pg_commit_of_an_aborted_block_is_a_rollback(
    request: pytest.FixtureRequest, pg_target: PgTarget
) -> None:
    """PostgreSQL answers the COMMIT of an aborted transaction with ROLLBACK."""
    db = _pg(request, pg_target, False)
    with pytest.raises(TransactionRolledBackError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(psycopg2.errors.DivisionByZero):
            cur.execute("SELECT 1/0")
        cur.execute("COMMIT")
    assert stored(pg_target) == []


@PG
def test_pg_deferred_foreign_key_failing_at_commit_is_a_documented_error(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE parent (id int PRIMARY KEY)")
    db.execute(
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) "
        "DEFERRABLE INITIALLY DEFERRED)"
    )
    refused = pytest.raises(TransactionRolledBackError, match="refused the COMMIT")
    with refused as info, db.transaction() as cur:
        cur.execute("INSERT INTO child VALUES (1, 42)")  # no parent 42: checked at COMMIT
    assert isinstance(info.value.__cause__, psycopg2.errors.ForeignKeyViolation)
    assert stored(pg_target, "child") == []
    # The connection was back outside any transaction: kept, and in autocommit.
    db.execute("INSERT INTO parent VALUES (7)")
    assert stored(pg_target, "parent") == [7]
    assert db.connects == 1


@PG
def test_pg_commit_written_in_the_block_that_fails_on_a_deferred_key(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE parent (id int PRIMARY KEY)")
    db.execute(
        "CREATE TABLE child (id int, parent_id int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(psycopg2.errors.ForeignKeyViolation), db.transaction() as cur:
        cur.execute("INSERT INTO child VALUES (1, 42)")
        cur.execute("COMMIT")  # refused: rolled back; its own error propagates
    assert stored(pg_target, "child") == []
    with (
        pytest.raises(TransactionRolledBackError, match="this statement was refused"),
        db.transaction() as cur,
    ):
        cur.execute("INSERT INTO child VALUES (2, 42)")
        with contextlib.suppress(psycopg2.errors.ForeignKeyViolation):
            cur.execute("COMMIT")
        cur.execute("INSERT INTO parent VALUES (1)")  # would autocommit: refused
    assert stored(pg_target, "parent") == []


# -- second review (H8b): implicit commits on the paths that read no status flag -------------------------


@MARIA
@pytest.mark.parametrize("statement", ["ANALYZE TABLE other", "CHECK TABLE other", "OPTIMIZE TABLE other"])
def test_mysql_implicit_commit_that_returns_rows_is_seen(maria_target: MariaTarget, statement: str) -> None:
    """ANALYZE/CHECK/OPTIMIZE TABLE answer with a result set, whose end packet PyMySQL does not read the
    status flag from: the commit must be seen anyway (one COM_PING), not passed off as a rollback when
    the block then raises."""
    db = _maria(maria_target)
    with (
        pytest.raises(TransactionPartlyCommittedError, match="IS committed") as info,
        db.transaction() as cur,
    ):
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute(statement)
        raise ValueError("the application fails after it")
    assert not isinstance(info.value, TransactionRolledBackError)
    assert stored(maria_target) == [1]
    db.execute("DELETE FROM t")
    with pytest.raises(TransactionPartlyCommittedError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute(statement)
        cur.execute("INSERT INTO t VALUES (1)")  # refused: it would run outside any transaction
    assert stored(maria_target) == [1]


@MARIA
@pytest.mark.parametrize(
    ("setup", "statements"),
    [
        (
            "CREATE PROCEDURE p() BEGIN TRUNCATE TABLE other; INSERT INTO nonexistent VALUES (1); END",
            ["CALL p()"],
        ),
        (None, ["PREPARE s FROM 'DROP TABLE nonexistent'", "EXECUTE s"]),
        (None, ["/*!40000 DROP TABLE nonexistent */"]),
    ],
    ids=["call", "prepared", "executable-comment"],
)
def test_mysql_failed_statement_that_committed_first_is_seen(
    maria_target: MariaTarget, setup: str | None, statements: list[str]
) -> None:
    """A failed statement whose first words say nothing (CALL, EXECUTE, an executable comment) may still
    have committed implicitly: after every failure in a block the flag is asked for."""
    db = _maria(maria_target)
    if setup:
        db.execute(setup)
    maybe = pytest.raises(TransactionPartlyCommittedError, match="MAY have been committed")
    with maybe as info, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        for statement in statements:
            cur.execute(statement)
    assert isinstance(info.value.__cause__, pymysql.err.MySQLError)
    assert stored(maria_target) == [1]


@MARIA
def test_mysql_procedure_that_commits_then_the_block_raises(maria_target: MariaTarget) -> None:
    """The procedure's COMMIT is seen only once the cursor is closed (its last OK packet): the caller's
    exception must not be passed off as a rollback."""
    db = _maria(maria_target)
    db.execute("CREATE PROCEDURE p() BEGIN COMMIT; SELECT 1; END")
    maybe = pytest.raises(TransactionPartlyCommittedError, match="MAY have been committed")
    with maybe as info, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("CALL p()")
        cur.fetchall()
        raise ValueError("the application fails after it")
    assert isinstance(info.value.__cause__, ValueError)
    assert stored(maria_target) == [1]


@MARIA
def test_mysql_failure_finishing_the_last_statement_after_a_commit(maria_target: MariaTarget) -> None:
    """The error of a procedure's last result set is read when the cursor closes, after its COMMIT."""
    db = _maria(maria_target)
    db.execute("CREATE PROCEDURE p() BEGIN COMMIT; SELECT 1; SELECT * FROM nonexistent; END")
    maybe = pytest.raises(TransactionPartlyCommittedError, match="MAY have been committed")
    with maybe, db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("CALL p()")
        cur.fetchall()
    assert stored(maria_target) == [1]
    with db.transaction() as cur:  # usable again
        cur.execute("INSERT INTO t VALUES (2)")
    assert stored(maria_target) == [1, 2]


@MARIA
def test_mysql_ordinary_failures_still_roll_back(maria_target: MariaTarget) -> None:
    """The check after a failure does not turn plain errors into "committed"."""
    db = _maria(maria_target)
    with pytest.raises(ValueError, match="app"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with contextlib.suppress(pymysql.err.IntegrityError):
            cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("SELECT id FROM t")
        raise ValueError("app")
    assert stored(maria_target) == []


@PG
@pytest.mark.parametrize("via_bouncer", [False, True], ids=["postgres", "pgbouncer"])
def test_pg_nested_comment_is_not_a_commit(
    request: pytest.FixtureRequest, pg_target: PgTarget, via_bouncer: bool
) -> None:
    """PostgreSQL comments nest: `/* a /* b */ commit */ SELECT 1` is a SELECT."""
    assert statement_kind("/* a /* b */ commit */ SELECT 1", nested_comments=True) is None
    assert statement_kind("/* a /* b */ commit") == "commit"  # MySQL: the comment ends at the first */
    db = _pg(request, pg_target, via_bouncer)
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("/* a /* b */ commit */ SELECT 1")
        cur.execute("INSERT INTO t VALUES (2)")
    assert stored(pg_target) == [1, 2]
