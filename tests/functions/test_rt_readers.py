"""Reader routing against real replicas (database.readers, issue 13 item 2): reads declared read-only land on
the replica, writes and transactions on the primary, and a killed replica falls back to the writer with no
failed call and one log line.

PostgreSQL: a hot standby of the shared primary (pg_basebackup -R). MariaDB: a binlog source and a
read-only replica of its own. The reader is addressed as `localhost:<port>` in DB_READ_HOST (in AWS the
port is DB_PORT's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rt_replicas
import rt_servers
from lambda_rds_runtime import Database, DbConfig
from lambda_rds_runtime.routing import ReadRouter, parse_hosts, reads_only
from rt_helpers import LogCapture, MariaTarget, PgTarget

CALLS = 40


# -- pure rules (no server) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select id, name from items where id = %s",
        "  WITH t AS (SELECT 1) SELECT * FROM t",
        "SHOW server_version",
        "EXPLAIN SELECT * FROM items",
        "VALUES (1), (2)",
    ],
)
def test_reads_may_go_to_a_reader(sql: str) -> None:
    assert reads_only(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO items(name) VALUES (%s)",
        "UPDATE items SET name = 'x'",
        "DELETE FROM items",
        "WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d",
        "SELECT * FROM items FOR UPDATE",
        "SELECT * FROM items FOR SHARE",
        "SELECT nextval('items_id_seq')",
        "SELECT LAST_INSERT_ID()",
        "SELECT currval('s')",
        "SELECT * INTO backup FROM items",
        "SELECT pg_advisory_lock(1)",
        "SELECT GET_LOCK('a', 1)",
        "CREATE TABLE t (id int)",
        "BEGIN",
        "SET statement_timeout = 0",
        "-- a comment first\nSELECT 1",
        "CALL p()",
        "",
    ],
)
def test_writes_locks_and_session_state_stay_on_the_writer(sql: str) -> None:
    assert not reads_only(sql)


def test_read_hosts_parse_with_and_without_ports() -> None:
    assert parse_hosts("a.example, b.example:6000", 5432) == [("a.example", 5432), ("b.example", 6000)]
    assert parse_hosts("", 5432) == []


def test_read_host_comes_from_the_environment(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    env = {
        "DB_ENGINE": "postgres",
        "DB_HOST": "w.example",
        "DB_NAME": "app",
        "DB_USER": "app",
        "DB_AUTH": "iam",
        "AWS_REGION": "us-east-1",
        "DB_CA_BUNDLE": str(ca),
    }
    assert DbConfig.from_env(env).read_host is None
    assert DbConfig.from_env({**env, "DB_READ_HOST": " r.example "}).read_host == "r.example"
    db = Database(DbConfig.from_env({**env, "DB_READ_HOST": "r1.example,r2.example"}))
    assert db._reads is not None and db._reads.host in ("r1.example", "r2.example")
    assert Database(DbConfig.from_env(env))._reads is None


def test_routing_stays_light_at_cold_start() -> None:
    """With DB_READ_HOST set, building the Database (and signing a reader token) loads nothing heavy."""
    from test_rt_imports import FUNCTIONS, HEAVY

    code = (
        f"import json, sys; sys.path[:0] = [{str(FUNCTIONS)!r}]\n"
        "from lambda_rds_runtime import get_database\n"
        "db = get_database()\n"
        "reader = db._reads._reader_db()\n"
        "assert reader._source.login().password.startswith('r.example.internal:5432/?Action=connect')\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DB_ENGINE": "postgres",
        "DB_HOST": "db.example.internal",
        "DB_READ_HOST": "r.example.internal",
        "DB_NAME": "app",
        "DB_USER": "app",
        "DB_AUTH": "iam",
        "DB_CA_BUNDLE": __file__,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


# -- PostgreSQL: hot standby of the shared primary -----------------------------------------------------------


@pytest.fixture(scope="module")
def pg_standby(pg: rt_servers.PostgresServer, server_root: Path) -> Iterator[rt_servers.PostgresServer]:
    standby = rt_replicas.pg_standby(pg, server_root / "pg-standby")
    yield standby
    standby.close()


def _port(db: Database, family: str, *, read_only: bool) -> int:
    sql = "SELECT inet_server_port()" if family == "postgres" else "SELECT @@port"
    return int(db.query(sql, read_only=read_only)[0][0])


def _router(db: Database) -> ReadRouter:
    assert db._reads is not None
    return db._reads


def _check_routing(db: Database, family: str, primary_port: int, replica_port: int) -> None:
    assert _port(db, family, read_only=True) == replica_port
    assert _port(db, family, read_only=False) == primary_port
    # A write declared read-only by mistake is never sent to the reader: the writer runs it.
    db.execute("INSERT INTO items(name) VALUES (%s)", ("w",), read_only=True)
    db.execute("INSERT INTO items(name) VALUES (%s)", ("w2",))
    # Transactions, and reads inside them, stay on the writer.
    sql = "SELECT inet_server_port()" if family == "postgres" else "SELECT @@port"
    with db.transaction() as cur:
        cur.execute(sql)
        assert int(cur.fetchone()[0]) == primary_port
        assert int(db.query(sql, read_only=True)[0][0]) == primary_port
        cur.execute("INSERT INTO items(name) VALUES (%s)", ("in-tx",))
    assert _port(db, family, read_only=True) == replica_port


def _check_fallback(
    db: Database,
    family: str,
    primary_port: int,
    stop: Any,
    start: Any,
    logs: LogCapture,
    replica_port: int,
) -> None:
    router = _router(db)
    assert _port(db, family, read_only=True) == replica_port  # a live reader connection exists
    stop()
    failures = 0
    ports = []
    for _ in range(CALLS):
        try:
            ports.append(_port(db, family, read_only=True))
        except Exception:
            failures += 1
    assert failures == 0
    assert set(ports) == {primary_port}
    assert len(logs.named("reader_unavailable")) == 1, logs.lines
    assert not logs.named("connect_failed")
    assert router.fallbacks >= 1
    # Back: after the retry interval the reader takes reads again, with one line saying so.
    start()
    router._retry_after = 0.0
    router._down_until = 0.0
    assert _port(db, family, read_only=True) == replica_port
    assert len(logs.named("reader_restored")) == 1
    assert len(logs.named("reader_unavailable")) == 1


@pytest.mark.xdist_group("postgres")
def test_pg_reads_go_to_the_standby_writes_and_transactions_to_the_primary(
    pg: rt_servers.PostgresServer, pg_standby: rt_servers.PostgresServer, pg_target: PgTarget
) -> None:
    pg.sql("CREATE TABLE items (id serial PRIMARY KEY, name text)", dbname=pg_target.database)
    pg.sql(f'GRANT ALL ON items, items_id_seq TO "{pg_target.user}"', dbname=pg_target.database)
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        _check_routing(db, "postgres", pg.port, pg_standby.port)
        rt_replicas.pg_wait_replayed(pg, pg_standby)
        rows = db.query("SELECT name FROM items ORDER BY id", read_only=True)
        assert [r[0] for r in rows] == ["w", "w2", "in-tx"]
        assert _router(db).reads_on_reader >= 3
    finally:
        db.close()


@pytest.mark.xdist_group("postgres")
def test_pg_read_cancelled_by_recovery_runs_on_the_writer(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    runtime_logs: LogCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        assert _port(db, "postgres", read_only=True) == pg_standby.port
        reader = _router(db)._reader_db()

        def cancelled(*_: Any) -> Any:
            raise RuntimeError("canceling statement due to conflict with recovery")

        monkeypatch.setattr(reader, "_execute", cancelled)
        assert _port(db, "postgres", read_only=True) == pg.port  # no error: the writer answered
        assert _router(db).conflicts == 1 and not runtime_logs.named("reader_unavailable")
        monkeypatch.undo()
        assert _port(db, "postgres", read_only=True) == pg_standby.port  # the reader was not marked down
        monkeypatch.setattr(reader, "_execute", lambda *_: (_ for _ in ()).throw(ValueError("boom")))
        with pytest.raises(ValueError, match="boom"):  # other reader errors reach the caller
            _port(db, "postgres", read_only=True)
    finally:
        db.close()


@pytest.mark.xdist_group("postgres")
def test_pg_killed_standby_falls_back_with_no_failed_call(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    runtime_logs: LogCapture,
) -> None:
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        _check_fallback(
            db,
            "postgres",
            pg.port,
            lambda: pg_standby.stop("immediate"),
            pg_standby.start,
            runtime_logs,
            pg_standby.port,
        )
    finally:
        db.close()


# -- MariaDB: a binlog source and its read-only replica ------------------------------------------------------


@pytest.fixture(scope="module")
def maria_pair(server_root: Path, tls: rt_servers.TlsFiles) -> Iterator[rt_replicas.MariaPair]:
    root = server_root / "maria-pair"
    root.mkdir()
    pair = rt_replicas.MariaPair(root, tls)
    try:
        pair.start()
        yield pair
    finally:
        pair.close()


@pytest.fixture
def maria_source_target(maria_pair: rt_replicas.MariaPair, tls: rt_servers.TlsFiles) -> MariaTarget:
    target = MariaTarget(maria_pair.source, tls)
    maria_pair.source.sql(
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40))", database=target.database
    )
    maria_pair.wait_replayed()
    return target


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_reads_go_to_the_replica_writes_and_transactions_to_the_source(
    maria_pair: rt_replicas.MariaPair, maria_source_target: MariaTarget
) -> None:
    db = maria_source_target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        _check_routing(db, "mysql", maria_pair.source.port, maria_pair.replica.port)
        maria_pair.wait_replayed()
        rows = db.query("SELECT name FROM items ORDER BY id", read_only=True)
        assert [r[0] for r in rows] == ["w", "w2", "in-tx"]
    finally:
        db.close()


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_killed_replica_falls_back_with_no_failed_call(
    maria_pair: rt_replicas.MariaPair, maria_source_target: MariaTarget, runtime_logs: LogCapture
) -> None:
    db = maria_source_target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        _check_fallback(
            db,
            "mysql",
            maria_pair.source.port,
            maria_pair.replica.stop,
            maria_pair.replica.start,
            runtime_logs,
            maria_pair.replica.port,
        )
    finally:
        db.close()
