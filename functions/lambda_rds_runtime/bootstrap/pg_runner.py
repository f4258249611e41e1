"""Bootstrap steps on PostgreSQL (RDS, Aurora, or a local server with an `rds_iam` role for IAM mode)."""

from __future__ import annotations

from . import pg_sql
from .app_password import RESET, password_decision, password_note
from .connect import connect_as_master
from .errors import BootstrapError, one_line, redact
from .migrations import plan_migrations
from .pg_migrate import apply_migration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .request import BootstrapRequest


def bootstrap_postgres(request: BootstrapRequest) -> dict[str, Any]:
    """Ensure the user, apply migrations, grant; return the response document.

    Everything runs under one advisory lock, so concurrent bootstraps (two deploys, a retried invocation)
    apply their steps one after the other; each step is idempotent, so a re-run after any failure
    converges. The lock is session-level: it is released by the server if the connection dies."""
    conn = connect_as_master(request)
    try:
        _fetch(conn, pg_sql.lock_migrations(), request)
        user_outcome, decision = _ensure_user(conn, request)
        applied, skipped = _migrate(conn, request)
        for statement in pg_sql.app_grants(request.app_user, request.database):
            _run(conn, statement, request, "granting privileges")
        _fetch(conn, pg_sql.unlock_migrations(), request)
    finally:
        conn.close()  # also releases the lock if a step failed
    response: dict[str, Any] = {
        "status": "ok",
        "user": user_outcome,
        "applied": applied,
        "skipped": skipped,
        "statement_timeout": "role",
    }
    note = password_note(decision)
    if note:
        response["password"] = note
    return response


def _ensure_user(conn: Any, request: BootstrapRequest) -> tuple[str, str | None]:
    """Create or adjust the role; returns (created|updated|unchanged, the password decision of an
    existing role: app_password.CURRENT / PENDING (kept) / RESET (set), None in iam mode)."""
    user, iam = request.app_user, request.auth == "iam"
    if iam and not _fetch(conn, pg_sql.iam_role_exists(), request)[0][0]:
        raise BootstrapError(
            "auth is 'iam' but the role rds_iam does not exist: IAM database authentication needs Amazon "
            "RDS or Aurora (to emulate it on a local server, CREATE ROLE rds_iam first)"
        )
    verifier = None if iam else _scram_verifier(conn, request.app_password or "", user)
    rows = _fetch(conn, pg_sql.role_state(user), request)
    if not rows:
        _run(conn, pg_sql.create_role(user, verifier), request, "creating the application user")
        if iam:
            _run(conn, pg_sql.grant_iam(user), request, "granting rds_iam")
        _apply_timeout(conn, request, current=0)
        return "created", None
    _refuse_privileged_role(conn, request)
    can_login, in_iam_role, setconfig = rows[0]
    changed = False
    decision: str | None = None
    if not can_login:
        _run(conn, pg_sql.enable_login(user), request, "enabling login")
        changed = True
    if iam and not in_iam_role:
        _run(conn, pg_sql.grant_iam(user), request, "granting rds_iam")
        _run(conn, pg_sql.set_password(user, None), request, "removing the password")
        changed = True
    if not iam:
        if in_iam_role:
            _run(conn, pg_sql.revoke_iam(user), request, "revoking rds_iam")
            changed = True
        decision = password_decision(request)
        if decision == RESET:
            _run(conn, pg_sql.set_password(user, verifier), request, "setting the password")
            changed = True
    changed |= _apply_timeout(conn, request, current=pg_sql.current_statement_timeout(setconfig))
    return ("updated" if changed else "unchanged"), decision


def _refuse_privileged_role(conn: Any, request: BootstrapRequest) -> None:
    """Never adopt (and reset the password of) a role that can do more than an application user."""
    row = _fetch(conn, pg_sql.role_privileges(request.app_user), request)[0]
    names = ("SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS")
    found = [name for name, flag in zip(names, row[:5], strict=True) if flag]
    found += [f"member of {role}" for role in row[5] or []]
    if found:
        raise BootstrapError(
            f"app_user {request.app_user!r} already exists as a privileged or foreign role "
            f"({', '.join(found)}); refusing to adopt it as the application user (its password would be "
            "reset). Choose another app_user, or remove those privileges yourself if it really is this app's"
        )


def _scram_verifier(conn: Any, password: str, user: str) -> str:
    """libpq's PQencryptPasswordConn: the server only ever sees the SCRAM-SHA-256 verifier."""
    from psycopg2.extensions import encrypt_password

    return str(encrypt_password(password, user, conn, "scram-sha-256"))


def _apply_timeout(conn: Any, request: BootstrapRequest, *, current: int) -> bool:
    if current == request.statement_timeout_ms:
        return False
    statement = pg_sql.set_statement_timeout(request.app_user, request.statement_timeout_ms)
    _run(conn, statement, request, "setting the statement timeout")
    return True


def _migrate(conn: Any, request: BootstrapRequest) -> tuple[list[str], list[str]]:
    """Apply pending migrations, each in one transaction with its bookkeeping row (caller holds the lock;
    pg_migrate says what a failure left behind)."""
    for statement in pg_sql.create_migrations_table():
        _run(conn, statement, request, "creating the migrations table")
    applied = dict(_fetch(conn, pg_sql.applied_migrations(), request))
    pending, skipped = plan_migrations(request.migrations, applied)
    done: list[str] = []
    for migration in pending:
        apply_migration(conn, request, migration, done)
        done.append(migration.name)
    return done, skipped


def _run(conn: Any, statement: pg_sql.Statement, request: BootstrapRequest, step: str) -> None:
    sql, params = statement
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
    except Exception as exc:
        raise BootstrapError(f"{step} failed: {redact(one_line(exc), request.secrets)}") from None


def _fetch(conn: Any, statement: pg_sql.Statement, request: BootstrapRequest) -> list[tuple[Any, ...]]:
    sql, params = statement
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return list(cur.fetchall())
    except Exception as exc:
        raise BootstrapError(f"query failed: {redact(one_line(exc), request.secrets)}") from None
