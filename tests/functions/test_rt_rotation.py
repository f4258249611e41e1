"""Rotation of the app secret (issue 13, item 3): the four steps against real PostgreSQL / MariaDB and
moto's Secrets Manager, idempotent re-runs, a refused setSecret, and a rotation while the example app
serves traffic (directly and through PgBouncer) with 0 failed calls.

The rotation starts the way Secrets Manager starts it: RotateSecret with a ClientRequestToken puts a
version staged AWSPENDING (moto copies the current value into it; AWS leaves it empty), then the function
is called with each Step. The application users come from the real bootstrap (its grants only).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import lambda_rds_runtime
import pytest
from lambda_rds_runtime.bootstrap.connect import LoginRejected, open_connection
from lambda_rds_runtime.rotation import RotationError, Rotator, Target, new_password
from lambda_rds_runtime.smapi import SecretsClient
from rt_helpers import AWS_TEST_ENV, LogCapture, api_event, app_migrations, load_handler, unique
from rt_servers import ADMIN_PASSWORD, MariaDbServer, MotoServer, PgBouncerServer, PostgresServer, TlsFiles

app = load_handler("app")
bootstrap = load_handler("bootstrap")
launcher = load_handler("bootstrap_launcher")
rotation_handler = load_handler("rotation")
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


@dataclass
class Deployed:
    """A bootstrapped app user, its secret in moto, and a Rotator pointed at the database itself."""

    engine: str
    port: int
    database: str
    user: str
    password: str
    arn: str
    moto: MotoServer
    tls: TlsFiles
    rotator: Rotator
    env: dict[str, str] = field(default_factory=dict)

    def begin(self) -> str:
        """What RotateSecret does before calling the function: a new version staged AWSPENDING."""
        token = str(uuid.uuid4())
        client = self.moto.client()
        current = client.get_secret_value(SecretId=self.arn, VersionStage="AWSCURRENT")["SecretString"]
        # moto's RotateSecret without a Lambda completes on its own; this is the state AWS leaves before
        # calling createSecret (AWS: an empty version; here a copy of the current value, like moto's).
        client.put_secret_value(
            SecretId=self.arn, ClientRequestToken=token, SecretString=current, VersionStages=["AWSPENDING"]
        )
        return token

    def step(self, token: str, step: str) -> str:
        event = {"SecretId": self.arn, "ClientRequestToken": token, "Step": step}
        return self.rotator.handle(event)["outcome"]

    def stage(self, stage: str) -> dict[str, Any]:
        answer = self.moto.client().get_secret_value(SecretId=self.arn, VersionStage=stage)
        return dict(json.loads(answer["SecretString"]))

    def logs_in(self, password: str) -> bool:
        try:
            conn = open_connection(self.rotator.target, self.user, password)  # type: ignore[arg-type]
        except LoginRejected:
            return False
        conn.close()
        return True


def _deploy(engine: str, port: int, master: str, database: str, moto: MotoServer, tls: TlsFiles) -> Deployed:
    user, password = unique("app"), new_password()
    bootstrap.handler(
        {
            "engine": engine,
            "host": "localhost",
            "port": port,
            "database": database,
            "master": {"username": master, "password": ADMIN_PASSWORD},
            "app_user": user,
            "auth": "secret",
            "app_password": password,
            "statement_timeout_ms": 5000,
            "migrations": app_migrations(),
            "ca_bundle": str(tls.ca),
        }
    )
    body = {"username": user, "password": password, "engine": engine, "dbname": database}
    arn = moto.client().create_secret(Name=unique("app-secret"), SecretString=json.dumps(body))["ARN"]
    env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url}
    from lambda_rds_runtime.awscreds import credentials_from_env

    client = SecretsClient(region="us-east-1", credentials=credentials_from_env(env), timeout=5, environ=env)
    target = Target(engine, "localhost", port, database, str(tls.ca), 3.0)
    rotator = Rotator(client, target, expected_secret=arn)
    return Deployed(engine, port, database, user, password, arn, moto, tls, rotator, env)


@pytest.fixture
def pg_app(pg: PostgresServer, moto: MotoServer, tls: TlsFiles) -> Deployed:
    database = unique("db")
    pg.create_database(database)
    return _deploy("postgres", pg.port, pg.superuser, database, moto, tls)


@pytest.fixture
def maria_app(mariadb: MariaDbServer, moto: MotoServer, tls: TlsFiles) -> Deployed:
    database = unique("db")
    mariadb.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    return _deploy("mysql", mariadb.port, mariadb.admin_user, database, moto, tls)


def _check_rotated(app_: Deployed, old: str) -> str:
    new = str(app_.stage("AWSCURRENT")["password"])
    assert new != old and len(new) == 40 and new.isalnum()
    assert app_.stage("AWSPREVIOUS")["password"] == old
    assert app_.logs_in(new) and not app_.logs_in(old)
    current = app_.stage("AWSCURRENT")
    assert {k: v for k, v in current.items() if k != "password"} == {
        "username": app_.user,
        "engine": app_.engine,
        "dbname": app_.database,
    }
    return new


# -- the four steps ----------------------------------------------------------------------------------------


def _four_steps(app_: Deployed) -> None:
    token = app_.begin()
    assert app_.step(token, "createSecret") == "created"
    pending = str(app_.stage("AWSPENDING")["password"])
    assert app_.logs_in(app_.password) and not app_.logs_in(pending)  # nothing changed in the database yet
    assert app_.step(token, "setSecret") == "set"
    assert app_.logs_in(pending) and not app_.logs_in(app_.password)
    assert app_.stage("AWSCURRENT")["password"] == app_.password  # the label has not moved yet
    assert app_.step(token, "testSecret") == "tested"
    assert app_.step(token, "finishSecret") == "finished"
    assert _check_rotated(app_, app_.password) == pending
    # A second rotation starts from the first one's result.
    token2 = app_.begin()
    for step in STEPS:
        app_.step(token2, step)
    _check_rotated(app_, pending)


@pytest.mark.xdist_group("postgres")
def test_four_steps_rotate_the_password_on_postgres(pg_app: Deployed, pg: PostgresServer) -> None:
    _four_steps(pg_app)
    # The server holds a SCRAM verifier (computed client-side), never the clear password.
    (stored,) = pg.sql("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (pg_app.user,))[0]
    assert stored.startswith("SCRAM-SHA-256$")


@pytest.mark.xdist_group("mariadb")
def test_four_steps_rotate_the_password_on_mariadb(maria_app: Deployed) -> None:
    _four_steps(maria_app)


def _idempotent(app_: Deployed) -> None:
    token = app_.begin()
    assert [app_.step(token, "createSecret") for _ in range(2)] == ["created", "exists"]
    pending = app_.stage("AWSPENDING")["password"]
    assert [app_.step(token, "setSecret") for _ in range(2)] == ["set", "already-set"]
    assert app_.stage("AWSPENDING")["password"] == pending  # the retried create did not re-generate
    assert [app_.step(token, "testSecret") for _ in range(2)] == ["tested", "tested"]
    assert [app_.step(token, "finishSecret") for _ in range(2)] == ["finished", "already-current"]
    # Late retries of any step after finishSecret change nothing.
    assert {app_.step(token, step) for step in STEPS} == {"already-current"}
    _check_rotated(app_, app_.password)


@pytest.mark.xdist_group("postgres")
def test_every_step_is_idempotent_on_postgres(pg_app: Deployed) -> None:
    _idempotent(pg_app)


@pytest.mark.xdist_group("mariadb")
def test_every_step_is_idempotent_on_mariadb(maria_app: Deployed) -> None:
    _idempotent(maria_app)


@pytest.mark.xdist_group("postgres")
def test_set_secret_recovers_with_awsprevious(pg_app: Deployed, pg: PostgresServer) -> None:
    """The database has the password of AWSPREVIOUS (a restore, a rotation undone by hand): setSecret
    still gets in and converges."""
    token = pg_app.begin()
    for step in STEPS:
        pg_app.step(token, step)
    pg.sql(f'ALTER ROLE "{pg_app.user}" PASSWORD %s', (pg_app.password,))  # back to AWSPREVIOUS
    token2 = pg_app.begin()
    for step in STEPS:
        pg_app.step(token2, step)
    _check_rotated(pg_app, str(pg_app.stage("AWSPREVIOUS")["password"]))


@pytest.mark.xdist_group("postgres")
def test_the_function_rotates_only_its_own_secret(pg_app: Deployed, moto: MotoServer) -> None:
    other = moto.client().create_secret(Name=unique("other"), SecretString="{}")["ARN"]
    with pytest.raises(RotationError, match=r"rotates .* only"):
        pg_app.rotator.handle({"SecretId": other, "ClientRequestToken": "t", "Step": "createSecret"})
    with pytest.raises(RotationError, match="not a rotation of it"):
        pg_app.step(str(uuid.uuid4()), "createSecret")
    with pytest.raises(RotationError, match="Step in"):
        pg_app.rotator.handle({"SecretId": pg_app.arn, "ClientRequestToken": "t", "Step": "dropSecret"})


# -- a refused setSecret leaves the old password working ------------------------------------------------


def _refused_then_retried(app_: Deployed, refuse: Any, allow: Any) -> None:
    token = app_.begin()
    assert app_.step(token, "createSecret") == "created"
    pending = str(app_.stage("AWSPENDING")["password"])
    refuse()
    try:
        with pytest.raises(RotationError, match=r"refused the new password.*the old one still works") as info:
            app_.step(token, "setSecret")
        assert pending not in str(info.value) and app_.password not in str(info.value)
        with pytest.raises(RotationError, match="cannot log in with the AWSPENDING"):
            app_.step(token, "testSecret")  # Secrets Manager would stop here: finishSecret never runs
    finally:
        allow()
    assert app_.logs_in(app_.password) and not app_.logs_in(pending)
    assert app_.stage("AWSCURRENT")["password"] == app_.password
    # The retry (Secrets Manager retries a failed rotation) completes it.
    for step in STEPS[1:]:
        app_.step(token, step)
    _check_rotated(app_, app_.password)


@pytest.mark.xdist_group("postgres")
def test_refused_set_secret_leaves_the_old_password_working_on_postgres(
    pg_app: Deployed, pg: PostgresServer
) -> None:
    # The server refuses ALTER ROLE in a read-only transaction, which the role now always has.
    role = f'"{pg_app.user}"'
    _refused_then_retried(
        pg_app,
        lambda: pg.sql(f"ALTER ROLE {role} SET default_transaction_read_only = on"),
        lambda: pg.sql(f"ALTER ROLE {role} RESET default_transaction_read_only"),
    )


@pytest.mark.xdist_group("mariadb")
def test_refused_set_secret_leaves_the_old_password_working_on_mariadb(
    maria_app: Deployed, mariadb: MariaDbServer
) -> None:
    # read_only: the server refuses password changes from accounts without READ ONLY ADMIN.
    _refused_then_retried(
        maria_app,
        lambda: mariadb.sql("SET GLOBAL read_only = 1"),
        lambda: mariadb.sql("SET GLOBAL read_only = 0"),
    )


# -- the Lambda entry point ---------------------------------------------------------------------------------


@pytest.mark.xdist_group("postgres")
def test_handler_runs_the_steps_from_its_environment(
    pg_app: Deployed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **pg_app.env,
        "DB_ENGINE": "postgres",
        "DB_HOST": "localhost",
        "DB_PORT": str(pg_app.port),
        "DB_NAME": pg_app.database,
        "DB_CA_BUNDLE": str(pg_app.tls.ca),
        "DB_CONNECT_TIMEOUT": "3",
        "ROTATION_SECRET_ARN": pg_app.arn,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    token = pg_app.begin()
    outcomes = [
        rotation_handler.handler({"SecretId": pg_app.arn, "ClientRequestToken": token, "Step": s})["outcome"]
        for s in STEPS
    ]
    assert outcomes == ["created", "set", "tested", "finished"]
    out = capsys.readouterr().out
    new = str(pg_app.stage("AWSCURRENT")["password"])
    assert new not in out and pg_app.password not in out
    _check_rotated(pg_app, pg_app.password)


# -- rotation while the example app serves traffic ---------------------------------------------------------


@dataclass
class Traffic:
    calls: int = 0
    failures: list[str] = field(default_factory=list)
    cold_starts: int = 0
    auth_refreshes: int = 0
    secret_reads: int = 0
    pending_reads: int = 0

    def serve(self, n: int, *, cold_every: int = 7, kill: Any = None, kill_every: int = 0) -> None:
        """`n` calls of the example app; a new execution environment every `cold_every` calls, the
        server-side connection killed every `kill_every` calls (a new connection with cached secret)."""
        for _ in range(n):
            if self.calls % cold_every == 0:
                self._harvest()
                lambda_rds_runtime.reset_database()
                self.cold_starts += 1
            if kill is not None and kill_every and self.calls % kill_every == kill_every - 1:
                kill()
            method, path, body = (
                ("POST", "/items", json.dumps({"name": f"n{self.calls}"}))
                if self.calls % 3 == 0
                else ("GET", "/items", None)
            )
            response = app.handler(api_event(method, path, body), None)
            self.calls += 1
            if response["statusCode"] >= 500:
                self.failures.append(f"{method} {path}: {response['body']}")

    def _harvest(self) -> None:
        db = lambda_rds_runtime._default
        if db is None:
            return
        self.auth_refreshes += db.auth_refreshes
        source: Any = db._source
        self.secret_reads += getattr(source, "fetch_count", 0)
        self.pending_reads += getattr(source, "pending_used", 0)

    def finish(self) -> Traffic:
        self._harvest()
        lambda_rds_runtime.reset_database()
        return self


def _app_env(app_: Deployed, monkeypatch: pytest.MonkeyPatch, *, port: int) -> None:
    env = {
        **app_.env,
        "DB_ENGINE": app_.engine,
        "DB_HOST": "localhost",
        "DB_PORT": str(port),
        "DB_NAME": app_.database,
        "DB_USER": app_.user,
        "DB_AUTH": "secret",
        "DB_SECRET_ARN": app_.arn,
        "DB_CA_BUNDLE": str(app_.tls.ca),
        "DB_CONNECT_TIMEOUT": "3",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def _rotate_under_traffic(app_: Deployed, kill: Any, after_step: Any = None, kill_every: int = 5) -> Traffic:
    """Interleaved: calls (cold starts, killed connections) before and after every step."""
    traffic = Traffic()
    traffic.serve(20, kill=kill, kill_every=kill_every)
    token = app_.begin()
    for step in STEPS:
        app_.step(token, step)
        if after_step is not None:
            after_step(step)
        traffic.serve(20, kill=kill, kill_every=kill_every)
    return traffic.finish()


def _report(name: str, traffic: Traffic) -> None:
    print(
        f"\nrotation fault run ({name}): calls={traffic.calls} failures={len(traffic.failures)} "
        f"cold_starts={traffic.cold_starts} auth_refreshes={traffic.auth_refreshes} "
        f"secret_reads={traffic.secret_reads} pending_reads={traffic.pending_reads}"
    )


@pytest.mark.xdist_group("postgres")
def test_rotation_under_traffic_on_postgres(
    pg_app: Deployed, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch, runtime_logs: LogCapture
) -> None:
    _app_env(pg_app, monkeypatch, port=pg_app.port)
    traffic = _rotate_under_traffic(pg_app, kill=lambda: pg.terminate(pg_app.user))
    _report("postgres direct", traffic)
    assert traffic.failures == []
    assert traffic.calls == 100
    # Every refused login was followed by exactly one re-read that succeeded.
    assert traffic.auth_refreshes >= 1 and len(runtime_logs.named("connect_failed")) == 0
    assert traffic.pending_reads >= 1  # the setSecret..finishSecret window was crossed and covered
    _check_no_password_in(runtime_logs, pg_app)


@pytest.mark.xdist_group("mariadb")
def test_rotation_under_traffic_on_mariadb(
    maria_app: Deployed, mariadb: MariaDbServer, monkeypatch: pytest.MonkeyPatch, runtime_logs: LogCapture
) -> None:
    _app_env(maria_app, monkeypatch, port=maria_app.port)
    traffic = _rotate_under_traffic(maria_app, kill=lambda: mariadb.kill(maria_app.user))
    _report("mariadb direct", traffic)
    assert traffic.failures == [] and traffic.calls == 100
    assert traffic.auth_refreshes >= 1 and traffic.pending_reads >= 1
    assert len(runtime_logs.named("connect_failed")) == 0
    _check_no_password_in(runtime_logs, maria_app)


@pytest.mark.xdist_group("postgres")
def test_rotation_under_traffic_through_pgbouncer(
    pg_app: Deployed, pgbouncer: PgBouncerServer, monkeypatch: pytest.MonkeyPatch, runtime_logs: LogCapture
) -> None:
    """PgBouncer stands in for RDS Proxy with SECRETS auth: it knows the password of AWSCURRENT (here:
    reloaded right after finishSecret, the proxy's re-read). The rotation function talks to PostgreSQL
    directly. Server connections are not killed during the run (the proxy keeps its pool)."""
    pgbouncer.add_user(pg_app.user, pg_app.password)

    def proxy_rereads(step: str) -> None:
        if step == "finishSecret":
            # PgBouncer keeps the SCRAM keys it derived for a user across a reload of its auth file, so
            # the stand-in for the proxy's re-read is a reload plus restart (warm clients reconnect).
            pgbouncer.add_user(pg_app.user, str(pg_app.stage("AWSCURRENT")["password"]))
            pgbouncer.restart()

    _app_env(pg_app, monkeypatch, port=pgbouncer.port)
    traffic = _rotate_under_traffic(pg_app, kill=None, after_step=proxy_rereads)
    _report("postgres through pgbouncer", traffic)
    assert traffic.failures == [] and traffic.calls == 100
    assert len(runtime_logs.named("connect_failed")) == 0
    _check_no_password_in(runtime_logs, pg_app)


@pytest.mark.xdist_group("postgres")
def test_rotation_concurrent_with_traffic_on_postgres(
    pg_app: Deployed, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch, runtime_logs: LogCapture
) -> None:
    """The steps run on their own thread (as Secrets Manager calls them) while the app serves calls
    back to back, with cold starts and killed connections throughout."""
    _app_env(pg_app, monkeypatch, port=pg_app.port)
    traffic = Traffic()
    done = threading.Event()
    errors: list[BaseException] = []
    step_retries: list[str] = []

    def rotate() -> None:
        try:
            for _ in range(3):
                token = pg_app.begin()
                for step in STEPS:
                    # The killer ends every session of the app user, the rotation's own included (single
                    # user: it logs in as that user). A step whose connection is cut fails, and Secrets
                    # Manager invokes it again (every step may be retried: rotation.py's docstring); each
                    # step checks what is done first, so the retry converges. Three cuts in a row fail.
                    for attempt in range(3):
                        try:
                            pg_app.step(token, step)
                            break
                        except Exception as exc:  # a cut session: psycopg's OperationalError
                            if attempt == 2 or ("closed" not in str(exc) and "terminat" not in str(exc)):
                                raise
                            step_retries.append(f"{step}: {exc}".strip())
                    time.sleep(0.05)
                # Rotations are days apart in real life; here a pause keeps two rotations' windows apart.
                time.sleep(0.25)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=rotate)
    thread.start()
    while not done.is_set() or traffic.calls < 60:
        traffic.serve(1, cold_every=4, kill=lambda: pg.terminate(pg_app.user), kill_every=3)
    thread.join()
    traffic.finish()
    _report("postgres direct, concurrent, 3 rotations", traffic)
    assert errors == [], step_retries
    # Converged, retried steps included: the database takes AWSCURRENT's password, AWSPREVIOUS's no more.
    assert pg_app.logs_in(str(pg_app.stage("AWSCURRENT")["password"]))
    assert not pg_app.logs_in(str(pg_app.stage("AWSPREVIOUS")["password"]))
    assert traffic.failures == []
    assert len(runtime_logs.named("connect_failed")) == 0


# -- issue 18, item 4: a deploy during a rotation ---------------------------------------------------------


class _InProcessLambda:
    """Stands in for Lambda's Invoke of the in-VPC bootstrap: runs its handler here (the database is real)."""

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        try:
            body, extra = json.dumps(bootstrap.handler(json.loads(kwargs["Payload"]))), {}
        except Exception as exc:
            body, extra = json.dumps({"errorMessage": str(exc)}), {"FunctionError": "Unhandled"}
        return {"Payload": io.BytesIO(body.encode()), **extra}


def _deploy_again(app_: Deployed, master: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `pulumi up` runs for a new migration: the launcher, which reads the secrets at run time."""
    monkeypatch.setenv("BOOTSTRAP_FUNCTION", "bootstrap")
    client = app_.moto.client()
    master_secret = json.dumps({"username": master, "password": ADMIN_PASSWORD})
    master_arn = client.create_secret(Name=unique("master"), SecretString=master_secret)["ARN"]
    event = {
        "engine": app_.engine,
        "host": "localhost",
        "port": app_.port,
        "database": app_.database,
        "master_secret_arn": master_arn,
        "app_user": app_.user,
        "auth": "secret",
        "app_password": "the-first-password-the-launcher-replaces",
        "app_secret_arn": app_.arn,
        "statement_timeout_ms": 5000,
        "migrations": app_migrations(),
        "ca_bundle": str(app_.tls.ca),
    }
    return dict(launcher.handler(event, clients=(client, _InProcessLambda())))


def _deploy_between_test_and_finish(app_: Deployed, master: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _deploy_again(app_, master, monkeypatch)["user"] == "unchanged"  # no rotation: no note either
    token = app_.begin()
    for step in STEPS[:3]:
        app_.step(token, step)
    response = _deploy_again(app_, master, monkeypatch)
    assert (
        response["user"] == "unchanged" and "rotation of the app secret is under way" in response["password"]
    )
    pending = str(app_.stage("AWSPENDING")["password"])
    assert app_.logs_in(pending)  # the deploy left the rotation's password in place
    assert app_.step(token, "finishSecret") == "finished"
    _check_rotated(app_, app_.password)
    after = _deploy_again(app_, master, monkeypatch)  # AWSPENDING now sits on AWSCURRENT's version
    assert after["user"] == "unchanged" and "password" not in after


@pytest.mark.xdist_group("postgres")
def test_deploy_during_rotation_keeps_the_pending_password_on_postgres(
    pg_app: Deployed, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_between_test_and_finish(pg_app, pg.superuser, monkeypatch)


@pytest.mark.xdist_group("mariadb")
def test_deploy_during_rotation_keeps_the_pending_password_on_mariadb(
    maria_app: Deployed, mariadb: MariaDbServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_between_test_and_finish(maria_app, mariadb.admin_user, monkeypatch)
    # A rotation stopped before setSecret leaves an AWSPENDING the database never had: the deploy keeps
    # AWSCURRENT (it logs in) and says nothing about a rotation.
    maria_app.step(maria_app.begin(), "createSecret")
    response = _deploy_again(maria_app, mariadb.admin_user, monkeypatch)
    assert response["user"] == "unchanged" and "password" not in response
    current = str(maria_app.stage("AWSCURRENT")["password"])
    assert maria_app.logs_in(current) and current != maria_app.stage("AWSPENDING")["password"]


@pytest.mark.xdist_group("postgres")
def test_finish_secret_refuses_a_password_a_late_bootstrap_set_back(
    pg_app: Deployed, pg: PostgresServer
) -> None:
    """The launcher read the secret before setSecret (no AWSPENDING yet), the bootstrap ran after
    testSecret and set the old password back: finishSecret must not promote a password that no longer
    logs in, and the retry converges."""
    token = pg_app.begin()
    for step in STEPS[:3]:
        pg_app.step(token, step)
    stale = _deploy_event_as_read_before_set_secret(pg_app, pg.superuser)
    assert bootstrap.handler(stale)["user"] == "updated"  # the old password is back
    with pytest.raises(RotationError, match="no longer logs in with the AWSPENDING password"):
        pg_app.step(token, "finishSecret")
    assert pg_app.stage("AWSCURRENT")["password"] == pg_app.password and pg_app.logs_in(pg_app.password)
    for step in STEPS[1:]:  # Secrets Manager's retry of the rotation
        pg_app.step(token, step)
    _check_rotated(pg_app, pg_app.password)


def _deploy_event_as_read_before_set_secret(app_: Deployed, master: str) -> dict[str, Any]:
    return {
        "engine": app_.engine,
        "host": "localhost",
        "port": app_.port,
        "database": app_.database,
        "master": {"username": master, "password": ADMIN_PASSWORD},
        "app_user": app_.user,
        "auth": "secret",
        "app_password": app_.password,
        "statement_timeout_ms": 5000,
        "migrations": app_migrations(),
        "ca_bundle": str(app_.tls.ca),
    }


def _check_no_password_in(logs: LogCapture, app_: Deployed) -> None:
    passwords = {app_.password, str(app_.stage("AWSCURRENT")["password"])}
    for line in logs.lines:
        assert not any(p in line for p in passwords)


class _FakeConn:
    """Records what the rotation sends on a MySQL (not MariaDB) server, which the tests cannot start."""

    def __init__(self, version: str) -> None:
        import socket

        self.version = version
        self.sent: list[tuple[str, Any]] = []
        self._sock = socket.socket()  # the bound's timer needs a descriptor (never cut: it answers at once)

    def get_server_info(self) -> str:
        return self.version

    def cursor(self) -> Any:
        conn = self

        class Cursor:
            def __enter__(self) -> Cursor:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            description = None

            def execute(self, sql: str, params: Any = None) -> None:
                conn.sent.append((sql, params))

        return Cursor()


# MariaDB receives the mysql_native_password hash, never the clear password (its logs keep statements as
# sent: tests/functions/test_rt_server_logs.py); MySQL 8 rewrites the clause in its logs.
NEW_PW_HASH = "*" + hashlib.sha1(hashlib.sha1(b"new-pw").digest()).hexdigest().upper()


@pytest.mark.parametrize(
    ("version", "statement", "value"),
    [
        ("8.0.39", "ALTER USER USER() IDENTIFIED BY %s", "new-pw"),  # MySQL 8 / Aurora MySQL 3: own account
        ("8.0.mysql_aurora.3.08.0", "ALTER USER USER() IDENTIFIED BY %s", "new-pw"),
        ("5.5.5-10.11.9-MariaDB", "SET PASSWORD = %s", NEW_PW_HASH),
    ],
)
def test_mysql_statements_change_only_the_current_account(version: str, statement: str, value: str) -> None:
    target = Target("mysql", "h", 3306, "db", "/nonexistent", 1.0)
    rotator = Rotator(None, target)  # type: ignore[arg-type]
    conn = _FakeConn(version)
    try:
        rotator._change_password(conn, "app_user", "new-pw")
    finally:
        conn._sock.close()
    assert conn.sent == [(statement, (value,))]


def test_rotation_target_reads_the_port_with_the_runtimes_checks() -> None:
    from lambda_rds_runtime.errors import RuntimeConfigError
    from lambda_rds_runtime.rotation import Target

    base = {"DB_ENGINE": "postgres", "DB_HOST": "db", "DB_NAME": "app"}
    assert Target.from_env({**base, "DB_PORT": "5432.0"}).port == 5432
    for bad in ("inf", "1e400", "5432.9", "nan"):
        with pytest.raises(RuntimeConfigError, match="DB_PORT"):
            Target.from_env({**base, "DB_PORT": bad})


# -- issue 18, second review: a stale AWSPENDING, and a whole rotation between the launcher's read and the
# bootstrap ----------------------------------------------------------------------------------------------


@pytest.mark.xdist_group("postgres")
def test_stale_pending_does_not_override_a_newer_current(
    pg_app: Deployed, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rotation stopped after setSecret (the database has its pending password); the operator then wrote
    a new AWSCURRENT and redeployed to apply it. Before: the launcher sent the stale AWSPENDING, which still
    logged in, so the bootstrap kept it and the new AWSCURRENT never worked."""
    token = pg_app.begin()
    pg_app.step(token, "createSecret")
    pg_app.step(token, "setSecret")
    stale = str(pg_app.stage("AWSPENDING")["password"])
    time.sleep(1.1)  # moto dates versions in whole seconds; AWS in milliseconds
    client = pg_app.moto.client()
    newer = new_password()
    body = {"username": pg_app.user, "password": newer, "engine": "postgres", "dbname": pg_app.database}
    client.put_secret_value(SecretId=pg_app.arn, SecretString=json.dumps(body))
    response = _deploy_again(pg_app, pg.superuser, monkeypatch)
    assert response["user"] == "updated" and response["password"] == "reset"
    assert pg_app.logs_in(newer) and not pg_app.logs_in(stale)


class _RotationBeforeBootstrap(_InProcessLambda):
    """The launcher has read the secret; a whole rotation runs before the (first) bootstrap starts."""

    def __init__(self, app_: Deployed) -> None:
        self.app = app_
        self.payloads: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        if not self.payloads:
            token = self.app.begin()
            for step in STEPS:
                self.app.step(token, step)
        self.payloads.append(json.loads(kwargs["Payload"]))
        return super().invoke(**kwargs)


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("postgres", marks=pytest.mark.xdist_group("postgres")),
        pytest.param("mariadb", marks=pytest.mark.xdist_group("mariadb")),
    ],
)
def test_rotation_between_the_launchers_read_and_the_bootstrap_is_caught_up(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Before: the bootstrap set the password the launcher had read (now AWSPREVIOUS) while AWSCURRENT
    named the rotation's new one: every app call failed until the next rotation. Now the bootstrap says
    "password": "reset", the launcher sees AWSCURRENT moved since its read and runs it again."""
    app_: Deployed = request.getfixturevalue("pg_app" if engine == "postgres" else "maria_app")
    server = request.getfixturevalue("pg" if engine == "postgres" else "mariadb")
    master = server.superuser if engine == "postgres" else server.admin_user
    monkeypatch.setenv("BOOTSTRAP_FUNCTION", "bootstrap")
    client = app_.moto.client()
    master_arn = client.create_secret(
        Name=unique("master"), SecretString=json.dumps({"username": master, "password": ADMIN_PASSWORD})
    )["ARN"]
    event = {
        **_deploy_event_as_read_before_set_secret(app_, master),
        "master_secret_arn": master_arn,
        "app_secret_arn": app_.arn,
    }
    del event["master"]
    lam = _RotationBeforeBootstrap(app_)
    response = launcher.handler(event, clients=(client, lam))
    current = str(app_.stage("AWSCURRENT")["password"])
    assert current != app_.password  # the rotation did finish
    assert [p["app_password"] for p in lam.payloads] == [app_.password, current]
    assert response["password"] == "reset" and app_.logs_in(current)
    # Nothing moved since: one run, and the password is left alone.
    lam.payloads = [{"already": "rotated"}]
    again = launcher.handler(event, clients=(client, lam))
    assert "password" not in again and len(lam.payloads) == 2


@pytest.mark.xdist_group("mariadb")
def test_interrupted_set_password_that_took_effect_is_not_reported_refused(
    maria_app: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MariaDB's max_statement_time can interrupt SET PASSWORD after the server applied it (ACL changes
    are not transactional). Before: "refused ... (the old one still works)" while only the new one did."""
    import pymysql

    token = maria_app.begin()
    maria_app.step(token, "createSecret")
    pending = str(maria_app.stage("AWSPENDING")["password"])
    real_execute = Rotator._execute

    def applied_then_interrupted(self: Rotator, conn: Any, sql: str, params: Any, what: str) -> None:
        real_execute(self, conn, sql, params, what)  # the real server applies it ...
        if what == "the password change":  # ... and the answer is an interruption
            raise pymysql.err.OperationalError(1969, "Query execution was interrupted (max_statement_time)")

    monkeypatch.setattr(Rotator, "_execute", applied_then_interrupted)
    assert maria_app.step(token, "setSecret") == "set"
    assert maria_app.logs_in(pending) and not maria_app.logs_in(maria_app.password)


def test_mysql8_rotation_session_bounds_lock_waits() -> None:
    """MySQL 8 has no statement timeout for ALTER USER: a metadata-lock wait is bounded by
    lock_wait_timeout (whole seconds, at least 1). Before: nothing was set on MySQL 8."""
    from lambda_rds_runtime.rotation import _session_limit

    mysql8, maria = _FakeConn("8.0.39"), _FakeConn("5.5.5-10.11.9-MariaDB")
    try:
        assert _session_limit(mysql8, "mysql", 2.2) == "SET SESSION lock_wait_timeout = 3"
        assert _session_limit(mysql8, "mysql", 0.2) == "SET SESSION lock_wait_timeout = 1"
        assert _session_limit(maria, "mysql", 2.2) == "SET max_statement_time = 2.200"
    finally:
        mysql8._sock.close()
        maria._sock.close()
