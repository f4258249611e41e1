"""Fault injection: 520 `POST /items` invocations of the real handler while backends are killed, the server
restarts twice (once cleanly, once like a crash) and the password rotates once.

Contract checked: a call fails only while the server is down, and then within the connect timeout with a
clear error; the table holds exactly the rows whose calls reported success (none lost, none doubled).
Faults happen between invocations, as they do for a Lambda execution environment (it runs one request at
a time; a fault *during* a write is covered by test_rt_postgres.py::test_write_in_flight_is_not_retried).

The transaction runs (PostgreSQL, PgBouncer, MariaDB) kill the session inside `db.transaction()` blocks:
between two statements, just before COMMIT, during COMMIT and right after it. Every block is applied
whole or not at all; blocks reported committed are all stored, blocks reported rolled back never are,
and only blocks reported "may or may not have been applied" (ConnectionLostError) are left to check.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from lambda_rds_runtime import ConnectionLostError, Database, TransactionRolledBackError
from rt_helpers import (
    AWS_TEST_ENV,
    LogCapture,
    MariaTarget,
    PgTarget,
    api_event,
    app_migrations,
    load_handler,
    new_password,
    unique,
)
from rt_servers import ADMIN_PASSWORD, MotoServer, PgBouncerServer, PostgresServer, TlsFiles

pytestmark = pytest.mark.slow

CALLS = 520
CONNECT_TIMEOUT = 2.0
KILL_EVERY = 37
DOWN_CALLS = 5
RESTART_AT = {150: "fast", 400: "immediate"}
ROTATE_AT = 300


@pytest.mark.xdist_group("pg_faults")
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


# -- transactions: kills before, during and after COMMIT inside db.transaction() ---------------------------

TX_BLOCKS = 96
TX_ROWS = 3
TX_FAULT_EVERY = 3  # every third block gets a fault; the modes take turns
TX_MODES = ("mid", "before", "during", "after")
TX_INSERT = "INSERT INTO tx_items (block, part, slow) VALUES (%s, %s, %s)"


class FaultEngine:
    """Wraps the real engine: around COMMIT it can kill the session just before sending it (during: while
    a deliberately slow COMMIT runs, on PostgreSQL) or right after it was acknowledged."""

    def __init__(self, engine: Any, kill: Any, slow_commit: bool) -> None:
        self._engine = engine
        self._kill = kill
        self._slow_commit = slow_commit
        self.mode: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def commit(self, conn: Any) -> None:
        mode, self.mode = self.mode, None
        if mode == "during":
            if self._slow_commit:  # the deferred trigger makes COMMIT take 0.3 s: kill 0.1 s into it
                killer = threading.Timer(0.1, self._kill)
                killer.start()
                try:
                    self._engine.commit(conn)
                finally:
                    killer.join(10)
                return
            self._kill(wait=False)  # MySQL: the KILL races the COMMIT we send right now
        self._engine.commit(conn)
        if mode == "after":
            self._kill()


def _tx_run(kind: str, server: Any, db: Database, engine: FaultEngine, stored: Any) -> dict[str, Any]:
    outcomes: dict[str, list[int]] = {"committed": [], "rolled_back": [], "ambiguous": []}
    faults = dict.fromkeys(TX_MODES, 0)
    unexpected: list[tuple[int, BaseException]] = []
    for block in range(TX_BLOCKS):
        mode = TX_MODES[(block // TX_FAULT_EVERY) % len(TX_MODES)] if block % TX_FAULT_EVERY == 1 else None
        if mode is not None:
            faults[mode] += 1
        engine.mode = mode if mode in ("during", "after") else None
        try:
            with db.transaction() as cur:
                for part in range(TX_ROWS):
                    slow = mode == "during" and part == 0
                    cur.execute(
                        "INSERT INTO tx_items (block, part, slow) VALUES (%s, %s, %s)", (block, part, slow)
                    )
                    if mode == "mid" and part == 0:
                        engine._kill()
                if mode == "before":
                    engine._kill()
            outcomes["committed"].append(block)
        except TransactionRolledBackError:
            outcomes["rolled_back"].append(block)
        except ConnectionLostError:
            outcomes["ambiguous"].append(block)
        except Exception as exc:
            unexpected.append((block, exc))
    assert unexpected == []
    rows = stored()
    per_block: dict[int, int] = {}
    for (block,) in rows:
        per_block[block] = per_block.get(block, 0) + 1
    assert all(count == TX_ROWS for count in per_block.values()), "a block was applied in part"
    stored_blocks = set(per_block)
    committed, rolled_back, ambiguous = (set(outcomes[k]) for k in ("committed", "rolled_back", "ambiguous"))
    assert committed <= stored_blocks, "a block reported committed is missing"
    assert not (rolled_back & stored_blocks), "a block reported rolled back was applied"
    assert stored_blocks - committed <= ambiguous, "a block not reported committed was applied"
    summary = {
        "target": kind,
        "blocks": TX_BLOCKS,
        "faults": faults,
        "committed": len(committed),
        "rolled_back": len(rolled_back),
        "ambiguous": len(ambiguous),
        "ambiguous_applied": len(ambiguous & stored_blocks),
        "stored_blocks": len(stored_blocks),
        "stored_rows": len(rows),
    }
    print(json.dumps(summary))
    assert sum(faults.values()) >= TX_BLOCKS // TX_FAULT_EVERY
    assert len(committed) >= TX_BLOCKS - sum(faults.values())  # every block without a fault committed
    return summary


@pytest.mark.xdist_group("postgres")
@pytest.mark.parametrize("via_bouncer", [False, True], ids=["postgres", "pgbouncer"])
def test_transaction_fault_run_postgres(
    request: pytest.FixtureRequest, pg_target: PgTarget, via_bouncer: bool
) -> None:
    pg_target.server.sql(
        "CREATE TABLE tx_items (block int, part int, slow boolean NOT NULL, PRIMARY KEY (block, part));"
        "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); "
        "RETURN NULL; END $$;"
        "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON tx_items DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW WHEN (NEW.slow) EXECUTE FUNCTION slow_commit();"
        f'GRANT ALL ON tx_items TO "{pg_target.user}"',
        dbname=pg_target.database,
    )
    port = pg_target.server.port
    if via_bouncer:
        bouncer: PgBouncerServer = request.getfixturevalue("pgbouncer")
        bouncer.add_user(pg_target.user, pg_target.password)
        port = bouncer.port

    def kill(wait: bool = True) -> None:
        pg_target.server.terminate(pg_target.user)

    plain = pg_target.database_for(port=port)
    engine = FaultEngine(plain._engine, kill, slow_commit=True)
    db = Database(plain.config, engine=engine, source=plain._source)  # type: ignore[arg-type]
    _tx_run(
        "pgbouncer" if via_bouncer else "postgres",
        pg_target.server,
        db,
        engine,
        lambda: pg_target.server.sql("SELECT block FROM tx_items", dbname=pg_target.database),
    )


@pytest.mark.xdist_group("mariadb")
def test_transaction_fault_run_mariadb(maria_target: MariaTarget) -> None:
    server = maria_target.server
    server.sql(
        "CREATE TABLE tx_items (block INT, part INT, slow BOOLEAN NOT NULL, PRIMARY KEY (block, part))",
        database=maria_target.database,
    )

    def kill(wait: bool = True) -> None:
        server.kill(maria_target.user)
        deadline = time.monotonic() + 5
        while wait and server.sessions(maria_target.user) and time.monotonic() < deadline:
            time.sleep(0.01)  # KILL is asynchronous: wait until the session is gone

    plain = maria_target.database_for()
    engine = FaultEngine(plain._engine, kill, slow_commit=False)
    db = Database(plain.config, engine=engine, source=plain._source)  # type: ignore[arg-type]
    _tx_run(
        "mariadb",
        server,
        db,
        engine,
        lambda: server.sql("SELECT block FROM tx_items", database=maria_target.database),
    )
