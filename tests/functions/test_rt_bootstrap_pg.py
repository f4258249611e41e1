"""Bootstrap against a real PostgreSQL: user creation (secret and iam), grants, statement timeout on the
role, migrations with checksums, idempotence, and no credential in any output."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from lambda_rds_runtime.bootstrap import BootstrapError
from rt_helpers import app_migrations, load_handler, new_password, unique
from rt_servers import ADMIN_PASSWORD, PostgresServer, TlsFiles

pytestmark = pytest.mark.xdist_group("postgres")
bootstrap = load_handler("bootstrap")


@pytest.fixture
def event(pg: PostgresServer, tls: TlsFiles) -> dict[str, Any]:
    """A bootstrap event for a fresh database; the master is the server's superuser."""
    database = unique("db")
    pg.create_database(database)
    return {
        "engine": "postgres",
        "host": "localhost",
        "port": pg.port,
        "database": database,
        "master": {"username": pg.superuser, "password": ADMIN_PASSWORD},
        "app_user": unique("app"),
        "auth": "secret",
        "app_password": new_password(),
        "statement_timeout_ms": 4000,
        "migrations": app_migrations(),
        "ca_bundle": str(tls.ca),
    }


@pytest.fixture
def rds_iam(pg: PostgresServer) -> Iterator[None]:
    """Emulate RDS: IAM auth is the rds_iam role (an ordinary role locally)."""
    pg.sql("DO $$ BEGIN CREATE ROLE rds_iam; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    yield


def app_connect(pg: PostgresServer, tls: TlsFiles, event: dict[str, Any], password: str | None = None) -> Any:
    conn = psycopg2.connect(
        host="localhost",
        port=pg.port,
        dbname=event["database"],
        user=event["app_user"],
        password=password or event["app_password"],
        sslmode="verify-full",
        sslrootcert=str(tls.ca),
    )
    conn.autocommit = True
    return conn


def test_secret_mode_first_run_then_idempotent(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    first = bootstrap.handler(copy.deepcopy(event))
    assert first == {
        "status": "ok",
        "user": "created",
        "applied": ["0001_create_items.sql", "0002_items_created_at_index.sql"],
        "skipped": [],
        "statement_timeout": "role",
    }
    second = bootstrap.handler(copy.deepcopy(event))
    assert second["user"] == "unchanged"
    assert second["applied"] == []
    assert second["skipped"] == ["0001_create_items.sql", "0002_items_created_at_index.sql"]


def test_app_user_gets_data_access_and_nothing_more(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    conn = app_connect(pg, tls, event)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO items (name) VALUES ('a') RETURNING id")
        assert cur.fetchone()[0] == 1
        cur.execute("UPDATE items SET name = 'b'")
        cur.execute("SELECT name FROM items")
        assert cur.fetchall() == [("b",)]
        cur.execute("DELETE FROM items")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM lambda_rds.schema_migrations")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DROP TABLE items")
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "4s"  # set on the role: no session SET needed (or allowed, with a proxy)
    conn.close()


def test_statement_timeout_applies_to_the_app_user(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    event["statement_timeout_ms"] = 300
    bootstrap.handler(copy.deepcopy(event))
    conn = app_connect(pg, tls, event)
    with conn.cursor() as cur, pytest.raises(psycopg2.errors.QueryCanceled):
        cur.execute("SELECT pg_sleep(2)")
    conn.close()


def test_changed_password_and_timeout_are_updated(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    old_password = event["app_password"]
    event["app_password"] = new_password()
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "updated"
    app_connect(pg, tls, event).close()
    with pytest.raises(psycopg2.OperationalError):
        app_connect(pg, tls, event, password=old_password)
    event["statement_timeout_ms"] = 9000
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "updated"
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "unchanged"


def test_password_is_stored_as_scram_and_never_sent_in_clear(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    stored = pg.sql("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (event["app_user"],))[0][0]
    assert stored.startswith("SCRAM-SHA-256$4096:")
    log = pg.log.read_text(errors="replace")
    assert event["app_password"] not in log


def test_iam_mode_grants_rds_iam_and_sets_no_password(
    pg: PostgresServer, event: dict[str, Any], rds_iam: None
) -> None:
    event.update(auth="iam", app_password=None)
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "created"
    member = pg.sql(
        "SELECT pg_has_role(%s, 'rds_iam', 'MEMBER'), rolpassword IS NULL FROM pg_authid WHERE rolname = %s",
        (event["app_user"], event["app_user"]),
    )
    assert member == [(True, True)]
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "unchanged"


def test_switching_auth_modes_is_an_update(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any], rds_iam: None
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    iam_event = {**copy.deepcopy(event), "auth": "iam", "app_password": None}
    assert bootstrap.handler(iam_event)["user"] == "updated"
    assert pg.sql("SELECT pg_has_role(%s, 'rds_iam', 'MEMBER')", (event["app_user"],)) == [(True,)]
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "updated"  # back to secret: revoke + password
    assert pg.sql("SELECT pg_has_role(%s, 'rds_iam', 'MEMBER')", (event["app_user"],)) == [(False,)]
    app_connect(pg, tls, event).close()


def test_iam_mode_without_rds_iam_role_is_a_clear_error(pg: PostgresServer, event: dict[str, Any]) -> None:
    """Not RDS: there is no rds_iam role. Temporarily hide the one other tests may have created."""
    existed = pg.sql("SELECT count(*) FROM pg_roles WHERE rolname = 'rds_iam'")[0][0] == 1
    if existed:
        pg.sql("ALTER ROLE rds_iam RENAME TO rds_iam_hidden")
    try:
        event.update(auth="iam", app_password=None)
        with pytest.raises(BootstrapError, match="role rds_iam does not exist"):
            bootstrap.handler(copy.deepcopy(event))
    finally:
        if existed:
            pg.sql("ALTER ROLE rds_iam_hidden RENAME TO rds_iam")


def test_changed_migration_is_refused_before_anything_runs(pg: PostgresServer, event: dict[str, Any]) -> None:
    bootstrap.handler(copy.deepcopy(event))
    changed = copy.deepcopy(event)
    changed["migrations"][0]["sql"] += "\n-- edited after it ran\n"
    changed["migrations"].append({"name": "0003_more.sql", "sql": "CREATE TABLE more_things (id int);"})
    with pytest.raises(BootstrapError, match=r"0001_create_items\.sql") as info:
        bootstrap.handler(changed)
    assert "refusing" in str(info.value)
    tables = pg.sql("SELECT to_regclass('public.more_things') IS NULL", dbname=event["database"])
    assert tables == [(True,)]


def test_failing_migration_is_rolled_back_and_not_recorded(pg: PostgresServer, event: dict[str, Any]) -> None:
    event["migrations"].append({"name": "0003_broken.sql", "sql": "CREATE TABLE half (id int); SELEC oops;"})
    with pytest.raises(BootstrapError, match=r"0003_broken\.sql failed and was rolled back"):
        bootstrap.handler(copy.deepcopy(event))
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.half') IS NULL", dbname=db) == [(True,)]
    assert pg.sql("SELECT name FROM lambda_rds.schema_migrations ORDER BY name", dbname=db) == [
        ("0001_create_items.sql",),
        ("0002_items_created_at_index.sql",),
    ]


def test_errors_never_contain_credentials(pg: PostgresServer, event: dict[str, Any]) -> None:
    wrong_master = copy.deepcopy(event)
    wrong_master["master"]["password"] = "Wrong-Master-Pw-123"
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(wrong_master)
    message = str(info.value)
    assert "Wrong-Master-Pw-123" not in message and event["app_password"] not in message
    assert "password authentication failed" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_invalid_events_name_the_key(event: dict[str, Any]) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"app_user": "robert'); DROP TABLE x;--"}, "app_user"),
        ({"auth": "kerberos"}, "auth"),
        ({"app_password": None}, "app_password"),
        ({"statement_timeout_ms": -1}, "statement_timeout_ms"),
        ({"migrations": [{"name": "init.sql", "sql": ""}]}, "migrations"),
        ({"port": "5432"}, "port"),
        ({"engine": "oracle"}, "engine"),
        ({"app_password_pending": 5}, "app_password_pending"),
        ({"app_password_pending": ""}, "app_password_pending"),
        ({"auth": "iam", "app_password": None, "app_password_pending": "x"}, "app_password_pending"),
    ]
    for change, key in cases:
        with pytest.raises(BootstrapError, match=key):
            bootstrap.handler({**copy.deepcopy(event), **change})


# -- issue 12: a bootstrap that always recovers, never adopts a privileged role, never hides the truth ------


def test_rerun_after_a_failed_first_run_converges_without_public_connect(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    """Hardened databases revoke CONNECT from PUBLIC: the app user gets it only at the end of a run, so
    after a failed first run the password check logs in to a database the user may not use yet."""
    pg.sql(f'REVOKE CONNECT ON DATABASE "{event["database"]}" FROM PUBLIC')
    broken = copy.deepcopy(event)
    broken["migrations"].append({"name": "0003_bad.sql", "sql": "SELECT 1/0"})
    with pytest.raises(BootstrapError, match=r"0003_bad\.sql failed and was rolled back"):
        bootstrap.handler(broken)
    second = bootstrap.handler(copy.deepcopy(event))
    assert second["status"] == "ok" and second["user"] == "unchanged"
    app_connect(pg, tls, event).close()


def test_concurrent_bootstraps_converge(pg: PostgresServer, event: dict[str, Any]) -> None:
    import threading

    runs = 4
    barrier = threading.Barrier(runs)
    outcomes: list[Any] = []

    def run() -> None:
        barrier.wait(10)
        try:
            outcomes.append(bootstrap.handler(copy.deepcopy(event)))
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, daemon=True) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert sorted(o["user"] for o in outcomes) == ["created", "unchanged", "unchanged", "unchanged"]
    assert sum(len(o["applied"]) for o in outcomes) == 2


@pytest.mark.parametrize(
    "attributes",
    ["SUPERUSER", "CREATEROLE", "IN ROLE pg_write_all_data"],
    ids=["super", "createrole", "member"],
)
def test_existing_privileged_role_is_refused(
    pg: PostgresServer, tls: TlsFiles, event: dict[str, Any], attributes: str
) -> None:
    original = new_password()
    pg.sql(f'CREATE ROLE "{event["app_user"]}" LOGIN {attributes} PASSWORD %s', (original,))
    with pytest.raises(BootstrapError, match="privileged or foreign role") as info:
        bootstrap.handler(copy.deepcopy(event))
    assert event["app_password"] not in str(info.value)
    app_connect(pg, tls, event, password=original).close()  # its password was not reset
    with pytest.raises(psycopg2.OperationalError):
        app_connect(pg, tls, event)


def test_migration_that_commits_itself_is_not_reported_rolled_back(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    sql = "CREATE TABLE kept (id int); COMMIT; CREATE TABLE lost (id int); SELECT 1/0;"
    event["migrations"].append({"name": "0003_commits.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_commits.sql" in message and "rolled back" not in message
    assert "COMMIT" in message and "NOT recorded" in message
    assert "0001_create_items.sql, 0002_items_created_at_index.sql" in message
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.kept') IS NOT NULL", dbname=db) == [(True,)]


def test_connection_lost_mid_migration_names_the_migration(pg: PostgresServer, event: dict[str, Any]) -> None:
    import threading
    import time

    slow = "CREATE TABLE slow AS SELECT 1 AS x FROM pg_sleep(5)"
    event["migrations"].append({"name": "0003_slow.sql", "sql": slow})

    def kill_migration() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = pg.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'CREATE TABLE slow%%' AND pid <> pg_backend_pid()"
            )
            if rows:
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_migration, daemon=True)
    killer.start()
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    killer.join(10)
    message = str(info.value)
    assert "0003_slow.sql" in message and "connection was lost" in message
    assert "0001_create_items.sql, 0002_items_created_at_index.sql" in message
    assert "Re-run the bootstrap" in message
    # ... and the re-run, once the migration is fixed, converges.
    event["migrations"][-1]["sql"] = "CREATE TABLE slow (x int)"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_slow.sql"]


# -- issue 18, item 11: migrations that end, or leave, the bootstrap's transaction and session ------------


@pytest.mark.parametrize(
    "sql",
    ["CREATE TABLE undone (id int); ROLLBACK;", "BEGIN; CREATE TABLE undone (id int); ROLLBACK;"],
    ids=["rollback", "begin-rollback"],
)
def test_migration_ending_in_its_own_rollback_is_not_recorded(
    pg: PostgresServer, event: dict[str, Any], sql: str
) -> None:
    event["migrations"].append({"name": "0003_rollback.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_rollback.sql" in message and "contains ROLLBACK" in message and "NOT recorded" in message
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.undone') IS NULL", dbname=db) == [(True,)]
    recorded = pg.sql("SELECT name FROM lambda_rds.schema_migrations ORDER BY name", dbname=db)
    assert recorded == [("0001_create_items.sql",), ("0002_items_created_at_index.sql",)]
    # Fixed, it applies on the next run.
    event["migrations"][-1]["sql"] = "CREATE TABLE undone (id int);"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_rollback.sql"]


def test_failure_after_a_begin_commit_block_says_part_persisted(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    sql = "BEGIN; CREATE TABLE kept (id int); COMMIT; BEGIN; CREATE TABLE lost (id int); SELECT 1/0;"
    event["migrations"].append({"name": "0003_two_blocks.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert (
        "committing part of itself" in message
        and "NOT recorded" in message
        and "rolled back (" not in message
    )
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.kept') IS NOT NULL", dbname=db) == [(True,)]
    # A file in one BEGIN ... COMMIT block ran to completion under its own COMMIT: recorded, once.
    event["migrations"][-1]["sql"] = "BEGIN; CREATE TABLE IF NOT EXISTS kept (id int); COMMIT;"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_two_blocks.sql"]
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == []


def test_create_index_concurrently_runs_when_the_file_asks_for_no_transaction(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    index = "CREATE INDEX CONCURRENTLY items_name_idx ON items (name)"
    event["migrations"].append({"name": "0003_index.sql", "sql": index})
    with pytest.raises(BootstrapError, match="cannot run inside a transaction block") as info:
        bootstrap.handler(copy.deepcopy(event))
    assert "-- lambda-rds: no-transaction" in str(info.value)  # the error says how
    event["migrations"][-1]["sql"] = f"-- lambda-rds: no-transaction\n{index};\n"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_index.sql"]
    db = event["database"]
    valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.items_name_idx'::regclass"
    assert pg.sql(valid, dbname=db) == [(True,)]
    assert bootstrap.handler(copy.deepcopy(event))["skipped"][-1] == "0003_index.sql"


def test_search_path_set_by_a_migration_does_not_move_the_next_one(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    event["migrations"] += [
        {"name": "0003_schema.sql", "sql": "CREATE SCHEMA audit; SET search_path = audit;"},
        {"name": "0004_table.sql", "sql": "CREATE TABLE notes (id int);"},
    ]
    bootstrap.handler(copy.deepcopy(event))
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.notes') IS NOT NULL", dbname=db) == [(True,)]
    assert pg.sql("SELECT to_regclass('audit.notes') IS NULL", dbname=db) == [(True,)]


# -- issue 18, second review: nothing runs before a file; no transaction left open; ROLLBACK anywhere -----


@pytest.mark.parametrize(
    "sql",
    [
        "-- lambda-rds: no-transaction\nBEGIN; CREATE TABLE t1 (i int)",
        "-- lambda-rds: no-transaction\nBEGIN",
        "-- lambda-rds: no-transaction\nSTART TRANSACTION; INSERT INTO items (name) VALUES ('lost')",
    ],
    ids=["begin-create", "begin", "start-transaction-insert"],
)
def test_no_transaction_file_leaving_a_transaction_open_is_refused(
    pg: PostgresServer, event: dict[str, Any], sql: str
) -> None:
    """Before: "ok", but the record, the grants and the unlock ran inside the file's open transaction and
    were rolled back at close: nothing of the run persisted (no grants at all)."""
    event["migrations"].append({"name": "0003_open.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_open.sql" in message and "left a transaction open" in message and "NOT recorded" in message
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.t1') IS NULL", dbname=db) == [(True,)]
    recorded = pg.sql("SELECT name FROM lambda_rds.schema_migrations ORDER BY name", dbname=db)
    assert recorded == [("0001_create_items.sql",), ("0002_items_created_at_index.sql",)]
    # Fixed, the next run applies it, and the grants of that run persist.
    event["migrations"][-1]["sql"] = "-- lambda-rds: no-transaction\nCREATE TABLE t1 (i int)"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_open.sql"]
    grants = pg.sql(
        "SELECT privilege_type FROM information_schema.role_table_grants WHERE table_name = 't1'"
        " AND grantee = %s ORDER BY 1",
        (event["app_user"],),
        dbname=db,
    )
    assert grants == [("DELETE",), ("INSERT",), ("SELECT",), ("UPDATE",)]


def test_no_transaction_file_failing_after_its_commit_says_part_persisted(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    sql = (
        "-- lambda-rds: no-transaction\n"
        "CREATE TABLE t1 (i int); INSERT INTO t1 VALUES (1); COMMIT; INSERT INTO t1 VALUES (1/0)"
    )
    event["migrations"].append({"name": "0003_part.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert (
        "0003_part.sql" in message and "before its COMMIT persisted" in message and "NOT recorded" in message
    )
    assert pg.sql("SELECT count(*) FROM t1", dbname=event["database"]) == [(1,)]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t1 (i int); COMMIT; INSERT INTO t1 VALUES (1); ROLLBACK",
        "CREATE TABLE t1 (i int); COMMIT; BEGIN; INSERT INTO t1 VALUES (1); ROLLBACK;",
        "CREATE TABLE t1 (i int); ABORT; CREATE TABLE t2 (i int); COMMIT",
    ],
    ids=["commit-then-rollback", "commit-begin-rollback", "abort-in-the-middle"],
)
def test_file_with_a_rollback_anywhere_is_refused_before_it_runs(
    pg: PostgresServer, event: dict[str, Any], sql: str
) -> None:
    """Before: only the first transaction's outcome was checked, so these were recorded as applied with
    their inserted row (or first table) gone."""
    event["migrations"].append({"name": "0003_rb.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_rb.sql" in message and "ROLLBACK" in message and "NOT recorded" in message
    db = event["database"]
    assert pg.sql("SELECT to_regclass('public.t1') IS NULL", dbname=db) == [(True,)]
    names = pg.sql("SELECT name FROM lambda_rds.schema_migrations", dbname=db)
    assert ("0003_rb.sql",) not in names


def test_rollback_inside_a_function_body_or_string_is_not_transaction_control(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    sql = (
        "CREATE TABLE notes (t text);\n"
        "INSERT INTO notes VALUES ('ROLLBACK'), (E'it\\'s; ROLLBACK');\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;\n"
        "-- ROLLBACK\n/* ROLLBACK; */ SAVEPOINT s; INSERT INTO notes VALUES ('x'); ROLLBACK TO SAVEPOINT s;\n"
    )
    event["migrations"].append({"name": "0003_strings.sql", "sql": sql})
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-1] == "0003_strings.sql"
    assert pg.sql("SELECT count(*) FROM notes", dbname=event["database"]) == [(2,)]


def test_last_command_rollback_is_refused_even_when_the_scan_misses_it(
    pg: PostgresServer, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's own answer is the backstop: a last status of ROLLBACK with no transaction open."""
    from lambda_rds_runtime.bootstrap import sql_scan

    monkeypatch.setattr(sql_scan, "rolls_back", lambda sql: False)
    event["migrations"].append(
        {"name": "0003_rb.sql", "sql": "CREATE TABLE t1 (i int); COMMIT; INSERT INTO t1 VALUES (1); ROLLBACK"}
    )
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "its own ROLLBACK" in message and "before its COMMIT persisted" in message
    names = pg.sql("SELECT name FROM lambda_rds.schema_migrations", dbname=event["database"])
    assert ("0003_rb.sql",) not in names


def test_migration_may_start_with_set_transaction(pg: PostgresServer, event: dict[str, Any]) -> None:
    """Before: the bootstrap's own SELECT txid_current() ran first, so SET TRANSACTION failed (25001) and
    the hint wrongly said to add the no-transaction marker."""
    sql = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; CREATE TABLE t1 (i int);"
    event["migrations"].append({"name": "0003_iso.sql", "sql": sql})
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-1] == "0003_iso.sql"
    event["migrations"].append(
        {
            "name": "0004_late.sql",
            "sql": "CREATE TABLE t2 (i int); SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        }
    )
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "must be the first statement" in message and "no-transaction" not in message


# -- issue 18, third review: the scanner's lexical rules, and the server's status as a safety net ---------


def _recorded(pg: PostgresServer, event: dict[str, Any]) -> list[str]:
    rows = pg.sql("SELECT name FROM lambda_rds.schema_migrations ORDER BY name", dbname=event["database"])
    return [name for (name,) in rows]


def test_rollback_after_an_identifier_with_a_dollar_is_refused(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    """Before: `a$b$` was read as a dollar-quote start that `c$b$` closed, the ROLLBACK between them was
    not seen, and the file was recorded as applied with its first table undone (silent data loss)."""
    sql = "CREATE TABLE a$b$(x int); ROLLBACK; CREATE TABLE c$b$(y int);"
    event["migrations"].append({"name": "0003_dollar.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_dollar.sql" in message and "contains ROLLBACK" in message and "NOT recorded" in message
    assert "0003_dollar.sql" not in _recorded(pg, event)
    none = "SELECT to_regclass('public.\"a$b$\"') IS NULL AND to_regclass('public.\"c$b$\"') IS NULL"
    assert pg.sql(none, dbname=event["database"]) == [(True,)]  # refused before running: nothing ran


def test_transaction_ended_without_a_commit_the_scan_saw_is_refused(
    pg: PostgresServer, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net for whatever the scan misreads (a ROLLBACK, PREPARE TRANSACTION): the transaction is
    over after the file (IDLE) though the scan found no COMMIT. Before: recorded as applied, t1 gone."""
    from lambda_rds_runtime.bootstrap import sql_scan

    monkeypatch.setattr(sql_scan, "rolls_back", lambda sql, dialect="postgres": False)
    sql = "CREATE TABLE t1 (i int); ROLLBACK; CREATE TABLE t2 (i int)"
    event["migrations"].append({"name": "0003_missed.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_missed.sql" in message and "without a COMMIT" in message and "NOT recorded" in message
    assert "after it may have persisted" in message  # t2 ran after the ROLLBACK, in autocommit
    assert "0003_missed.sql" not in _recorded(pg, event)
    assert pg.sql("SELECT to_regclass('public.t1') IS NULL", dbname=event["database"]) == [(True,)]


@pytest.mark.parametrize(
    "tail",
    [
        "ROLLBACK WORK TO SAVEPOINT s;",
        "ROLLBACK TRANSACTION TO s;",
        "ROLLBACK TO s; /* outer /* inner */ ROLLBACK; */",
    ],
    ids=["work-to-savepoint", "transaction-to", "nested-comment"],
)
def test_valid_savepoint_rollbacks_and_nested_comments_are_accepted(
    pg: PostgresServer, event: dict[str, Any], tail: str
) -> None:
    """Before: refused as "contains ROLLBACK" (WORK/TRANSACTION before TO not skipped; the comment's first
    `*/` was taken as its end)."""
    sql = f"CREATE TABLE t1 (i int); SAVEPOINT s; INSERT INTO t1 VALUES (1); {tail}"
    event["migrations"].append({"name": "0003_savepoint.sql", "sql": sql})
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-1] == "0003_savepoint.sql"
    assert pg.sql("SELECT count(*) FROM t1", dbname=event["database"]) == [(0,)]


def test_failing_file_with_a_begin_atomic_function_says_nothing_persisted(
    pg: PostgresServer, event: dict[str, Any]
) -> None:
    """Before: the END of the SQL-standard body was read as a statement (END = COMMIT), so the error said
    part of the file "persisted" though the whole file was rolled back."""
    function = (
        "CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;"
    )
    event["migrations"].append(
        {"name": "0003_atomic.sql", "sql": f"CREATE TABLE t1 (i int); {function} SELECT 1/0;"}
    )
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "failed and was rolled back (nothing of it persisted" in message and "persisted if" not in message
    assert pg.sql("SELECT to_regclass('public.t1') IS NULL", dbname=event["database"]) == [(True,)]
    # Without the failing statement it applies, and the body is one statement of the file.
    event["migrations"][-1]["sql"] = f"CREATE TABLE t1 (i int); {function}"
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-1] == "0003_atomic.sql"
    assert pg.sql("SELECT one()", dbname=event["database"]) == [(1,)]
