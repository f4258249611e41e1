"""Fault injection: 520 `POST /items` invocations of the real handler while backends are killed, the server
restarts twice (once cleanly, once like a crash) and the password rotates once.

Contract checked: a call fails only while the server is down, and then within the connect timeout with a
clear error; the table holds exactly the rows whose calls reported success (none lost, none doubled).
Faults happen between invocations, as they do for a Lambda execution environment (it runs one request at
a time; a fault *during* a write is covered by test_rt_postgres.py::test_write_in_flight_is_not_retried).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rt_helpers import AWS_TEST_ENV, LogCapture, api_event, app_migrations, load_handler, new_password, unique
from rt_servers import ADMIN_PASSWORD, MotoServer, PostgresServer, TlsFiles

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pg_faults")]

CALLS = 520
CONNECT_TIMEOUT = 2.0
KILL_EVERY = 37
DOWN_CALLS = 5
RESTART_AT = {150: "fast", 400: "immediate"}
ROTATE_AT = 300


def test_fault_injection_run(
    monkeypatch: pytest.MonkeyPatch,
    pg: PostgresServer,
    moto: MotoServer,
    tls: TlsFiles,
    runtime_logs: LogCapture,
) -> None:
    app = load_handler("app")
    bootstrap = load_handler("bootstrap")
    database, user, password = unique("db"), unique("app"), new_password()
    passwords = [password]
    pg.create_database(database)
    bootstrap.handler(
        {
            "engine": "postgres", "host": "localhost", "port": pg.port, "database": database,
            "master": {"username": pg.superuser, "password": ADMIN_PASSWORD}, "app_user": user,
            "auth": "secret", "app_password": password, "statement_timeout_ms": 5000,
            "migrations": app_migrations(), "ca_bundle": str(tls.ca),
        }
    )  # fmt: skip
    secrets = moto.client()
    arn = secrets.create_secret(
        Name=unique("fault"), SecretString=json.dumps({"username": user, "password": password})
    )["ARN"]
    env = {
        **AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url, "DB_ENGINE": "postgres",
        "DB_HOST": "localhost", "DB_PORT": str(pg.port), "DB_NAME": database, "DB_USER": user,
        "DB_AUTH": "secret", "DB_SECRET_ARN": arn, "DB_CA_BUNDLE": str(tls.ca),
        "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
    }  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    succeeded: list[str] = []
    failures_while_up: list[tuple[int, Any]] = []
    down_results: list[tuple[int, float]] = []
    kills = restarts = 0

    def invoke(index: int) -> tuple[int, dict[str, Any], float]:
        name = f"item-{index:04d}"
        started = time.monotonic()
        response = app.handler(api_event("POST", "/items", json.dumps({"name": name})), None)
        elapsed = time.monotonic() - started
        body = json.loads(response["body"])
        if response["statusCode"] == 201:
            assert body["name"] == name
            succeeded.append(name)
        return response["statusCode"], body, elapsed

    try:
        for index in range(CALLS):
            if index in RESTART_AT:
                pg.stop(RESTART_AT[index])
                for down_index in range(DOWN_CALLS):
                    status, body, elapsed = invoke(10_000 + index * 10 + down_index)
                    assert status == 503 and body == {"error": "the database is unavailable"}
                    down_results.append((status, elapsed))
                pg.start()
                restarts += 1
            elif index == ROTATE_AT:
                password = "rotated-" + new_password()
                passwords.append(password)
                pg.sql(f'ALTER ROLE "{user}" PASSWORD %s', (password,))
                secrets.put_secret_value(
                    SecretId=arn, SecretString=json.dumps({"username": user, "password": password})
                )
                kills += pg.terminate(user)  # the next connection must use the new password
            elif index and index % KILL_EVERY == 0:
                kills += pg.terminate(user)
            status, body, _ = invoke(index)
            if status != 201:
                failures_while_up.append((index, body))
    finally:
        if not pg.running:
            pg.start()

    assert failures_while_up == []
    assert restarts == 2 and kills >= 12
    assert len(down_results) == 2 * DOWN_CALLS
    assert all(elapsed < CONNECT_TIMEOUT + 0.5 for _, elapsed in down_results)

    rows = pg.sql("SELECT name FROM items ORDER BY id", dbname=database)
    stored = [row[0] for row in rows]
    assert len(stored) == len(set(stored)), "a row was written twice"
    assert sorted(stored) == sorted(succeeded), "stored rows differ from the calls that reported success"
    assert len(succeeded) == CALLS

    # The errors while down were clear, logged once per failed call, and no credential was ever logged.
    failures = runtime_logs.named("request_failed")
    assert len(failures) == len(down_results)
    assert all("cannot connect to postgres at localhost" in f["error"] for f in failures)
    assert all(f"within {CONNECT_TIMEOUT:g}s" in f["error"] for f in failures)
    assert len(runtime_logs.named("auth_refresh")) == 1
    assert len(runtime_logs.named("reconnect")) >= kills + restarts
    assert not any(secret in line for line in runtime_logs.lines for secret in passwords)
