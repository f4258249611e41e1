"""Bootstrap against a real MariaDB (secret/password path). The IAM path needs Amazon's
AWSAuthenticationPlugin, which MariaDB lacks: here we check the clear error it produces; the generated IAM
statements are checked as SQL in test_rt_bootstrap_sql.py."""

from __future__ import annotations

import copy
from typing import Any

import pymysql
import pytest
from lambda_rds_runtime.bootstrap import BootstrapError
from lambda_rds_runtime.engines.mysql import tls_context
from rt_helpers import app_migrations, load_handler, new_password, unique
from rt_servers import ADMIN_PASSWORD, MariaDbServer, TlsFiles

pytestmark = pytest.mark.xdist_group("mariadb")
bootstrap = load_handler("bootstrap")


@pytest.fixture
def event(mariadb: MariaDbServer, tls: TlsFiles) -> dict[str, Any]:
    database = unique("db")
    mariadb.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    return {
        "engine": "mysql",
        "host": "localhost",
        "port": mariadb.port,
        "database": database,
        "master": {"username": mariadb.admin_user, "password": ADMIN_PASSWORD},
        "app_user": unique("app"),
        "auth": "secret",
        "app_password": new_password(),
        "statement_timeout_ms": 2500,
        "migrations": app_migrations(),
        "ca_bundle": str(tls.ca),
    }


def app_connect(server: MariaDbServer, tls: TlsFiles, event: dict[str, Any], **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "host": "localhost",
        "port": server.port,
        "user": event["app_user"],
        "password": event["app_password"],
        "database": event["database"],
        "ssl": tls_context(str(tls.ca)),
        "autocommit": True,
        "connect_timeout": 5,
    }
    options.update(kwargs)
    return pymysql.connect(**options)


def test_first_run_then_idempotent(event: dict[str, Any]) -> None:
    first = bootstrap.handler(copy.deepcopy(event))
    assert first == {
        "status": "ok",
        "user": "created",
        "applied": ["0001_create_items.sql", "0002_items_created_at_index.sql"],
        "skipped": [],
        "statement_timeout": "user",
    }
    second = bootstrap.handler(copy.deepcopy(event))
    assert (second["user"], second["applied"]) == ("unchanged", [])
    assert second["skipped"] == first["applied"]


def test_app_user_can_use_data_but_not_change_schema(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    conn = app_connect(mariadb, tls, event)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO items (name) VALUES ('a')")
        assert cur.lastrowid == 1
        cur.execute("SELECT name FROM items")
        assert cur.fetchall() == (("a",),)
        with pytest.raises(pymysql.err.OperationalError, match="denied"):
            cur.execute("CREATE TABLE sneaky (id INT)")
        with pytest.raises(pymysql.err.OperationalError, match="denied"):
            cur.execute("SELECT * FROM lambda_rds.schema_migrations")
        cur.execute("SELECT @@max_statement_time")
        assert float(cur.fetchone()[0]) == pytest.approx(2.5)
    conn.close()


def test_statement_timeout_applies_to_the_app_user(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    event["statement_timeout_ms"] = 500
    bootstrap.handler(copy.deepcopy(event))
    conn = app_connect(mariadb, tls, event)
    with conn.cursor() as cur:
        # MariaDB aborts the statement (SLEEP is interrupted and returns 1, or an error is raised).
        try:
            cur.execute("SELECT SLEEP(3)")
            interrupted = cur.fetchone()[0] == 1
        except pymysql.err.OperationalError as exc:
            interrupted = exc.args[0] == 1969  # ER_STATEMENT_TIMEOUT
    assert interrupted
    conn.close()


def test_app_user_must_use_tls(mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]) -> None:
    bootstrap.handler(copy.deepcopy(event))
    row = mariadb.sql("SELECT ssl_type FROM mysql.user WHERE User = %s", (event["app_user"],))
    assert row == [("ANY",)]


def test_changed_password_and_timeout_are_updated(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    bootstrap.handler(copy.deepcopy(event))
    old = event["app_password"]
    event["app_password"] = new_password()
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "updated"
    app_connect(mariadb, tls, event).close()
    with pytest.raises(pymysql.err.OperationalError, match="Access denied"):
        app_connect(mariadb, tls, event, password=old)
    event["statement_timeout_ms"] = 7000
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "updated"
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "unchanged"


def test_changed_migration_is_refused(mariadb: MariaDbServer, event: dict[str, Any]) -> None:
    bootstrap.handler(copy.deepcopy(event))
    changed = copy.deepcopy(event)
    changed["migrations"][1]["sql"] = changed["migrations"][1]["sql"].replace("created_at", "name")
    with pytest.raises(BootstrapError, match=r"0002_items_created_at_index\.sql.*refusing"):
        bootstrap.handler(changed)


def test_failed_migration_is_not_recorded(mariadb: MariaDbServer, event: dict[str, Any]) -> None:
    event["migrations"].append({"name": "0003_bad.sql", "sql": "CREATE TABLE ok_part (id INT); SELEC oops;"})
    with pytest.raises(BootstrapError, match="not transactional"):
        bootstrap.handler(copy.deepcopy(event))
    recorded = mariadb.sql(
        "SELECT name FROM lambda_rds.schema_migrations WHERE database_name = %s ORDER BY name",
        (event["database"],),
    )
    assert recorded == [("0001_create_items.sql",), ("0002_items_created_at_index.sql",)]


def test_iam_mode_on_mariadb_is_a_clear_error(event: dict[str, Any]) -> None:
    event.update(auth="iam", app_password=None)
    with pytest.raises(BootstrapError, match="AWSAuthenticationPlugin") as info:
        bootstrap.handler(copy.deepcopy(event))
    assert "Amazon RDS for MySQL or Aurora MySQL" in str(info.value)


def test_errors_never_contain_credentials(event: dict[str, Any]) -> None:
    wrong = copy.deepcopy(event)
    wrong["master"]["password"] = "Wrong-Master-Pw-456"
    with pytest.raises(BootstrapError, match="Access denied") as info:
        bootstrap.handler(wrong)
    assert "Wrong-Master-Pw-456" not in str(info.value)
    broken = copy.deepcopy(event)
    # A syntax error makes MySQL quote the statement near the error: make it quote a credential.
    broken["migrations"] = [
        {"name": "0001_x.sql", "sql": f"SELEC '{event['app_password']}' '{ADMIN_PASSWORD}'"}
    ]
    with pytest.raises(BootstrapError, match="syntax") as info:
        bootstrap.handler(broken)
    assert event["app_password"] not in str(info.value) and ADMIN_PASSWORD not in str(info.value)
    assert "***" in str(info.value)


# -- issue 12: a bootstrap that always recovers, never adopts a privileged account, never hides the truth ---


def test_rerun_after_a_failed_first_run_converges(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    """The first run created the user but failed before granting: the password check of the re-run logs
    in to a database the user may not use yet (error 1044), which is not a wrong password."""
    broken = copy.deepcopy(event)
    broken["migrations"].append({"name": "0003_bad.sql", "sql": "SELEC oops"})
    with pytest.raises(BootstrapError, match=r"0003_bad\.sql"):
        bootstrap.handler(broken)
    second = bootstrap.handler(copy.deepcopy(event))
    assert second["status"] == "ok" and second["user"] == "unchanged"
    app_connect(mariadb, tls, event).close()


def test_concurrent_bootstraps_converge(event: dict[str, Any]) -> None:
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
        thread.join(90)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert sorted(o["user"] for o in outcomes) == ["created", "unchanged", "unchanged", "unchanged"]
    assert sum(len(o["applied"]) for o in outcomes) == 2


@pytest.mark.parametrize(
    "grant",
    [
        "ALL PRIVILEGES ON *.*",
        "SELECT ON *.*",
        "SELECT ON mysql.*",
        "SELECT ON `{db}`.* TO {u} WITH GRANT OPTION",
    ],
    ids=["all", "global-select", "other-db", "grant-option"],
)
def test_existing_privileged_account_is_refused(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any], grant: str
) -> None:
    original = new_password()
    user = event["app_user"]
    mariadb.sql("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, original))
    if "{u}" in grant:
        mariadb.sql(f"GRANT {grant.format(db=event['database'], u=f'`{user}`@`%`')}")
    else:
        mariadb.sql(f"GRANT {grant} TO %s@'%%'", (user,))
    with pytest.raises(BootstrapError, match="privileged or foreign account") as info:
        bootstrap.handler(copy.deepcopy(event))
    assert "*" * 3 + "X" not in str(info.value) and "PASSWORD" not in str(info.value)
    app_connect(mariadb, tls, event, password=original, database=None).close()  # password not reset


def test_connection_lost_mid_migration_names_the_migration(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    import threading
    import time

    event["migrations"].append({"name": "0003_slow.sql", "sql": "CREATE TABLE slow AS SELECT SLEEP(5) AS x"})

    def kill_migration() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = mariadb.sql(
                "SELECT id FROM information_schema.processlist WHERE info LIKE 'CREATE TABLE slow%%'"
            )
            if rows:
                mariadb.sql(f"KILL CONNECTION {int(rows[0][0])}")
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_migration, daemon=True)
    killer.start()
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    killer.join(10)
    message = str(info.value)
    assert "0003_slow.sql" in message and "NOT recorded" in message
    assert "0001_create_items.sql, 0002_items_created_at_index.sql" in message
    event["migrations"][-1]["sql"] = "CREATE TABLE IF NOT EXISTS slow (x INT)"
    assert bootstrap.handler(copy.deepcopy(event))["applied"] == ["0003_slow.sql"]
