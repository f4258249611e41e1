"""The one way this component deploys a Lambda function, with its log group and role.

Used for the app functions, the bootstrap, its launcher and the rotation function: the role holds
exactly the grants given, and the package is built deterministically.

A function in the VPC depends on its policies, so Lambda never tries to create ENIs before it may (the
first-deploy "no permission to CreateNetworkInterface" error, REFERENCE.md item 10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds import packaging
from lambda_rds.packaging.layer import CA_PATH_IN_LAYER
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import facts_lambda, iam
from lambda_rds.rules.identifiers import fit
from lambda_rds.settings import Architecture, FunctionSettings

# Lambda extracts layers into /opt: the CA bundle the layer carries, as the function sees it.
CA_BUNDLE_PATH = f"/opt/{CA_PATH_IN_LAYER}"
# The component's own functions (bootstrap, launcher, rotation) run on one runtime and architecture.
BOOTSTRAP_RUNTIME = "python3.12"
BOOTSTRAP_ARCH = Architecture.ARM64


# How long the component's own functions keep their logs.
OWN_LOG_RETENTION_DAYS = 30


def own_function(
    name: str,
    folder: str,
    *,
    memory_mb: int,
    timeout_s: int,
    connect_timeout_s: int,
    reserved_concurrency: int | None = None,
) -> FunctionSettings:
    """A function the component owns (the bootstrap, its launcher, the rotation function), described as the
    app functions are: `handler.handler` in `functions/<folder>`, on BOOTSTRAP_RUNTIME and BOOTSTRAP_ARCH."""
    return FunctionSettings(
        name=name,
        code=functions_dir() / folder,
        handler="handler.handler",
        runtime=BOOTSTRAP_RUNTIME,
        architecture=BOOTSTRAP_ARCH,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        connect_timeout_s=connect_timeout_s,
        reserved_concurrency=reserved_concurrency,
        environment=(),
        log_retention_days=OWN_LOG_RETENTION_DAYS,
    )


@dataclass(frozen=True)
class VpcPlacement:
    """Where a function sits in the VPC: its subnets and its one security group."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]


@dataclass(frozen=True)
class LambdaFunction:
    function: aws.lambda_.Function
    role: aws.iam.Role
    code_sha256: str
    """The package's SHA-256 (the bootstrap's trigger fingerprints it)."""


def log_group_name(name: str, key: str) -> str:
    """``/lambda-rds/<project>/<stack>/<component>/<key>``: unique per project, stack and component.

    Log group names are unique per account and region, so a name without the stack makes the second
    stack (dev, then staging) of one account fail with ResourceAlreadyExistsException. CreateLogGroup
    (facts_lambda.LOG_GROUP_NAME_SOURCE): 1..512 of [.-_/#A-Za-z0-9]; Pulumi project and stack names
    only use letters, digits, '-', '_' and '.', which all fit.
    """
    raw = f"/lambda-rds/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/{key}"
    return fit(re.sub(r"[^.\-_/#A-Za-z0-9]", "-", raw), facts_lambda.LOG_GROUP_NAME_MAX)


def logging_config(log_group: pulumi.Input[str]) -> aws.lambda_.FunctionLoggingConfigArgs:
    """JSON logs with both levels stated: without them the provider plans a change on every `up`
    (facts_lambda.JSON_LOG_LEVELS_SOURCE, terraform-provider-aws #42181)."""
    return aws.lambda_.FunctionLoggingConfigArgs(
        log_format="JSON",
        log_group=log_group,
        application_log_level=facts_lambda.DEFAULT_APPLICATION_LOG_LEVEL,
        system_log_level=facts_lambda.DEFAULT_SYSTEM_LOG_LEVEL,
    )


def log_group(scope: Scope, key: str, days: int) -> aws.cloudwatch.LogGroup:
    """The function's own log group, with a retention (Lambda's would never expire)."""
    return aws.cloudwatch.LogGroup(
        f"{scope.name}-{key}-logs",
        name=log_group_name(scope.name, key),
        retention_in_days=days,
        tags=scope.tags,
        opts=scope.opts,
    )


def execution_role(
    scope: Scope,
    key: str,
    logs: aws.cloudwatch.LogGroup,
    *,
    in_vpc: bool,
    grants: Mapping[str, pulumi.Input[str]],
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """The role and its inline policies: ENIs (in the VPC only), writing to its own log group, and each of
    `grants` (policy JSON by name suffix: `<component>-<key>-<suffix>`)."""
    name, opts = scope.name, scope.opts
    role = aws.iam.Role(
        f"{name}-{key}-role",
        assume_role_policy=json.dumps(iam.LAMBDA_ASSUME_ROLE),
        tags=scope.tags,
        opts=opts,
    )
    policies: list[pulumi.Resource] = []
    if in_vpc:
        policies.append(
            aws.iam.RolePolicy(
                f"{name}-{key}-eni", role=role.id, policy=json.dumps(iam.eni_policy()), opts=opts
            )
        )
    policies.append(
        aws.iam.RolePolicy(
            f"{name}-{key}-logs",
            role=role.id,
            policy=logs.arn.apply(lambda arn: json.dumps(iam.log_policy(arn))),
            opts=opts,
        )
    )
    for suffix, document in grants.items():
        policies.append(
            aws.iam.RolePolicy(f"{name}-{key}-{suffix}", role=role.id, policy=document, opts=opts)
        )
    return role, policies


def deploy_lambda(
    scope: Scope,
    key: str,
    spec: FunctionSettings,
    *,
    env: Mapping[str, pulumi.Input[str]],
    grants: Mapping[str, pulumi.Input[str]],
    layer: aws.lambda_.LayerVersion | None,
    vpc: VpcPlacement | None,
    depends_on: Sequence[pulumi.Resource] = (),
) -> LambdaFunction:
    """One function (`<component>-<key>`) with its log group, role and deterministic package.

    `vpc` None: the function runs outside the VPC (the bootstrap's launcher, which reaches Secrets Manager
    and Lambda through their public endpoints)."""
    logs = log_group(scope, key, spec.log_retention_days)
    role, policies = execution_role(scope, key, logs, in_vpc=vpc is not None, grants=grants)
    artifact = packaging.build_function_zip(spec.code)
    function = aws.lambda_.Function(
        f"{scope.name}-{key}",
        role=role.arn,
        runtime=spec.runtime,
        handler=spec.handler,
        architectures=[spec.architecture.value],
        code=pulumi.FileArchive(str(artifact.path)),
        source_code_hash=artifact.sha256,
        layers=[layer.arn] if layer is not None else None,
        memory_size=spec.memory_mb,
        timeout=spec.timeout_s,
        reserved_concurrent_executions=spec.reserved_concurrency,
        vpc_config=(
            aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(vpc.subnet_ids), security_group_ids=[vpc.security_group_id]
            )
            if vpc is not None
            else None
        ),
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(env)),
        logging_config=logging_config(logs.name),
        # Hand the ENIs to the default group on destroy so deleting our group does not wait 20-45 minutes
        # for Lambda to release them (pulumi-aws#2642).
        replace_security_groups_on_destroy=True if vpc is not None else None,
        tags=scope.tags,
        opts=scope.after([*policies, *depends_on]),
    )
    return LambdaFunction(function, role, artifact.sha256)
