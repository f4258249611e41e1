"""Bootstrap steps on MySQL, Aurora MySQL and MariaDB.

Differences from PostgreSQL that the response and the errors make explicit:
- IAM users need Amazon's AWSAuthenticationPlugin: MariaDB and community MySQL refuse the statement.
- A per-user statement timeout exists only on MariaDB (MAX_STATEMENT_TIME); on MySQL the response says so
  and the limit belongs in the DB parameter group (max_execution_time), never in a session SET.
- DDL commits implicitly, so a migration that fails half-way may leave part of itself applied.
- A file with a ROLLBACK (read by sql_scan with MySQL's comment and quoting rules) is refused before it
  runs, as on PostgreSQL: in autocommit nothing reports that it undid rows, so it would be recorded.
"""

from __future__ import annotations

from . import mysql_sql, sql_scan
from .app_password import RESET, password_decision, password_note
from .connect import connect_as_master
from .errors import BootstrapError, one_line, redact
from .migrations import plan_migrations
from .mysql_grants import AccountGrants

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .request import BootstrapRequest

ER_PLUGIN_NOT_LOADED = 1524
SERVER_STATUS_IN_TRANS = 1  # pymysql.constants.SERVER_STATUS: the last answer says a transaction is open
MYSQL_TIMEOUT_NOTE = "unsupported per user on MySQL: set max_execution_time in the DB parameter group"


def bootstrap_mysql(request: BootstrapRequest) -> dict[str, Any]:
    """Ensure the user, apply migrations, grant; return the response document."""
    conn = connect_as_master(request, multi_statements=True)
    try:
        mariadb = "mariadb" in str(_fetch(conn, mysql_sql.server_version(), request)[0][0]).lower()
        # One named lock over every step: concurrent bootstraps run one after the other (each step is
        # idempotent, so a re-run after any failure converges). The server releases it if we vanish.
        if _fetch(conn, mysql_sql.lock_migrations(), request)[0][0] != 1:
            raise BootstrapError(
                f"another bootstrap holds the lock {mysql_sql.LOCK_NAME!r} (waited "
                f"{mysql_sql.LOCK_WAIT_SECONDS}s); re-run when it has finished"
            )
        # MySQL with partial_revokes=ON reads grant names literally: then the plain name is the app's grant.
        revokes = [] if mariadb else _fetch(conn, mysql_sql.partial_revokes_state(), request)
        exact = mysql_sql.exact_database_names(mariadb, revokes)
        user_outcome, pattern_grant, decision = _ensure_user(conn, request, mariadb, exact)
        applied, skipped = _migrate(conn, request)
        for statement in mysql_sql.app_grants(request.app_user, request.database, exact_names=exact):
            _run(conn, statement, request, "granting privileges")
        if pattern_grant:  # only now: the exact grant is in place, so the app never loses access
            revoke = mysql_sql.revoke_pattern_grant(request.app_user, request.database, pattern_grant)
            _run(conn, revoke, request, "revoking the pattern grant of an earlier bootstrap")
        _fetch(conn, mysql_sql.unlock_migrations(), request)
    finally:
        conn.close()  # also releases the lock if a step failed
    response: dict[str, Any] = {
        "status": "ok",
        "user": user_outcome,
        "applied": applied,
        "skipped": skipped,
        "statement_timeout": "user" if mariadb else MYSQL_TIMEOUT_NOTE,
    }
    note = password_note(decision)
    if note:
        response["password"] = note
    return response


def _ensure_user(
    conn: Any, request: BootstrapRequest, mariadb: bool, exact: bool
) -> tuple[str, str | None, str | None]:
    """Create or adjust the account; returns (created|updated|unchanged, the privileges of an earlier
    bootstrap's pattern grant to revoke, the password decision of an existing account: app_password.CURRENT
    / PENDING (kept) / RESET (set), None in iam mode)."""
    user, iam = request.app_user, request.auth == "iam"
    rows = _fetch(conn, mysql_sql.user_state(user, mariadb), request)
    if not rows:
        password = None if iam else request.app_password
        _run(conn, mysql_sql.create_user(user, password, mariadb=mariadb), request, "creating the user")
        if mariadb:
            _run(
                conn, mysql_sql.set_statement_timeout(user, request.statement_timeout_ms), request, "timeout"
            )
        return "created", None, None
    pattern_grant = _refuse_privileged_user(conn, request, exact)
    plugin, ssl_type, max_statement_time = rows[0]
    changed = False
    decision: str | None = None
    if iam and plugin != mysql_sql.IAM_PLUGIN:
        _run(conn, mysql_sql.switch_to_iam(user), request, "switching the user to IAM authentication")
        changed = True
    if not iam:
        decision = RESET if plugin == mysql_sql.IAM_PLUGIN else password_decision(request)
        if decision == RESET:
            statement = mysql_sql.set_password(user, request.app_password or "", mariadb=mariadb)
            _run(conn, statement, request, "setting the password")
            changed = True
    if str(ssl_type).upper() != "ANY":
        _run(conn, mysql_sql.require_tls(user), request, "requiring TLS")
        changed = True
    if mariadb and round(float(max_statement_time or 0) * 1000) != request.statement_timeout_ms:
        _run(conn, mysql_sql.set_statement_timeout(user, request.statement_timeout_ms), request, "timeout")
        changed = True
    return ("updated" if changed else "unchanged"), pattern_grant, decision


def _refuse_privileged_user(conn: Any, request: BootstrapRequest, exact: bool) -> str | None:
    """Never adopt (and reset the password of) an account that can do more than an application user:
    global privileges beyond USAGE, GRANT OPTION, roles, proxy rights, or grants reaching other databases
    (a database-level pattern included). Returns the privileges of an earlier bootstrap's pattern grant."""
    lines = [str(line) for (line,) in _fetch(conn, mysql_sql.show_grants(request.app_user), request)]
    grants = AccountGrants(lines, request.database, exact_names=exact)
    if grants.foreign:
        raise BootstrapError(
            f"app_user {request.app_user!r} already exists as a privileged or foreign account "
            f"({'; '.join(dict.fromkeys(grants.foreign))}); refusing to adopt it as the application user "
            "(its password would be reset). Choose another app_user, or revoke those privileges yourself if "
            "it really is this app's"
        )
    return grants.pattern_grant


def _migrate(conn: Any, request: BootstrapRequest) -> tuple[list[str], list[str]]:
    """Apply pending migrations (the caller holds the lock); MySQL DDL commits implicitly."""
    for statement in mysql_sql.create_migrations_table():
        _run(conn, statement, request, "creating the migrations table")
    applied = dict(_fetch(conn, mysql_sql.applied_migrations(request.database), request))
    pending, skipped = plan_migrations(request.migrations, applied)
    done: list[str] = []
    for migration in pending:
        if sql_scan.rolls_back(migration.sql, sql_scan.MYSQL):
            raise BootstrapError(
                f"migration {migration.name} contains ROLLBACK: it would undo part of itself while the "
                "rest (and all DDL, which commits implicitly) stays, so it is refused before running and "
                f"NOT recorded as applied; applied before it in this run: {', '.join(done) or 'none'}. "
                "Remove the ROLLBACK (ROLLBACK TO SAVEPOINT is allowed) and re-run the bootstrap"
            )
        try:
            with conn.cursor() as cur:
                cur.execute(migration.sql)
                while cur.nextset():  # multi-statement files: an error in a later statement surfaces here
                    pass
        except Exception as exc:
            detail = redact(one_line(exc), request.secrets)
            lost = " (the connection was lost while it ran)" if not conn.open else ""
            raise BootstrapError(
                f"migration {migration.name} failed{lost}; applied before it in this run: "
                f"{', '.join(done) or 'none'}. MySQL DDL is not transactional: the statements of "
                f"{migration.name} before the failing one may have been applied, and it is NOT recorded "
                "as applied. Check the schema, make the migration safe to re-run (IF NOT EXISTS) and "
                f"re-run the bootstrap: {detail}"
            ) from None
        _restore_session(conn, request, migration.name, done)
        try:
            with conn.cursor() as cur:
                cur.execute(*mysql_sql.record_migration(request.database, migration.name, migration.checksum))
        except Exception as exc:
            raise BootstrapError(
                f"migration {migration.name} ran, but recording it in {mysql_sql.MIGRATIONS_TABLE} failed "
                f"(applied before it in this run: {', '.join(done) or 'none'}): record it by hand or make "
                f"it safe to re-run before re-running the bootstrap: {redact(one_line(exc), request.secrets)}"
            ) from None
        done.append(migration.name)
    return done, skipped


def _restore_session(conn: Any, request: BootstrapRequest, name: str, done: list[str]) -> None:
    """What a migration changed in the session must not carry over to the next one: `USE other` would
    move later migrations to another database, `SET autocommit = 0` would leave their rows uncommitted,
    `SET foreign_key_checks = 0` / `sql_mode = ''` / `NAMES latin1` would change what they store.
    A transaction it left open is refused (neither committing nor dropping it silently is right)."""
    try:
        if conn.server_status & SERVER_STATUS_IN_TRANS:
            with conn.cursor() as cur:
                cur.execute("ROLLBACK")
            raise BootstrapError(
                f"migration {name} left a transaction open (START TRANSACTION or autocommit=0 without "
                f"COMMIT): its open part was rolled back and it is NOT recorded as applied (applied before "
                f"it in this run: {', '.join(done) or 'none'}). End the transaction in the file, make it "
                "safe to re-run and re-run the bootstrap"
            )
        conn.autocommit(True)
        conn.select_db(request.database)  # COM_INIT_DB: back to the app database after a `USE`
        with conn.cursor() as cur:  # SET NAMES latin1, foreign_key_checks = 0, sql_mode = '' ...
            for sql, _ in mysql_sql.reset_session():
                cur.execute(sql)
    except BootstrapError:
        raise
    except Exception as exc:
        raise BootstrapError(
            f"migration {name} ran, but the session could not be reset after it: "
            f"{redact(one_line(exc), request.secrets)}; it is NOT recorded as applied, re-run the bootstrap"
        ) from None


def _run(conn: Any, statement: mysql_sql.Statement, request: BootstrapRequest, step: str) -> None:
    sql, params = statement
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
    except Exception as exc:
        code = exc.args[0] if exc.args else None
        if code == ER_PLUGIN_NOT_LOADED and mysql_sql.IAM_PLUGIN in sql:
            raise BootstrapError(
                f"{step} failed: this server has no {mysql_sql.IAM_PLUGIN}; IAM database authentication "
                "needs Amazon RDS for MySQL or Aurora MySQL (use auth 'secret' elsewhere)"
            ) from None
        if "IDENTIFIED BY PASSWORD" in sql and _strict_password_validation(conn):
            # MariaDB answers only "Operation CREATE USER failed" (1396): say why.
            raise BootstrapError(
                f"{step} failed: MariaDB refuses a password given as a hash while a password validation "
                "plugin runs with strict_password_validation=ON. The bootstrap never sends the clear "
                "password to MariaDB (it would be written to the general, slow and binary logs): set "
                "strict_password_validation to 0 in the DB parameter group, or turn the plugin OFF there "
                "(simple_password_check's default rules refuse the generated passwords anyway: 40 random "
                "letters and digits, no other character), then re-run"
            ) from None
        raise BootstrapError(f"{step} failed: {redact(one_line(exc), request.secrets)}") from None


def _fetch(conn: Any, statement: mysql_sql.Statement, request: BootstrapRequest) -> list[tuple[Any, ...]]:
    sql, params = statement
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return list(cur.fetchall())
    except Exception as exc:
        raise BootstrapError(f"query failed: {redact(one_line(exc), request.secrets)}") from None


def _strict_password_validation(conn: Any) -> bool:
    """Whether MariaDB refuses hashed passwords: a password validation plugin is active and
    strict_password_validation is ON (sources.MARIADB_STRICT_PASSWORD_VALIDATION)."""
    try:
        with conn.cursor() as cur:
            cur.execute(*mysql_sql.password_validation_state())
            strict, plugins = cur.fetchone()
    except Exception:
        return False  # only a better message was at stake; the original error is reported
    return bool(strict) and bool(plugins)
