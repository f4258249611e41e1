"""Issue 18, item 1: the app password never reaches MariaDB's own logs.

A MariaDB server of its own with every statement log on: the general log (log_output=FILE), the slow log
(long_query_time=0, admin statements included), the binary log (on in RDS whenever automated backups are)
and the audit plugin (RDS's MARIADB_AUDIT_PLUGIN option). The bootstrap creates the app user, a second
run changes its password, then a rotation changes it again; no password (nor its random part, whatever
escaping the log applies) may appear in any of those files. The statements themselves must be there, so
the test cannot pass because a log stayed empty.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lambda_rds_runtime.awscreds import credentials_from_env
from lambda_rds_runtime.bootstrap import run_bootstrap
from lambda_rds_runtime.rotation import Rotator, Target
from lambda_rds_runtime.smapi import SecretsClient
from rt_helpers import AWS_TEST_ENV, app_migrations, unique
from rt_servers import ADMIN_PASSWORD, MariaDbServer, MotoServer, TlsFiles

pytestmark = pytest.mark.xdist_group("mariadb-logs")


def _native_hash(password: str) -> str:
    """mysql_native_password's stored form, computed here independently: '*' + SHA1(SHA1(password))."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()
    return "*" + hashlib.sha1(inner).hexdigest().upper()


@pytest.fixture(scope="module")
def logged(server_root: Path, tls: TlsFiles) -> Iterator[tuple[MariaDbServer, Path]]:
    """MariaDB writing every statement to every log it has (files under `logs/`)."""
    directory = server_root / "mariadb-logs"
    directory.mkdir()
    logs = directory / "logs"
    logs.mkdir()
    server = MariaDbServer(
        directory,
        tls,
        extra_args=(
            "--log-output=FILE",
            "--general-log=ON",
            f"--general-log-file={logs / 'general.log'}",
            "--slow-query-log=ON",
            f"--slow-query-log-file={logs / 'slow.log'}",
            "--long-query-time=0",
            "--log-slow-admin-statements=ON",
            f"--log-bin={logs / 'binlog'}",  # later options win over rt_servers' --skip-log-bin
            "--server-id=1",
            "--plugin-load-add=server_audit",
            "--server-audit-logging=ON",
            "--server-audit-events=QUERY",
            f"--server-audit-file-path={logs / 'audit.log'}",
        ),
    )
    server.init()
    yield server, logs
    server.close()


def _bootstrap(server: MariaDbServer, tls: TlsFiles, database: str, user: str, password: str) -> Any:
    return run_bootstrap(
        {
            "engine": "mysql",
            "host": "localhost",
            "port": server.port,
            "database": database,
            "master": {"username": server.admin_user, "password": ADMIN_PASSWORD},
            "app_user": user,
            "auth": "secret",
            "app_password": password,
            "statement_timeout_ms": 5000,
            "migrations": app_migrations(),
            "ca_bundle": str(tls.ca),
        }
    )


def _rotate(server: MariaDbServer, tls: TlsFiles, moto: MotoServer, database: str, user: str, pw: str) -> str:
    """The four rotation steps through moto; returns the new password."""
    client = moto.client()
    body = {"username": user, "password": pw, "engine": "mysql", "dbname": database}
    arn = client.create_secret(Name=unique("logs-secret"), SecretString=json.dumps(body))["ARN"]
    token = str(uuid.uuid4())
    client.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(body), VersionStages=["AWSPENDING"]
    )
    env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url}
    secrets = SecretsClient(region="us-east-1", credentials=credentials_from_env(env), timeout=5, environ=env)
    rotator = Rotator(secrets, Target("mysql", "localhost", server.port, database, str(tls.ca), 3.0))
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        rotator.handle({"SecretId": arn, "ClientRequestToken": token, "Step": step})
    current = client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"]
    return str(json.loads(current)["password"])


def test_no_app_password_in_any_mariadb_log(
    logged: tuple[MariaDbServer, Path], tls: TlsFiles, moto: MotoServer
) -> None:
    server, logs = logged
    database, user = unique("db"), unique("app")
    server.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    # Random parts long enough to be unmistakable; the quote and backslash make the logs escape them.
    first, second = "p'w d\\" + uuid.uuid4().hex, "q'x e\\" + uuid.uuid4().hex
    assert _bootstrap(server, tls, database, user, first)["user"] == "created"  # CREATE USER
    assert _bootstrap(server, tls, database, user, second)["user"] == "updated"  # ALTER USER
    third = _rotate(server, tls, moto, database, user, second)  # SET PASSWORD
    assert third not in (first, second)
    server.sql("FLUSH LOGS")  # closes the binary log file and flushes the others

    files = {path.name: path.read_bytes() for path in sorted(logs.iterdir()) if path.is_file()}
    texts = {
        "general": files["general.log"],
        "slow": files["slow.log"],
        "audit": files["audit.log"],
        "binary": b"".join(data for name, data in files.items() if name.startswith("binlog.0")),
    }
    leaks = []
    for name, data in texts.items():
        # The statements are there (a log that missed them would prove nothing) ...
        assert user.encode() in data, f"the {name} log did not record the app user's statements"
        for label, secret_part in (("first", first[6:]), ("second", second[6:]), ("rotated", third)):
            if secret_part.encode() in data:
                leaks.append(f"the {label} password in the {name} log")
    assert leaks == []  # (never the log text itself: it would print the password)
    # ... in their hashed form: what the server stores in mysql.user anyway.
    assert _native_hash(second).encode() in texts["general"]
    assert _native_hash(third).encode() in texts["general"]
    assert b"CREATE USER" in texts["binary"] and b"SET PASSWORD" in texts["general"]
    assert b"SET PASSWORD" in texts["slow"]


def test_native_password_hash_matches_the_servers_password_function(
    logged: tuple[MariaDbServer, Path],
) -> None:
    from lambda_rds_runtime.bootstrap.mysql_sql import native_password_hash

    server, _ = logged
    for password in ("x", "p'w d\\é€", "A" * 40):
        (expected,) = server.sql("SELECT PASSWORD(%s)", (password,))[0]
        assert native_password_hash(password) == expected


def test_a_password_validation_plugin_is_a_clear_error_not_a_clear_password(
    logged: tuple[MariaDbServer, Path], tls: TlsFiles
) -> None:
    """RDS for MariaDB 11.4 offers simple_password_check (sources.RDS_MARIADB_PASSWORD_VALIDATION); with
    strict_password_validation (on by default) it refuses passwords sent as a hash. The bootstrap says so
    and how to fix it, rather than falling back to sending the password in clear."""
    from lambda_rds_runtime.bootstrap import BootstrapError

    server, _ = logged
    database = unique("db")
    server.sql(f"CREATE DATABASE `{database}`")
    server.sql("INSTALL SONAME 'simple_password_check'")
    try:
        with pytest.raises(BootstrapError, match="strict_password_validation") as info:
            _bootstrap(server, tls, database, unique("app"), "Aa1!" + uuid.uuid4().hex)
        assert "plugin OFF" in str(info.value)
    finally:
        server.sql("UNINSTALL SONAME 'simple_password_check'")
