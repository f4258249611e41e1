"""The runtime against a real PostgreSQL 15 with TLS: verification, reuse, reconnects, timeouts."""

from __future__ import annotations

import datetime
import threading
import time
import types
from typing import Any
from unittest import mock

import boto3
import psycopg2
import pytest
from lambda_rds_runtime import (
    ConnectionLostError,
    Database,
    DatabaseUnavailableError,
    DbConfig,
    TransactionRolledBackError,
    iam_token,
)
from lambda_rds_runtime.credentials import IamTokenSource, Login
from lambda_rds_runtime.engines.postgres import PostgresEngine
from rt_helpers import AWS_TEST_ENV, IAM_EMULATED_USER, LogCapture, PgTarget
from rt_servers import PostgresServer, SilentListener, TlsFiles

pytestmark = pytest.mark.xdist_group("postgres")


def test_verify_full_with_the_right_ca(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    ssl, version = db.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0]
    assert ssl is True
    assert version in ("TLSv1.2", "TLSv1.3")


def test_wrong_ca_is_refused(pg_target: PgTarget, tls: TlsFiles) -> None:
    db = pg_target.database_for(ca_bundle=str(tls.wrong_ca))
    with pytest.raises(DatabaseUnavailableError, match="certificate verify failed"):
        db.query("SELECT 1")
    assert pg_target.backends() == []


def test_wrong_host_name_is_refused(pg_target: PgTarget) -> None:
    """Same server, reached by an address the certificate does not name: verify-full must refuse."""
    db = pg_target.database_for(host="127.0.0.1")
    with pytest.raises(DatabaseUnavailableError, match="does not match host name"):
        db.query("SELECT 1")


def test_one_connection_over_many_invocations(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    pids = {db.query("SELECT pg_backend_pid()")[0][0] for _ in range(300)}
    assert len(pids) == 1
    assert len(pg_target.backends()) == 1
    assert db.connects == 1


def test_no_transaction_left_open_between_calls(pg_target: PgTarget) -> None:
    """Autocommit: an idle connection is 'idle', never 'idle in transaction' (which pins a proxy)."""
    db = pg_target.database_for()
    db.query("SELECT 1")
    state = pg_target.server.sql(
        "SELECT state FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()", (pg_target.user,)
    )
    assert state == [("idle",)]


def test_reconnect_after_terminate_backend_before_a_write(
    pg_target: PgTarget, runtime_logs: LogCapture
) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int)")
    first_pid = db.query("SELECT pg_backend_pid()")[0][0]
    assert pg_target.server.terminate(pg_target.user) == 1
    # Not read-only, yet safe: the dead connection is noticed before anything is sent.
    db.execute("INSERT INTO t VALUES (1)")
    assert db.query("SELECT count(*) FROM t") == [(1,)]
    assert db.query("SELECT pg_backend_pid()")[0][0] != first_pid
    assert db.connects == 2
    reconnects = runtime_logs.named("reconnect")
    assert len(reconnects) == 1
    assert reconnects[0]["engine"] == "postgres" and reconnects[0]["reason"]


def _terminate_later(server: PostgresServer, user: str, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        server.terminate(user)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_write_in_flight_is_not_retried(pg_target: PgTarget, runtime_logs: LogCapture) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int)")
    killer = _terminate_later(pg_target.server, pg_target.user, 0.5)
    with pytest.raises(ConnectionLostError, match="may or may not have been applied"):
        db.execute("INSERT INTO t SELECT 1 FROM pg_sleep(3)")
    killer.join(10)
    assert db.query("SELECT count(*) FROM t") == [(0,)]  # next call reconnects; the killed insert rolled back
    assert runtime_logs.named("connection_lost")[0]["retried"] is False


def test_read_only_statement_in_flight_is_retried_once(pg_target: PgTarget, runtime_logs: LogCapture) -> None:
    db = pg_target.database_for()
    db.query("SELECT 1")
    killer = _terminate_later(pg_target.server, pg_target.user, 0.4)
    started = time.monotonic()
    assert db.query("SELECT 42 FROM pg_sleep(1)", read_only=True) == [(42,)]
    killer.join(10)
    assert time.monotonic() - started < 5
    assert db.connects == 2
    assert "read-only" in runtime_logs.named("reconnect")[0]["reason"]


def test_sql_errors_reach_the_caller_and_keep_the_connection(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    with pytest.raises(psycopg2.errors.UndefinedTable):
        db.query("SELECT * FROM no_such_table")
    with pytest.raises(psycopg2.errors.DivisionByZero):
        db.query("SELECT 1/0", read_only=True)
    assert db.query("SELECT 1") == [(1,)]
    assert db.connects == 1


def test_transaction_commits_and_rolls_back(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int)")
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(RuntimeError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (3)")
        raise RuntimeError("abort")
    assert db.query("SELECT id FROM t ORDER BY id") == [(1,), (2,)]
    # back in autocommit afterwards
    assert pg_target.server.sql(
        "SELECT state FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()", (pg_target.user,)
    ) == [("idle",)]


def test_connection_lost_inside_a_transaction(pg_target: PgTarget) -> None:
    db = pg_target.database_for()
    db.execute("CREATE TABLE t (id int)")
    # Lost before COMMIT was sent: the server rolls back, so the error can say nothing was applied.
    with pytest.raises(TransactionRolledBackError, match="inside a transaction"), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        pg_target.server.terminate(pg_target.user)
        cur.execute("INSERT INTO t VALUES (2)")
    assert db.query("SELECT count(*) FROM t") == [(0,)]


class RecordingEngine(PostgresEngine):
    """The real engine, remembering the password (token) presented for each connection."""

    def __init__(self) -> None:
        self.passwords: list[str] = []

    def connect(self, config: DbConfig, login: Login) -> Any:
        self.passwords.append(login.password)
        return super().connect(config, login)


def test_iam_mode_presents_a_fresh_botocore_identical_token_per_connection(
    pg_target: PgTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**AWS_TEST_ENV, "AWS_SESSION_TOKEN": "session/token+value=="}
    config = pg_target.config(auth="iam", user=IAM_EMULATED_USER, secret_arn=None)
    engine = RecordingEngine()
    db = Database(config, engine=engine, source=IamTokenSource(config, env))
    assert db.query("SELECT current_user") == [(IAM_EMULATED_USER,)]
    later = time.time() + 61
    monkeypatch.setattr(iam_token, "time", types.SimpleNamespace(time=lambda: later))
    pg_target.server.terminate(IAM_EMULATED_USER)
    assert db.query("SELECT current_user") == [(IAM_EMULATED_USER,)]
    assert len(engine.passwords) == 2 and engine.passwords[0] != engine.passwords[1]
    for token in engine.passwords:
        stamp = token.split("X-Amz-Date=")[1][:16]
        signed_at = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
            client = boto3.client(
                "rds",
                region_name="us-east-1",
                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=env["AWS_SESSION_TOKEN"],
            )
            assert token == client.generate_db_auth_token(
                "localhost", pg_target.server.port, IAM_EMULATED_USER
            )


class CountingEngine(PostgresEngine):
    """The real engine, counting pings."""

    def __init__(self) -> None:
        self.pings = 0

    def ping(self, conn: Any) -> None:
        self.pings += 1
        super().ping(conn)


def test_long_idle_connection_is_pinged_once_before_use(pg_target: PgTarget) -> None:
    now = [1000.0]
    engine = CountingEngine()
    plain = pg_target.database_for()
    db = Database(
        plain.config, engine=engine, source=plain._source, idle_ping_seconds=120, clock=lambda: now[0]
    )
    db.query("SELECT 1")
    now[0] += 60
    db.query("SELECT 1")
    assert engine.pings == 0  # recently used: no extra round trip
    now[0] += 300  # e.g. a frozen execution environment behind a NAT gateway
    db.query("SELECT 1")
    assert engine.pings == 1
    assert db.connects == 1  # the ping succeeded: same connection


def test_keepalive_and_user_timeout_are_set(pg_target: PgTarget) -> None:
    db = pg_target.database_for(connect_timeout=4)
    db.query("SELECT 1")
    params = db._conn.get_dsn_parameters()
    assert params["keepalives"] == "1" and params["keepalives_idle"] == "30"
    assert params["tcp_user_timeout"] == "12000"
    assert params["sslmode"] == "verify-full"


def test_connect_timeout_against_a_silent_listener(pg_target: PgTarget) -> None:
    listener = SilentListener()
    try:
        db = pg_target.database_for(port=listener.port, connect_timeout=2)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError, match="within 2s"):
            db.query("SELECT 1")
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert 1.5 < elapsed < 3.5


def test_reconnect_after_a_server_restart(pg_target: PgTarget, runtime_logs: LogCapture) -> None:
    db = pg_target.database_for()
    db.query("SELECT 1")
    pg_target.server.stop("fast")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError, match="cannot connect to postgres at localhost"):
            db.query("SELECT 1")
        assert time.monotonic() - started < db.config.connect_timeout + 1
    finally:
        pg_target.server.start()
    assert db.query("SELECT 1") == [(1,)]
    assert runtime_logs.named("connect_failed")
    assert runtime_logs.named("reconnect")
