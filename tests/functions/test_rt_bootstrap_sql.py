"""Pure parts of the bootstrap: generated SQL (the only check possible for MySQL IAM users, since MariaDB
has no AWSAuthenticationPlugin), migration planning, redaction and identifier validation."""

from __future__ import annotations

import pytest
from lambda_rds_runtime.bootstrap import mysql_sql, pg_sql
from lambda_rds_runtime.bootstrap.errors import BootstrapError, redact
from lambda_rds_runtime.bootstrap.identifiers import validate_identifier
from lambda_rds_runtime.bootstrap.migrations import Migration, plan_migrations
from pymysql.converters import escape_string


def render_mysql(statement: tuple[str, tuple[object, ...]]) -> str:
    """What PyMySQL sends: parameters interpolated as escaped string literals."""
    sql, params = statement
    if not params:
        return sql
    return sql % tuple(f"'{escape_string(str(p))}'" if isinstance(p, str) else str(p) for p in params)


def test_mysql_iam_user_statements() -> None:
    """Checked as SQL only: the statements RDS documents for IAM database authentication."""
    assert render_mysql(mysql_sql.create_user("app", None)) == (
        "CREATE USER 'app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL"
    )
    assert render_mysql(mysql_sql.switch_to_iam("app")) == (
        "ALTER USER 'app'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'"
    )


def test_mysql_password_user_statements_bind_the_password() -> None:
    sql, params = mysql_sql.create_user("app", "pa'ss")
    assert sql == "CREATE USER %s@%s IDENTIFIED BY %s REQUIRE SSL"
    assert params == ("app", "%", "pa'ss")
    assert render_mysql((sql, params)) == "CREATE USER 'app'@'%' IDENTIFIED BY 'pa\\'ss' REQUIRE SSL"
    assert render_mysql(mysql_sql.set_password("app", "x")) == "ALTER USER 'app'@'%' IDENTIFIED BY 'x'"


def test_mysql_timeout_and_grants() -> None:
    assert render_mysql(mysql_sql.set_statement_timeout("app", 2500)) == (
        "ALTER USER 'app'@'%' WITH MAX_STATEMENT_TIME 2.500"
    )
    assert [render_mysql(s) for s in mysql_sql.app_grants("app", "shop")] == [
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO 'app'@'%'"
    ]


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
