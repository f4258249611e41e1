"""Rotation of the app secret under mocks (issue 13, item 3): what `secret` stacks get across engines,
proxy and egress; nothing for `iam` stacks; `database.rotation_days` validation; the launcher reading the
app secret's current password."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from lambda_rds import settings
from lambda_rds.rules.iam import ROTATION_ACTIONS, rotation_policy
from lambda_rds.settings import ConfigError

from .conftest import Built

SGI = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SGE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
PERMISSION = "aws:lambda/permission:Permission"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"

SECRET_MATRIX = [
    {"engine": engine, "proxy": proxy, "egress": egress, "auth": "secret"}
    for engine in ("postgres", "mysql", "aurora-postgresql", "aurora-mysql")
    for proxy in (False, True)
    for egress in ("endpoints", "nat")
]


def _policies(b: Built, role_arn: str) -> list[dict[str, Any]]:
    role = next(r for r in b.all("aws:iam/role:Role") if r.outputs["arn"] == role_arn)
    return [
        json.loads(p.inputs["policy"])
        for p in b.all("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.id
    ]


@pytest.mark.parametrize("cfg", SECRET_MATRIX, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_secret_stacks_rotate_their_app_secret(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    b = build(cfg)
    port = 5432 if "postgres" in cfg["engine"] else 3306
    aurora = cfg["engine"].startswith("aurora")
    secret = b.one("aws:secretsmanager/secret:Secret")
    fn = b.named("t-rotation")
    db = b.one("aws:rds/cluster:Cluster" if aurora else "aws:rds/instance:Instance")

    # The schedule: 30 days by default, on the app secret, calling the rotation function.
    schedule = b.one(ROTATION)
    assert schedule.inputs["secretId"] == secret.outputs["arn"]
    assert schedule.inputs["rotationLambdaArn"] == fn.outputs["arn"]
    assert schedule.inputs["rotationRules"]["automaticallyAfterDays"] == 30

    # Secrets Manager may invoke it, from this account only; nobody else is granted anything.
    (permission,) = b.all(PERMISSION)
    assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    assert permission.inputs["function"] == fn.outputs["name"]
    assert permission.inputs["sourceAccount"] == "123456789012"

    # In the VPC, straight to the database (never the proxy), with its own environment.
    env = fn.inputs["environment"]["variables"]
    assert env["DB_HOST"] == (db.outputs["endpoint"] if aurora else db.outputs["address"])
    assert env["DB_PORT"] == str(port) and env["ROTATION_SECRET_ARN"] == secret.outputs["arn"]
    assert not any("PASSWORD" in k for k in env) and "DB_SECRET_ARN" not in env
    assert fn.inputs["handler"] == "handler.handler" and fn.inputs["runtime"] == "python3.12"
    assert "reservedConcurrentExecutions" not in fn.inputs
    assert fn.inputs["layers"] == [b.named("t-layer-python312-arm64").outputs["arn"]]

    # Its own security group: the engine port to the database SG, HTTPS to Secrets Manager only.
    sgs = {r.name: r.id for r in b.all("aws:ec2/securityGroup:SecurityGroup")}
    rot_sg, db_sg = sgs["t-rotation-sg"], sgs["t-database-sg"]
    assert fn.inputs["vpcConfig"]["securityGroupIds"] == [rot_sg]
    egress = [r.inputs for r in b.all(SGE) if r.inputs["securityGroupId"] == rot_sg]
    to_db = [r for r in egress if r["fromPort"] == port]
    assert [r.get("referencedSecurityGroupId") for r in to_db] == [db_sg]
    assert any(
        r["securityGroupId"] == db_sg and r["referencedSecurityGroupId"] == rot_sg and r["fromPort"] == port
        for r in (x.inputs for x in b.all(SGI))
    )
    https = [r for r in egress if r["fromPort"] == 443]
    assert len(egress) == 2 and len(https) == 1
    if cfg["egress"] == "nat":
        assert https[0]["cidrIpv4"] == "0.0.0.0/0"
    else:
        (ep,) = b.all("aws:ec2/vpcEndpoint:VpcEndpoint")
        (ep_sg,) = ep.inputs["securityGroupIds"]
        assert https[0]["referencedSecurityGroupId"] == ep_sg
        assert any(
            r.inputs["securityGroupId"] == ep_sg and r.inputs["referencedSecurityGroupId"] == rot_sg
            for r in b.all(SGI)
        )

    # Exactly the four rotation actions on exactly the app secret (plus its ENIs and logs).
    docs = _policies(b, fn.inputs["role"])
    statements = [st for d in docs for st in d["Statement"]]
    (rotate,) = [st for st in statements if st.get("Sid") == "RotateOneSecret"]
    assert rotate["Action"] == list(ROTATION_ACTIONS) and rotate["Resource"] == secret.outputs["arn"]
    assert not any(
        a.startswith(("secretsmanager:", "kms:"))
        for st in statements
        if st is not rotate
        for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    )


def test_iam_stacks_have_no_rotation(build: Callable[..., Built]) -> None:
    for cfg in ({"auth": "iam"}, {"auth": "iam", "proxy": True, "engine": "aurora-mysql", "egress": "nat"}):
        b = build(cfg)
        assert b.all(ROTATION) == [] and b.all(PERMISSION) == []
        assert not any("rotation" in r.name for r in b.mocks.resources)


def test_rotation_days_zero_turns_it_off(build: Callable[..., Built]) -> None:
    b = build({"auth": "secret", "database": {"rotation_days": 0}})
    assert b.all(ROTATION) == [] and not any("rotation" in r.name for r in b.mocks.resources)
    assert b.one("aws:secretsmanager/secret:Secret")  # the secret itself stays


def test_rotation_days_and_a_customer_key(build: Callable[..., Built]) -> None:
    b = build({"auth": "secret", "database": {"rotation_days": 7, "kms_key_arn": KEY}})
    assert b.one(ROTATION).inputs["rotationRules"]["automaticallyAfterDays"] == 7
    statements = [st for d in _policies(b, b.named("t-rotation").inputs["role"]) for st in d["Statement"]]
    (kms,) = [st for st in statements if st.get("Sid") == "UseThatSecretsKey"]
    assert kms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"] and kms["Resource"] == KEY
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


def test_rotation_policy_without_a_key_has_no_kms_statement() -> None:
    doc = rotation_policy("arn:aws:secretsmanager:eu-west-1:1:secret:s", None, "eu-west-1")
    assert [st["Sid"] for st in doc["Statement"]] == ["RotateOneSecret"]
    assert "secretsmanager:GetRandomPassword" not in doc["Statement"][0]["Action"]


def test_the_bootstrap_uses_the_app_secrets_current_password(build: Callable[..., Built]) -> None:
    """A re-run after a rotation must not set the database back to the first password: the launcher
    reads AWSCURRENT of the app secret (it may read that secret and the master secret, nothing else)."""
    b = build({"auth": "secret"})
    secret_arn = b.one("aws:secretsmanager/secret:Secret").outputs["arn"]
    payload = json.loads(b.one("aws:lambda/invocation:Invocation").inputs["input"]["value"])
    assert payload["app_secret_arn"] == secret_arn
    launcher = b.named("t-launcher")
    reads = [
        st["Resource"]
        for d in _policies(b, launcher.inputs["role"])
        for st in d["Statement"]
        if st["Action"] == "secretsmanager:GetSecretValue"
    ]
    assert secret_arn in reads and len(reads) == 2
    iam_payload = json.loads(
        build({"auth": "iam"}).one("aws:lambda/invocation:Invocation").inputs["input"]["value"]
    )
    assert "app_secret_arn" not in iam_payload


@pytest.mark.parametrize(
    ("raw", "auth", "expected"),
    [
        (None, "secret", 30),
        (0, "secret", 0),
        (1, "secret", 1),
        (1000, "secret", 1000),
        (7.0, "secret", 7),
        (None, "iam", 0),
        (0, "iam", 0),
    ],
)
def test_rotation_days_resolves(raw: Any, auth: str, expected: int) -> None:
    database = {} if raw is None else {"rotation_days": raw}
    s = settings.resolve({"auth": auth, "database": database})
    assert s.database.rotation_days == expected


@pytest.mark.parametrize(
    ("raw", "auth", "fragment"),
    [
        (1001, "secret", "out of range; allowed 0..1000"),
        (-1, "secret", "out of range; allowed 0..1000"),
        (1.5, "secret", "expected an integer"),
        ("30", "secret", "expected an integer"),
        (True, "secret", "expected an integer"),
        (30, "iam", "only applies with auth 'secret'"),
        (7, "iam", "only applies with auth 'secret'"),
    ],
)
def test_rotation_days_is_refused_naming_the_key(raw: Any, auth: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        settings.resolve({"auth": auth, "database": {"rotation_days": raw}})
    assert info.value.key == "database.rotation_days"


def test_launcher_swaps_in_the_app_secrets_current_password() -> None:
    from .test_bootstrap import _Lambda, _launcher_module

    handler = _launcher_module()

    class Secrets:
        def get_secret_value(self, SecretId: str, VersionStage: str = "AWSCURRENT") -> dict[str, str]:
            value = {"arn:master": ("admin", "master-pw"), "arn:app": ("app", "rotated-pw")}[SecretId]
            return {"SecretString": json.dumps({"username": value[0], "password": value[1]})}

    lam = _Lambda()
    import os

    os.environ["BOOTSTRAP_FUNCTION"] = "t-bootstrap-abc"
    try:
        event = {"master_secret_arn": "arn:master", "app_secret_arn": "arn:app", "app_password": "first-pw"}
        handler.handler(event, clients=(Secrets(), lam))
    finally:
        del os.environ["BOOTSTRAP_FUNCTION"]
    sent = lam.sent[0]["Payload"]
    assert sent["app_password"] == "rotated-pw" and "app_secret_arn" not in sent
    assert sent["master"] == {"username": "admin", "password": "master-pw"}


# -- the AWS rules (tests/unit/test_aws_rules_matrix.py runs them on every secret stack, rotation on) ----
ROTATION_EXTREMES = [
    {"engine": e, "auth": "secret", "egress": eg, "database": {"rotation_days": d, "kms_key_arn": KEY}}
    for e, eg, d in (("postgres", "endpoints", 1), ("aurora-mysql", "nat", 1000))
]


@pytest.mark.parametrize(
    "cfg", ROTATION_EXTREMES, ids=lambda c: f"{c['engine']}-{c['database']['rotation_days']}"
)
def test_rotation_stacks_pass_every_aws_rule(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    from .test_aws_rules_matrix import aws_violations

    assert aws_violations(build(cfg)) == []


def test_the_api_field_rule_bounds_automatically_after_days(build: Callable[..., Built]) -> None:
    """RotateSecret's RotationRules.AutomaticallyAfterDays is 1..1000: a value the settings would refuse
    is also caught by the plan's API-field rule (defence in depth for hand-written programs)."""
    from .test_aws_rules_matrix import aws_violations

    b = build({"auth": "secret"})
    b.one(ROTATION).inputs["rotationRules"]["automaticallyAfterDays"] = 1001
    assert any("automaticallyAfterDays" in v for v in aws_violations(b))


@pytest.mark.parametrize("engine", ["postgres", "aurora-mysql"])
def test_secretsmanager_1_passes_with_rotation_and_not_without(
    build: Callable[..., Built], engine: str
) -> None:
    from lambda_rds.analysis.checks.policies import Context, evaluate
    from lambda_rds.analysis.model.build import build_model

    from .test_aws_rules_matrix import analysis_resources

    def sm_findings(cfg: dict[str, Any]) -> list[str]:
        found = evaluate(build_model(analysis_resources(build(cfg))), Context())
        return [f.policy for f in found if f.policy.startswith("SecretsManager.")]

    assert sm_findings({"engine": engine, "auth": "secret", "proxy": True}) == []
    assert sm_findings({"engine": engine, "auth": "secret", "database": {"rotation_days": 0}}) == [
        "SecretsManager.1"
    ]
    assert sm_findings({"engine": engine, "auth": "secret", "database": {"rotation_days": 120}}) == [
        "SecretsManager.4"  # rotates, but less often than every 90 days (advisory)
    ]


def test_rotation_is_refused_when_users_may_not_change_their_own_password() -> None:
    database = {"parameters": {"rds.restrict_password_commands": "1"}}
    with pytest.raises(ConfigError, match=r"rds\.restrict_password_commands") as info:
        settings.resolve({"auth": "secret", "database": database})
    assert info.value.key == "database.rotation_days"
    assert settings.resolve({"auth": "secret", "database": {**database, "rotation_days": 0}})
