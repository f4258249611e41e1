"""Pure parts of the bootstrap: generated SQL (the only check possible for MySQL IAM users, since MariaDB
has no AWSAuthenticationPlugin), migration planning, redaction and identifier validation."""

from __future__ import annotations

import hashlib

import pytest
from lambda_rds_runtime.bootstrap import mysql_sql, pg_sql, sql_scan
from lambda_rds_runtime.bootstrap.errors import BootstrapError, redact
from lambda_rds_runtime.bootstrap.identifiers import validate_identifier
from lambda_rds_runtime.bootstrap.migrations import Migration, plan_migrations
from lambda_rds_runtime.bootstrap.mysql_grants import AccountGrants
from pymysql.converters import escape_string


def render_mysql(statement: tuple[str, tuple[object, ...]]) -> str:
    """What PyMySQL sends: parameters interpolated as escaped string literals."""
    sql, params = statement
    if not params:
        return sql
    return sql % tuple(f"'{escape_string(str(p))}'" if isinstance(p, str) else str(p) for p in params)


def test_mysql_iam_user_statements() -> None:
    """Checked as SQL only: the statements RDS documents for IAM database authentication."""
    assert render_mysql(mysql_sql.create_user("app", None, mariadb=False)) == (
        "CREATE USER 'app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL"
    )
    assert render_mysql(mysql_sql.switch_to_iam("app")) == (
        "ALTER USER 'app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'"
    )


def test_mysql_password_user_statements_bind_the_password() -> None:
    """MySQL 8: the clear password, which its logs rewrite (caching_sha2_password has no hash form)."""
    sql, params = mysql_sql.create_user("app", "pa'ss", mariadb=False)
    assert sql == "CREATE USER %s@%s IDENTIFIED BY %s REQUIRE SSL"
    assert params == ("app", "%", "pa'ss")
    assert render_mysql((sql, params)) == "CREATE USER 'app'@'%' IDENTIFIED BY 'pa\\'ss' REQUIRE SSL"
    assert render_mysql(mysql_sql.set_password("app", "x", mariadb=False)) == (
        "ALTER USER 'app'@'%' IDENTIFIED BY 'x'"
    )
    assert mysql_sql.set_own_password("x", mariadb=False) == ("ALTER USER USER() IDENTIFIED BY %s", ("x",))


def test_mariadb_password_statements_send_only_the_hash() -> None:
    """MariaDB logs statements as sent: only the mysql_native_password hash may travel (issue 18, item 1)."""
    digest = "*" + hashlib.sha1(hashlib.sha1(b"pa'ss").digest()).hexdigest().upper()
    assert mysql_sql.native_password_hash("pa'ss") == digest
    for statement, expected in [
        (mysql_sql.create_user("app", "pa'ss", mariadb=True),
         f"CREATE USER 'app'@'%' IDENTIFIED BY PASSWORD '{digest}' REQUIRE SSL"),
        (mysql_sql.set_password("app", "pa'ss", mariadb=True),
         f"ALTER USER 'app'@'%' IDENTIFIED BY PASSWORD '{digest}'"),
        (mysql_sql.set_own_password("pa'ss", mariadb=True), f"SET PASSWORD = '{digest}'"),
    ]:  # fmt: skip
        assert render_mysql(statement) == expected


def test_mysql_timeout_and_grants() -> None:
    assert render_mysql(mysql_sql.set_statement_timeout("app", 2500)) == (
        "ALTER USER 'app'@'%' WITH MAX_STATEMENT_TIME 2.500"
    )
    assert [render_mysql(s) for s in mysql_sql.app_grants("app", "shop")] == [
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO 'app'@'%'"
    ]
    # `_` is a wildcard in a database-level grant: escaped, the grant names this database only.
    assert [render_mysql(s) for s in mysql_sql.app_grants("app", "app_db")] == [
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `app\\_db`.* TO 'app'@'%'"
    ]


@pytest.mark.parametrize(
    ("lines", "foreign", "pattern_grant"),
    [
        (["GRANT USAGE ON *.* TO `u`@`%`", "GRANT SELECT, INSERT, UPDATE, DELETE ON `app\\_db`.* TO `u`@`%`"],
         [], None),
        (["GRANT SELECT, INSERT, UPDATE, DELETE ON `app_db`.* TO `u`@`%`"], [],
         "SELECT, INSERT, UPDATE, DELETE"),
        (["GRANT SELECT ON `app_db`.`items` TO `u`@`%`"], [], None),  # table grants name it exactly
        (["GRANT ALL PRIVILEGES ON `app_db`.* TO `u`@`%`"],
         ["ALL PRIVILEGES ON `app_db`.*, a pattern matching other databases"], None),
        (["GRANT SELECT ON `app%`.* TO `u`@`%`"], ["privileges on `app%`.*"], None),
        (["GRANT SELECT ON `appZdb`.* TO `u`@`%`"], ["privileges on `appZdb`.*"], None),
    ],
    ids=["own-escaped", "earlier-pattern", "table", "wider-pattern", "other-pattern", "other-db"],
)  # fmt: skip
def test_account_grants_are_judged_by_exact_name(
    lines: list[str], foreign: list[str], pattern_grant: str | None
) -> None:
    grants = AccountGrants(lines, "app_db")
    assert (grants.foreign, grants.pattern_grant) == (foreign, pattern_grant)


def test_mysql_partial_revokes_grants_and_keeps_the_plain_name() -> None:
    """MySQL 8 with partial_revokes=ON reads `app\\_db` literally (a database nobody has): before, the
    bootstrap granted that, then revoked the working `app_db`.* grant as an old pattern: no access left."""
    on = [("partial_revokes", "ON")]
    assert mysql_sql.exact_database_names(False, on)
    assert not mysql_sql.exact_database_names(False, [("partial_revokes", "OFF")])
    assert not mysql_sql.exact_database_names(False, [])  # MySQL 5.7 / Aurora MySQL 2: no such variable
    assert not mysql_sql.exact_database_names(True, on)  # MariaDB: always patterns
    assert [render_mysql(s) for s in mysql_sql.app_grants("app", "app_db", exact_names=True)] == [
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `app_db`.* TO 'app'@'%'"
    ]
    plain = "GRANT SELECT, INSERT, UPDATE, DELETE ON `app_db`.* TO `u`@`%`"
    escaped = "GRANT SELECT, INSERT, UPDATE, DELETE ON `app\\_db`.* TO `u`@`%`"
    grants = AccountGrants(["GRANT USAGE ON *.* TO `u`@`%`", plain, escaped], "app_db", exact_names=True)
    assert (grants.foreign, grants.pattern_grant) == ([], None)  # its own grant: never revoked
    other = AccountGrants(["GRANT SELECT ON `appZdb`.* TO `u`@`%`"], "app_db", exact_names=True)
    assert other.foreign == ["privileges on `appZdb`.*"]


def test_no_transaction_marker_is_the_first_line_only() -> None:
    assert Migration(
        "0001_a.sql", "-- lambda-rds: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c)"
    ).no_transaction
    assert Migration("0001_a.sql", "\n  --Lambda-RDS:  No-Transaction  \nVACUUM").no_transaction
    assert not Migration(
        "0001_a.sql", "CREATE TABLE t (c int);\n-- lambda-rds: no-transaction"
    ).no_transaction
    assert not Migration("0001_a.sql", "-- lambda-rds: no-transaction please\nSELECT 1").no_transaction


def test_postgres_statements() -> None:
    assert pg_sql.create_role("app", None) == ('CREATE ROLE "app" LOGIN', ())
    assert pg_sql.create_role("app", "SCRAM-SHA-256$4096:x") == (
        'CREATE ROLE "app" LOGIN PASSWORD %s',
        ("SCRAM-SHA-256$4096:x",),
    )
    assert pg_sql.grant_iam("app") == ('GRANT rds_iam TO "app"', ())
    assert pg_sql.set_statement_timeout("app", 5000) == ('ALTER ROLE "app" SET statement_timeout = 5000', ())
    assert pg_sql.set_statement_timeout("app", 0) == ('ALTER ROLE "app" RESET statement_timeout', ())
    grants = [sql for sql, _ in pg_sql.app_grants("app", "shop")]
    assert 'GRANT CONNECT ON DATABASE "shop" TO "app"' in grants
    assert not any("CREATE" in g or "ALL PRIVILEGES" in g or "lambda_rds" in g for g in grants)


def test_current_statement_timeout_parsing() -> None:
    assert pg_sql.current_statement_timeout(None) == 0
    assert pg_sql.current_statement_timeout(["search_path=x", "statement_timeout=5000"]) == 5000
    assert pg_sql.current_statement_timeout(["statement_timeout=5s"]) == -1  # set by hand: rewrite it


def test_plan_applies_new_migrations_in_order() -> None:
    migrations = [Migration("0001_a.sql", "A"), Migration("0002_b.sql", "B"), Migration("0003_c.sql", "C")]
    pending, skipped = plan_migrations(migrations, {"0001_a.sql": migrations[0].checksum})
    assert [m.name for m in pending] == ["0002_b.sql", "0003_c.sql"]
    assert skipped == ["0001_a.sql"]


def test_plan_refuses_a_changed_migration() -> None:
    migrations = [Migration("0001_a.sql", "A changed")]
    with pytest.raises(BootstrapError, match="0001_a"):
        plan_migrations(migrations, {"0001_a.sql": Migration("0001_a.sql", "A").checksum})


def test_plan_refuses_a_migration_inserted_before_applied_ones() -> None:
    applied = {"0002_b.sql": Migration("0002_b.sql", "B").checksum}
    with pytest.raises(BootstrapError, match="renumber"):
        plan_migrations([Migration("0001_a.sql", "A"), Migration("0002_b.sql", "B")], applied)


def test_checksum_ignores_line_ending_style() -> None:
    assert Migration("0001_a.sql", "a;\r\nb;\r\n").checksum == Migration("0001_a.sql", "a;\nb;\n").checksum


def test_redact_removes_secrets_and_truncated_fragments() -> None:
    message = "syntax error near 'IDENTIFIED BY 'correct-horse-bat' and master pw9"
    cleaned = redact(message, ["correct-horse-battery-staple", "pw9", None])
    assert "correct-horse" not in cleaned and "horse-bat" not in cleaned
    assert "pw9" not in cleaned


@pytest.mark.parametrize("name", ["app", "App_User", "_x1"])
def test_valid_identifiers(name: str) -> None:
    assert validate_identifier(name, "app_user", "postgres") == name


@pytest.mark.parametrize("name", ["", "1abc", 'a"b', "a`b", "a'b", "a b", "a;b", "x" * 64, None, 5])
def test_invalid_identifiers(name: object) -> None:
    with pytest.raises(BootstrapError, match="app_user"):
        validate_identifier(name, "app_user", "postgres")


def test_mysql_user_name_length_limit() -> None:
    with pytest.raises(BootstrapError, match="longer than 32"):
        validate_identifier("u" * 33, "app_user", "mysql")


def test_the_sources_cited_in_the_runtime_exist() -> None:
    """`sources.X` in the Lambda code names a constant of lambda_rds.rules.aws_sources (break one: fails)."""
    import re
    from pathlib import Path

    from lambda_rds.rules import aws_sources

    functions = Path(__file__).resolve().parents[2] / "functions"
    cited = {
        (path.name, name)
        for path in functions.rglob("*.py")
        for name in re.findall(r"sources\.([A-Z][A-Z0-9_]+)", path.read_text())
    }
    assert {name for _, name in cited} >= {
        "MYSQL_PASSWORD_LOGGING",
        "MYSQL_GRANT_WILDCARDS",
        "MYSQL_PARTIAL_REVOKES",
    }
    assert [(file, name) for file, name in sorted(cited) if not hasattr(aws_sources, name)] == []


# -- the migration scanner (issue 18, third review); the same files run against real servers in
# test_rt_bootstrap_pg.py / test_rt_bootstrap_mysql.py -------------------------------------------------

_PG_ROLLS_BACK = {
    "dollar-in-identifier": "CREATE TABLE a$b$(x int); ROLLBACK; CREATE TABLE c$b$(y int);",
    "after-a-nested-comment": "/* a /* b */ c */ ROLLBACK;",
    "and-chain": "ROLLBACK AND CHAIN;",
    "abort": "ABORT;",
    "after-begin-atomic": "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"
    " ROLLBACK;",
}
_PG_KEEPS = {
    "work-to-savepoint": "SAVEPOINT s; ROLLBACK WORK TO SAVEPOINT s;",
    "transaction-to": "SAVEPOINT s; ROLLBACK TRANSACTION TO s;",
    "to": "SAVEPOINT s; ROLLBACK TO s;",
    "prepared": "ROLLBACK PREPARED 'x';",
    "nested-comment": "/* a /* b */ ROLLBACK; */ SELECT 1;",
    "dollar-body": "DO $fn$ BEGIN ROLLBACK; END $fn$;",
    "e-string": "SELECT E'it\\'s; ROLLBACK';",
    "unicode-identifier": "CREATE TABLE t(x int); \u00e4rollback;",
    "begin-atomic-body": "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true "
    "THEN 1 END; END;",
}


@pytest.mark.parametrize("sql", _PG_ROLLS_BACK.values(), ids=_PG_ROLLS_BACK.keys())
def test_postgres_scan_finds_the_rollback(sql: str) -> None:
    assert sql_scan.rolls_back(sql)


@pytest.mark.parametrize("sql", _PG_KEEPS.values(), ids=_PG_KEEPS.keys())
def test_postgres_scan_leaves_savepoints_comments_and_bodies_alone(sql: str) -> None:
    assert not sql_scan.rolls_back(sql)


def test_postgres_scan_reads_begin_atomic_end_as_part_of_the_function() -> None:
    """Before: END (= COMMIT) of the body was read as a statement of the file."""
    sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; SELECT 1;"
    assert sql_scan.statement_heads(sql) == [("CREATE", "FUNCTION", "F"), ("SELECT",)]
    assert not sql_scan.commits(sql)
    assert sql_scan.commits("BEGIN; SELECT 1; END;")


_MYSQL_ROLLS_BACK = {
    "start-transaction": "START TRANSACTION; INSERT INTO t VALUES (1); ROLLBACK;",
    "work": "BEGIN; ROLLBACK WORK",
    "executable-comment": "/*!40101 ROLLBACK */;",
    "mariadb-executable-comment": "/*M!100100 ROLLBACK */;",
    "after-a-routine": "CREATE PROCEDURE p() BEGIN CASE 1 WHEN 1 THEN BEGIN END; END CASE; END; ROLLBACK",
    "not-a-comment": "SELECT 1--1; ROLLBACK",
}
_MYSQL_KEEPS = {
    "comments": "# ROLLBACK;\n-- ROLLBACK;\n/* ROLLBACK; */ SELECT 1;",
    "strings": "SELECT 'it\\'s; ROLLBACK', \"a\\\"; ROLLBACK\";",
    "backquoted": "CREATE TABLE `ROLLBACK; x` (i INT);",
    "savepoint": "SAVEPOINT s; ROLLBACK WORK TO SAVEPOINT s; ROLLBACK TO s;",
    "procedure-body": "CREATE DEFINER=`a`@`%` PROCEDURE p() BEGIN IF 1 THEN ROLLBACK; END IF; "
    "l: LOOP LEAVE l; END LOOP l; END; SELECT 1",
    "trigger-body": "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN WHILE 0 DO ROLLBACK; "
    "END WHILE; END;",
    "anonymous-block": "BEGIN NOT ATOMIC ROLLBACK; END; SELECT 2",
}


@pytest.mark.parametrize("sql", _MYSQL_ROLLS_BACK.values(), ids=_MYSQL_ROLLS_BACK.keys())
def test_mysql_scan_finds_the_rollback(sql: str) -> None:
    assert sql_scan.rolls_back(sql, sql_scan.MYSQL)


@pytest.mark.parametrize("sql", _MYSQL_KEEPS.values(), ids=_MYSQL_KEEPS.keys())
def test_mysql_scan_leaves_savepoints_comments_and_bodies_alone(sql: str) -> None:
    assert not sql_scan.rolls_back(sql, sql_scan.MYSQL)


def test_mysql_session_reset_ends_table_locks_and_read_only() -> None:
    sqls = [sql for sql, _ in mysql_sql.reset_session()]
    assert "UNLOCK TABLES" in sqls and "SET SESSION TRANSACTION READ WRITE" in sqls
