"""The deploy-time bootstrap (issue 9 defect 1): every run uses the current endpoint, migrations and master
credentials; a master-password rotation alone does not re-run it; a new database does.

The old design put the master password in the Invocation's input with ``ignore_changes=["input"]``: Pulumi
then builds the replacement a trigger forces from the input kept in state (old host, old migrations,
expired password). These tests pin the new contract at the program level; what the engine and the
provider do with it is stated in ``lambda_rds.resources.bootstrap``'s docstring with its sources.
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.testing.mocks import RecordingMocks

from .conftest import Built

INVOCATION = "aws:lambda/invocation:Invocation"


def _run(b: Built) -> tuple[dict[str, Any], dict[str, str], str]:
    run = b.one(INVOCATION)
    wrapped = run.inputs["input"]
    # Pulumi's secret sentinel: the payload is encrypted in the state and masked in every display.
    assert wrapped.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig
    return json.loads(wrapped["value"]), run.inputs["triggers"], wrapped["value"]


class NewDatabaseMocks(RecordingMocks):
    """The database was replaced: a new resource id and endpoint (what a replacement returns)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        rid, outputs = super().new_resource(args)
        if args.typ == "aws:rds/instance:Instance":
            outputs = {
                **outputs,
                "resourceId": "db-NEWDATABASE0000000000000000",
                "address": "t-db-new.abc.us-east-1.rds.amazonaws.com",
            }
            self.resources[-1].outputs = outputs
        return rid, outputs


def test_payload_is_current_and_carries_no_master_password(build: Callable[..., Built]) -> None:
    b = build({"auth": "secret"})
    payload, triggers, raw = _run(b)
    db = b.one("aws:rds/instance:Instance")
    # (i) current endpoint and port, the migrations on disk, the master secret's ARN (read at run time).
    assert payload["host"] == db.outputs["address"] and payload["port"] == 5432
    assert payload["master_secret_arn"] == db.outputs["masterUserSecrets"][0]["secretArn"]
    assert "master" not in payload and "mock-master-password" not in raw
    assert payload["migrations"] and [m["name"] for m in payload["migrations"]] == sorted(
        m["name"] for m in payload["migrations"]
    )
    assert payload["app_user"] == "app" and payload["auth"] == "secret" and payload["app_password"]
    assert triggers["database"] == db.outputs["resourceId"] and len(triggers["fingerprint"]) == 64
    # The deployer no longer reads the master password at all.
    assert not any(c.token == "aws:secretsmanager/getSecretVersion:getSecretVersion" for c in b.mocks.calls)
    # The Invocation calls the launcher (outside the VPC), which may read that one secret and invoke the
    # in-VPC bootstrap, and nothing else.
    launcher = b.named("t-launcher")
    assert b.one(INVOCATION).inputs["functionName"] == launcher.outputs["name"]
    assert "vpcConfig" not in launcher.inputs
    assert (
        launcher.inputs["environment"]["variables"]["BOOTSTRAP_FUNCTION"]
        == b.named("t-bootstrap").outputs["name"]
    )
    boot = b.named("t-bootstrap")
    assert boot.inputs["vpcConfig"]["securityGroupIds"] == [b.named("t-bootstrap-sg").id]


def test_invocation_input_is_never_ignored(
    build: Callable[..., Built], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ignore_changes on `input` is what made a forced replacement reuse the stale payload."""
    seen: dict[str, Any] = {}
    original = pulumi.runtime.resource._translate_ignore_changes

    def spy(res: Any, typ: Any, ignore_changes: Any) -> Any:
        seen[res._name] = ignore_changes
        return original(res, typ, ignore_changes)

    monkeypatch.setattr(pulumi.runtime.resource, "_translate_ignore_changes", spy)
    build({})
    assert "t-bootstrap-run" in seen and not seen["t-bootstrap-run"]


def test_master_password_rotation_changes_neither_input_nor_trigger(build: Callable[..., Built]) -> None:
    before = _run(build({}))
    after = _run(build({}, mocks=RecordingMocks(master_password="rotated-by-rds-7-days-later")))
    assert before[0] == after[0] and before[1] == after[1]


def test_new_database_changes_the_trigger_and_the_host(build: Callable[..., Built]) -> None:
    old_payload, old_triggers, _ = _run(build({}))
    new_payload, new_triggers, _ = _run(build({}, mocks=NewDatabaseMocks()))
    assert new_triggers["database"] == "db-NEWDATABASE0000000000000000" != old_triggers["database"]
    assert new_payload["host"] == "t-db-new.abc.us-east-1.rds.amazonaws.com" != old_payload["host"]


def test_a_new_migration_changes_input_and_trigger(build: Callable[..., Built], tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(functions_dir() / "app" / "migrations", folder)
    before = _run(build({"database": {"migrations_dir": str(folder)}}))
    (folder / "9999_added.sql").write_text("CREATE TABLE added (id int);\n")
    after = _run(build({"database": {"migrations_dir": str(folder)}}))
    assert [m["name"] for m in after[0]["migrations"]][-1] == "9999_added.sql"
    assert after[1]["fingerprint"] != before[1]["fingerprint"]


def test_auto_pause_gives_the_bootstrap_a_resume_proof_connect_timeout(build: Callable[..., Built]) -> None:
    b = build(
        {"engine": "aurora-postgresql", "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 2}}}
    )
    assert b.named("t-bootstrap").inputs["environment"]["variables"]["DB_CONNECT_TIMEOUT"] == "20"
    assert b.outputs["function_environment"]["DB_CONNECT_TIMEOUT"] == "20"


# ---- the launcher's handler (runs in Lambda with boto3; here with fakes) ------------------------------
def _launcher_module() -> Any:
    path = functions_dir() / "bootstrap_launcher" / "handler.py"
    spec = importlib.util.spec_from_file_location("bootstrap_launcher_handler", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Secrets:
    def __init__(self, password: str) -> None:
        self.password = password
        self.asked: list[str] = []

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        self.asked.append(SecretId)
        return {"SecretString": json.dumps({"username": "lambda_rds_admin", "password": self.password})}


class _Lambda:
    def __init__(self, error: bool = False) -> None:
        self.error = error
        self.sent: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append({**kwargs, "Payload": json.loads(kwargs["Payload"])})
        body = b'{"errorMessage": "migration 0002 failed"}' if self.error else b'{"status": "ok"}'
        return {"Payload": io.BytesIO(body), **({"FunctionError": "Unhandled"} if self.error else {})}


def test_launcher_reads_the_current_password_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = _launcher_module()
    monkeypatch.setenv("BOOTSTRAP_FUNCTION", "t-bootstrap-abc")
    event = {
        "engine": "postgres",
        "host": "h",
        "port": 5432,
        "master_secret_arn": "arn:secret",
        "app_user": "app",
    }
    secrets, lam = _Secrets("current-password"), _Lambda()
    assert handler.handler(event, clients=(secrets, lam)) == {"status": "ok"}
    assert secrets.asked == ["arn:secret"]
    (call,) = lam.sent
    assert call["FunctionName"] == "t-bootstrap-abc" and call["InvocationType"] == "RequestResponse"
    assert call["Payload"]["master"] == {"username": "lambda_rds_admin", "password": "current-password"}
    assert "master_secret_arn" not in call["Payload"] and call["Payload"]["host"] == "h"


def test_launcher_fails_the_invocation_when_the_bootstrap_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = _launcher_module()
    monkeypatch.setenv("BOOTSTRAP_FUNCTION", "t-bootstrap-abc")
    with pytest.raises(RuntimeError, match="migration 0002 failed"):
        handler.handler({"master_secret_arn": "arn:secret"}, clients=(_Secrets("p"), _Lambda(error=True)))
