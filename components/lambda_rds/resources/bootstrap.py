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

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.app_secret import AppSecret, as_secret
from lambda_rds.resources.bootstrap_event import bootstrap_event, fingerprint
from lambda_rds.resources.database import Database
from lambda_rds.resources.lambda_function import (
    CA_BUNDLE_PATH,
    VpcPlacement,
    deploy_lambda,
    own_function,
)
from lambda_rds.resources.layers import Layers
from lambda_rds.resources.network import Network
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import iam
from lambda_rds.settings import FunctionSettings, Settings
from lambda_rds.settings.functions import bootstrap_reserved_concurrency

BOOTSTRAP_TIMEOUT_S = 300
# Tells the plan's capacity check (analysis/checks/capacity.py DEPLOY_TASK_ENV, a name it cannot import from
# here) that this function runs once per deploy, so that it counts in the connection headroom even unreserved.
DEPLOY_TASK_ENV = "LAMBDA_RDS_DEPLOY_TASK"
# The launcher waits for the bootstrap (300 s) plus the secret read and Lambda's invoke overhead.
LAUNCHER_TIMEOUT_S = 360


@dataclass(frozen=True)
class Bootstrap:
    run: aws.lambda_.Invocation
    """The deploy-time run: app functions and the rotation start after it (the app user exists)."""


def launcher_spec() -> FunctionSettings:
    """The launcher (outside the VPC): reads the master secret, invokes the bootstrap, waits for it."""
    # connect_timeout_s 0: it never connects to the database.
    return own_function(
        "launcher", "bootstrap_launcher", memory_mb=128, timeout_s=LAUNCHER_TIMEOUT_S, connect_timeout_s=0
    )


def _launcher(
    scope: Scope,
    s: Settings,
    *,
    bootstrap: aws.lambda_.Function,
    master_secret_arn: pulumi.Output[str],
    app_secret_arn: pulumi.Output[str] | None,
) -> tuple[aws.lambda_.Function, str]:
    region = scope.region
    # The RDS-managed master secret is encrypted with the aws/secretsmanager key (the database sets no
    # master_user_secret_kms_key_id), so no kms:Decrypt grant is needed.
    grants: dict[str, pulumi.Input[str]] = {
        "secret": master_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, None, region)))
    }
    if app_secret_arn is not None:
        # `secret` auth: the app secret's current password (rotation may have changed it).
        kms_key = s.database.kms_key_arn
        grants["app-secret"] = app_secret_arn.apply(
            lambda arn: json.dumps(iam.read_secret_policy(arn, kms_key, region))
        )
    grants["invoke"] = bootstrap.arn.apply(lambda arn: json.dumps(iam.invoke_function_policy(arn)))
    launcher = deploy_lambda(
        scope,
        "launcher",
        launcher_spec(),
        env={"BOOTSTRAP_FUNCTION": bootstrap.name},
        grants=grants,
        layer=None,
        vpc=None,
    )
    return launcher.function, launcher.code_sha256


def bootstrap_spec(s: Settings) -> FunctionSettings:
    """The bootstrap function (in the VPC), as the other component-owned functions are described."""
    return own_function(
        "bootstrap",
        "bootstrap",
        memory_mb=256,
        timeout_s=BOOTSTRAP_TIMEOUT_S,
        connect_timeout_s=s.own_connect_timeout_s,
        # 1 where the app functions reserve, else unreserved: a new account (quota 10) can reserve nothing
        # (settings.functions.bootstrap_reserved_concurrency). Counted in sizing.RESERVED_CONNECTIONS.
        reserved_concurrency=bootstrap_reserved_concurrency(s.functions),
    )


def build_bootstrap(
    scope: Scope, s: Settings, net: Network, db: Database, secret: AppSecret | None, layers: Layers
) -> Bootstrap:
    """The bootstrap function (in the VPC), its launcher (outside) and the Invocation (see module doc)."""
    depends_on: list[pulumi.Resource] = [*net.ready, *db.ready, *([secret.version] if secret else [])]
    spec = bootstrap_spec(s)
    env: dict[str, pulumi.Input[str]] = {
        "DB_CA_BUNDLE": CA_BUNDLE_PATH,
        "DB_CONNECT_TIMEOUT": str(spec.connect_timeout_s),
        DEPLOY_TASK_ENV: "bootstrap",
    }
    deployed = deploy_lambda(
        scope,
        "bootstrap",
        spec,
        env=env,
        grants={},
        layer=layers.bootstrap,
        vpc=VpcPlacement(net.private_subnet_ids, net.bootstrap_sg_id),
        depends_on=depends_on,
    )
    function = deployed.function
    app_secret_arn = secret.arn if secret else None
    launcher, launcher_sha256 = _launcher(
        scope, s, bootstrap=function, master_secret_arn=db.master_secret_arn, app_secret_arn=app_secret_arn
    )
    payload = pulumi.Output.all(
        db.host, db.port, db.master_secret_arn, secret.password if secret else "", app_secret_arn or ""
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
    run = aws.lambda_.Invocation(
        f"{scope.name}-bootstrap-run",
        function_name=launcher.name,
        # Secret: the app user's password travels here in `secret` auth (stable: a RandomPassword).
        input=as_secret(payload),
        triggers={
            "fingerprint": fingerprint(s, code_sha256=deployed.code_sha256, launcher_sha256=launcher_sha256),
            "database": db.resource_id,
        },
        opts=scope.after([function, *depends_on]),
    )
    return Bootstrap(run)
