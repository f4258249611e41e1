"""The runtime against a real MariaDB with TLS required: verification, reuse, reconnects, timeouts."""

from __future__ import annotations

import threading
import time

import pymysql
import pytest
from lambda_rds_runtime import AuthenticationError, ConnectionLostError, DatabaseUnavailableError
from rt_helpers import LogCapture, MariaTarget
from rt_servers import SilentListener, TlsFiles

pytestmark = pytest.mark.xdist_group("mariadb")


def test_verified_tls_with_the_right_ca(maria_target: MariaTarget) -> None:
    db = maria_target.database_for()
    cipher = db.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1]
    version = db.query("SHOW SESSION STATUS LIKE 'Ssl_version'")[0][1]
    assert cipher
    assert version in ("TLSv1.2", "TLSv1.3")


def test_wrong_ca_is_refused(maria_target: MariaTarget, tls: TlsFiles) -> None:
    db = maria_target.database_for(ca_bundle=str(tls.wrong_ca))
    with pytest.raises(DatabaseUnavailableError, match="CERTIFICATE_VERIFY_FAILED"):
        db.query("SELECT 1")


def test_wrong_host_name_is_refused(maria_target: MariaTarget) -> None:
    db = maria_target.database_for(host="127.0.0.1")
    with pytest.raises(DatabaseUnavailableError, match=r"IP address mismatch|Hostname mismatch"):
        db.query("SELECT 1")


def test_wrong_password_is_an_authentication_error(maria_target: MariaTarget) -> None:
    from lambda_rds_runtime import Database
    from lambda_rds_runtime.credentials import SecretSource

    config = maria_target.config()
    source = SecretSource(config, fetch=lambda: {"username": maria_target.user, "password": "nope-nope"})
    with pytest.raises(AuthenticationError, match="Access denied") as info:
        Database(config, source=source).query("SELECT 1")
    assert "nope-nope" not in str(info.value)
    assert source.fetch_count == 2


def test_one_connection_over_many_invocations(maria_target: MariaTarget) -> None:
    db = maria_target.database_for()
    ids = {db.query("SELECT CONNECTION_ID()")[0][0] for _ in range(300)}
    assert len(ids) == 1
    assert len(maria_target.sessions()) == 1
    assert db.connects == 1


def test_reconnect_after_kill_before_a_write(maria_target: MariaTarget, runtime_logs: LogCapture) -> None:
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT)")
    assert maria_target.server.kill(maria_target.user) == 1
    time.sleep(0.1)  # KILL is asynchronous in MariaDB: let the server close the socket
    result = db.execute("INSERT INTO t VALUES (1)")
    assert result.rowcount == 1
    assert db.query("SELECT COUNT(*) FROM t") == [(1,)]
    assert db.connects == 2
    assert len(runtime_logs.named("reconnect")) == 1


def test_insert_reports_the_auto_increment_id(maria_target: MariaTarget) -> None:
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id SERIAL PRIMARY KEY, v INT)")
    assert db.execute("INSERT INTO t (v) VALUES (%s)", (7,)).lastrowid == 1
    assert db.execute("INSERT INTO t (v) VALUES (%s)", (8,)).lastrowid == 2


def test_write_in_flight_is_not_retried_and_read_only_is(maria_target: MariaTarget) -> None:
    db = maria_target.database_for()
    db.execute("CREATE TABLE t (id INT)")

    def kill_later() -> None:
        time.sleep(0.5)
        maria_target.server.kill(maria_target.user)

    killer = threading.Thread(target=kill_later, daemon=True)
    killer.start()
    with pytest.raises(ConnectionLostError):
        db.execute("INSERT INTO t SELECT SLEEP(3)")
    killer.join(10)

    killer = threading.Thread(target=kill_later, daemon=True)
    killer.start()
    assert db.query("SELECT 5 FROM (SELECT SLEEP(1.5)) AS s", read_only=True) == [(5,)]
    killer.join(10)


def test_long_statement_is_not_cut_by_the_connect_timeout(maria_target: MariaTarget) -> None:
    """The handshake read bound (connect timeout) is lifted once connected."""
    db = maria_target.database_for(connect_timeout=1)
    assert db.query("SELECT SLEEP(1.6)") == [(0,)]


def test_connect_timeout_against_a_silent_listener(maria_target: MariaTarget) -> None:
    listener = SilentListener()
    try:
        db = maria_target.database_for(port=listener.port, connect_timeout=1.5)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError, match=r"within 1\.5s"):
            db.query("SELECT 1")
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert 1.0 < elapsed < 3.0


def test_reconnect_after_a_server_restart(maria_target: MariaTarget, runtime_logs: LogCapture) -> None:
    db = maria_target.database_for()
    db.query("SELECT 1")
    maria_target.server.stop()
    try:
        with pytest.raises(DatabaseUnavailableError, match="cannot connect to mysql at localhost"):
            db.query("SELECT 1")
    finally:
        maria_target.server.start()
    assert db.query("SELECT 1") == [(1,)]
    assert runtime_logs.named("reconnect")


def test_plain_tcp_is_refused_by_the_server(maria_target: MariaTarget) -> None:
    """The server side of the contract the tests rely on: require_secure_transport is on."""
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(
            host="127.0.0.1",
            port=maria_target.server.port,
            user=maria_target.user,
            password=maria_target.password,
            ssl_disabled=True,
            connect_timeout=3,
        )
