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


# -- issue 18, item 3: the database grant is a name, not a LIKE pattern -------------------------------------


def _pattern_twins(mariadb: MariaDbServer, event: dict[str, Any]) -> str:
    """The app database gets an underscore; its twin matches it as a pattern (`_` = any one character)
    and holds a row the app user must never reach."""
    base = unique("w").replace("_", "")
    event["database"], twin = f"{base}_db", f"{base}Zdb"
    for name in (event["database"], twin):
        mariadb.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    mariadb.sql(f"CREATE TABLE `{twin}`.secrets (v TEXT)")
    mariadb.sql(f"INSERT INTO `{twin}`.secrets VALUES ('not yours')")
    return twin


def _reaches(mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any], twin: str) -> list[str]:
    """What the app user can do in the twin database (empty: nothing)."""
    reached = []
    try:
        app_connect(mariadb, tls, event, database=twin).close()
        reached.append("connect")
    except pymysql.err.OperationalError as exc:
        assert exc.args[0] == 1044, exc  # ER_DBACCESS_DENIED_ERROR
    conn = app_connect(mariadb, tls, event)
    with conn.cursor() as cur:
        for statement in (f"SELECT v FROM `{twin}`.secrets", f"DELETE FROM `{twin}`.secrets"):
            try:
                cur.execute(statement)
                reached.append(statement.split()[0])
            except pymysql.err.OperationalError as exc:
                assert exc.args[0] == 1142, exc  # ER_TABLEACCESS_DENIED_ERROR
    conn.close()
    return reached


def test_grant_does_not_reach_databases_matching_the_name_as_a_pattern(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    twin = _pattern_twins(mariadb, event)
    bootstrap.handler(copy.deepcopy(event))
    assert _reaches(mariadb, tls, event, twin) == []
    conn = app_connect(mariadb, tls, event)  # its own database still works
    with conn.cursor() as cur:
        cur.execute("INSERT INTO items (name) VALUES ('a')")
    conn.close()
    assert mariadb.sql(f"SELECT v FROM `{twin}`.secrets") == [("not yours",)]
    assert bootstrap.handler(copy.deepcopy(event))["user"] == "unchanged"  # its own grant is not foreign


def test_rerun_replaces_the_pattern_grant_of_an_earlier_bootstrap(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    """Stacks deployed before the fix hold `GRANT ... ON `app_db`.*` (a pattern): the next run must not
    refuse that account as foreign, and must leave it with the exact grant only."""
    twin = _pattern_twins(mariadb, event)
    bootstrap.handler(copy.deepcopy(event))
    user, db = event["app_user"], event["database"]
    escaped = db.replace("_", "\\_")
    mariadb.sql(f"REVOKE SELECT, INSERT, UPDATE, DELETE ON `{escaped}`.* FROM %s@'%%'", (user,))
    mariadb.sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON `{db}`.* TO %s@'%%'", (user,))  # the old grant
    assert _reaches(mariadb, tls, event, twin) == ["connect", "SELECT", "DELETE"]  # the defect itself
    mariadb.sql(f"INSERT INTO `{twin}`.secrets VALUES ('not yours')")
    assert bootstrap.handler(copy.deepcopy(event))["status"] == "ok"
    assert _reaches(mariadb, tls, event, twin) == []
    grants = [row[0] for row in mariadb.sql("SHOW GRANTS FOR %s@'%%'", (user,))]
    assert [g for g in grants if " ON `" in g] == [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON `{escaped}`.* TO `{user}`@`%`"
    ]


def test_existing_account_with_a_wider_pattern_grant_is_refused(
    mariadb: MariaDbServer, tls: TlsFiles, event: dict[str, Any]
) -> None:
    _pattern_twins(mariadb, event)
    user, db = event["app_user"], event["database"]
    mariadb.sql("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, event["app_password"]))
    # On its own database name, but a pattern with more than the app's privileges: not ours to take over.
    mariadb.sql(f"GRANT ALL PRIVILEGES ON `{db}`.* TO %s@'%%'", (user,))
    with pytest.raises(BootstrapError, match="privileged or foreign account"):
        bootstrap.handler(copy.deepcopy(event))


# -- issue 18, item 11: a migration's session changes stay in that migration ------------------------------


def test_use_in_a_migration_does_not_move_the_next_one(mariadb: MariaDbServer, event: dict[str, Any]) -> None:
    other = unique("other")
    event["migrations"] += [
        {
            "name": "0003_other.sql",
            "sql": f"CREATE DATABASE {other}; USE {other}; CREATE TABLE audit (id INT);",
        },
        {"name": "0004_notes.sql", "sql": "CREATE TABLE notes (id INT);"},
    ]
    bootstrap.handler(copy.deepcopy(event))
    tables = "SELECT table_schema FROM information_schema.tables WHERE table_name = %s"
    assert mariadb.sql(tables, ("notes",)) == [(event["database"],)]
    assert mariadb.sql(tables, ("audit",)) == [(other,)]  # the migration itself ran as written


def test_migration_leaving_a_transaction_open_is_not_recorded(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    event["migrations"] += [
        {"name": "0003_open.sql", "sql": "START TRANSACTION; INSERT INTO items (name) VALUES ('half');"},
    ]
    with pytest.raises(BootstrapError, match=r"0003_open\.sql left a transaction open.*NOT recorded"):
        bootstrap.handler(copy.deepcopy(event))
    assert mariadb.sql(f"SELECT COUNT(*) FROM `{event['database']}`.items") == [(0,)]
    recorded = mariadb.sql(
        "SELECT name FROM lambda_rds.schema_migrations WHERE database_name = %s", (event["database"],)
    )
    assert ("0003_open.sql",) not in recorded


def test_session_settings_of_a_migration_do_not_carry_over(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    """Before: 0003's SET NAMES latin1 / foreign_key_checks = 0 / sql_mode = '' applied to 0004: an orphan
    row passed its foreign key, 'é€' was stored as mojibake and 1000 was silently truncated to 127."""
    event["migrations"] += [
        {
            "name": "0003_session.sql",
            "sql": "SET NAMES latin1; SET foreign_key_checks = 0; SET sql_mode = '';"
            " SET time_zone = '+05:00';",
        },
        {
            "name": "0004_tables.sql",
            "sql": "CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB;"
            " CREATE TABLE c (id INT, pid INT, FOREIGN KEY (pid) REFERENCES p (id)) ENGINE=InnoDB;"
            " CREATE TABLE s (v VARCHAR(10)) CHARACTER SET utf8mb4; INSERT INTO s VALUES ('é€');"
            " CREATE TABLE z (t VARCHAR(10)); INSERT INTO z VALUES (@@session.time_zone);",
        },
    ]
    bootstrap.handler(copy.deepcopy(event))
    db = event["database"]
    assert mariadb.sql(f"SELECT HEX(v) FROM `{db}`.s") == [("C3A9E282AC",)]  # 'é€' in UTF-8, not mojibake
    assert mariadb.sql(f"SELECT t FROM `{db}`.z") != [("+05:00",)]
    # The foreign key and the strict sql_mode hold for the next migration:
    event["migrations"].append({"name": "0005_orphan.sql", "sql": "INSERT INTO c VALUES (1, 999);"})
    with pytest.raises(BootstrapError, match=r"0005_orphan\.sql"):
        bootstrap.handler(copy.deepcopy(event))
    event["migrations"][-1] = {
        "name": "0005_truncate.sql",
        "sql": "SET sql_mode = ''; CREATE TABLE n (x TINYINT NOT NULL);",
    }
    event["migrations"].append({"name": "0006_strict.sql", "sql": "INSERT INTO n VALUES (1000);"})
    with pytest.raises(BootstrapError, match=r"0006_strict\.sql.*Out of range"):
        bootstrap.handler(copy.deepcopy(event))
    assert mariadb.sql(f"SELECT COUNT(*) FROM `{db}`.n") == [(0,)]


# -- issue 18, third review: what a migration leaves in the session; ROLLBACK in a file -------------------


def _recorded(mariadb: MariaDbServer, event: dict[str, Any]) -> list[str]:
    rows = mariadb.sql(
        "SELECT name FROM lambda_rds.schema_migrations WHERE database_name = %s ORDER BY name",
        (event["database"],),
    )
    return [name for (name,) in rows]


def test_lock_tables_left_by_a_migration_is_released_but_not_the_bootstrap_lock(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    """Before: recording 0003 failed (1100 "Table 'schema_migrations' was not locked with LOCK TABLES")."""
    event["migrations"] += [
        {
            "name": "0003_lock.sql",
            "sql": "CREATE TABLE t (i INT); LOCK TABLES t WRITE; INSERT INTO t VALUES (1);",
        },
        # The bootstrap's GET_LOCK is still held by this session (UNLOCK TABLES does not release it).
        {
            "name": "0004_after.sql",
            "sql": "CREATE TABLE held AS"
            " SELECT IS_USED_LOCK('lambda_rds.migrations') = CONNECTION_ID() AS mine;",
        },
    ]
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-2:] == ["0003_lock.sql", "0004_after.sql"]
    assert mariadb.sql(f"SELECT mine FROM `{event['database']}`.held") == [(1,)]


def test_read_only_session_left_by_a_migration_is_reset(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    """Before: recording 0003 failed (1792 "Cannot execute statement in a READ ONLY transaction")."""
    event["migrations"] += [
        {"name": "0003_ro.sql", "sql": "CREATE TABLE t (i INT); SET SESSION TRANSACTION READ ONLY;"},
        {"name": "0004_insert.sql", "sql": "INSERT INTO t VALUES (1);"},
    ]
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-2:] == ["0003_ro.sql", "0004_insert.sql"]
    assert mariadb.sql(f"SELECT COUNT(*) FROM `{event['database']}`.t") == [(1,)]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (i INT) ENGINE=InnoDB; START TRANSACTION; INSERT INTO t VALUES (1); ROLLBACK;",
        "CREATE TABLE t (i INT) ENGINE=InnoDB; BEGIN; INSERT INTO t VALUES (1); ROLLBACK WORK",
        "CREATE TABLE t (i INT) ENGINE=InnoDB; /*!40101 ROLLBACK */;",
    ],
    ids=["start-transaction", "begin-rollback-work", "executable-comment"],
)
def test_file_with_a_rollback_is_refused_before_it_runs(
    mariadb: MariaDbServer, event: dict[str, Any], sql: str
) -> None:
    """Before: recorded as applied with its row gone (PostgreSQL refused the same file)."""
    event["migrations"].append({"name": "0003_rb.sql", "sql": sql})
    with pytest.raises(BootstrapError) as info:
        bootstrap.handler(copy.deepcopy(event))
    message = str(info.value)
    assert "0003_rb.sql" in message and "contains ROLLBACK" in message and "NOT recorded" in message
    assert "0003_rb.sql" not in _recorded(mariadb, event)
    tables = mariadb.sql(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = 't'",
        (event["database"],),
    )
    assert tables == [(0,)]  # refused before running: nothing of it ran


def test_rollback_in_a_routine_body_comment_string_or_to_a_savepoint_is_accepted(
    mariadb: MariaDbServer, event: dict[str, Any]
) -> None:
    sql = (
        "CREATE TABLE t (i INT, s VARCHAR(40)) ENGINE=InnoDB;\n"
        "# ROLLBACK;\n-- ROLLBACK;\n/* ROLLBACK; */\n"
        "INSERT INTO t VALUES (1, 'ROLLBACK'), (2, 'it\\'s; ROLLBACK'), (3, \"x\\\"; ROLLBACK\");\n"
        "CREATE TABLE `ROLLBACK; x` (i INT);\n"
        "CREATE PROCEDURE undo_all() BEGIN START TRANSACTION; IF 1 THEN ROLLBACK; END IF; END;\n"
        "START TRANSACTION; SAVEPOINT s; DELETE FROM t; ROLLBACK WORK TO SAVEPOINT s; COMMIT;"
    )
    event["migrations"].append({"name": "0003_ok.sql", "sql": sql})
    assert bootstrap.handler(copy.deepcopy(event))["applied"][-1] == "0003_ok.sql"
    assert mariadb.sql(f"SELECT COUNT(*) FROM `{event['database']}`.t") == [(3,)]
