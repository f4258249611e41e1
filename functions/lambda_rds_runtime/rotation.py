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
  in one statement. PostgreSQL receives a SCRAM-SHA-256 verifier computed client-side and MariaDB the
  mysql_native_password hash (never the clear password, which MariaDB would write to its general, slow
  and binary logs; MySQL 8 rewrites it there, sources.MYSQL_PASSWORD_LOGGING). A refused statement
  changes nothing: the old password keeps working. A connection that breaks once the statement is sent
  leaves the outcome unknown, and says so: the retry converges (the pending password then logs in).
- testSecret: log in with the pending password and run SELECT 1.
- finishSecret: check that the pending password still logs in (a bootstrap run since testSecret may have
  set the old one back), then move AWSCURRENT to the token's version (the old one becomes AWSPREVIOUS).

Every statement after a login is bounded by the connect timeout (`Rotator.bound`): server side
(statement_timeout, max_statement_time: a lock wait ends in a clean refusal) and, CUT_MARGIN_S later,
client side (a timer cuts the socket of a server that froze after the login, bootstrap/bounded.py); a
cut is logged (`rotation_timeout`: the step, the statement, the bound) instead of running into Lambda's
timeout.

The window between setSecret and finishSecret (the database has the new password, AWSCURRENT still the
old one) is covered on the application side: credentials.SecretSource, on an authentication failure,
re-reads AWSCURRENT and, if it has not moved yet, tries AWSPENDING (docs/inside-the-function.md).

The function connects to the database directly (DB_HOST is the instance or cluster endpoint), never
through RDS Proxy: the proxy authenticates clients with the secret's AWSCURRENT value, so testing the
pending password through it would fail by design (docs/safety.md, "Rotation of the app secret").
"""

from __future__ import annotations

import math
import os
import secrets as _random

from .config import LAYER_CA_BUNDLE, endpoint_numbers, normalize_engine
from .errors import exception_text, redact
from .log import emit
from .smapi import NOT_FOUND, SecretsApiError, SecretsClient

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
MIN_BOUND_S = 1.0
# The client-side cut comes this much after the server-side limit, so a live server's own cancel (a clean
# refusal: nothing changed) is what a slow statement ends with; only a silent server meets the cut.
CUT_MARGIN_S = 0.5
PASSWORD_LENGTH = 40  # [A-Za-z0-9]{40}: ~238 bits, no quoting pitfalls (lambda_rds/resources/app_secret.py)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class RotationError(RuntimeError):
    """A step cannot complete; the message says which and why, never a password."""


class RotationTimeout(RotationError):
    """The database accepted the login and then did not answer a statement within the bound."""


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
        self.step = ""

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
        self.step = str(step)
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
        if self._logs_in(user, new):
            return "already-set"  # this step ran before (its answer may have been lost): converged
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
            _close(conn)
        return "set"

    def test(self, arn: str, token: str) -> str:
        pending = self.client.get_json(arn, stage="AWSPENDING", version_id=token)
        user = _require_login_fields(pending, "AWSPENDING")
        self.target.secrets = (str(pending["password"]),)
        conn = self._login(user, str(pending["password"]))
        if conn is None:
            raise RotationError(f"user {user!r} cannot log in with the AWSPENDING password")
        try:
            self._execute(conn, "SELECT 1", None, "SELECT 1 with the AWSPENDING password")
        finally:
            _close(conn)
        return "tested"

    def finish(self, arn: str, token: str) -> str:
        meta = self.client.describe(arn)
        current = None
        for version, labels in (meta.get("VersionIdsToStages") or {}).items():
            if "AWSCURRENT" in labels:
                if version == token:
                    return "already-current"
                current = version
        # Promote only a password the database accepts right now: a bootstrap run between testSecret and
        # here may have set the old one back (a deploy whose launcher read the secret before setSecret).
        # Then AWSCURRENT stays where it is (the app keeps working with it) and the retry sets it again.
        pending = self.client.get_json(arn, stage="AWSPENDING", version_id=token)
        user = _require_login_fields(pending, "AWSPENDING")
        self.target.secrets = (str(pending["password"]),)
        if not self._logs_in(user, str(pending["password"])):
            raise RotationError(
                f"user {user!r} no longer logs in with the AWSPENDING password (was the password set back "
                "since testSecret, by a bootstrap run?): AWSCURRENT was not moved and still works; the "
                "rotation's retry sets the pending password again"
            )
        self.client.move_stage(arn, "AWSCURRENT", token, current)
        return "finished"

    # -- database ------------------------------------------------------------------------------------------

    @property
    def bound(self) -> float:
        """Every statement's limit on the server (the client cuts CUT_MARGIN_S later): the connect timeout
        (a server that logs us in within it answers SELECT 1 or a password change within it too), at
        least MIN_BOUND_S."""
        return max(self.target.connect_timeout, MIN_BOUND_S)

    def _login(self, user: str, password: str) -> Any:
        """An open connection as `user` with the server-side statement limit set, or None if the server
        refused the password."""
        from .bootstrap.connect import DatabaseAccessDenied, LoginRejected, open_connection
        from .bootstrap.errors import BootstrapError

        try:
            conn = open_connection(self.target, user, password)  # type: ignore[arg-type]
        except LoginRejected:
            return None
        except DatabaseAccessDenied as exc:
            raise RotationError(f"user {user!r} logged in but may not use the database: {exc}") from None
        except BootstrapError as exc:
            raise RotationError(str(exc)) from None
        try:
            limit = _session_limit(conn, self.target.engine, self.bound)
            if limit is not None:
                self._execute(conn, limit, None, "setting the session's statement limit")
        except BaseException:
            _close(conn)
            raise
        return conn

    def _logs_in(self, user: str, password: str) -> bool:
        conn = self._login(user, password)
        if conn is None:
            return False
        _close(conn)
        return True

    def _execute(self, conn: Any, sql: str, params: Any, what: str) -> None:
        """One statement within `bound`; a timeout is logged (the step and what timed out) and raised."""
        from .bootstrap.bounded import StatementTimedOut, run_bounded

        try:
            run_bounded(conn, self.target.engine, sql, params, self.bound + CUT_MARGIN_S)
        except StatementTimedOut as exc:
            emit(
                "rotation_timeout",
                level="ERROR",
                step=self.step,
                statement=what,
                bound_s=exc.seconds,
                elapsed_s=round(exc.elapsed, 2),
            )
            raise RotationTimeout(
                f"{self.step}: the database accepted the login but did not answer {what} within "
                f"{exc.seconds:g}s; the connection was cut"
            ) from None

    def _change_password(self, conn: Any, user: str, password: str) -> None:
        """One statement as the user itself. A refusal changes nothing (the old password still works);
        a connection that broke once the statement was sent leaves the outcome unknown."""
        from .bootstrap.identifiers import pg_ident, validate_identifier
        from .bootstrap.mysql_sql import set_own_password
        from .engines import load_engine

        validate_identifier(user, "username", self.target.engine)
        params: tuple[object, ...]
        if self.target.engine == "postgres":
            from psycopg2.extensions import encrypt_password

            # libpq's PQencryptPasswordConn: the server only ever sees the SCRAM-SHA-256 verifier.
            verifier = str(encrypt_password(password, user, conn, "scram-sha-256"))
            sql, params = f"ALTER ROLE {pg_ident(user)} PASSWORD %s", (verifier,)
        else:
            # The current account (no privilege needed for one's own password on MySQL 8 and MariaDB):
            # MariaDB gets the password's hash, as it logs statements as received; MySQL 8 the clear
            # password, which it rewrites in its logs (bootstrap/mysql_sql.py).
            sql, params = set_own_password(password, mariadb=_is_mariadb(conn))
        try:
            self._execute(conn, sql, params, "the password change")
        except RotationTimeout as exc:
            raise RotationError(f"{exc}: {_UNKNOWN}") from None
        except Exception as exc:
            detail = redact(exception_text(exc), list(self.target.secrets))
            if load_engine(self.target.engine).is_connection_lost(conn, exc):
                raise RotationError(
                    f"the connection broke after the new password for {user!r} was sent ({detail}): "
                    f"{_UNKNOWN}"
                ) from None
            if self.target.engine != "postgres" and self._applied_anyway(user, password):
                return  # MariaDB's max_statement_time can interrupt SET PASSWORD after it took effect
            raise RotationError(
                f"the database refused the new password for {user!r} (the old one still works): {detail}"
            ) from None

    def _applied_anyway(self, user: str, password: str) -> bool:
        """Whether the new password logs in after an error answer (an interrupted statement is not always
        undone on MySQL/MariaDB: ACL changes are not transactional). A failed check says no: the error
        then stands, and the retry's first check (AWSPENDING logs in?) converges either way."""
        try:
            return self._logs_in(user, password)
        except Exception:
            return False


_UNKNOWN = (
    "the outcome is unknown (the database may have the new password or still the old one); a retry "
    "converges: setSecret first checks whether the AWSPENDING password already logs in"
)


def _session_limit(conn: Any, engine: str, seconds: float) -> str | None:
    """The server-side limit for this session (it ends a lock wait cleanly: a refusal, nothing changed;
    sources.PG_STATEMENT_TIMEOUT, sources.MARIADB_MAX_STATEMENT_TIME).
    The rotation connects to the database directly, never through RDS Proxy, so a session SET pins
    nothing. MySQL 8 has no limit for statements other than SELECT: lock_wait_timeout (whole seconds, at
    least 1; sources.MYSQL_LOCK_WAIT_TIMEOUT) ends a wait for a metadata lock (ALTER USER behind another
    account statement) with a refusal, and the client-side cut covers the rest."""
    if engine == "postgres":
        return f"SET statement_timeout = {round(seconds * 1000)}"
    if _is_mariadb(conn):
        return f"SET max_statement_time = {seconds:.3f}"
    return f"SET SESSION lock_wait_timeout = {max(1, math.ceil(seconds))}"


def _close(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        return  # a connection cut by the bound may raise on close; nothing is left to release


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
