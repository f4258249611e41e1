"""Helpers shared by the runtime tests (fixtures live in conftest.py; import these from here, never from
conftest, whose module name other test folders share)."""

from __future__ import annotations

import importlib.util
import json
import logging
import secrets
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
FUNCTIONS = HERE.parents[1] / "functions"
for _path in (str(FUNCTIONS), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import rt_servers  # noqa: E402
from lambda_rds_runtime import Database, DbConfig  # noqa: E402

IAM_EMULATED_USER = "iam_emulated"
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDTESTING",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_REGION": "us-east-1",
}


def load_handler(kind: str) -> ModuleType:
    """Import functions/<kind>/handler.py under a unique name, as Lambda would load it from the zip root."""
    path = FUNCTIONS / kind / "handler.py"
    spec = importlib.util.spec_from_file_location(f"lambda_rds_{kind}_handler", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def app_migrations() -> list[dict[str, str]]:
    """The example app's migrations, as the component sends them in the bootstrap event."""
    folder = FUNCTIONS / "app" / "migrations"
    return [{"name": p.name, "sql": p.read_text()} for p in sorted(folder.glob("*.sql"))]


def unique(prefix: str) -> str:
    """A fresh identifier (databases and users are never reused between tests)."""
    return f"{prefix}_{secrets.token_hex(4)}"


def new_password() -> str:
    """A password with characters that need quoting in a DSN."""
    return "p'w d\\" + secrets.token_urlsafe(12)


class _Target:
    """A database and a password user on a test server; subclasses create them."""

    engine: str
    server: Any
    tls: rt_servers.TlsFiles
    database: str
    user: str
    password: str

    def config(self, **overrides: Any) -> DbConfig:
        """Secret-mode settings pointing at this database (the secret itself is injected by the test)."""
        values: dict[str, Any] = {
            "engine": self.engine,
            "host": "localhost",
            "port": self.server.port,
            "database": self.database,
            "user": self.user,
            "auth": "secret",
            "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:test",
            "ca_bundle": str(self.tls.ca),
            "connect_timeout": 2.0,
            "region": "us-east-1",
        }
        values.update(overrides)
        return DbConfig(**values)

    def database_for(self, **overrides: Any) -> Database:
        """A runtime Database whose secret source returns this user's current password (no AWS call)."""
        from lambda_rds_runtime.credentials import SecretSource

        config = self.config(**overrides)
        source = SecretSource(config, fetch=lambda: {"username": self.user, "password": self.password})
        return Database(config, source=source)


class PgTarget(_Target):
    """A fresh database on the PostgreSQL server plus a password user that may use it."""

    engine = "postgres"

    def __init__(self, server: rt_servers.PostgresServer, tls: rt_servers.TlsFiles) -> None:
        self.server = server
        self.tls = tls
        self.database = unique("db")
        self.user = unique("app")
        self.password = new_password()
        server.sql(f'CREATE ROLE "{self.user}" LOGIN PASSWORD %s', (self.password,))
        server.create_database(self.database, owner=self.user)

    def backends(self) -> list[int]:
        """Server-side sessions of the user."""
        return self.server.backends(self.user)


class MariaTarget(_Target):
    """A fresh database on MariaDB plus a password user (TLS required) that may use it."""

    engine = "mysql"

    def __init__(self, server: rt_servers.MariaDbServer, tls: rt_servers.TlsFiles) -> None:
        self.server = server
        self.tls = tls
        self.database = unique("db")
        self.user = unique("app")
        self.password = new_password()
        server.sql(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
        server.sql("CREATE USER %s@'%%' IDENTIFIED BY %s REQUIRE SSL", (self.user, self.password))
        server.sql(f"GRANT ALL PRIVILEGES ON `{self.database}`.* TO %s@'%%'", (self.user,))

    def sessions(self) -> list[int]:
        """Server-side sessions of the user."""
        return self.server.sessions(self.user)


class LogCapture(logging.Handler):
    """Collects the runtime's JSON log lines."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    @property
    def events(self) -> list[dict[str, Any]]:
        """Parsed lines (every line must be one JSON object)."""
        return [json.loads(line) for line in self.lines]

    def named(self, event: str) -> list[dict[str, Any]]:
        """Events with this name."""
        return [e for e in self.events if e["event"] == event]


def api_event(method: str, path: str, body: str | None = None, **extra: Any) -> dict[str, Any]:
    """A minimal API Gateway HTTP API (payload v2) event."""
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}},
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    event.update(extra)
    return event


def bounded(call: Any, limit: float) -> tuple[BaseException | None, float]:
    """Run `call` in a thread; fail the test (instead of hanging) if it has not returned within `limit`."""
    outcome: list[BaseException | None] = []
    started = time.monotonic()

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    assert outcome, f"still blocked after {limit:g}s: it is not bounded"
    return outcome[0], time.monotonic() - started


class LambdaContext:
    """The part of the Lambda context the runtime reads: the time left in the invocation."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
