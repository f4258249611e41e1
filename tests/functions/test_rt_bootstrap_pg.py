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
