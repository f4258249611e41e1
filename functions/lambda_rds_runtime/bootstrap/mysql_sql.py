"""MySQL / MariaDB statements of the bootstrap, as pure functions returning (sql, params).

What could only be checked as generated SQL (tests/functions/test_rt_bootstrap_sql.py), because MariaDB,
our local server, has no AWSAuthenticationPlugin: the IAM user statements (`create_user` without a
password and `switch_to_iam`). Everything on the password path runs against a real MariaDB in
tests/functions/test_rt_bootstrap_mysql.py.
"""

from __future__ import annotations

from .identifiers import mysql_ident

Statement = tuple[str, tuple[object, ...]]

# Accounts are written `%s@%s` and bound as ('user', '%'): PyMySQL renders them as the quoted literals
# 'user'@'%' (the app connects from Lambda ENIs whose addresses change, hence any host).
ACCOUNT = "%s@%s"
ANY_HOST = "%"

IAM_PLUGIN = "AWSAuthenticationPlugin"
MIGRATIONS_DATABASE = "lambda_rds"
MIGRATIONS_TABLE = f"{MIGRATIONS_DATABASE}.schema_migrations"
LOCK_NAME = "lambda_rds.migrations"
LOCK_WAIT_SECONDS = 60


def server_version() -> Statement:
    """'10.11.x-MariaDB-...' or '8.0.x' (Aurora MySQL: '8.0.mysql_aurora.3.x')."""
    return ("SELECT VERSION()", ())


def user_state(user: str, mariadb: bool) -> Statement:
    """Plugin, TLS requirement and (MariaDB only) the per-user statement time limit."""
    timeout_column = "max_statement_time" if mariadb else "NULL"
    return (
        f"SELECT plugin, ssl_type, {timeout_column} FROM mysql.user WHERE User = %s AND Host = %s",
        (user, ANY_HOST),
    )


def show_grants(user: str) -> Statement:
    """Every privilege of the account (the lines may contain a password hash: never echo them)."""
    return (f"SHOW GRANTS FOR {ACCOUNT}", (user, ANY_HOST))


def create_user(user: str, password: str | None) -> Statement:
    """IAM user when `password` is None, else a password user; TLS required either way (REQUIRE SSL).

    The password is interpolated client-side by PyMySQL; MySQL and MariaDB rewrite IDENTIFIED BY clauses
    before writing statements to their logs.
    """
    if password is None:
        return (f"CREATE USER {ACCOUNT} IDENTIFIED WITH {IAM_PLUGIN} AS 'RDS' REQUIRE SSL", (user, ANY_HOST))
    return (f"CREATE USER {ACCOUNT} IDENTIFIED BY %s REQUIRE SSL", (user, ANY_HOST, password))


def switch_to_iam(user: str) -> Statement:
    """An existing password user becomes an IAM user."""
    return (f"ALTER USER {ACCOUNT} IDENTIFIED WITH {IAM_PLUGIN} AS 'RDS'", (user, ANY_HOST))


def set_password(user: str, password: str) -> Statement:
    """A new password (also turns an IAM user back into a password user)."""
    return (f"ALTER USER {ACCOUNT} IDENTIFIED BY %s", (user, ANY_HOST, password))


def require_tls(user: str) -> Statement:
    """Refuse unencrypted logins for the application user."""
    return (f"ALTER USER {ACCOUNT} REQUIRE SSL", (user, ANY_HOST))


def set_statement_timeout(user: str, timeout_ms: int) -> Statement:
    """MariaDB only: a per-user MAX_STATEMENT_TIME in seconds (0 = no limit).

    MySQL has no per-user statement timeout, and a session `SET max_execution_time` would pin RDS Proxy
    connections: on MySQL the limit belongs in the DB parameter group (max_execution_time).
    """
    return (f"ALTER USER {ACCOUNT} WITH MAX_STATEMENT_TIME {timeout_ms / 1000:.3f}", (user, ANY_HOST))


def app_grants(user: str, database: str) -> list[Statement]:
    """Data access on the application database only (not the migrations database)."""
    return [
        (f"GRANT SELECT, INSERT, UPDATE, DELETE ON {mysql_ident(database)}.* TO {ACCOUNT}", (user, ANY_HOST))
    ]


def lock_migrations() -> Statement:
    """Named lock, held by this session until released (or the session ends)."""
    return ("SELECT GET_LOCK(%s, %s)", (LOCK_NAME, LOCK_WAIT_SECONDS))


def unlock_migrations() -> Statement:
    """Release the named lock."""
    return ("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))


def create_migrations_table() -> list[Statement]:
    """A separate database, keyed by application database, which the application user is not granted."""
    return [
        (f"CREATE DATABASE IF NOT EXISTS {MIGRATIONS_DATABASE}", ()),
        (
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (database_name VARCHAR(64) NOT NULL,"
            " name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (database_name, name))",
            (),
        ),
    ]


def applied_migrations(database: str) -> Statement:
    """name -> checksum for this application database."""
    return (f"SELECT name, checksum FROM {MIGRATIONS_TABLE} WHERE database_name = %s", (database,))


def record_migration(database: str, name: str, checksum: str) -> Statement:
    """Recorded after the migration ran (MySQL DDL commits implicitly, so this cannot be atomic)."""
    return (
        f"INSERT INTO {MIGRATIONS_TABLE} (database_name, name, checksum) VALUES (%s, %s, %s)",
        (database, name, checksum),
    )
