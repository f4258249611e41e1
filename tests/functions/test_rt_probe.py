"""The connectivity probe (`{"lambda_rds_probe": true}`): every stage, each failure mode, no secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lambda_rds_runtime import DbConfig
from lambda_rds_runtime.probe import run_probe
from rt_helpers import AWS_TEST_ENV, MariaTarget, PgTarget, load_handler, unique
from rt_servers import MotoServer, SilentListener, TlsFiles, free_port

STAGES = ["config", "dns", "tcp", "tls", "credentials", "auth"]


def secret_env(moto: MotoServer, user: str, password: str) -> tuple[dict[str, str], str]:
    arn = moto.client().create_secret(
        Name=unique("probe"), SecretString=json.dumps({"username": user, "password": password})
    )["ARN"]
    return {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url}, str(arn)


def assert_clean(report: dict[str, Any], *secrets: str) -> str:
    text = json.dumps(report)  # must be JSON-serialisable
    for secret in secrets:
        assert secret not in text
    assert "X-Amz-Signature" not in text and "X-Amz-Credential" not in text
    return text


@pytest.mark.xdist_group("postgres")
def test_all_stages_pass_on_postgres(pg_target: PgTarget, moto: MotoServer) -> None:
    env, arn = secret_env(moto, pg_target.user, pg_target.password)
    report = run_probe(pg_target.config(secret_arn=arn), env)
    assert report["ok"] is True, report
    assert list(report["stages"]) == STAGES
    stages = report["stages"]
    assert stages["dns"]["addresses"] == ["127.0.0.1"]
    assert stages["tls"]["verified"] is True and stages["tls"]["protocol"] in ("TLSv1.2", "TLSv1.3")
    assert stages["tls"]["names"] == ["localhost"]
    assert stages["credentials"] == {
        **stages["credentials"],
        "ok": True,
        "source": "secret",
        "user": pg_target.user,
    }
    assert stages["auth"]["select_1_ms"] >= 0
    assert all(stages[name]["ms"] >= 0 for name in STAGES[1:])
    assert_clean(report, pg_target.password)


@pytest.mark.xdist_group("postgres")
def test_wrong_ca_fails_at_tls_and_skips_the_rest(
    pg_target: PgTarget, moto: MotoServer, tls: TlsFiles
) -> None:
    env, arn = secret_env(moto, pg_target.user, pg_target.password)
    report = run_probe(pg_target.config(secret_arn=arn, ca_bundle=str(tls.wrong_ca)), env)
    stages = report["stages"]
    assert report["ok"] is False
    assert stages["tcp"]["ok"] is True
    assert "certificate verification failed" in stages["tls"]["error"]
    assert stages["auth"] == {"ok": False, "skipped": "tls failed"}


@pytest.mark.xdist_group("postgres")
def test_wrong_password_fails_at_auth(pg_target: PgTarget, moto: MotoServer) -> None:
    env, arn = secret_env(moto, pg_target.user, "Not-The-Password-77")
    report = run_probe(pg_target.config(secret_arn=arn), env)
    assert report["stages"]["credentials"]["ok"] is True
    assert "authentication rejected" in report["stages"]["auth"]["error"]
    assert_clean(report, "Not-The-Password-77")


@pytest.mark.xdist_group("postgres")
def test_iam_mode_signs_a_token_and_never_reports_it(pg_target: PgTarget) -> None:
    """The local server cannot verify IAM tokens: auth fails, but the token must not appear anywhere."""
    report = run_probe(pg_target.config(auth="iam"), AWS_TEST_ENV)
    assert report["stages"]["credentials"] == {
        **report["stages"]["credentials"],
        "ok": True,
        "source": "iam-token",
    }
    assert "authentication rejected" in report["stages"]["auth"]["error"]
    assert_clean(report)


def test_closed_port_fails_at_tcp(tls: TlsFiles) -> None:
    config = DbConfig(
        engine="postgres", host="localhost", port=free_port(), database="d", user="u", auth="iam",
        ca_bundle=str(tls.ca), connect_timeout=2, region="us-east-1",
    )  # fmt: skip
    report = run_probe(config, AWS_TEST_ENV)
    assert "refused" in report["stages"]["tcp"]["error"]
    assert report["stages"]["tls"]["skipped"] == "tcp failed"


def test_unknown_host_fails_at_dns(tls: TlsFiles) -> None:
    config = DbConfig(
        engine="mysql", host="no-such-host.invalid", port=3306, database="d", user="u", auth="iam",
        ca_bundle=str(tls.ca), connect_timeout=2, region="us-east-1",
    )  # fmt: skip
    report = run_probe(config, AWS_TEST_ENV)
    assert "cannot resolve 'no-such-host.invalid'" in report["stages"]["dns"]["error"]


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_silent_server_fails_at_tls_within_the_timeout(tls: TlsFiles, engine: str) -> None:
    listener = SilentListener()
    try:
        config = DbConfig(
            engine=engine, host="localhost", port=listener.port, database="d", user="u", auth="iam",
            ca_bundle=str(tls.ca), connect_timeout=1, region="us-east-1",
        )  # fmt: skip
        report = run_probe(config, AWS_TEST_ENV)
    finally:
        listener.close()
    tls_stage = report["stages"]["tls"]
    assert "did not answer within the connect timeout" in tls_stage["error"]
    assert tls_stage["ms"] < 2500


def test_missing_configuration_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_ENGINE", "DB_HOST", "DB_NAME", "DB_AUTH"):
        monkeypatch.delenv(name, raising=False)
    report = load_handler("app").handler({"lambda_rds_probe": True}, None)
    assert report["ok"] is False
    assert "DB_ENGINE" in report["stages"]["config"]["error"]


@pytest.mark.xdist_group("mariadb")
def test_all_stages_pass_on_mariadb(maria_target: MariaTarget, moto: MotoServer) -> None:
    env, arn = secret_env(moto, maria_target.user, maria_target.password)
    report = run_probe(maria_target.config(secret_arn=arn), env)
    assert report["ok"] is True, report
    assert "MariaDB" in report["stages"]["tls"]["server_version"]
    assert_clean(report, maria_target.password)


@pytest.mark.xdist_group("mariadb")
def test_mariadb_wrong_host_name_fails_at_tls(maria_target: MariaTarget, moto: MotoServer) -> None:
    env, arn = secret_env(moto, maria_target.user, maria_target.password)
    report = run_probe(maria_target.config(secret_arn=arn, host="127.0.0.1"), env)
    assert "certificate verification failed for '127.0.0.1'" in report["stages"]["tls"]["error"]
