"""The environment contract, parsed: defaults, engine aliases, and errors that name the variable."""

from __future__ import annotations

import io
import json
import logging

import pytest
from lambda_rds_runtime import DbConfig, RuntimeConfigError
from lambda_rds_runtime import log as runtime_log
from lambda_rds_runtime.engines.postgres import libpq_connect_timeout

BASE = {
    "DB_ENGINE": "postgres",
    "DB_HOST": "db.example.internal",
    "DB_NAME": "app",
    "DB_USER": "app_user",
    "DB_AUTH": "iam",
    "DB_CA_BUNDLE": __file__,  # any existing file: the configuration only checks that it exists
    "AWS_REGION": "eu-central-1",
}


def test_full_environment() -> None:
    config = DbConfig.from_env({**BASE, "DB_PORT": "6432", "DB_CONNECT_TIMEOUT": "2.5"})
    assert (config.engine, config.host, config.port, config.database) == (
        "postgres",
        "db.example.internal",
        6432,
        "app",
    )
    assert (config.user, config.auth, config.region, config.connect_timeout) == (
        "app_user",
        "iam",
        "eu-central-1",
        2.5,
    )


@pytest.mark.parametrize(
    ("engine", "normalized", "port"),
    [("aurora-postgresql", "postgres", 5432), ("aurora-mysql", "mysql", 3306), ("MySQL", "mysql", 3306)],
)
def test_engine_aliases_and_default_ports(engine: str, normalized: str, port: int) -> None:
    config = DbConfig.from_env({**BASE, "DB_ENGINE": engine})
    assert (config.engine, config.port, config.connect_timeout) == (normalized, port, 5.0)


def test_ports_may_arrive_as_floats() -> None:
    assert DbConfig.from_env({**BASE, "DB_PORT": "5432.0"}).port == 5432


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"DB_ENGINE": ""}, "DB_ENGINE"),
        ({"DB_ENGINE": "oracle"}, "DB_ENGINE"),
        ({"DB_HOST": ""}, "DB_HOST"),
        ({"DB_PORT": "abc"}, "DB_PORT"),
        ({"DB_PORT": "70000"}, "DB_PORT"),
        ({"DB_AUTH": "kerberos"}, "DB_AUTH"),
        ({"DB_AUTH": "secret"}, "DB_SECRET_ARN"),
        ({"DB_USER": ""}, "DB_USER"),
        ({"AWS_REGION": ""}, "AWS_REGION"),
        ({"DB_CONNECT_TIMEOUT": "0"}, "DB_CONNECT_TIMEOUT"),
        ({"DB_CONNECT_TIMEOUT": "soon"}, "DB_CONNECT_TIMEOUT"),
        ({"DB_CA_BUNDLE": ""}, "DB_CA_BUNDLE"),
        (
            {"DB_CA_BUNDLE": "/nonexistent/rds-ca.pem"},
            "DB_CA_BUNDLE='/nonexistent/rds-ca.pem' does not exist",
        ),
        ({"DB_PORT": "inf"}, "DB_PORT='inf' is not a whole number"),
        ({"DB_PORT": "1e400"}, "DB_PORT='1e400' is not a whole number"),
        ({"DB_PORT": "nan"}, "DB_PORT"),
        ({"DB_PORT": "5432.9"}, "DB_PORT='5432.9' is not a whole number"),
        ({"DB_CONNECT_TIMEOUT": "nan"}, "DB_CONNECT_TIMEOUT"),
    ],
)
def test_errors_name_the_variable(change: dict[str, str], fragment: str) -> None:
    with pytest.raises(RuntimeConfigError, match=fragment):
        DbConfig.from_env({**BASE, **change})


def test_secret_mode_needs_no_user_in_env() -> None:
    """The secret carries the user name (multi-user rotation alternates it)."""
    env = {
        **BASE,
        "DB_AUTH": "secret",
        "DB_SECRET_ARN": "arn:aws:secretsmanager:eu-central-1:1:secret:x",
        "DB_USER": "",
    }
    assert DbConfig.from_env(env).secret_arn.endswith(":x")  # type: ignore[union-attr]


@pytest.mark.parametrize(("seconds", "expected"), [(0.5, 2), (1, 2), (2, 2), (2.1, 3), (5, 5)])
def test_libpq_timeout_is_whole_seconds_at_least_two(seconds: float, expected: int) -> None:
    assert libpq_connect_timeout(seconds) == expected


def test_log_lines_are_json_and_drop_secret_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("lambda_rds_runtime")
    logger.addHandler(handler)
    try:
        runtime_log.emit("reconnect", engine="postgres", ms=1.5, password="hunter2", auth_token="tok-123")
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record == {
        "level": "INFO",
        "logger": "lambda_rds_runtime",
        "event": "reconnect",
        "engine": "postgres",
        "ms": 1.5,
    }


def test_events_survive_a_reset_of_the_logger_level() -> None:
    logger = logging.getLogger("lambda_rds_runtime")
    runtime_log.emit("warmup")  # the runtime's logger exists
    logger.setLevel(logging.NOTSET)  # what a test fixture or a host framework may do
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        runtime_log.emit("auth_refresh", engine="mysql")
    finally:
        logger.removeHandler(handler)
    assert json.loads(stream.getvalue().strip().splitlines()[-1])["event"] == "auth_refresh"


@pytest.mark.parametrize("port", ["inf", "1e400", "5432.9"])
def test_probe_reports_a_bad_port_instead_of_raising(port: str) -> None:
    from lambda_rds_runtime.probe import run_probe

    report = run_probe(environ={**BASE, "DB_PORT": port})
    assert report["ok"] is False
    assert "DB_PORT" in report["stages"]["config"]["error"]
