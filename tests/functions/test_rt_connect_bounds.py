"""Every wait is bounded (issue 12, defects 5 and 12).

- Every phase of connect (TCP, TLS, login) is bounded by DB_CONNECT_TIMEOUT: a peer that accepts TCP,
  answers the first packet like a real server (the MySQL greeting offering TLS, the PostgreSQL "S" to the
  TLS request) and then stalls during the TLS handshake blocks neither the runtime nor the bootstrap.
- A live but silent peer (a hung proxy: TCP up, data acknowledged, no answer) after connect: the idle
  ping is bounded by the connect timeout, statements by the deadline from the Lambda context.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time

import pytest
from lambda_rds_runtime import (
    Database,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    TransactionRolledBackError,
)
from lambda_rds_runtime.bootstrap import BootstrapError, run_bootstrap
from rt_helpers import LambdaContext, MariaTarget, PgTarget, bounded, new_password, unique
from rt_relay import Relay
from rt_servers import ADMIN_PASSWORD, TlsFiles


class StallingPeer:
    """Accepts, sends what a server sends first (the real MariaDB greeting, or PostgreSQL's "S"), then
    reads whatever the client sends and never answers: a hung proxy in the middle of a TLS handshake."""

    def __init__(self, engine: str, upstream_port: int) -> None:
        self.engine = engine
        self.upstream_port = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)
            try:
                if self.engine == "mysql":
                    with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5) as up:
                        header = _recv_exact(up, 4)
                        client.sendall(header + _recv_exact(up, int.from_bytes(header[:3], "little")))
                else:
                    _recv_exact(client, 8)  # SSLRequest
                    client.sendall(b"S")
            except OSError:
                continue  # the client gave up first

    def close(self) -> None:
        self.sock.close()
        for client in self.clients:  # also unblocks a client that would otherwise wait forever
            client.close()


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


@pytest.mark.xdist_group("mariadb")
def test_mysql_runtime_connect_is_bounded_during_the_tls_handshake(maria_target: MariaTarget) -> None:
    peer = StallingPeer("mysql", maria_target.server.port)
    try:
        db = maria_target.database_for(port=peer.port, connect_timeout=1.5)
        error, elapsed = bounded(lambda: db.query("SELECT 1"), 10)
    finally:
        peer.close()
    assert isinstance(error, DatabaseUnavailableError)
    assert elapsed < 3.5


@pytest.mark.xdist_group("mariadb")
def test_mysql_bootstrap_connect_is_bounded_during_the_tls_handshake(maria_target: MariaTarget) -> None:
    peer = StallingPeer("mysql", maria_target.server.port)
    event = {
        "engine": "mysql", "host": "localhost", "port": peer.port, "database": maria_target.database,
        "master": {"username": maria_target.server.admin_user, "password": ADMIN_PASSWORD},
        "app_user": unique("app"), "auth": "secret", "app_password": new_password(),
        "ca_bundle": str(maria_target.tls.ca),
    }  # fmt: skip
    try:
        error, elapsed = bounded(lambda: run_bootstrap(event, {"DB_CONNECT_TIMEOUT": "1"}), 25)
    finally:
        peer.close()
    assert isinstance(error, BootstrapError) and "cannot connect" in str(error)
    assert elapsed < 3 * 1.5 + 3 + 1  # 3 attempts of at most ~1 s, pauses of 1 s and 2 s


@pytest.mark.xdist_group("postgres")
def test_postgres_runtime_connect_is_bounded_during_the_tls_handshake(pg_target: PgTarget) -> None:
    peer = StallingPeer("postgres", pg_target.server.port)
    try:
        db = pg_target.database_for(port=peer.port, connect_timeout=2)
        error, elapsed = bounded(lambda: db.query("SELECT 1"), 10)
    finally:
        peer.close()
    assert isinstance(error, DatabaseUnavailableError)
    assert elapsed < 4


# -- a peer that drips: one byte every 1.5 s, never a full answer (issue 18, item 8) -----------------------

DRIP_SECONDS = 1.5


class DrippingPeer:
    """Accepts and answers one byte at a time, each just inside a 2 s per-read timeout, for ever.

    phase "greeting": the header of a MySQL packet announcing 255 bytes, then its payload, byte by byte.
    phase "login": a real MariaDB greeting (offering TLS) at once, a real TLS handshake (the test
    certificate), then the answer to the login byte by byte. (CPython bounds a TLS handshake as a whole by
    the socket timeout already; the reads before and after it are PyMySQL's, one timeout each.)"""

    def __init__(self, phase: str, upstream_port: int, tls: TlsFiles) -> None:
        self.phase = phase
        self.upstream_port = upstream_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(tls.cert), str(tls.key))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.stopped = threading.Event()
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client: socket.socket) -> None:
        try:
            if self.phase == "greeting":
                data = b"\xff\x00\x00\x00" + b"x" * 255
            else:
                with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5) as up:
                    header = _recv_exact(up, 4)
                    client.sendall(header + _recv_exact(up, int.from_bytes(header[:3], "little")))
                _recv_exact(client, 4 + 32)  # the client's SSL request packet
                client = self.context.wrap_socket(client, server_side=True)
                self.clients.append(client)
                header = _recv_exact(client, 4)  # the login packet
                _recv_exact(client, int.from_bytes(header[:3], "little"))
                data = b"\x07\x00\x00\x03\x00\x00\x00\x02\x00\x00\x00"  # OK (packet 3), slowly
            for byte in data:
                if self.stopped.wait(DRIP_SECONDS):
                    return
                client.sendall(bytes([byte]))
        except OSError:
            return  # the client gave up

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for client in self.clients:
            client.close()


@pytest.mark.xdist_group("mariadb")
@pytest.mark.parametrize("phase", ["greeting", "login"])
def test_mysql_runtime_connect_has_one_deadline_for_the_whole_handshake(
    maria_target: MariaTarget, phase: str
) -> None:
    peer = DrippingPeer(phase, maria_target.server.port, maria_target.tls)
    try:
        db = maria_target.database_for(port=peer.port, connect_timeout=2)
        error, elapsed = bounded(lambda: db.query("SELECT 1"), 10)
    finally:
        peer.close()
    print(json.dumps({"target": f"mysql runtime, drip during {phase}", "seconds": round(elapsed, 2)}))
    assert isinstance(error, DatabaseUnavailableError), error
    assert "did not complete within 2s" in str(error)
    assert 1.9 < elapsed < 2.6


@pytest.mark.xdist_group("mariadb")
@pytest.mark.parametrize("phase", ["greeting", "login"])
def test_mysql_bootstrap_connect_has_one_deadline_for_the_whole_handshake(
    maria_target: MariaTarget, phase: str
) -> None:
    from lambda_rds_runtime.bootstrap.connect import open_connection
    from lambda_rds_runtime.bootstrap.request import parse_request

    peer = DrippingPeer(phase, maria_target.server.port, maria_target.tls)
    event = {
        "engine": "mysql", "host": "localhost", "port": peer.port, "database": maria_target.database,
        "master": {"username": maria_target.server.admin_user, "password": ADMIN_PASSWORD},
        "app_user": unique("app"), "auth": "secret", "app_password": new_password(),
        "ca_bundle": str(maria_target.tls.ca),
    }  # fmt: skip
    request = parse_request(event, {"DB_CONNECT_TIMEOUT": "2"})
    try:
        error, elapsed = bounded(
            lambda: open_connection(request, request.master_user, request.master_password), 10
        )
    finally:
        peer.close()
    print(json.dumps({"target": f"mysql bootstrap, drip during {phase}", "seconds": round(elapsed, 2)}))
    assert isinstance(error, BootstrapError) and "did not complete within 2s" in str(error), error
    assert 1.9 < elapsed < 2.6


ENGINES = [
    pytest.param("postgres", marks=pytest.mark.xdist_group("postgres")),
    pytest.param("mariadb", marks=pytest.mark.xdist_group("mariadb")),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_idle_ping_to_a_silent_peer_isbounded(request: pytest.FixtureRequest, engine: str) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    relay = Relay(tgt.server.port)
    try:
        plain = tgt.database_for(port=relay.port, connect_timeout=2)
        db = Database(plain.config, source=plain._source, idle_ping_seconds=0.0)  # ping before every call
        assert db.query("SELECT 1") == [(1,)]
        relay.frozen.set()
        error, elapsed = bounded(lambda: db.query("SELECT 1"), 15)
    finally:
        relay.close()
    # The ping gives up after the connect timeout; the reconnect to the frozen relay times out too.
    assert isinstance(error, DatabaseUnavailableError)
    assert elapsed < 2 * 2 + 2


@pytest.mark.parametrize("engine", ENGINES)
def test_statement_to_a_silent_peer_is_bounded_by_the_context(
    request: pytest.FixtureRequest, engine: str
) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    relay = Relay(tgt.server.port)
    try:
        db = tgt.database_for(port=relay.port, connect_timeout=2)
        db.deadline_from(LambdaContext(30_000))
        assert db.query("SELECT 1") == [(1,)]
        relay.frozen.set()
        db.deadline_from(LambdaContext(1_500))  # the next invocation: 1.5 s left, 0.5 s kept as margin
        error, elapsed = bounded(lambda: db.query("SELECT 2", read_only=True), 15)
    finally:
        relay.close()
    assert isinstance(error, DatabaseTimeoutError), error
    assert "did not answer before the deadline" in str(error)
    assert 0.8 < elapsed < 1.6  # no read-only retry: there is no time left for one
    assert not db.connected


@pytest.mark.parametrize("engine", ENGINES)
def test_transaction_to_a_silent_peer_is_bounded_by_the_context(
    request: pytest.FixtureRequest, engine: str
) -> None:
    tgt = request.getfixturevalue("pg_target" if engine == "postgres" else "maria_target")
    relay = Relay(tgt.server.port)
    db = tgt.database_for(port=relay.port, connect_timeout=2)
    db.execute("CREATE TABLE t (id INT)")

    def block() -> None:
        with db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            relay.frozen.set()
            cur.execute("INSERT INTO t VALUES (2)")

    try:
        db.set_deadline(1.0)
        error, elapsed = bounded(block, 15)
    finally:
        relay.close()
    assert isinstance(error, TransactionRolledBackError), error
    assert elapsed < 1.6


@pytest.mark.xdist_group("postgres")
def test_watchdog_is_armed_once_and_ends_with_the_database(pg_target: PgTarget) -> None:
    import threading as _threading

    def watchdogs() -> int:
        return sum(1 for t in _threading.enumerate() if t.name == "lambda-rds-deadline")

    before = watchdogs()
    db = pg_target.database_for()
    for _ in range(50):  # one invocation after another: no thread per invocation or per statement
        db.deadline_from(LambdaContext(30_000))
        assert db.query("SELECT 1") == [(1,)]
    assert watchdogs() == before + 1
    db.close()
    deadline = time.monotonic() + 5
    while watchdogs() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert watchdogs() == before
