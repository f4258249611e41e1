"""What `read_only=True` really does on a replica (issue 18, item 6): writes hidden in reads and session
state never end on the reader.

- `SELECT add_item(...)` (a function that writes) is refused by the standby (SQLSTATE 25006) or the
  read-only MariaDB replica (1290): nothing was written there, so it runs on the writer (once), and the
  same text goes straight to the writer afterwards;
- session state the writer's connection holds (`set_config` then `current_setting`, MariaDB `@x`) and
  functions that assign ids or large objects (`txid_current()`, `lo_*`, sequences) stay on the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rt_replicas
import rt_servers
from lambda_rds_runtime import Database, read_classifier
from lambda_rds_runtime.read_classifier import reads_only
from lambda_rds_runtime.routing import ReadRouter
from rt_helpers import LogCapture, MariaTarget, PgTarget


@pytest.fixture(autouse=True)
def _fresh_verdicts() -> Iterator[None]:
    """The classifier remembers verdicts per statement text for the process: start each test afresh."""
    read_classifier._decided.clear()
    read_classifier._refused.clear()
    yield
    read_classifier._decided.clear()
    read_classifier._refused.clear()


# -- the classifier (no server) -------------------------------------------------------------------------


# Session state of the writer's connection, and functions that assign ids or large objects: never on a
# reader. (set_config and setval were already refused by older rules; they stay in the list.)
WRITER_ONLY = [
    "SELECT @cart_total",
    "SELECT @`total`, 1",
    "SELECT id FROM items WHERE id = @last",
    "SELECT current_setting('app.tenant')",
    "SELECT current_setting('app.tenant', true)",
    "SELECT set_config('app.tenant', 'x', false)",
    "SELECT txid_current()",
    "SELECT txid_current_if_assigned()",
    "SELECT pg_current_xact_id()",
    "SELECT lo_import('/tmp/x')",
    "SELECT lo_from_bytea(0, 'x')",
    "SELECT loread(lo_open(1, 262144), 10)",
    "SELECT setval('items_id_seq', 5)",
    "SELECT NEXT VALUE FOR s",
    "SELECT PREVIOUS VALUE FOR s",
    "SELECT IS_USED_LOCK('a')",
    "SELECT * FROM pg_temp.scratch",
    # second review: session state read through SHOW, schema functions, ids and MySQL session variables
    "SHOW app.tenant",
    "SHOW search_path",
    "SHOW WARNINGS",
    "SELECT current_schema()",
    "SELECT current_schemas(false)",
    "SELECT pg_backend_pid()",
    "SELECT pg_current_wal_lsn()",
    "SELECT @@session.sql_mode",
    "SELECT @@SESSION.time_zone, 1",
    "SELECT @@local.sql_mode",
    "SELECT @@identity",
    "SELECT @@last_insert_id",
    "SELECT @@warning_count, @@error_count",
    "SELECT @@sql_mode",
    "SELECT SQL_CALC_FOUND_ROWS id FROM items LIMIT 2",
    "SELECT FOUND_ROWS()",
    "SELECT CONNECTION_ID()",
]
# ... while system variables, PostgreSQL's @ operators and paging stay plain reads.
PLAIN_READS = [
    "SELECT @@port",
    "SELECT @@global.sql_mode",
    "SELECT id FROM items WHERE tags @> %s",
    "SELECT id FROM items WHERE %s <@ tags",
    "SELECT to_tsvector(name) @@ to_tsquery(%s) FROM items",
    "SELECT @ -5",
    "SELECT id FROM items ORDER BY id FETCH NEXT 5 ROWS ONLY",
    "SELECT name FROM items WHERE id = %s",
]


def test_classifier_keeps_session_state_on_the_writer_and_plain_reads_on_the_reader() -> None:
    assert [sql for sql in WRITER_ONLY if reads_only(sql)] == []
    assert [sql for sql in PLAIN_READS if not reads_only(sql)] == []


# -- PostgreSQL: hot standby ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_standby(pg: rt_servers.PostgresServer, server_root: Path) -> Iterator[rt_servers.PostgresServer]:
    standby = rt_replicas.pg_standby(pg, server_root / "pg-standby-routing")
    yield standby
    standby.close()


def _router(db: Database) -> ReadRouter:
    assert db._reads is not None
    return db._reads


@pytest.fixture
def pg_db(
    pg: rt_servers.PostgresServer, pg_standby: rt_servers.PostgresServer, pg_target: PgTarget
) -> Iterator[Database]:
    pg.sql(
        "CREATE TABLE items (id serial PRIMARY KEY, name text);"
        "CREATE FUNCTION add_item(n text) RETURNS int LANGUAGE sql AS "
        "$$ INSERT INTO items (name) VALUES (n) RETURNING id $$;"
        f'GRANT ALL ON items, items_id_seq TO "{pg_target.user}"',
        dbname=pg_target.database,
    )
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    db = pg_target.database_for(read_host=f"localhost:{pg_standby.port}")
    assert int(db.query("SELECT inet_server_port()", read_only=True)[0][0]) == pg_standby.port
    yield db
    db.close()


@pytest.mark.xdist_group("postgres")
def test_pg_function_that_writes_is_rerun_on_the_writer(
    pg: rt_servers.PostgresServer, pg_target: PgTarget, pg_db: Database, runtime_logs: LogCapture
) -> None:
    sql = "SELECT add_item(%s)"
    assert reads_only(sql)  # the text looks like a read: only the standby can tell
    router = _router(pg_db)
    first = pg_db.query(sql, ("a",), read_only=True)[0][0]  # refused by the standby, run on the writer
    second = pg_db.query(sql, ("b",), read_only=True)[0][0]  # straight to the writer
    assert (first, second) == (1, 2)
    rows = pg.sql("SELECT id, name FROM items ORDER BY id", dbname=pg_target.database)
    assert rows == [(1, "a"), (2, "b")]  # each applied once
    assert router.refused_writes == 1 and not reads_only(sql)
    lines = runtime_logs.named("reader_refused_write")
    assert len(lines) == 1 and "read-only transaction" in lines[0]["reason"]
    assert not runtime_logs.named("reader_unavailable")  # not an outage: reads still go to the standby
    assert int(pg_db.query("SELECT inet_server_port()", read_only=True)[0][0]) != pg.port


@pytest.mark.xdist_group("postgres")
def test_pg_session_settings_and_id_functions_are_read_on_the_writer(
    pg: rt_servers.PostgresServer, pg_db: Database
) -> None:
    pg_db.execute("SELECT set_config('app.tenant', 'acme', false)")  # on the writer's session
    assert pg_db.query("SELECT current_setting('app.tenant', true)", read_only=True) == [("acme",)]
    txid = pg_db.query("SELECT txid_current()", read_only=True)[0][0]
    assert isinstance(txid, int) and txid > 0
    oid = pg_db.query("SELECT lo_from_bytea(0, 'x')", read_only=True)[0][0]
    assert pg_db.query("SELECT lo_get(%s)", (oid,), read_only=True)[0][0].tobytes() == b"x"
    assert pg_db.query("SELECT nextval('items_id_seq')", read_only=True) == [(1,)]
    assert pg_db.query("SELECT setval('items_id_seq', 10)", read_only=True) == [(10,)]
    assert _router(pg_db).refused_writes == 0  # classified up front: no trip to the standby


# -- MariaDB: binlog source and read-only replica -------------------------------------------------------


@pytest.fixture(scope="module")
def maria_pair(server_root: Path, tls: rt_servers.TlsFiles) -> Iterator[rt_replicas.MariaPair]:
    root = server_root / "maria-pair-routing"
    root.mkdir()
    pair = rt_replicas.MariaPair(root, tls)
    try:
        pair.start()
        yield pair
    finally:
        pair.close()


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_user_variable_and_function_that_writes_stay_on_the_writer(
    maria_pair: rt_replicas.MariaPair, tls: rt_servers.TlsFiles, runtime_logs: LogCapture
) -> None:
    target = MariaTarget(maria_pair.source, tls)
    maria_pair.source.sql(
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40))", database=target.database
    )
    maria_pair.source.sql(
        "CREATE FUNCTION add_item(n VARCHAR(40)) RETURNS INT DETERMINISTIC MODIFIES SQL DATA "
        "BEGIN INSERT INTO items (name) VALUES (n); RETURN LAST_INSERT_ID(); END",
        database=target.database,
    )
    maria_pair.wait_replayed()
    db = target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        assert int(db.query("SELECT @@port", read_only=True)[0][0]) == maria_pair.replica.port
        db.execute("SET @cart_total = 42")  # on the writer's session
        assert db.query("SELECT @cart_total", read_only=True) == [(42,)]
        assert db.query("SELECT add_item(%s)", ("a",), read_only=True) == [(1,)]  # 1290 on the replica
        rows = maria_pair.source.sql("SELECT id, name FROM items", database=target.database)
        assert rows == [(1, "a")]
        assert _router(db).refused_writes == 1
        assert "read-only" in runtime_logs.named("reader_refused_write")[0]["reason"]
    finally:
        db.close()


# -- second review (H8b) ----------------------------------------------------------------------------------


@pytest.mark.xdist_group("postgres")
def test_pg_session_state_read_with_show_and_schema_functions_stays_on_the_writer(
    pg: rt_servers.PostgresServer, pg_db: Database
) -> None:
    """`SHOW app.tenant` raised "unrecognized configuration parameter" on the standby, `SHOW search_path`
    and `current_schemas()` answered the standby's defaults, `pg_current_wal_lsn()` failed in recovery."""
    pg_db.execute("SELECT set_config('app.tenant', 'acme', false)")
    pg_db.execute("SET search_path = myschema, public")
    assert pg_db.query("SHOW app.tenant", read_only=True) == [("acme",)]
    assert pg_db.query("SHOW search_path", read_only=True) == [("myschema, public",)]
    assert pg_db.query("SELECT current_schemas(false)", read_only=True) == [(["public"],)]
    writer_pid = pg_db.query("SELECT pg_backend_pid()")[0][0]
    assert pg_db.query("SELECT pg_backend_pid()", read_only=True) == [(writer_pid,)]
    assert pg_db.query("SELECT pg_current_wal_lsn() IS NOT NULL", read_only=True) == [(True,)]
    assert _router(pg_db).refused_writes == 0


@pytest.mark.xdist_group("postgres")
def test_pg_reader_session_is_closed_after_a_refused_write(
    pg: rt_servers.PostgresServer,
    pg_standby: rt_servers.PostgresServer,
    pg_target: PgTarget,
    pg_db: Database,
) -> None:
    """A function that takes a session advisory lock, then writes: the standby refuses the write but its
    session kept the lock (and would for the environment's life). The reader's session is closed."""
    pg.sql(
        "CREATE FUNCTION add_locked(n text) RETURNS int LANGUAGE plpgsql AS $$ DECLARE i int; BEGIN "
        "PERFORM pg_advisory_lock(42); INSERT INTO items (name) VALUES (n) RETURNING id INTO i; "
        "PERFORM pg_advisory_unlock(42); RETURN i; END $$",
        dbname=pg_target.database,
    )
    rt_replicas.pg_wait_replayed(pg, pg_standby)
    assert pg_db.query("SELECT add_locked(%s)", ("a",), read_only=True) == [(1,)]
    locks = pg_standby.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
    assert locks == [(0,)]
    assert int(pg_db.query("SELECT inet_server_port()", read_only=True)[0][0]) == pg_standby.port


def test_verdict_cache_stays_bounded() -> None:
    """A refused write added its verdict past the 512-entry cap (texts built with literals grow it)."""
    for i in range(600):
        reads_only(f"SELECT {i}")
    assert len(read_classifier._decided) == 512
    read_classifier.remember("SELECT add_item('x')", False)
    assert len(read_classifier._decided) == 512


@pytest.mark.xdist_group("postgres")
def test_pg_refused_write_is_remembered_when_the_caches_are_full(
    pg: rt_servers.PostgresServer, pg_target: PgTarget, pg_db: Database
) -> None:
    """Full verdict caches (texts built with literals) evict their oldest entry: a statement the reader
    refused is still remembered, and its next call goes straight to the writer."""
    for i in range(600):
        reads_only(f"SELECT {i}")
        read_classifier.remember_refused(f"SELECT refused_{i}()")
    sql = "SELECT add_item(%s)"
    router = _router(pg_db)
    assert [pg_db.query(sql, (n,), read_only=True)[0][0] for n in "abc"] == [1, 2, 3]
    assert router.refused_writes == 1 and not reads_only(sql)
    assert len(read_classifier._decided) == 512 and len(read_classifier._refused) == 512
    assert "SELECT 0" not in read_classifier._decided and "SELECT refused_0()" not in read_classifier._refused


@pytest.mark.xdist_group("mariadb-replica")
def test_mariadb_session_variables_stay_on_the_writer(
    maria_pair: rt_replicas.MariaPair, tls: rt_servers.TlsFiles
) -> None:
    """`@@identity`, `@@session.sql_mode` and FOUND_ROWS() read the replica's own session: NULL/0 or its
    defaults instead of what the caller's writer session holds."""
    target = MariaTarget(maria_pair.source, tls)
    maria_pair.source.sql(
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40))", database=target.database
    )
    for _ in range(5):
        maria_pair.source.sql("INSERT INTO items (name) VALUES ('x')", database=target.database)
    maria_pair.wait_replayed()
    db = target.database_for(read_host=f"localhost:{maria_pair.replica.port}")
    try:
        db.execute("INSERT INTO items (name) VALUES ('y')")
        assert db.query("SELECT @@identity", read_only=True) == [(6,)]
        db.execute("SET SESSION sql_mode = 'ANSI_QUOTES'")
        assert db.query("SELECT @@session.sql_mode", read_only=True) == [("ANSI_QUOTES",)]
        db.query("SELECT SQL_CALC_FOUND_ROWS id FROM items LIMIT 2", read_only=True)
        assert db.query("SELECT FOUND_ROWS()", read_only=True) == [(6,)]
        assert int(db.query("SELECT @@port", read_only=True)[0][0]) == maria_pair.replica.port
    finally:
        db.close()
