"""MySQL / MariaDB statements of the bootstrap, as pure functions returning (sql, params).

What could only be checked as generated SQL (tests/functions/test_rt_bootstrap_sql.py), because MariaDB,
our local server, has no AWSAuthenticationPlugin: the IAM user statements (`create_user` without a
password and `switch_to_iam`). Everything on the password path runs against a real MariaDB in
tests/functions/test_rt_bootstrap_mysql.py.

Passwords never travel in clear to MariaDB: it writes statements as received to its general log, slow
log and binary log (MySQL 8 rewrites password clauses there, sources.MYSQL_PASSWORD_LOGGING; MariaDB does
not, tests/functions/test_rt_server_logs.py). On MariaDB the bootstrap and the rotation send the
mysql_native_password hash instead (`IDENTIFIED BY PASSWORD '*<hex>'`, `SET PASSWORD = '*<hex>'`:
sources.MARIADB_CREATE_USER, sources.MARIADB_SET_PASSWORD), as the PostgreSQL path sends a SCRAM verifier.
On MySQL 8 the clear password stays: its default plugin (caching_sha2_password) has no hash form that
IDENTIFIED BY accepts, and its logs carry the rewritten statement.
"""

from __future__ import annotations

import hashlib

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


def native_password_hash(password: str) -> str:
    """mysql_native_password's stored form of `password`, what MariaDB's PASSWORD() returns: '*' and the
    upper-case hex of SHA1(SHA1(password)), over the UTF-8 bytes (the connection is utf8mb4, and the
    runtime sends the login password as UTF-8). Not enough to log in by itself: the login proves knowledge
    of SHA1(password), which the hash does not give."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()  # the server's format, not a choice of ours
    return "*" + hashlib.sha1(inner).hexdigest().upper()


def _identified_by(password: str, mariadb: bool) -> tuple[str, str]:
    """The clause and its value: MariaDB gets the hash (its logs keep statements as sent), MySQL 8 the
    clear text for its default plugin (its logs rewrite the clause)."""
    if mariadb:
        return "IDENTIFIED BY PASSWORD %s", native_password_hash(password)
    return "IDENTIFIED BY %s", password


def create_user(user: str, password: str | None, *, mariadb: bool) -> Statement:
    """IAM user when `password` is None, else a password user; TLS required either way (REQUIRE SSL).

    The value is interpolated client-side by PyMySQL: the clear password on MySQL 8 (which rewrites the
    clause before logging it), its hash on MariaDB (which would log it as sent).
    """
    if password is None:
        return (f"CREATE USER {ACCOUNT} IDENTIFIED WITH {IAM_PLUGIN} AS 'RDS' REQUIRE SSL", (user, ANY_HOST))
    clause, value = _identified_by(password, mariadb)
    return (f"CREATE USER {ACCOUNT} {clause} REQUIRE SSL", (user, ANY_HOST, value))


def switch_to_iam(user: str) -> Statement:
    """An existing password user becomes an IAM user."""
    return (f"ALTER USER {ACCOUNT} IDENTIFIED WITH {IAM_PLUGIN} AS 'RDS'", (user, ANY_HOST))


def set_password(user: str, password: str, *, mariadb: bool) -> Statement:
    """A new password (also turns an IAM user back into a password user); hashed on MariaDB."""
    clause, value = _identified_by(password, mariadb)
    return (f"ALTER USER {ACCOUNT} {clause}", (user, ANY_HOST, value))


def set_own_password(password: str, *, mariadb: bool) -> Statement:
    """The rotation's statement, as the account itself (no privilege needed for one's own password):
    MariaDB `SET PASSWORD = '<hash>'`, MySQL 8 `ALTER USER USER() IDENTIFIED BY` (rewritten in its logs)."""
    if mariadb:
        return ("SET PASSWORD = %s", (native_password_hash(password),))
    return ("ALTER USER USER() IDENTIFIED BY %s", (password,))


def password_validation_state() -> Statement:
    """MariaDB: (strict_password_validation, active password validation plugins): both set means a hashed
    password is refused."""
    return (
        "SELECT @@strict_password_validation, (SELECT COUNT(*) FROM information_schema.plugins"
        " WHERE plugin_type = 'PASSWORD VALIDATION' AND plugin_status = 'ACTIVE')",
        (),
    )


def require_tls(user: str) -> Statement:
    """Refuse unencrypted logins for the application user."""
    return (f"ALTER USER {ACCOUNT} REQUIRE SSL", (user, ANY_HOST))


def set_statement_timeout(user: str, timeout_ms: int) -> Statement:
    """MariaDB only: a per-user MAX_STATEMENT_TIME in seconds (0 = no limit).

    MySQL has no per-user statement timeout, and a session `SET max_execution_time` would pin RDS Proxy
    connections: on MySQL the limit belongs in the DB parameter group (max_execution_time).
    """
    return (f"ALTER USER {ACCOUNT} WITH MAX_STATEMENT_TIME {timeout_ms / 1000:.3f}", (user, ANY_HOST))


APP_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")


def partial_revokes_state() -> Statement:
    """MySQL 8.0.16+: whether partial_revokes is ON (no row on MariaDB, MySQL 5.7, Aurora MySQL 2)."""
    return ("SHOW GLOBAL VARIABLES LIKE 'partial_revokes'", ())


def exact_database_names(mariadb: bool, partial_revokes_rows: list[tuple[object, ...]]) -> bool:
    """Whether GRANT reads database names literally: on MySQL with partial_revokes=ON, `_` and `%` in a
    database-level grant are plain characters (sources.MYSQL_PARTIAL_REVOKES), so the escaped `app\\_db`
    would name a database called app\\_db and grant nothing. MariaDB has no partial_revokes."""
    if mariadb or not partial_revokes_rows:
        return False
    return str(partial_revokes_rows[0][1]).upper() in ("ON", "1")


def database_pattern(database: str, *, exact_names: bool = False) -> str:
    """`database` as GRANT reads a database-level name: `_` and `%` are wildcards there (the grant on
    `app_db`.* also covers `appZdb`), so each is escaped with a backslash (sources.MYSQL_GRANT_WILDCARDS).
    SHOW GRANTS prints the name back in this form. With `exact_names` (MySQL, partial_revokes=ON) the
    server reads the name literally: it is used as it is."""
    if exact_names:
        return database
    return database.replace("_", "\\_").replace("%", "\\%")


def grant_target(database: str, *, exact_names: bool = False) -> str:
    """The database-level target of the app's grant, exactly this database and no other."""
    return f"{mysql_ident(database_pattern(database, exact_names=exact_names))}.*"


def app_grants(user: str, database: str, *, exact_names: bool = False) -> list[Statement]:
    """Data access on the application database only (not the migrations database, nor any database
    whose name matches it as a pattern)."""
    target = grant_target(database, exact_names=exact_names).replace("%", "%%")  # PyMySQL: a literal `%`
    return [(f"GRANT {', '.join(APP_PRIVILEGES)} ON {target} TO {ACCOUNT}", (user, ANY_HOST))]


def revoke_pattern_grant(user: str, database: str, privileges: str) -> Statement:
    """Remove the grant earlier bootstraps made on the unescaped name (a pattern when it has `_`). Never
    with exact names: there the unescaped name IS the app's grant."""
    return (f"REVOKE {privileges} ON {mysql_ident(database)}.* FROM {ACCOUNT}", (user, ANY_HOST))


# Session variables a migration may SET that would change how the next migrations run (checks skipped,
# values silently truncated, text stored in another character set, times in another zone). Each goes
# back to the server's global value; none needs a privilege for the session scope, on MariaDB or MySQL.
RESET_VARIABLES = (
    "sql_mode",
    "foreign_key_checks",
    "unique_checks",
    "time_zone",
    "sql_safe_updates",
    "default_storage_engine",
    "div_precision_increment",
    "group_concat_max_len",
)


def reset_session() -> list[Statement]:
    """Undo a migration's session settings before the next one. Not COM_RESET_CONNECTION (nor
    change_user): it would also release the GET_LOCK lock the bootstrap holds over every step.
    UNLOCK TABLES ends a LOCK TABLES the file left (the record would fail with 1100), and releases table
    locks only, not named locks (sources.MYSQL_LOCK_TABLES); SET SESSION TRANSACTION READ WRITE undoes a
    READ ONLY (the record would fail with 1792, sources.MYSQL_SET_TRANSACTION)."""
    assignments = ", ".join(f"SESSION {name} = DEFAULT" for name in RESET_VARIABLES)
    return [
        ("UNLOCK TABLES", ()),
        ("SET SESSION TRANSACTION READ WRITE", ()),
        ("SET NAMES utf8mb4", ()),
        (f"SET {assignments}", ()),
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
