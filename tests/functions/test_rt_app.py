"""The example HTTP function: validation without any database call, then the real thing end to end
(environment contract -> secret from moto -> bootstrap-created user -> TLS database)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lambda_rds_runtime
import pytest
import rt_replicas
import rt_servers
from rt_helpers import AWS_TEST_ENV, LogCapture, api_event, app_migrations, load_handler, new_password, unique
from rt_servers import ADMIN_PASSWORD, MariaDbServer, MotoServer, PostgresServer, TlsFiles

app = load_handler("app")
bootstrap = load_handler("bootstrap")


class Tripwire:
    """Stands in for the shared Database: any use is a test failure."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the handler touched the database ({name}) for an invalid request")


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lambda_rds_runtime, "_default", Tripwire())


def call(event: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    response = app.handler(event, None)
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"]), response["headers"]


@pytest.mark.parametrize(
    ("event", "status", "fragment"),
    [
        (api_event("POST", "/items", "{not json"), 400, "not valid JSON"),
        (api_event("POST", "/items"), 400, "body is required"),
        (api_event("POST", "/items", "[1, 2]"), 422, "JSON object"),
        (api_event("POST", "/items", '{"name": 5}'), 422, "must be a string"),
        (api_event("POST", "/items", '{"name": null}'), 422, "must be a string"),
        (api_event("POST", "/items", "{}"), 422, "must be a string"),
        (api_event("POST", "/items", '{"name": ""}'), 422, "1 to 200"),
        (api_event("POST", "/items", json.dumps({"name": "x" * 201})), 422, "1 to 200"),
        (api_event("POST", "/items", '{"name": "a\\u0000b"}'), 422, "NUL"),
        (api_event("POST", "/items", '{"name": "a", "admin": true}'), 422, "unexpected field"),
        (api_event("POST", "/items", json.dumps({"name": "x" * 5000})), 413, "larger than"),
        (api_event("POST", "/items", "e30=", isBase64Encoded=True), 422, "must be a string"),
        (api_event("POST", "/items", "!!!", isBase64Encoded=True), 400, "base64"),
        (api_event("GET", "/items", queryStringParameters={"limit": "0"}), 400, "limit"),
        (api_event("GET", "/items", queryStringParameters={"limit": "101"}), 400, "limit"),
        (api_event("GET", "/items", queryStringParameters={"limit": "ten"}), 400, "limit"),
        (api_event("GET", "/nope"), 404, "no route"),
        (api_event("DELETE", "/items"), 405, "not allowed"),
        ({"hello": "world"}, 400, "not an HTTP request"),
        # issue 12: client mistakes that used to be a 500
        (api_event("GET", "/items", queryStringParameters={"limit": "\u00b2"}), 400, "limit"),
        (api_event("GET", "/items", queryStringParameters={"limit": "1" * 5001}), 400, "limit"),
        (api_event("POST", "/items", "[" * 2000 + "]" * 2000), 400, "nested too deeply"),
        (api_event("POST", "/items", '{"name": "a\\ud800b"}'), 422, "lone surrogates"),
        (api_event("POST", "/items", '{"name": "a\ud800b"}'), 400, "not valid UTF-8"),
        (api_event("GET", "/items", queryStringParameters=["limit", "3"]), 400, "queryStringParameters"),
        ({"rawPath": "/items", "requestContext": ["GET"]}, 400, "not an HTTP request"),
        ({"rawPath": "/items", "requestContext": {"http": ["GET"]}}, 400, "not an HTTP request"),
        (api_event("GET", "/items/abc"), 404, "no such item"),
        (api_event("GET", "/items/0"), 404, "no such item"),
        (api_event("GET", "/items/" + "9" * 5001), 404, "no such item"),
        (api_event("DELETE", "/items/1"), 405, "not allowed"),
    ],
)
def test_invalid_requests_get_4xx_json_and_no_database_call(
    no_database: None, event: dict[str, Any], status: int, fragment: str
) -> None:
    got_status, body, headers = call(event)
    assert got_status == status
    assert fragment in body["error"]
    if status == 405:
        assert headers["allow"] == ("GET" if "/items/" in event["rawPath"] else "GET, POST")


def test_client_mistakes_log_no_error(no_database: None, runtime_logs: LogCapture) -> None:
    for event in (
        api_event("GET", "/items", queryStringParameters={"limit": "\u00b2"}),
        api_event("POST", "/items", "[" * 2000 + "]" * 2000),
        api_event("POST", "/items", '{"name": "\\udfff"}'),
    ):
        assert 400 <= call(event)[0] < 500
    assert runtime_logs.lines == []


class FailingDatabase:
    """A database whose statements fail with an SQL error."""

    def query(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError('relation "items" does not exist')


def test_unexpected_errors_are_a_logged_500(
    monkeypatch: pytest.MonkeyPatch, runtime_logs: LogCapture
) -> None:
    monkeypatch.setattr(lambda_rds_runtime, "_default", FailingDatabase())
    status, body, _ = call(api_event("GET", "/items"))
    assert (status, body) == (500, {"error": "internal error"})
    assert runtime_logs.named("request_failed")[0]["error"] == 'ValueError: relation "items" does not exist'


def test_database_down_is_a_503_without_internals(monkeypatch: pytest.MonkeyPatch, tls: TlsFiles) -> None:
    from rt_servers import free_port

    port = free_port()
    env = {
        **AWS_TEST_ENV,
        "DB_ENGINE": "postgres",
        "DB_HOST": "localhost",
        "DB_PORT": str(port),
        "DB_NAME": "x",
    }
    env.update(DB_USER="app", DB_AUTH="iam", DB_CA_BUNDLE=str(tls.ca), DB_CONNECT_TIMEOUT="2")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    status, body, _ = call(api_event("GET", "/health"))
    assert status == 503
    assert body == {"error": "the database is unavailable"}
    assert str(port) not in json.dumps(body)


# -- end to end -----------------------------------------------------------------------------------------


def deploy(
    monkeypatch: pytest.MonkeyPatch,
    moto: MotoServer,
    tls: TlsFiles,
    engine: str,
    port: int,
    master: str,
    database: str,
) -> None:
    """What `pulumi up` does for secret mode: bootstrap, store the secret, set the function's env."""
    user, password = unique("app"), new_password()
    bootstrap.handler(
        {
            "engine": engine,
            "host": "localhost",
            "port": port,
            "database": database,
            "master": {"username": master, "password": ADMIN_PASSWORD},
            "app_user": user,
            "auth": "secret",
            "app_password": password,
            "statement_timeout_ms": 5000,
            "migrations": app_migrations(),
            "ca_bundle": str(tls.ca),
        }
    )
    arn = moto.client().create_secret(
        Name=unique("db-secret"), SecretString=json.dumps({"username": user, "password": password})
    )["ARN"]
    env = {
        **AWS_TEST_ENV,
        "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url,
        "DB_ENGINE": "aurora-postgresql" if engine == "postgres" else "mysql",
        "DB_HOST": "localhost",
        "DB_PORT": str(port),
        "DB_NAME": database,
        "DB_USER": user,
        "DB_AUTH": "secret",
        "DB_SECRET_ARN": arn,
        "DB_CA_BUNDLE": str(tls.ca),
        "DB_CONNECT_TIMEOUT": "3",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def exercise_items_api() -> None:
    status, body, _ = call(api_event("GET", "/health"))
    assert status == 200 and body["status"] == "ok" and body["db_ms"] > 0

    names = ["first", "é" * 200, "🦆 duck", "x'); DROP TABLE items; --"]
    ids = []
    for name in names:
        status, body, headers = call(api_event("POST", "/items", json.dumps({"name": name})))
        assert status == 201, body
        assert body["name"] == name
        assert body["created_at"]  # the row as the writer stored it
        assert headers["location"] == f"/items/{body['id']}"
        fetched_status, fetched, _ = call(api_event("GET", headers["location"]))  # the location answers
        assert fetched_status == 200 and (fetched["id"], fetched["name"]) == (body["id"], name)
        ids.append(body["id"])
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    encoded = base64.b64encode(json.dumps({"name": "via base64"}).encode()).decode()
    status, body, _ = call(api_event("POST", "/items", encoded, isBase64Encoded=True))
    assert status == 201

    status, body, _ = call(api_event("GET", "/items", queryStringParameters={"limit": "3"}))
    assert status == 200 and body["count"] == 3
    assert [item["name"] for item in body["items"]] == ["via base64", names[3], names[2]]
    status, body, _ = call(api_event("GET", "/items"))
    assert body["count"] == 5 and body["items"][-1]["name"] == "first"
    assert body["items"][0]["created_at"]
    status, body, _ = call(api_event("GET", f"/items/{ids[-1] + 1000}"))
    assert (status, body) == (404, {"error": f"no item {ids[-1] + 1000}"})
    db = lambda_rds_runtime.get_database()
    assert db.connects == 1  # one connection for the whole sequence of invocations


@pytest.mark.xdist_group("postgres")
def test_items_api_on_postgres(
    monkeypatch: pytest.MonkeyPatch, pg: PostgresServer, moto: MotoServer, tls: TlsFiles
) -> None:
    database = unique("db")
    pg.create_database(database)
    deploy(monkeypatch, moto, tls, "postgres", pg.port, pg.superuser, database)
    exercise_items_api()


@pytest.mark.xdist_group("mariadb")
def test_items_api_on_mariadb(
    monkeypatch: pytest.MonkeyPatch, mariadb: MariaDbServer, moto: MotoServer, tls: TlsFiles
) -> None:
    database = unique("db")
    mariadb.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    deploy(monkeypatch, moto, tls, "mysql", mariadb.port, mariadb.admin_user, database)
    exercise_items_api()


def test_event_helpers_do_not_mutate_inputs(no_database: None) -> None:
    event = api_event("POST", "/items", "{bad")
    snapshot = copy.deepcopy(event)
    call(event)
    assert event == snapshot


# -- read-your-writes with a lagging replica (issue 18, item 7) ---------------------------------------------


@pytest.fixture(scope="module")
def app_standby(pg: PostgresServer, server_root: Path) -> Iterator[PostgresServer]:
    standby = rt_replicas.pg_standby(pg, server_root / "app-standby")
    yield standby
    standby.close()


def _apply_delay(standby: PostgresServer, delay: str) -> None:
    """recovery_min_apply_delay on the hot standby: commits become visible there `delay` late."""
    with (standby.data / "postgresql.conf").open("a") as conf:
        conf.write(f"\nrecovery_min_apply_delay = '{delay}'\n")
    standby.reload()
    rt_servers.wait_until(
        lambda: standby.sql("SHOW recovery_min_apply_delay")[0][0] == delay, 10, "recovery_min_apply_delay"
    )


@pytest.mark.xdist_group("postgres")
def test_post_then_get_location_reads_its_own_write_with_a_lagging_replica(
    monkeypatch: pytest.MonkeyPatch,
    pg: PostgresServer,
    app_standby: PostgresServer,
    moto: MotoServer,
    tls: TlsFiles,
) -> None:
    database = unique("db")
    pg.create_database(database)
    deploy(monkeypatch, moto, tls, "postgres", pg.port, pg.superuser, database)
    monkeypatch.setenv("DB_READ_HOST", f"localhost:{app_standby.port}")
    rt_replicas.pg_wait_replayed(pg, app_standby)  # the user and the table exist on the standby
    assert call(api_event("GET", "/items"))[0] == 200  # the reader answers
    _apply_delay(app_standby, "5s")
    try:
        for name in ("first", "second", "third"):
            status, created, headers = call(api_event("POST", "/items", json.dumps({"name": name})))
            assert status == 201 and created["name"] == name and created["created_at"]
            status, fetched, _ = call(api_event("GET", headers["location"]))  # right after the write
            assert (status, fetched) == (200, created)
            # The replica really lags: the list (read on it) does not show the new row yet.
            listed = call(api_event("GET", "/items"))[1]["items"]
            assert created["id"] not in [item["id"] for item in listed]
        missing = created["id"] + 1000
        assert call(api_event("GET", f"/items/{missing}"))[:2] == (404, {"error": f"no item {missing}"})
        db = lambda_rds_runtime.get_database()
        assert db._reads is not None and db._reads.reads_on_reader >= 6
    finally:
        _apply_delay(app_standby, "0")
