"""Rotation of the application user's secret (`auth: secret`): Secrets Manager's four steps.

Secrets Manager invokes the rotation function four times per rotation, with the same ClientRequestToken
(the new version's id) and Step = createSecret, setSecret, testSecret, finishSecret; every step may be
retried, so each one checks what is already done first (how AWS's own templates work:
sources.SM_ROTATION_FUNCTIONS, sources.SM_ROTATION_TEMPLATES; our code is our own).

Strategy: **single user**, logged in as the application user itself (sources.SM_ROTATION_STRATEGY). A
PostgreSQL role may change its own password (ALTER ROLE, sources.PG_ALTER_ROLE); a MySQL/MariaDB account
its own (ALTER USER / SET PASSWORD for the current user need no privilege, sources.MYSQL_ALTER_USER,
sources.MARIADB_SET_PASSWORD). So the rotation function never reads the master secret: it holds exactly
one secret, the one it rotates. (Alternating users would need the master credentials to clone the user,
and a second set of grants the bootstrap does not make.)

- createSecret: a new random password (letters and digits, like the component's first one) staged
  AWSPENDING under the token, unless that version exists already.
- setSecret: if the pending password already logs in, nothing to do; else log in with AWSCURRENT (or
  AWSPREVIOUS, when an earlier rotation changed the database but not the labels) and change the password
  in one statement. PostgreSQL receives a SCRAM-SHA-256 verifier computed client-side (never the clear
  password, as the bootstrap does). A refused statement changes nothing: the old password keeps working.
- testSecret: log in with the pending password and run SELECT 1.
- finishSecret: move AWSCURRENT to the token's version (Secrets Manager labels the old one AWSPREVIOUS).

The window between setSecret and finishSecret (the database has the new password, AWSCURRENT still the
old one) is covered on the application side: credentials.SecretSource, on an authentication failure,
re-reads AWSCURRENT and, if it has not moved yet, tries AWSPENDING (docs/inside-the-function.md).

The function connects to the database directly (DB_HOST is the instance or cluster endpoint), never
through RDS Proxy: the proxy authenticates clients with the secret's AWSCURRENT value, so testing the
pending password through it would fail by design (docs/safety.md, "Rotation of the app secret").
"""

from __future__ import annotations

import os
import secrets as _random

from .config import LAYER_CA_BUNDLE, endpoint_numbers, normalize_engine
from .errors import exception_text, redact
from .smapi import NOT_FOUND, SecretsApiError, SecretsClient

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
PASSWORD_LENGTH = 40  # [A-Za-z0-9]{40}: ~238 bits, no quoting pitfalls (lambda_rds/resources/app_secret.py)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class RotationError(RuntimeError):
    """A step cannot complete; the message says which and why, never a password."""


def new_password(length: int = PASSWORD_LENGTH) -> str:
    """Cryptographically random letters and digits (the `secrets` module: no GetRandomPassword call)."""
    return "".join(_random.choice(_ALPHABET) for _ in range(length))


class Target:
    """Where the database is (from the function's environment), shaped for bootstrap.connect."""

    __slots__ = ("ca_bundle", "connect_timeout", "database", "engine", "host", "port", "secrets")

    def __init__(
        self, engine: str, host: str, port: int, database: str, ca_bundle: str, connect_timeout: float
    ) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.database = database
        self.ca_bundle = ca_bundle
        self.connect_timeout = connect_timeout
        self.secrets: tuple[str | None, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Target:
        env = os.environ if environ is None else environ
        missing = [k for k in ("DB_ENGINE", "DB_HOST", "DB_NAME") if not env.get(k)]
        if missing:
            raise RotationError(f"the rotation function's environment lacks {', '.join(missing)}")
        engine = normalize_engine(env["DB_ENGINE"])
        port, timeout = endpoint_numbers(env, engine)  # the runtime's checks: no inf, no truncation
        return cls(
            engine, env["DB_HOST"], port, env["DB_NAME"], env.get("DB_CA_BUNDLE") or LAYER_CA_BUNDLE, timeout
        )


class Rotator:
    """The four steps for one secret (the one named by ROTATION_SECRET_ARN when that is set)."""

    def __init__(self, client: SecretsClient, target: Target, *, expected_secret: str | None = None) -> None:
        self.client = client
        self.target = target
        self.expected_secret = expected_secret

    # -- entry point -------------------------------------------------------------------------------------

    def handle(self, event: object) -> dict[str, str]:
        """Run one step; returns {"step", "outcome"} (outcomes: created, exists, set, already-set,
        tested, finished, already-current)."""
        if not isinstance(event, dict):
            raise RotationError("the rotation event must be a JSON object")
        arn, token, step = event.get("SecretId"), event.get("ClientRequestToken"), event.get("Step")
        if not (isinstance(arn, str) and isinstance(token, str) and token and step in STEPS):
            raise RotationError(f"the rotation event needs SecretId, ClientRequestToken and Step in {STEPS}")
        if self.expected_secret and arn != self.expected_secret:
            raise RotationError(f"this function rotates {self.expected_secret} only, not {arn}")
        # What makes this call a rotation is a version staged AWSPENDING under this token (RotateSecret
        # creates it); RotationEnabled is not checked, so an operator's RotateSecret on a secret whose
        # schedule was turned off still completes instead of leaving AWSPENDING behind.
        meta = self.client.describe(arn)
        stages = (meta.get("VersionIdsToStages") or {}).get(token)
        if stages is None:
            raise RotationError(f"version {token} of {arn} has no staging label: not a rotation of it")
        if "AWSCURRENT" in stages:
            return {"step": str(step), "outcome": "already-current"}  # a late retry after finishSecret
        if "AWSPENDING" not in stages:
            raise RotationError(f"version {token} of {arn} is not staged AWSPENDING")
        outcome = {
            "createSecret": self.create,
            "setSecret": self.set,
            "testSecret": self.test,
            "finishSecret": self.finish,
        }[str(step)](arn, token)
        return {"step": str(step), "outcome": outcome}

    # -- the four steps ----------------------------------------------------------------------------------

    def create(self, arn: str, token: str) -> str:
        current = self.client.get_json(arn, stage="AWSCURRENT")
        try:
            pending = self.client.get_json(arn, stage="AWSPENDING", version_id=token)
            # A value equal to AWSCURRENT is a placeholder, not our password: Secrets Manager leaves the
            # new version empty (the read above is then ResourceNotFound), moto copies the current value.
            if pending.get("password") != current.get("password"):
                return "exists"
        except SecretsApiError as exc:
            if exc.kind != NOT_FOUND:
                raise
        _require_login_fields(current, "AWSCURRENT")
        self.client.put_pending(arn, token, {**current, "password": new_password()})
        return "created"

    def set(self, arn: str, token: str) -> str:
        pending = self.client.get_json(arn, stage="AWSPENDING", version_id=token)
        current = self.client.get_json(arn, stage="AWSCURRENT")
        user = _require_login_fields(pending, "AWSPENDING")
        _require_login_fields(current, "AWSCURRENT")
        if current["username"] != user:
            raise RotationError(
                f"AWSPENDING names user {user!r} but AWSCURRENT {current['username']!r}: single-user "
                "rotation never changes the user"
            )
        new = str(pending["password"])
        self.target.secrets = (new, str(current["password"]))
        if self._login(user, new) is not None:
            return "already-set"
        candidates = [str(current["password"])]
        try:
            previous = self.client.get_json(arn, stage="AWSPREVIOUS")
            if previous.get("username") == user and isinstance(previous.get("password"), str):
                candidates.append(previous["password"])
        except SecretsApiError as exc:
            if exc.kind != NOT_FOUND:
                raise
        self.target.secrets = (new, *candidates)
        conn = None
        for password in candidates:
            conn = self._login(user, password)
            if conn is not None:
                break
        if conn is None:
            raise RotationError(
                f"user {user!r} cannot log in with AWSCURRENT or AWSPREVIOUS (nor AWSPENDING): the database "
                "and the secret disagree; nothing was changed"
            )
        try:
            self._change_password(conn, user, new)
        finally:
            conn.close()
        return "set"

    def test(self, arn: str, token: str) -> str:
        pending = self.client.get_json(arn, stage="AWSPENDING", version_id=token)
        user = _require_login_fields(pending, "AWSPENDING")
        self.target.secrets = (str(pending["password"]),)
        conn = self._login(user, str(pending["password"]))
        if conn is None:
            raise RotationError(f"user {user!r} cannot log in with the AWSPENDING password")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchall()
        finally:
            conn.close()
        return "tested"

    def finish(self, arn: str, token: str) -> str:
        meta = self.client.describe(arn)
        current = None
        for version, labels in (meta.get("VersionIdsToStages") or {}).items():
            if "AWSCURRENT" in labels:
                if version == token:
                    return "already-current"
                current = version
        self.client.move_stage(arn, "AWSCURRENT", token, current)
        return "finished"

    # -- database ------------------------------------------------------------------------------------------

    def _login(self, user: str, password: str) -> Any:
        """An open connection as `user`, or None if the server refused the password."""
        from .bootstrap.connect import DatabaseAccessDenied, LoginRejected, open_connection
        from .bootstrap.errors import BootstrapError

        try:
            return open_connection(self.target, user, password)  # type: ignore[arg-type]
        except LoginRejected:
            return None
        except DatabaseAccessDenied as exc:
            raise RotationError(f"user {user!r} logged in but may not use the database: {exc}") from None
        except BootstrapError as exc:
            raise RotationError(str(exc)) from None

    def _change_password(self, conn: Any, user: str, password: str) -> None:
        """One statement as the user itself; on failure nothing changed (the old password still works)."""
        from .bootstrap.identifiers import pg_ident, validate_identifier

        validate_identifier(user, "username", self.target.engine)
        try:
            with conn.cursor() as cur:
                if self.target.engine == "postgres":
                    from psycopg2.extensions import encrypt_password

                    verifier = str(encrypt_password(password, user, conn, "scram-sha-256"))
                    cur.execute(f"ALTER ROLE {pg_ident(user)} PASSWORD %s", (verifier,))
                else:
                    # The current account (no privilege needed for one's own password on MySQL 8 and
                    # MariaDB). PyMySQL interpolates the value client-side; the servers rewrite
                    # password clauses before logging statements.
                    cur.execute("SET PASSWORD = PASSWORD(%s)" if _is_mariadb(conn) else
                                "ALTER USER USER() IDENTIFIED BY %s", (password,))  # fmt: skip
        except Exception as exc:
            detail = redact(exception_text(exc), list(self.target.secrets))
            raise RotationError(
                f"the database refused the new password for {user!r} (the old one still works): {detail}"
            ) from None


def _is_mariadb(conn: Any) -> bool:
    return "mariadb" in str(conn.get_server_info()).lower()


def _require_login_fields(value: dict[str, Any], stage: str) -> str:
    user, password = value.get("username"), value.get("password")
    if not (isinstance(user, str) and user and isinstance(password, str) and password):
        raise RotationError(f"the {stage} secret needs string fields 'username' and 'password'")
    return user


def rotator_from_env(environ: Mapping[str, str] | None = None) -> Rotator:
    """The Rotator the Lambda handler uses: region and credentials from Lambda's environment."""
    from .awscreds import credentials_from_env

    env = os.environ if environ is None else environ
    target = Target.from_env(env)
    region = env.get("AWS_REGION") or ""
    if not region:
        raise RotationError("AWS_REGION is not set")
    client = SecretsClient(
        region=region,
        credentials=credentials_from_env(env),
        timeout=max(target.connect_timeout, 5.0),
        environ=env,
    )
    return Rotator(client, target, expected_secret=env.get("ROTATION_SECRET_ARN") or None)
