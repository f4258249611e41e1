"""PostgreSQL statements of the bootstrap, as pure functions returning (sql, params).

Passwords are sent as SCRAM-SHA-256 verifiers computed client-side (never the plain text), so a server
that logs DDL, or logs the statement of a failed command, cannot leak the password.
"""

from __future__ import annotations

from .identifiers import pg_ident

Statement = tuple[str, tuple[object, ...]]

MIGRATIONS_SCHEMA = "lambda_rds"
MIGRATIONS_TABLE = f"{MIGRATIONS_SCHEMA}.schema_migrations"
# pg_advisory_lock key: any constant shared by every bootstrap of this library ("lrds" in ASCII).
ADVISORY_LOCK_KEY = 0x6C726473
_DEFAULTS = "ALTER DEFAULT PRIVILEGES IN SCHEMA public"  # for objects the current (master) role creates
IAM_ROLE = "rds_iam"  # exists on Amazon RDS only; locally a test creates an ordinary role of that name


def role_state(user: str) -> Statement:
    """Exists, can log in, is a member of rds_iam, role-level settings (pg_db_role_setting, all databases)."""
    return (
        "SELECT r.rolcanlogin,"
        " EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        "         WHERE m.member = r.oid AND g.rolname = %s),"
        " (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0)"
        " FROM pg_roles r WHERE r.rolname = %s",
        (IAM_ROLE, user),
    )


def role_privileges(user: str) -> Statement:
    """What would make the role more than an application user: attributes, and every role it belongs to
    besides rds_iam (rds_superuser, pg_write_all_data, another application's role ...)."""
    return (
        "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,"
        " ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        "       WHERE m.member = r.oid AND g.rolname <> %s ORDER BY 1)"
        " FROM pg_roles r WHERE r.rolname = %s",
        (IAM_ROLE, user),
    )


def iam_role_exists() -> Statement:
    """Is this an RDS server (or a local stand-in with an rds_iam role)?"""
    return ("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (IAM_ROLE,))


def create_role(user: str, verifier: str | None) -> Statement:
    """LOGIN role; with a SCRAM verifier in secret mode, without any password in iam mode."""
    if verifier is None:
        return (f"CREATE ROLE {pg_ident(user)} LOGIN", ())
    return (f"CREATE ROLE {pg_ident(user)} LOGIN PASSWORD %s", (verifier,))


def enable_login(user: str) -> Statement:
    """A role that exists without LOGIN cannot be used by the app."""
    return (f"ALTER ROLE {pg_ident(user)} LOGIN", ())


def set_password(user: str, verifier: str | None) -> Statement:
    """Set (secret mode) or remove (iam mode: the token is the only way in) the password."""
    if verifier is None:
        return (f"ALTER ROLE {pg_ident(user)} PASSWORD NULL", ())
    return (f"ALTER ROLE {pg_ident(user)} PASSWORD %s", (verifier,))


def grant_iam(user: str) -> Statement:
    """RDS: members of rds_iam authenticate with IAM tokens (and no longer with passwords)."""
    return (f"GRANT {IAM_ROLE} TO {pg_ident(user)}", ())


def revoke_iam(user: str) -> Statement:
    """Back to password authentication."""
    return (f"REVOKE {IAM_ROLE} FROM {pg_ident(user)}", ())


def set_statement_timeout(user: str, timeout_ms: int) -> Statement:
    """On the role, not per session: a session SET pins RDS Proxy connections. 0 removes the limit."""
    if timeout_ms == 0:
        return (f"ALTER ROLE {pg_ident(user)} RESET statement_timeout", ())
    return (f"ALTER ROLE {pg_ident(user)} SET statement_timeout = {int(timeout_ms)}", ())


def current_statement_timeout(setconfig: list[str] | None) -> int:
    """The statement_timeout recorded by `set_statement_timeout` (0 if none)."""
    for entry in setconfig or []:
        key, _, value = entry.partition("=")
        if key == "statement_timeout":
            return int(value) if value.isdigit() else -1
    return 0


def app_grants(user: str, database: str) -> list[Statement]:
    """Data access in schema public and nothing else: no DDL, no access to the migrations schema.

    Default privileges cover tables that later migrations (run by the same master user) create.
    """
    role = pg_ident(user)
    return [
        (f"GRANT CONNECT ON DATABASE {pg_ident(database)} TO {role}", ()),
        (f"GRANT USAGE ON SCHEMA public TO {role}", ()),
        (f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}", ()),
        (f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}", ()),
        (f"{_DEFAULTS} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}", ()),
        (f"{_DEFAULTS} GRANT USAGE, SELECT ON SEQUENCES TO {role}", ()),
    ]


def lock_migrations() -> Statement:
    """Session-level advisory lock: two concurrent bootstraps apply migrations one after the other."""
    return ("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))


def unlock_migrations() -> Statement:
    """Release the advisory lock."""
    return ("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def create_migrations_table() -> list[Statement]:
    """In its own schema, which the application user is not granted."""
    return [
        (f"CREATE SCHEMA IF NOT EXISTS {MIGRATIONS_SCHEMA}", ()),
        (
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())",
            (),
        ),
    ]


def applied_migrations() -> Statement:
    """name -> checksum of everything applied so far."""
    return (f"SELECT name, checksum FROM {MIGRATIONS_TABLE}", ())


def record_migration(name: str, checksum: str) -> Statement:
    """Written in the same transaction as the migration itself."""
    return (f"INSERT INTO {MIGRATIONS_TABLE} (name, checksum) VALUES (%s, %s)", (name, checksum))


def reset_session() -> str:
    """Undo what a migration set for the session (search_path, role, ...) before the next step. Not DISCARD
    ALL: it would release the advisory lock. RESET ALL leaves the role alone, hence RESET ROLE."""
    return "RESET ALL; RESET ROLE"
