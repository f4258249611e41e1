"""Bootstrap steps on MySQL, Aurora MySQL and MariaDB.

Differences from PostgreSQL that the response and the errors make explicit:
- IAM users need Amazon's AWSAuthenticationPlugin: MariaDB and community MySQL refuse the statement.
- A per-user statement timeout exists only on MariaDB (MAX_STATEMENT_TIME); on MySQL the response says so
  and the limit belongs in the DB parameter group (max_execution_time), never in a session SET.
- DDL commits implicitly, so a migration that fails half-way may leave part of itself applied.
"""

from __future__ import annotations

import re

from . import mysql_sql
from .connect import connect_as_master, login_works
from .errors import BootstrapError, one_line, redact
from .migrations import plan_migrations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .request import BootstrapRequest

ER_PLUGIN_NOT_LOADED = 1524
# "GRANT <privileges> ON <target> TO ..." (a role grant has no ON: "GRANT `role` TO ...").
_GRANT_LINE = re.compile(r"GRANT (.+?) ON (\S+) TO ", re.IGNORECASE)
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
        user_outcome = _ensure_user(conn, request, mariadb)
        applied, skipped = _migrate(conn, request)
        for statement in mysql_sql.app_grants(request.app_user, request.database):
            _run(conn, statement, request, "granting privileges")
        _fetch(conn, mysql_sql.unlock_migrations(), request)
    finally:
        conn.close()  # also releases the lock if a step failed
    return {
        "status": "ok",
        "user": user_outcome,
        "applied": applied,
        "skipped": skipped,
        "statement_timeout": "user" if mariadb else MYSQL_TIMEOUT_NOTE,
    }


def _ensure_user(conn: Any, request: BootstrapRequest, mariadb: bool) -> str:
    user, iam = request.app_user, request.auth == "iam"
    rows = _fetch(conn, mysql_sql.user_state(user, mariadb), request)
    if not rows:
        _run(
            conn,
            mysql_sql.create_user(user, None if iam else request.app_password),
            request,
            "creating the user",
        )
        if mariadb:
            _run(
                conn, mysql_sql.set_statement_timeout(user, request.statement_timeout_ms), request, "timeout"
            )
        return "created"
    _refuse_privileged_user(conn, request)
    plugin, ssl_type, max_statement_time = rows[0]
    changed = False
    if iam and plugin != mysql_sql.IAM_PLUGIN:
        _run(conn, mysql_sql.switch_to_iam(user), request, "switching the user to IAM authentication")
        changed = True
    if not iam and (
        plugin == mysql_sql.IAM_PLUGIN or not login_works(request, user, request.app_password or "")
    ):
        _run(conn, mysql_sql.set_password(user, request.app_password or ""), request, "setting the password")
        changed = True
    if str(ssl_type).upper() != "ANY":
        _run(conn, mysql_sql.require_tls(user), request, "requiring TLS")
        changed = True
    if mariadb and round(float(max_statement_time or 0) * 1000) != request.statement_timeout_ms:
        _run(conn, mysql_sql.set_statement_timeout(user, request.statement_timeout_ms), request, "timeout")
        changed = True
    return "updated" if changed else "unchanged"


def _refuse_privileged_user(conn: Any, request: BootstrapRequest) -> None:
    """Never adopt (and reset the password of) an account that can do more than an application user:
    global privileges beyond USAGE, GRANT OPTION, roles, proxy rights, or grants on other databases."""
    found: list[str] = []
    for (line,) in _fetch(conn, mysql_sql.show_grants(request.app_user), request):
        text = str(line)
        match = _GRANT_LINE.match(text)
        if match is None:
            found.append("a role or proxy grant")
            continue
        privileges, target = match.group(1).strip(), match.group(2).strip()
        if "WITH GRANT OPTION" in text.upper():
            found.append(f"GRANT OPTION on {target}")
        if target == "*.*":
            if privileges.upper() != "USAGE":
                found.append(f"{privileges} ON *.*")
        elif not target.startswith(f"`{request.database}`."):
            found.append(f"privileges on {target}")
    if found:
        raise BootstrapError(
            f"app_user {request.app_user!r} already exists as a privileged or foreign account "
            f"({'; '.join(dict.fromkeys(found))}); refusing to adopt it as the application user (its "
            "password would be reset). Choose another app_user, or revoke those privileges yourself if it "
            "really is this app's"
        )


def _migrate(conn: Any, request: BootstrapRequest) -> tuple[list[str], list[str]]:
    """Apply pending migrations (the caller holds the lock); MySQL DDL commits implicitly."""
    for statement in mysql_sql.create_migrations_table():
        _run(conn, statement, request, "creating the migrations table")
    applied = dict(_fetch(conn, mysql_sql.applied_migrations(request.database), request))
    pending, skipped = plan_migrations(request.migrations, applied)
    done: list[str] = []
    for migration in pending:
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
        raise BootstrapError(f"{step} failed: {redact(one_line(exc), request.secrets)}") from None


def _fetch(conn: Any, statement: mysql_sql.Statement, request: BootstrapRequest) -> list[tuple[Any, ...]]:
    sql, params = statement
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return list(cur.fetchall())
    except Exception as exc:
        raise BootstrapError(f"query failed: {redact(one_line(exc), request.secrets)}") from None
