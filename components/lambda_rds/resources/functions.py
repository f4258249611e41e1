"""Function wiring: dependency layers, one role per function with exactly its grants, log groups, the
functions, and the bootstrap function invoked at deploy time.

CDK's lesson ("allow this function to connect" is one intent): `connect_policy` below produces the
rds-db:connect grant on the right ARN or the secret read, and the network module produces the matching
security group rule. Each function depends on its policies, so Lambda never tries to create ENIs before
it may (the first-deploy "no permission to CreateNetworkInterface" error, REFERENCE.md item 10).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds import packaging
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.rules import facts_lambda, iam
from lambda_rds.settings import Architecture, Auth, FunctionSettings, Settings

CA_BUNDLE_PATH = "/opt/lambda_rds/ca-bundle.pem"  # where Lambda mounts the layer's lambda_rds/ca-bundle.pem
RUNTIME_PACKAGE = "lambda_rds_runtime"
BOOTSTRAP_RUNTIME = "python3.12"
BOOTSTRAP_ARCH = Architecture.ARM64


@dataclass
class DeployedFunction:
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    url: pulumi.Output[str] | None = None


def _fit(value: str, max_len: int) -> str:
    """``value`` cut to ``max_len`` with a short digest of the whole, so distinct long names stay distinct."""
    if len(value) <= max_len:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:8]
    return f"{value[: max_len - 9]}-{digest}"


def log_group_name(name: str, key: str) -> str:
    """``/lambda-rds/<project>/<stack>/<component>/<key>``: unique per project, stack and component.

    Log group names are unique per account and region, so a name without the stack makes the second
    stack (dev, then staging) of one account fail with ResourceAlreadyExistsException. CreateLogGroup
    (facts_lambda.LOG_GROUP_NAME_SOURCE): 1..512 of [.-_/#A-Za-z0-9]; Pulumi project and stack names
    only use letters, digits, '-', '_' and '.', which all fit.
    """
    raw = f"/lambda-rds/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/{key}"
    return _fit(re.sub(r"[^.\-_/#A-Za-z0-9]", "-", raw), facts_lambda.LOG_GROUP_NAME_MAX)


def layer_name(name: str, key: str) -> str:
    """``<component>-<project>-<stack>-deps-<key>``: unique per project, stack and component.

    PublishLayerVersion (facts_lambda.LAYER_NAME_SOURCE): 1..140 of [a-zA-Z0-9-_], so the '.' a project
    or stack name may hold becomes '-', and a long result is cut with a digest.
    """
    raw = f"{name}-{pulumi.get_project()}-{pulumi.get_stack()}-deps-{key}"
    return _fit(re.sub(r"[^a-zA-Z0-9_-]", "-", raw), facts_lambda.LAYER_NAME_MAX)


def logging_config(log_group: pulumi.Input[str]) -> aws.lambda_.FunctionLoggingConfigArgs:
    """JSON logs with both levels stated: without them the provider plans a change on every `up`
    (facts_lambda.JSON_LOG_LEVELS_SOURCE, terraform-provider-aws #42181)."""
    return aws.lambda_.FunctionLoggingConfigArgs(
        log_format="JSON",
        log_group=log_group,
        application_log_level=facts_lambda.DEFAULT_APPLICATION_LOG_LEVEL,
        system_log_level=facts_lambda.DEFAULT_SYSTEM_LOG_LEVEL,
    )


def layer_requirements() -> tuple[str, ...]:
    """Pinned third-party dependencies of the runtime (functions/requirements.txt)."""
    lines = (functions_dir() / "requirements.txt").read_text().splitlines()
    return tuple(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


def build_layers(
    name: str, s: Settings, opts: pulumi.ResourceOptions
) -> dict[tuple[str, str], aws.lambda_.LayerVersion]:
    """One layer per (runtime, architecture) in use: the runtime package, its drivers and the CA bundle."""
    combos = {(fn.runtime, fn.architecture.value) for fn in s.functions} | {
        (BOOTSTRAP_RUNTIME, BOOTSTRAP_ARCH.value)
    }
    layers: dict[tuple[str, str], aws.lambda_.LayerVersion] = {}
    unbuilt: list[str] = []
    note = ""
    for runtime, arch in sorted(combos):
        spec = packaging.LayerSpec(
            requirements=layer_requirements(),
            runtime=runtime,
            architecture=arch,
            extra_packages=(functions_dir() / RUNTIME_PACKAGE,),
        )
        artifact = packaging.build_layer(spec)
        if not artifact.built:
            unbuilt.append(f"{runtime}/{arch}")
            note = artifact.note
        key = f"{runtime.replace('.', '')}-{arch.replace('_', '')}"
        layers[(runtime, arch)] = aws.lambda_.LayerVersion(
            f"{name}-layer-{key}",
            layer_name=layer_name(name, key),
            description=f"lambda-rds runtime, database drivers and CA bundle ({runtime}, {arch})",
            code=pulumi.FileArchive(str(artifact.path)),
            source_code_hash=artifact.sha256,
            compatible_runtimes=[runtime],
            compatible_architectures=[arch],
            opts=opts,
        )
    if unbuilt:
        # One line for all of them: under mocks every layer is a placeholder, for the same reason.
        pulumi.log.warn(f"lambda-rds: dependency layer(s) {', '.join(unbuilt)} not built: {note}")
    return layers


def connect_policy(
    s: Settings,
    *,
    region: str,
    account_id: str,
    kind: iam.TargetKind,
    resource_id: pulumi.Output[str],
    app_secret_arn: pulumi.Output[str] | None,
    kms_key_arn: str | None,
    replica_resource_ids: Sequence[pulumi.Output[str]] = (),
) -> pulumi.Output[str]:
    """The one grant that lets a function authenticate: rds-db:connect on the exact ARN (and on each RDS
    read replica's own `db-…` ARN: DB_READ_HOST names them directly), or the secret."""
    if s.auth is Auth.IAM:
        user = s.database.app_username
        return pulumi.Output.all(resource_id, *replica_resource_ids).apply(
            lambda rids: json.dumps(
                iam.rds_connect_policy(
                    iam.rds_db_connect_arn(region, account_id, kind, rids[0], user),
                    *(iam.rds_db_connect_arn(region, account_id, "instance", r, user) for r in rids[1:]),
                )
            )
        )
    assert app_secret_arn is not None
    return app_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, kms_key_arn, region)))


def _role(
    name: str,
    key: str,
    log_group: aws.cloudwatch.LogGroup,
    grant: pulumi.Output[str] | None,
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    role = aws.iam.Role(
        f"{name}-{key}-role", assume_role_policy=json.dumps(iam.LAMBDA_ASSUME_ROLE), tags=tags, opts=opts
    )
    policies: list[pulumi.Resource] = [
        aws.iam.RolePolicy(f"{name}-{key}-eni", role=role.id, policy=json.dumps(iam.eni_policy()), opts=opts),
        aws.iam.RolePolicy(
            f"{name}-{key}-logs",
            role=role.id,
            policy=log_group.arn.apply(lambda arn: json.dumps(iam.log_policy(arn))),
            opts=opts,
        ),
    ]
    if grant is not None:
        policies.append(aws.iam.RolePolicy(f"{name}-{key}-db", role=role.id, policy=grant, opts=opts))
    return role, policies


def _log_group(
    name: str, key: str, days: int, opts: pulumi.ResourceOptions, tags: dict[str, str]
) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(
        f"{name}-{key}-logs", name=log_group_name(name, key), retention_in_days=days, tags=tags, opts=opts
    )


def _deploy(
    name: str,
    key: str,
    fn: FunctionSettings,
    *,
    env: dict[str, pulumi.Input[str]],
    grant: pulumi.Output[str] | None,
    layer: aws.lambda_.LayerVersion,
    subnet_ids: list[pulumi.Output[str]],
    security_group_id: pulumi.Output[str],
    depends_on: list[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
) -> tuple[aws.lambda_.Function, aws.iam.Role, str]:
    """One VPC function with its log group, role and deterministic package; returns the package hash too."""
    log_group = _log_group(name, key, fn.log_retention_days, opts, tags)
    role, policies = _role(name, key, log_group, grant, opts, tags)
    artifact = packaging.build_function_zip(fn.code)
    function = aws.lambda_.Function(
        f"{name}-{key}",
        role=role.arn,
        runtime=fn.runtime,
        handler=fn.handler,
        architectures=[fn.architecture.value],
        code=pulumi.FileArchive(str(artifact.path)),
        source_code_hash=artifact.sha256,
        layers=[layer.arn],
        memory_size=fn.memory_mb,
        timeout=fn.timeout_s,
        reserved_concurrent_executions=fn.reserved_concurrency,
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=subnet_ids, security_group_ids=[security_group_id]
        ),
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=env),
        logging_config=logging_config(log_group.name),
        # Hand the ENIs to the default group on destroy so deleting our group does not wait 20-45 minutes
        # for Lambda to release them (pulumi-aws#2642).
        replace_security_groups_on_destroy=True,
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[*policies, *depends_on])),
    )
    return function, role, artifact.sha256


def connection_env(
    s: Settings,
    host: pulumi.Input[str],
    connect_timeout_s: int,
    app_secret_arn: pulumi.Input[str] | None,
    read_host: pulumi.Input[str] | None = None,
) -> dict[str, pulumi.Input[str]]:
    """The environment contract of ARCHITECTURE.md (component -> runtime), in one place. DB_READ_HOST
    only with `database.readers` (the reader endpoint, the proxy's read-only endpoint, or the RDS
    replicas' hosts comma-separated)."""
    env: dict[str, pulumi.Input[str]] = {
        "DB_ENGINE": s.database.family,
        "DB_HOST": host,
        "DB_PORT": str(s.database.port),
        "DB_NAME": s.database.db_name,
        "DB_USER": s.database.app_username,
        "DB_AUTH": s.auth.value,
        "DB_CA_BUNDLE": CA_BUNDLE_PATH,
        "DB_CONNECT_TIMEOUT": str(connect_timeout_s),
    }
    if s.auth is Auth.SECRET and app_secret_arn is not None:
        env["DB_SECRET_ARN"] = app_secret_arn
    if s.database.readers and read_host is not None:
        env["DB_READ_HOST"] = read_host
    return env


def build_function(
    name: str,
    fn: FunctionSettings,
    s: Settings,
    *,
    layer: aws.lambda_.LayerVersion,
    subnet_ids: list[pulumi.Output[str]],
    security_group_id: pulumi.Output[str],
    db_host: pulumi.Output[str],
    grant: pulumi.Output[str],
    app_secret_arn: pulumi.Output[str] | None,
    depends_on: list[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    read_host: pulumi.Output[str] | None = None,
) -> DeployedFunction:
    env = {
        **connection_env(s, db_host, fn.connect_timeout_s, app_secret_arn, read_host),
        **dict(fn.environment),
    }
    function, role, _ = _deploy(
        name,
        f"fn-{fn.name}",
        fn,
        env=env,
        grant=grant,
        layer=layer,
        subnet_ids=subnet_ids,
        security_group_id=security_group_id,
        depends_on=depends_on,
        opts=opts,
        tags=tags,
    )
    url = None
    if fn.url:
        # AWS_IAM only: a URL with auth NONE is publicly invokable (FSBP Lambda.1), which the plan fails.
        url = aws.lambda_.FunctionUrl(
            f"{name}-fn-{fn.name}-url",
            function_name=function.name,
            authorization_type="AWS_IAM",
            opts=opts,
        ).function_url
    return DeployedFunction(function.name, function.arn, role.arn, url)
