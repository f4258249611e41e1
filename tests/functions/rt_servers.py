"""Throwaway database servers for the runtime tests and the data-path benchmark.

PostgreSQL 15 (initdb + postgres, as the unprivileged `nobody`: PostgreSQL refuses to run as root),
MariaDB (mariadbd --user=root), PgBouncer (as `nobody`, the local stand-in for RDS Proxy) and moto's
Secrets Manager, each on a free 127.0.0.1 port, with TLS certificates from a throwaway trustme CA issued
for "localhost" only (so connecting to "127.0.0.1" is a genuine host-name mismatch).

Every wait is bounded; a server that cannot start raises with the tail of its log (tests fail loudly).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import pymysql
import trustme

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
MARIADB_INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SERVICE_USER = "nobody"
ADMIN_PASSWORD = "admin-Secret-9f2c"  # throwaway servers only
START_TIMEOUT = 60.0


_started: list[subprocess.Popen[bytes]] = []


def _track(proc: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """Remember a server process so it is stopped even if the test run or benchmark dies half-way."""
    _started.append(proc)
    return proc


@atexit.register
def _stop_leftovers() -> None:
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    """Poll `check` every 50 ms until it returns True; raise with the log tail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:
            last_error = exc
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready after {timeout:g}s (last error: {last_error})\n{tail}")


def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def service_ids() -> tuple[int, int]:
    """uid/gid of the unprivileged user the PostgreSQL-side servers run as."""
    entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


def make_private_dir(prefix: str) -> Path:
    """A temporary directory owned by the service user (pytest's tmp dirs are not traversable by it)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    uid, gid = service_ids()
    os.chown(path, uid, gid)
    return path


def _stop_process(proc: subprocess.Popen[Any] | None, sig: int, timeout: float = 30.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class TlsFiles:
    """A CA, a server certificate for "localhost" signed by it, and an unrelated CA."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        ca = trustme.CA()
        other = trustme.CA()
        server = ca.issue_cert("localhost")
        self.ca = directory / "ca.pem"
        self.wrong_ca = directory / "wrong-ca.pem"
        self.cert = directory / "server.crt"
        self.key = directory / "server.key"
        ca.cert_pem.write_to_path(str(self.ca))
        other.cert_pem.write_to_path(str(self.wrong_ca))
        self.cert.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
        server.private_key_pem.write_to_path(str(self.key))
        uid, gid = service_ids()
        for path in (self.ca, self.wrong_ca, self.cert, self.key):
            os.chown(path, uid, gid)
            path.chmod(0o600 if path == self.key else 0o644)


class PostgresServer:
    """PostgreSQL 15 with TLS required for TCP clients (like rds.force_ssl=1)."""

    superuser = "postgres"

    def __init__(self, directory: Path, tls: TlsFiles, *, extra_hba: tuple[str, ...] = ()) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.tls = tls
        self.port = free_port()
        self.extra_hba = extra_hba
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def init(self) -> None:
        """initdb with a superuser password, then our configuration."""
        uid, gid = service_ids()
        pwfile = self.directory / "pwfile"
        pwfile.write_text(ADMIN_PASSWORD)
        os.chown(pwfile, uid, gid)
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.superuser, "--pwfile", str(pwfile),
             "-E", "UTF8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
            check=True, capture_output=True, user=uid, group=gid, extra_groups=[], timeout=120,
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.directory}'\n"
                f"ssl = on\nssl_cert_file = '{self.tls.cert}'\nssl_key_file = '{self.tls.key}'\n"
                "password_encryption = 'scram-sha-256'\nmax_connections = 120\nshared_buffers = 32MB\n"
                # fsync off keeps the tests fast and still survives a server crash (the kernel keeps the
                # writes); synchronous_commit must stay on, or a crash loses acknowledged commits.
                "fsync = off\nfull_page_writes = off\n"
            )
        hba = ["local all all trust", *self.extra_hba, "hostssl all all 127.0.0.1/32 scram-sha-256",
               "host all all 127.0.0.1/32 reject"]  # fmt: skip
        (self.data / "pg_hba.conf").write_text("\n".join(hba) + "\n")

    def start(self) -> None:
        """Run the postmaster in the foreground (we own its process) and wait until it accepts logins."""
        uid, gid = service_ids()
        with self.log.open("ab") as log:
            self.proc = _track(subprocess.Popen(
                [str(PG_BIN / "postgres"), "-D", str(self.data)],
                stdout=log, stderr=subprocess.STDOUT, user=uid, group=gid, extra_groups=[],
                start_new_session=True,
            ))  # fmt: skip
        self.starts += 1
        proc = self.proc

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {proc.returncode}")
            self.admin().close()
            return True

        wait_until(ready, START_TIMEOUT, "PostgreSQL", self.log)

    def stop(self, mode: str = "fast") -> None:
        """fast: SIGINT (sessions get "terminating connection due to administrator command");
        immediate: SIGQUIT (like a crash)."""
        sig = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode]
        _stop_process(self.proc, sig)
        self.proc = None

    def restart(self, mode: str = "fast") -> None:
        """Stop and start on the same port and data directory."""
        self.stop(mode)
        self.start()

    def reload(self) -> None:
        """SIGHUP: re-read pg_hba.conf and certificates."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)

    @property
    def running(self) -> bool:
        """Whether the postmaster process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def admin(self, dbname: str = "postgres") -> Any:
        """A superuser connection over TLS (autocommit)."""
        conn = psycopg2.connect(
            host="localhost", port=self.port, dbname=dbname, user=self.superuser, password=ADMIN_PASSWORD,
            sslmode="verify-full", sslrootcert=str(self.tls.ca), connect_timeout=5,
        )  # fmt: skip
        conn.autocommit = True
        return conn

    def sql(self, statement: str, params: Any = None, dbname: str = "postgres") -> list[tuple[Any, ...]]:
        """Run one statement as superuser; return its rows (if any)."""
        conn = self.admin(dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params)
                return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def backends(self, user: str) -> list[int]:
        """PIDs of client backends of `user` (excluding our own admin session)."""
        rows = self.sql(
            "SELECT pid FROM pg_stat_activity WHERE usename = %s AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()",
            (user,),
        )
        return [row[0] for row in rows]

    def terminate(self, user: str) -> int:
        """pg_terminate_backend every session of `user`, waiting until each is gone."""
        rows = self.sql(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = %s"
            " AND pid <> pg_backend_pid()",
            (user,),
        )
        return sum(1 for row in rows if row[0])

    def create_database(self, name: str, owner: str | None = None) -> None:
        """CREATE DATABASE (optionally owned by a role)."""
        owner_clause = f' OWNER "{owner}"' if owner else ""
        self.sql(f'CREATE DATABASE "{name}"{owner_clause}')

    def close(self) -> None:
        """Stop the server."""
        self.stop("fast")


class MariaDbServer:
    """MariaDB with TLS and require_secure_transport=ON (like RDS with the parameter set)."""

    admin_user = "admin"

    def __init__(self, directory: Path, tls: TlsFiles, *, extra_args: tuple[str, ...] = ()) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.extra_args = extra_args
        """Appended to mariadbd's arguments (later options win: e.g. --log-bin for a replication source)."""
        self.socket = directory / "mysqld.sock"
        self.log = directory / "mariadb.log"
        self.tls = tls
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def init(self) -> None:
        """mariadb-install-db, then an admin account usable over TLS."""
        subprocess.run(
            [MARIADB_INSTALL_DB, "--no-defaults", f"--datadir={self.data}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        self.start()
        conn = pymysql.connect(unix_socket=str(self.socket), user="root", password="", autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE USER 'admin'@'%%' IDENTIFIED BY %s", (ADMIN_PASSWORD,))
                cur.execute("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION")
        finally:
            conn.close()

    def start(self) -> None:
        """Run mariadbd in the foreground and wait for its socket and TCP port."""
        with self.log.open("ab") as log:
            self.proc = _track(subprocess.Popen(
                [MARIADBD, "--no-defaults", f"--datadir={self.data}", f"--port={self.port}",
                 "--bind-address=127.0.0.1", f"--socket={self.socket}", "--user=root",
                 f"--pid-file={self.directory / 'mysqld.pid'}", "--skip-name-resolve",
                 f"--ssl-ca={self.tls.ca}", f"--ssl-cert={self.tls.cert}", f"--ssl-key={self.tls.key}",
                 "--require-secure-transport=ON", "--innodb-buffer-pool-size=32M", "--skip-log-bin",
                 "--innodb-flush-log-at-trx-commit=2", "--max-connections=200", "--performance-schema=OFF",
                 "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                 *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            ))  # fmt: skip
        proc = self.proc

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {proc.returncode}")
            return self.socket.exists() and port_open(self.port)

        wait_until(ready, START_TIMEOUT, "MariaDB", self.log)

    def stop(self) -> None:
        """SIGTERM: a normal shutdown (sessions are closed)."""
        _stop_process(self.proc, signal.SIGTERM, timeout=60)
        self.proc = None

    def restart(self) -> None:
        """Stop and start on the same port and data directory."""
        self.stop()
        self.start()

    def admin(self, database: str | None = None) -> Any:
        """An admin connection over verified TLS (autocommit)."""
        from lambda_rds_runtime.engines.mysql import tls_context

        return pymysql.connect(
            host="localhost", port=self.port, user=self.admin_user, password=ADMIN_PASSWORD,
            database=database, ssl=tls_context(str(self.tls.ca)), autocommit=True, connect_timeout=5,
            charset="utf8mb4",
        )  # fmt: skip

    def sql(self, statement: str, params: Any = None, database: str | None = None) -> list[tuple[Any, ...]]:
        """Run one statement as admin; return its rows (if any)."""
        conn = self.admin(database)
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params)
                return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def sessions(self, user: str) -> list[int]:
        """Connection ids of `user`."""
        rows = self.sql("SELECT id FROM information_schema.processlist WHERE user = %s", (user,))
        return [row[0] for row in rows]

    def kill(self, user: str) -> int:
        """KILL CONNECTION every session of `user`."""
        ids = self.sessions(user)
        conn = self.admin()
        try:
            with conn.cursor() as cur:
                for session_id in ids:
                    cur.execute(f"KILL CONNECTION {int(session_id)}")
        finally:
            conn.close()
        return len(ids)

    def close(self) -> None:
        """Stop the server."""
        self.stop()


class PgBouncerServer:
    """PgBouncer in transaction pooling mode, TLS towards clients (verified by them) and the server."""

    def __init__(self, directory: Path, tls: TlsFiles, postgres: PostgresServer, pool_size: int) -> None:
        self.directory = directory
        self.tls = tls
        self.postgres = postgres
        self.pool_size = pool_size
        self.port = free_port()
        self.config = directory / "pgbouncer.ini"
        self.userlist = directory / "userlist.txt"
        self.log = directory / "pgbouncer.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.users: dict[str, str] = {}

    def add_user(self, user: str, password: str) -> None:
        """Make PgBouncer accept `user` (it re-reads the auth file on reload)."""
        self.users[user] = password
        self.userlist.write_text("".join(f'"{u}" "{p}"\n' for u, p in self.users.items()))
        uid, gid = service_ids()
        os.chown(self.userlist, uid, gid)
        if self.proc is not None:
            self.proc.send_signal(signal.SIGHUP)
            time.sleep(0.2)

    def write_config(self) -> None:
        """pgbouncer.ini for this instance."""
        self.config.write_text(
            "[databases]\n"
            f"* = host=localhost port={self.postgres.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = scram-sha-256\nauth_file = {self.userlist}\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.pool_size}\nmin_pool_size = 0\n"
            "reserve_pool_size = 0\nmax_client_conn = 500\nmax_db_connections = 0\n"
            f"client_tls_sslmode = require\nclient_tls_cert_file = {self.tls.cert}\n"
            f"client_tls_key_file = {self.tls.key}\n"
            f"server_tls_sslmode = verify-full\nserver_tls_ca_file = {self.tls.ca}\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.log}\npidfile = {self.directory / 'pgbouncer.pid'}\n"
        )
        if not self.userlist.exists():
            self.add_user("__placeholder__", "unused")
        uid, gid = service_ids()
        os.chown(self.config, uid, gid)

    def start(self) -> None:
        """Run pgbouncer in the foreground as the service user and wait for its port."""
        if not self.config.exists():
            self.write_config()
        uid, gid = service_ids()
        self.proc = _track(subprocess.Popen(
            [PGBOUNCER, str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            user=uid, group=gid, extra_groups=[], start_new_session=True,
        ))  # fmt: skip
        proc = self.proc

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"pgbouncer exited with {proc.returncode}")
            return port_open(self.port)

        wait_until(ready, START_TIMEOUT, "PgBouncer", self.log)

    def stop(self) -> None:
        """SIGTERM: immediate shutdown, client connections are dropped (like a proxy failover)."""
        _stop_process(self.proc, signal.SIGTERM)
        self.proc = None

    def restart(self) -> None:
        """Stop and start on the same port."""
        self.stop()
        wait_until(lambda: not port_open(self.port), 10, "PgBouncer port release")
        self.start()

    def close(self) -> None:
        """Stop PgBouncer."""
        self.stop()


class MotoServer:
    """moto's server mode on a loopback port (Secrets Manager for the secret-mode tests)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.log = directory / "moto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Endpoint for AWS_ENDPOINT_URL_SECRETSMANAGER."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Run moto_server and wait for its port."""
        binary = Path(sys.executable).parent / "moto_server"  # installed with moto[server] in the venv
        if not binary.is_file():
            raise RuntimeError(f"{binary} not found: pip install 'moto[server]'")
        with self.log.open("ab") as log:
            self.proc = _track(subprocess.Popen(
                [str(binary), "-H", "127.0.0.1", "-p", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            ))  # fmt: skip
        proc = self.proc

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {proc.returncode}")
            return port_open(self.port)

        wait_until(ready, START_TIMEOUT, "moto_server", self.log)

    def client(self) -> Any:
        """A boto3 Secrets Manager client for test set-up (never used by the runtime itself)."""
        import boto3

        return boto3.client(
            "secretsmanager", region_name="us-east-1", endpoint_url=self.url,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip

    def close(self) -> None:
        """Stop moto."""
        _stop_process(self.proc, signal.SIGTERM, timeout=10)
        self.proc = None


class SilentListener:
    """Accepts TCP connections (the kernel completes the handshake) and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])

    def close(self) -> None:
        """Stop listening."""
        self.sock.close()
