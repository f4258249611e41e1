"""Reader routing against real replicas (database.readers, issue 13 item 2): reads declared read-only land on
the replica, writes and transactions on the primary, and a killed replica falls back to the writer with no
failed call and one log line.

PostgreSQL: a hot standby of the shared primary (pg_basebackup -R). MariaDB: a binlog source and a
read-only replica of its own. The reader is addressed as `localhost:<port>` in DB_READ_HOST (in AWS the
port is DB_PORT's).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rt_replicas
import rt_servers
from lambda_rds_runtime import Database, DbConfig
from lambda_rds_runtime.read_classifier import reads_only
from lambda_rds_runtime.routing import ReadRouter, parse_hosts
from rt_helpers import LambdaContext, LogCapture, MariaTarget, PgTarget

CALLS = 40


# -- pure rules (no server) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select id, name from items where id = %s",
        "  WITH t AS (SELECT 1) SELECT * FROM t",
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
        "SHOW server_version",  # SHOW reads session settings (SHOW app.tenant): the writer answers
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


# -- a reader that accepted the connection and stopped answering (issue 18, item 5) ------------------------


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


@contextlib.contextmanager
def _frozen(server: Any) -> Iterator[None]:
    """SIGSTOP the server (mariadbd; the postmaster first, then every backend, which PostgreSQL puts in
    process groups of their own): the kernel keeps the sockets open and acknowledges what we send,
    nothing answers. SIGCONT on the way out."""
    main = server.proc.pid
    os.kill(main, signal.SIGSTOP)  # no new backends from here on
    stopped = [main, *_children(main)]
    for pid in stopped[1:]:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in reversed(stopped):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _timed(call: Callable[[], Any], limit: float) -> tuple[Any, float]:
    """(result, seconds) of `call`, run in a thread; fails the test instead of hanging past `limit`."""
    outcome: list[Any] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: outcome.append(_outcome(call)), daemon=True)
    thread.start()
    thread.join(limit)
    assert outcome, f"still waiting after {limit:g}s: a frozen reader is never given up on"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0], time.monotonic() - started


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except BaseException as exc:
        return exc


def _check_frozen_reader(
    db: Database, family: str, writer_port: int, reader: Any, reader_port: int, logs: LogCapture
) -> dict[str, float]:
    """A read-only call on a frozen reader, with 5.5 s left before the deadline: the reader gets half, the
    writer answers in the other half; the next read skips the reader at once."""
    db.deadline_from(LambdaContext(30_000))
    assert _port(db, family, read_only=True) == reader_port  # the reader's connection is open
    with _frozen(reader):
        db.deadline_from(
            LambdaContext(6_000)
        )  # 6 s left, 0.5 s margin: deadline in 5.5 s, reader gets 2.75 s
        port, first = _timed(lambda: _port(db, family, read_only=True), 12)
        assert port == writer_port
        port, second = _timed(lambda: _port(db, family, read_only=True), 12)
        assert port == writer_port
    assert 2.6 < first < 3.5, first
    assert second < 0.5, second
    assert len(logs.named("reader_unavailable")) == 1
    assert not logs.named("statement_timeout")  # the caller saw no error: no ERROR line either
    return {"first_read_s": round(first, 2), "next_read_s": round(second, 3)}


@pytest.mark.xdist_group("postgres")
def test_pg_frozen_standby_leaves_the_writer_time_to_answer(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    runtime_logs: LogCapture,
) -> None:
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        timings = _check_frozen_reader(db, "postgres", pg.port, pg_standby, pg_standby.port, runtime_logs)
    finally:
        db.close()
    print(json.dumps({"target": "postgres standby (SIGSTOP)", **timings}))


@pytest.mark.xdist_group("postgres")
def test_pg_frozen_standby_without_a_context_is_still_given_up_on(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    runtime_logs: LogCapture,
) -> None:
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        router = _router(db)
        router.statement_seconds = 2.0  # READER_STATEMENT_SECONDS (30 s) shortened for the test
        assert _port(db, "postgres", read_only=True) == pg_standby.port
        with _frozen(pg_standby):
            port, elapsed = _timed(lambda: _port(db, "postgres", read_only=True), 10)
        assert port == pg.port
        assert 1.9 < elapsed < 2.6, elapsed
        assert len(runtime_logs.named("reader_unavailable")) == 1
    finally:
        db.close()
    print(json.dumps({"target": "postgres standby (SIGSTOP), no context", "read_s": round(elapsed, 2)}))


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


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_frozen_replica_leaves_the_writer_time_to_answer(
    maria_pair: rt_replicas.MariaPair, maria_source_target: MariaTarget, runtime_logs: LogCapture
) -> None:
    db = maria_source_target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        timings = _check_frozen_reader(
            db, "mysql", maria_pair.source.port, maria_pair.replica, maria_pair.replica.port, runtime_logs
        )
    finally:
        db.close()
    print(json.dumps({"target": "mariadb replica (SIGSTOP)", **timings}))


# -- second review (H8b): the reader's connect is held to the reader's share of the time ---------------------


@contextlib.contextmanager
def _silent_listener() -> Iterator[int]:
    """A port that accepts connections and never says a word (a reader host that hangs in the handshake)."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize(
    "family",
    [pytest.param("postgres", marks=pytest.mark.xdist_group("postgres")),
     pytest.param("mariadb", marks=pytest.mark.xdist_group("mariadb"))],
)  # fmt: skip
def test_reader_connect_is_limited_to_the_reader_share(
    request: pytest.FixtureRequest, family: str, runtime_logs: LogCapture
) -> None:
    """1.9 s left (2.4 s minus the margin): the reader's share is 0.95 s, but its connect took its own
    2 s (READER_CONNECT_TIMEOUT) and left the writer no time: the call failed with a timeout."""
    tgt = request.getfixturevalue("pg_target" if family == "postgres" else "maria_target")
    with _silent_listener() as port:
        db = tgt.database_for(read_host=f"localhost:{port}")
        try:
            writer_port = _port(db, family, read_only=False)
            db.deadline_from(LambdaContext(2_400))
            got, elapsed = _timed(lambda: _port(db, family, read_only=True), 10)
        finally:
            db.close()
    assert got == writer_port
    assert elapsed < 1.3, elapsed
    assert len(runtime_logs.named("reader_unavailable")) == 1
    print(json.dumps({"target": f"{family} silent reader host", "read_s": round(elapsed, 2)}))


def _check_slow_reader(
    db: Database, family: str, sleep_sql: str, reader_port: int, logs: LogCapture
) -> tuple[float, float]:
    """A read that needs a little more than the reader's share (2.6 s of 2.75 s, 5.5 s before the
    deadline): the reader stops it itself (server-side limit), is not marked down, and the writer runs it
    in the time left; the next read goes to the reader again."""
    db.deadline_from(LambdaContext(30_000))
    assert _port(db, family, read_only=True) == reader_port
    db.deadline_from(LambdaContext(6_000))
    rows, elapsed = _timed(lambda: db.query(sleep_sql, read_only=True), 12)
    assert len(rows) == 1
    assert elapsed < 5.5, elapsed
    assert not logs.named("reader_unavailable")
    stopped = logs.named("reader_statement_timeout")
    assert len(stopped) == 1 and 2.3 < stopped[0]["seconds"] < 2.75, stopped
    db.deadline_from(LambdaContext(30_000))
    assert _port(db, family, read_only=True) == reader_port
    assert _router(db).fallbacks == 0 and _router(db).reader_timeouts == 1
    return stopped[0]["seconds"], elapsed


@pytest.mark.xdist_group("postgres")
def test_pg_slow_but_healthy_standby_is_not_marked_down(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    runtime_logs: LogCapture,
) -> None:
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        reader_s, elapsed = _check_slow_reader(
            db, "postgres", "SELECT pg_sleep(2.6)", pg_standby.port, runtime_logs
        )
    finally:
        db.close()
    running = pg_standby.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%pg_sleep(2.6)%%'")
    assert running == [(1,)]  # only this query itself: the standby stopped the slow read
    print(
        json.dumps(
            {"target": "postgres standby, slow read", "reader_s": reader_s, "read_s": round(elapsed, 2)}
        )
    )


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_slow_but_healthy_replica_is_not_marked_down(
    maria_pair: rt_replicas.MariaPair, maria_source_target: MariaTarget, runtime_logs: LogCapture
) -> None:
    db = maria_source_target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        reader_s, elapsed = _check_slow_reader(
            db, "mysql", "SELECT SLEEP(2.6)", maria_pair.replica.port, runtime_logs
        )
    finally:
        db.close()
    print(
        json.dumps(
            {"target": "mariadb replica, slow read", "reader_s": reader_s, "read_s": round(elapsed, 2)}
        )
    )


@pytest.mark.parametrize(
    ("family", "statements"),
    [
        pytest.param(
            "postgres",
            ["SELECT 1", "WITH t AS (SELECT 1 AS x) SELECT x FROM t", "VALUES (1)", "EXPLAIN SELECT 1",
             "select %s::int"],
            marks=pytest.mark.xdist_group("postgres"),
        ),
        pytest.param(
            "mariadb",
            ["SELECT 1", "WITH t AS (SELECT 1 AS x) SELECT x FROM t", "VALUES (1)", "EXPLAIN SELECT 1",
             "select %s"],
            marks=pytest.mark.xdist_group("mariadb"),
        ),
    ],
)  # fmt: skip
def test_every_read_form_runs_with_its_server_side_limit(
    request: pytest.FixtureRequest, family: str, statements: list[str]
) -> None:
    """Each statement form the router sends to a reader still runs, and answers the same, once the
    server-side time limit is written into it (and the limit applies: a longer sleep is stopped)."""
    tgt = request.getfixturevalue("pg_target" if family == "postgres" else "maria_target")
    db = tgt.database_for()
    try:
        engine, conn = db._engine, db._ready()
        show = "SHOW statement_timeout" if family == "postgres" else "SELECT @@max_statement_time"
        before = engine.run(conn, show, None).rows
        for sql in statements:
            params = (1,) if "%s" in sql else None
            limited = engine.with_time_limit(conn, sql, 5.0)
            assert limited != sql
            assert engine.run(conn, limited, params).rows == engine.run(conn, sql, params).rows, sql
        sleep = "SELECT pg_sleep(2)" if family == "postgres" else "SELECT SLEEP(2)"
        started = time.monotonic()
        with pytest.raises(Exception) as info:
            engine.run(conn, engine.with_time_limit(conn, sleep, 0.3), None)
        assert engine.is_statement_timeout(info.value), info.value
        assert time.monotonic() - started < 1.0
        assert engine.run(conn, "SELECT 1", None).rows == [(1,)]  # the connection is still usable
        assert engine.run(conn, show, None).rows == before  # no session state left behind
    finally:
        db.close()


def _check_own_limit_kept(db: Database, sleep_sql: str) -> float:
    """The user's own statement limit (1 s, set by the bootstrap or an administrator) stops a 2 s read on
    the reader too: the reader's bound (30 s here) must never raise it."""
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        db.query(sleep_sql, read_only=True)
    elapsed = time.monotonic() - started
    assert elapsed < 1.8, (elapsed, info.value)
    assert _router(db).reads_on_reader == 0 and _router(db).fallbacks == 0
    return elapsed


@pytest.mark.xdist_group("postgres")
def test_pg_reader_keeps_the_roles_lower_statement_timeout(
    pg: rt_servers.PostgresServer, pg_standby: rt_servers.PostgresServer, pg_target: PgTarget
) -> None:
    pg.sql(f'ALTER ROLE "{pg_target.user}" SET statement_timeout = 1000')
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        elapsed = _check_own_limit_kept(db, "SELECT pg_sleep(2)")
        # A higher role limit still gives way to the reader's bound (the smaller of the two applies).
        assert db.query("SELECT 1", read_only=True) == [(1,)]
        assert _router(db).reads_on_reader == 1
    finally:
        db.close()
    print(json.dumps({"target": "postgres standby, role timeout 1 s", "read_s": round(elapsed, 2)}))


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_reader_keeps_the_users_lower_max_statement_time(
    maria_pair: rt_replicas.MariaPair, maria_source_target: MariaTarget
) -> None:
    maria_pair.source.sql(f"ALTER USER '{maria_source_target.user}'@'%' WITH MAX_STATEMENT_TIME 1")
    maria_pair.wait_replayed()
    db = maria_source_target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        elapsed = _check_own_limit_kept(db, "SELECT SLEEP(2)")
    finally:
        db.close()
    print(json.dumps({"target": "mariadb replica, user limit 1 s", "read_s": round(elapsed, 2)}))


@pytest.mark.xdist_group("postgres")
def test_pg_reader_connect_keeps_the_applications_wait_callback(
    pg: rt_servers.PostgresServer, pg_standby: rt_servers.PostgresServer, pg_target: PgTarget
) -> None:
    """A reader connect shorter than libpq's 2 s minimum runs in psycopg2's green mode; afterwards the
    wait callback the application installed (psycogreen, `psycopg2.extras.wait_select`) is back, not
    cleared."""
    import psycopg2.extensions
    import psycopg2.extras

    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)
    try:
        db.deadline_from(LambdaContext(3_000))  # the reader's connect gets at most 1.5 s
        assert _port(db, "postgres", read_only=True) == pg_standby.port
        assert psycopg2.extensions.get_wait_callback() is psycopg2.extras.wait_select
    finally:
        psycopg2.extensions.set_wait_callback(None)
        db.close()


@pytest.mark.parametrize(
    ("sql", "hinted"),
    [
        ("SELECT 1", "SELECT /*+ MAX_EXECUTION_TIME(900) */ 1"),
        ("  select\n1", "  select /*+ MAX_EXECUTION_TIME(900) */\n1"),
        ("/* app: list */ SELECT 1", "/* app: list */ SELECT /*+ MAX_EXECUTION_TIME(900) */ 1"),
        ("-- app\nSELECT 1", "-- app\nSELECT /*+ MAX_EXECUTION_TIME(900) */ 1"),
        ("# app\nSELECT 1", "# app\nSELECT /*+ MAX_EXECUTION_TIME(900) */ 1"),
        ("(SELECT 1) UNION (SELECT 2)", "(SELECT /*+ MAX_EXECUTION_TIME(900) */ 1) UNION (SELECT 2)"),
        ("SELECT /*+ BKA(t) */ * FROM t", "SELECT /*+ MAX_EXECUTION_TIME(900) BKA(t) */ * FROM t"),
        ("SELECT /*+ MAX_EXECUTION_TIME(50) */ 1", "SELECT /*+ MAX_EXECUTION_TIME(50) */ 1"),
        ("SELECT /*+ max_execution_time( 5000 ) */ 1", "SELECT /*+ MAX_EXECUTION_TIME(900) */ 1"),
        ("SELECT/*+ NO_ICP(t) */ 1", "SELECT/*+ MAX_EXECUTION_TIME(900) NO_ICP(t) */ 1"),
        ("WITH t AS (SELECT 1) SELECT * FROM t", "WITH t AS (SELECT 1) SELECT * FROM t"),
        ("SELECTED", "SELECTED"),
        ("VALUES (1)", "VALUES (1)"),
        ("/* unterminated SELECT 1", "/* unterminated SELECT 1"),
    ],
)
def test_mysql_execution_time_hint_placement(sql: str, hinted: str) -> None:
    """MySQL 8 reads one hint comment per query block, right after its first SELECT: the hint goes past
    leading comments and parentheses, into a hint comment already there (the smaller limit kept)."""
    from lambda_rds_runtime.engines.mysql import with_max_execution_time

    assert with_max_execution_time(sql, 900) == hinted


@pytest.mark.xdist_group("mariadb")
def test_mysql_hinted_statements_still_run(maria_target: MariaTarget) -> None:
    """The hinted forms stay valid SQL (MariaDB before 12 reads `/*+ */` as a plain comment): same rows."""
    from lambda_rds_runtime.engines.mysql import with_max_execution_time

    db = maria_target.database_for()
    try:
        for sql in [
            "/* c */ SELECT 1",
            "-- c\nSELECT 1",
            "(SELECT 1) UNION (SELECT 2)",
            "SELECT /*+ BKA(t) */ 1",
        ]:
            assert db.query(with_max_execution_time(sql, 900)) == db.query(sql), sql
    finally:
        db.close()


@pytest.mark.xdist_group("postgres")
def test_pg_reader_error_does_not_show_the_time_limit(
    pg: rt_servers.PostgresServer, pg_standby: rt_servers.PostgresServer, pg_target: PgTarget
) -> None:
    """An SQL error on the reader reads as it would on the writer: the caret under the caller's text,
    `LINE 1:`, no `SET LOCAL statement_timeout` the caller never wrote."""
    import psycopg2

    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    try:
        db.deadline_from(
            LambdaContext(10_000)
        )  # a reader bound below any server default: the limit is written
        sql = "SELECT id FROM no_such_table"
        with pytest.raises(psycopg2.errors.UndefinedTable) as on_reader:
            db.query(sql, read_only=True)
        with pytest.raises(psycopg2.errors.UndefinedTable) as on_writer:
            db.query(sql)
        assert str(on_reader.value) == str(on_writer.value)
        assert "statement_timeout" not in str(on_reader.value) and "LINE 1: SELECT" in str(on_reader.value)
    finally:
        db.close()


def test_pg_error_line_numbers_drop_the_limit_line() -> None:
    """The renumbering keeps the caret under the same character when the line number loses a digit."""
    import psycopg2
    from lambda_rds_runtime.engines.postgres import PostgresEngine

    exc = psycopg2.errors.UndefinedTable('relation "x" does not exist\nLINE 10: FROM x\n              ^\n')
    PostgresEngine().error_without_time_limit(exc)
    assert str(exc) == 'relation "x" does not exist\nLINE 9: FROM x\n             ^\n'
