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
