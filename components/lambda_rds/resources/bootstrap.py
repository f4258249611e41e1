"""The deploy-time bootstrap: create the application user and apply migrations, from inside the VPC.

How it runs (and why this shape):

    aws.lambda_.Invocation --input--> launcher (outside the VPC) --Invoke--> bootstrap (in the VPC) --> DB
                                        reads the master secret

- The Invocation's ``input`` carries everything the bootstrap does (engine, current host and port,
  database, app user, auth, statement timeout, migrations) and the master secret's ARN, never the master
  password. RDS rotates that password every 7 days; had it been in the input, each rotation would change
  the input, and with the default ``lifecycle_scope`` CREATE_ONLY any input change forces a replacement,
  i.e. a re-run (terraform-provider-aws ``customizeDiffInputChangeWithCreateOnlyScope``,
  ``sources.TF_LAMBDA_INVOCATION``).
- No ``ignore_changes=["input"]``: Pulumi keeps an ignored value from the state also for the replacement
  a trigger forces, so the old design re-ran with the old host, old migrations and an expired password.
- The ``triggers`` fingerprint the same things plus the bootstrap code and the database's resource id:
  a new database (replaced, new ``DbiResourceId`` / ``ClusterResourceId``) re-runs the bootstrap even when
  its endpoint name is reused. The input only changes when the trigger does (host/port aside, which only
  change with a new database or a port change, and both should re-run).
- The launcher reads the master secret at run time, so every run uses the current password. It runs
  outside the VPC on purpose: it reaches Secrets Manager and Lambda through AWS's public endpoints, which
  keeps the bootstrap working with egress ``none`` (no NAT, no endpoint, no cost) where the in-VPC
  function has no route to Secrets Manager. The in-VPC bootstrap still never needs one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from lambda_rds import packaging
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.resources.app_secret import as_secret
from lambda_rds.resources.functions import (
    BOOTSTRAP_ARCH,
    BOOTSTRAP_RUNTIME,
    CA_BUNDLE_PATH,
    _deploy,
    _log_group,
    logging_config,
)
from lambda_rds.rules import iam
from lambda_rds.settings import FunctionSettings, Settings
from lambda_rds.settings.functions import BOOTSTRAP_RESERVED_CONCURRENCY, default_connect_timeout

BOOTSTRAP_TIMEOUT_S = 300
# The bootstrap runs right after the database is created: a little more patience than a request has.
BOOTSTRAP_CONNECT_TIMEOUT_S = 10
# The launcher waits for the bootstrap (300 s) plus the secret read and Lambda's invoke overhead.
LAUNCHER_TIMEOUT_S = 360


def migrations(folder: Path | None) -> list[dict[str, str]]:
    """The SQL migrations in apply order (by file name); none without a folder."""
    if folder is None:
        return []
    return [{"name": p.name, "sql": p.read_text()} for p in sorted(folder.glob("*.sql"))]


def bootstrap_event(
    s: Settings,
    *,
    host: str,
    port: int,
    master_secret_arn: str,
    app_password: str | None,
    app_secret_arn: str | None = None,
) -> dict[str, object]:
    """The Invocation's input: what the bootstrap does, with the master secret's ARN (not its password).

    With `secret` auth it also names the app secret: the launcher replaces `app_password` (the first
    password, from the state) with the secret's AWSCURRENT value, so a re-run after a rotation never sets
    the database back to the first password (lambda_rds.resources.rotation)."""
    db = s.database
    extra: dict[str, object] = {"app_secret_arn": app_secret_arn} if app_secret_arn else {}
    return {
        **extra,
        "engine": db.family,
        "host": host,
        "port": int(port),
        "database": db.db_name,
        "master_secret_arn": master_secret_arn,
        "app_user": db.app_username,
        "auth": s.auth.value,
        "app_password": app_password or None,
        "statement_timeout_ms": db.statement_timeout_ms,
        "migrations": migrations(db.migrations_dir),
    }


def fingerprint(s: Settings, *, code_sha256: str, launcher_sha256: str) -> str:
    """What the bootstrap does, independent of any secret: a change re-runs it."""
    db = s.database
    steps = migrations(db.migrations_dir)
    return hashlib.sha256(
        json.dumps(
            [steps, db.app_username, s.auth.value, db.statement_timeout_ms, code_sha256, launcher_sha256]
        ).encode()
    ).hexdigest()


def _launcher(
    name: str,
    *,
    bootstrap: aws.lambda_.Function,
    master_secret_arn: pulumi.Output[str],
    region: str,
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    app_secret_arn: pulumi.Output[str] | None = None,
    app_secret_kms_key_arn: str | None = None,
) -> tuple[aws.lambda_.Function, str]:
    log_group = _log_group(name, "launcher", 30, opts, tags)
    role = aws.iam.Role(
        f"{name}-launcher-role",
        assume_role_policy=json.dumps(iam.LAMBDA_ASSUME_ROLE),
        tags=tags,
        opts=opts,
    )
    policies = [
        aws.iam.RolePolicy(
            f"{name}-launcher-logs",
            role=role.id,
            policy=log_group.arn.apply(lambda arn: json.dumps(iam.log_policy(arn))),
            opts=opts,
        ),
        # The RDS-managed master secret is encrypted with the aws/secretsmanager key (the database sets no
        # master_user_secret_kms_key_id), so no kms:Decrypt grant is needed.
        aws.iam.RolePolicy(
            f"{name}-launcher-secret",
            role=role.id,
            policy=master_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, None, region))),
            opts=opts,
        ),
        *(
            # `secret` auth: the app secret's current password (rotation may have changed it).
            [
                aws.iam.RolePolicy(
                    f"{name}-launcher-app-secret",
                    role=role.id,
                    policy=app_secret_arn.apply(
                        lambda arn: json.dumps(iam.read_secret_policy(arn, app_secret_kms_key_arn, region))
                    ),
                    opts=opts,
                )
            ]
            if app_secret_arn is not None
            else []
        ),
        aws.iam.RolePolicy(
            f"{name}-launcher-invoke",
            role=role.id,
            policy=bootstrap.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "InvokeTheBootstrap",
                                "Effect": "Allow",
                                "Action": "lambda:InvokeFunction",
                                "Resource": arn,
                            }
                        ],
                    }
                )
            ),
            opts=opts,
        ),
    ]
    artifact = packaging.build_function_zip(functions_dir() / "bootstrap_launcher")
    function = aws.lambda_.Function(
        f"{name}-launcher",
        role=role.arn,
        runtime=BOOTSTRAP_RUNTIME,
        handler="handler.handler",
        architectures=[BOOTSTRAP_ARCH.value],
        code=pulumi.FileArchive(str(artifact.path)),
        source_code_hash=artifact.sha256,
        memory_size=128,
        timeout=LAUNCHER_TIMEOUT_S,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables={"BOOTSTRAP_FUNCTION": bootstrap.name}),
        logging_config=logging_config(log_group.name),
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=policies)),
    )
    return function, artifact.sha256


def build_bootstrap(
    name: str,
    s: Settings,
    *,
    layer: aws.lambda_.LayerVersion,
    subnet_ids: list[pulumi.Output[str]],
    security_group_id: pulumi.Output[str],
    db_host: pulumi.Output[str],
    db_port: pulumi.Output[int],
    db_resource_id: pulumi.Output[str],
    master_secret_arn: pulumi.Output[str],
    app_password: pulumi.Output[str] | None,
    region: str,
    depends_on: list[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    app_secret_arn: pulumi.Output[str] | None = None,
) -> aws.lambda_.Invocation:
    """The bootstrap function (in the VPC), its launcher (outside) and the Invocation (see module doc)."""
    # With Aurora auto-pause, long enough to outlast a resume (~15 s): settings.functions.
    connect_timeout = max(BOOTSTRAP_CONNECT_TIMEOUT_S, default_connect_timeout(s.database))
    spec = FunctionSettings(
        name="bootstrap",
        code=functions_dir() / "bootstrap",
        handler="handler.handler",
        runtime=BOOTSTRAP_RUNTIME,
        architecture=BOOTSTRAP_ARCH,
        memory_mb=256,
        timeout_s=BOOTSTRAP_TIMEOUT_S,
        connect_timeout_s=connect_timeout,
        reserved_concurrency=BOOTSTRAP_RESERVED_CONCURRENCY,  # counted in sizing.RESERVED_CONNECTIONS
        environment=(),
        log_retention_days=30,
    )
    env: dict[str, pulumi.Input[str]] = {
        "DB_CA_BUNDLE": CA_BUNDLE_PATH,
        "DB_CONNECT_TIMEOUT": str(connect_timeout),
    }
    function, _, code_sha256 = _deploy(
        name,
        "bootstrap",
        spec,
        env=env,
        grant=None,
        layer=layer,
        subnet_ids=subnet_ids,
        security_group_id=security_group_id,
        depends_on=depends_on,
        opts=opts,
        tags=tags,
    )
    launcher, launcher_sha256 = _launcher(
        name,
        bootstrap=function,
        master_secret_arn=master_secret_arn,
        region=region,
        opts=opts,
        tags=tags,
        app_secret_arn=app_secret_arn,
        app_secret_kms_key_arn=s.database.kms_key_arn,
    )
    payload = pulumi.Output.all(
        db_host, db_port, master_secret_arn, app_password or "", app_secret_arn or ""
    ).apply(
        lambda v: json.dumps(
            bootstrap_event(
                s,
                host=v[0],
                port=int(v[1]),
                master_secret_arn=v[2],
                app_password=v[3] or None,
                app_secret_arn=v[4] or None,
            )
        )
    )
    return aws.lambda_.Invocation(
        f"{name}-bootstrap-run",
        function_name=launcher.name,
        # Secret: the app user's password travels here in `secret` auth (stable: a RandomPassword).
        input=as_secret(payload),
        triggers={
            "fingerprint": fingerprint(s, code_sha256=code_sha256, launcher_sha256=launcher_sha256),
            "database": db_resource_id,
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[function, *depends_on])),
    )
