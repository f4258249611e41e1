"""Rotation of the app secret: the rotation function, its network path and the schedule.

With `auth: secret` and `database.rotation_days` > 0: the function in the VPC, its role, its security
group rules, the invoke permission for Secrets Manager, and the schedule.

What runs (functions/rotation/handler.py, lambda_rds_runtime/rotation.py): Secrets Manager's four steps,
single-user strategy, logged in as the application user itself (sources.SM_ROTATION_STRATEGY). Why
single-user as the user itself: a PostgreSQL role and a MySQL/MariaDB account may change their own
password (sources.PG_ALTER_ROLE, sources.MYSQL_ALTER_USER), so the function needs exactly one secret (the
one it rotates) and never the master secret; alternating users would need master credentials to clone the
user and grants the bootstrap does not make.

Wiring (each fact read 2026-12):
- Role: DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage on exactly the app
  secret (sources.SM_ROTATION_ROLE_PERMISSIONS); no GetRandomPassword (the password is generated in the
  function with Python's `secrets`). With a customer key: kms:Decrypt and kms:GenerateDataKey (PutSecretValue
  encrypts) only through `secretsmanager.<region>.amazonaws.com` (kms:ViaService, compared exactly).
- Network: the function talks to the database directly (DB_HOST is the instance or cluster endpoint, never
  the proxy: RDS Proxy authenticates clients with the secret's AWSCURRENT value, so the pending password
  cannot be tested through it; sources.RDS_PROXY_SECRETS). Its own security group: the engine port to the
  database, HTTPS to the Secrets Manager interface endpoint (egress `endpoints`) or to anywhere through the
  NAT gateway (egress `nat`). Egress `none` is refused for `secret` auth already (settings.resolve): a
  rotation function in a VPC without either cannot reach Secrets Manager (sources.SM_ROTATION_NETWORK).
- `aws.lambda_.Permission`: principal `secretsmanager.amazonaws.com`, `lambda:InvokeFunction`, limited to
  this account (source_account) (sources.LAMBDA_RESOURCE_POLICY, sources.SM_ROTATE_SECRET: "You also need
  lambda:InvokeFunction permissions on the rotation function").
- `aws.secretsmanager.SecretRotation` with `rotation_rules.automatically_after_days` (1..1000,
  sources.SM_ROTATION_RULES; sources.PULUMI_SECRET_ROTATION), after the bootstrap created the user (the
  first rotation starts when the schedule is created), after the permission exists and after the whole
  network path: the function's security-group rules, the interface endpoints or NAT routes.
- No reserved concurrency: Secrets Manager runs one step at a time for a secret; the one connection it
  holds lives in the headroom sizing.RESERVED_CONNECTIONS keeps (the plan's capacity check leaves it out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.app_secret import AppSecret
from lambda_rds.resources.bootstrap import Bootstrap
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
from lambda_rds.resources.security_groups import ANYWHERE
from lambda_rds.rules.iam import rotation_policy
from lambda_rds.settings import Egress, FunctionSettings, Settings

ROTATION_TIMEOUT_S = 60
ROTATION_MEMORY_MB = 256
SECRETS_MANAGER_PRINCIPAL = "secretsmanager.amazonaws.com"


@dataclass
class Rotation:
    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    schedule: aws.secretsmanager.SecretRotation


def rotation_spec(s: Settings) -> FunctionSettings:
    """The rotation function, as the other component-owned functions are described."""
    return own_function(
        "rotation",
        "rotation",
        memory_mb=ROTATION_MEMORY_MB,
        timeout_s=ROTATION_TIMEOUT_S,
        connect_timeout_s=s.own_connect_timeout_s,
    )


def _rule(
    kind: str,
    rule: str,
    *,
    group: pulumi.Input[str],
    port: int,
    what: str,
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    peer: pulumi.Input[str] | None = None,
    cidr: str | None = None,
) -> pulumi.CustomResource:
    cls = aws.vpc.SecurityGroupEgressRule if kind == "out" else aws.vpc.SecurityGroupIngressRule
    # Tagged with the stack like every rule (resources/security_groups.py: the deployer policy).
    return cls(
        rule,
        security_group_id=group,
        referenced_security_group_id=peer,
        cidr_ipv4=cidr,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=what,
        tags=tags,
        opts=opts,
    )


def build_rotation(
    scope: Scope,
    s: Settings,
    net: Network,
    db_handle: Database,
    secret: AppSecret | None,
    layers: Layers,
    bootstrap: Bootstrap,
) -> Rotation | None:
    """With `database.rotation_days` (`secret` auth): the rotation function, in the VPC and straight to the
    database, and the schedule, once the bootstrap has created the user (see the module doc)."""
    if secret is None or not s.database.rotation_days:
        return None
    name, opts, tags, region = scope.name, scope.opts, scope.tags, scope.region
    secret_arn, vpc_id, database_sg_id, endpoint_sg_id = (
        secret.arn,
        net.vpc_id,
        net.database_sg_id,
        net.endpoint_sg_id,
    )
    depends_on: list[pulumi.Resource] = [*net.ready, *db_handle.ready, bootstrap.run]
    db = s.database
    port = db.port
    group = aws.ec2.SecurityGroup(
        f"{name}-rotation-sg",
        vpc_id=vpc_id,
        description="lambda-rds secret rotation: database port and HTTPS to Secrets Manager only",
        tags={**tags, "Name": f"{name}-rotation"},
        opts=opts,
    )
    what = "secret rotation to the database"
    # The rules are the rotation's network path: the schedule waits for every one of them (see below).
    path = [
        _rule("out", f"{name}-rotation-to-db-out", group=group.id, peer=database_sg_id, port=port,
              what=what, opts=opts, tags=tags),
        _rule("in", f"{name}-rotation-to-db-in", group=database_sg_id, peer=group.id, port=port,
              what=what, opts=opts, tags=tags),
    ]  # fmt: skip
    if s.egress is Egress.ENDPOINTS and endpoint_sg_id is not None:
        what = "secret rotation to the Secrets Manager endpoint"
        path += [
            _rule("out", f"{name}-rotation-to-endpoints-443", group=group.id, peer=endpoint_sg_id,
                  port=443, what=what, opts=opts, tags=tags),
            _rule("in", f"{name}-endpoints-from-rotation-443", group=endpoint_sg_id, peer=group.id,
                  port=443, what=what, opts=opts, tags=tags),
        ]  # fmt: skip
    else:
        # egress `nat` (the only other mode `secret` auth allows): Secrets Manager's public endpoint.
        path.append(_rule("out", f"{name}-rotation-https-out", group=group.id, cidr=ANYWHERE, port=443,
                          what="secret rotation to Secrets Manager through NAT", opts=opts,
                          tags=tags))  # fmt: skip

    spec = rotation_spec(s)
    env: dict[str, pulumi.Input[str]] = {
        "DB_ENGINE": db.family,
        "DB_HOST": db_handle.host,
        "DB_PORT": str(port),
        "DB_NAME": db.db_name,
        "DB_CA_BUNDLE": CA_BUNDLE_PATH,
        "DB_CONNECT_TIMEOUT": str(spec.connect_timeout_s),
        "ROTATION_SECRET_ARN": secret_arn,
    }
    grant = secret_arn.apply(lambda arn: json.dumps(rotation_policy(arn, db.kms_key_arn, region)))
    function = deploy_lambda(
        scope,
        "rotation",
        spec,
        env=env,
        grants={"db": grant},
        layer=layers.bootstrap,
        vpc=VpcPlacement(net.private_subnet_ids, group.id),
        depends_on=depends_on,
    ).function
    permission = aws.lambda_.Permission(
        f"{name}-rotation-invoke",
        action="lambda:InvokeFunction",
        function=function.name,
        principal=SECRETS_MANAGER_PRINCIPAL,
        source_account=scope.account_id,
        opts=opts,
    )
    # SecretRotation starts the first rotation at once (RotateImmediately defaults to true:
    # sources.SM_ROTATE_SECRET; pulumi-aws `rotate_immediately`, "Defaults to `true`"): everything that
    # rotation goes through must exist first. The function, its permission, the
    # network (`net.ready`: the interface endpoints with egress `endpoints`, the routes to the NAT gateways
    # with `nat`), the database, the user the bootstrap made, and the security-group rules above: without
    # them the function times out on the database or Secrets Manager and the first rotation fails.
    schedule = aws.secretsmanager.SecretRotation(
        f"{name}-app-secret-rotation",
        secret_id=secret_arn,
        rotation_lambda_arn=function.arn,
        rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
            automatically_after_days=db.rotation_days
        ),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[permission, function, *path, *depends_on])
        ),
    )
    return Rotation(function.name, function.arn, schedule)
