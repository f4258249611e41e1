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
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from lambda_rds import iam, packaging
from lambda_rds.appsecret import as_secret
from lambda_rds.paths import functions_dir
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
    for runtime, arch in sorted(combos):
        spec = packaging.LayerSpec(
            requirements=layer_requirements(),
            runtime=runtime,
            architecture=arch,
            extra_packages=(functions_dir() / RUNTIME_PACKAGE,),
        )
        artifact = packaging.build_layer(spec)
        if not artifact.built:
            pulumi.log.warn(f"lambda-rds: dependency layer {runtime}/{arch} not built: {artifact.note}")
        key = f"{runtime.replace('.', '')}-{arch.replace('_', '')}"
        layers[(runtime, arch)] = aws.lambda_.LayerVersion(
            f"{name}-layer-{key}",
            layer_name=f"{name}-{pulumi.get_stack()}-deps-{key}",
            description=f"lambda-rds runtime, database drivers and CA bundle ({runtime}, {arch})",
            code=pulumi.FileArchive(str(artifact.path)),
            source_code_hash=artifact.sha256,
            compatible_runtimes=[runtime],
            compatible_architectures=[arch],
            opts=opts,
        )
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
) -> pulumi.Output[str]:
    """The one grant that lets a function authenticate: rds-db:connect on the exact ARN, or the secret."""
    if s.auth is Auth.IAM:
        user = s.database.app_username
        return resource_id.apply(
            lambda rid: json.dumps(
                iam.rds_connect_policy(iam.rds_db_connect_arn(region, account_id, kind, rid, user))
            )
        )
    assert app_secret_arn is not None
    return app_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, kms_key_arn)))


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
        f"{name}-{key}-logs", name=f"/lambda-rds/{name}/{key}", retention_in_days=days, tags=tags, opts=opts
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
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
        # Hand the ENIs to the default group on destroy so deleting our group does not wait 20-45 minutes
        # for Lambda to release them (pulumi-aws#2642).
        replace_security_groups_on_destroy=True,
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[*policies, *depends_on])),
    )
    return function, role, artifact.sha256


def connection_env(
    s: Settings, host: pulumi.Input[str], connect_timeout_s: int, app_secret_arn: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str]]:
    """The environment contract of ARCHITECTURE.md (component -> runtime), in one place."""
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
) -> DeployedFunction:
    env = {**connection_env(s, db_host, fn.connect_timeout_s, app_secret_arn), **dict(fn.environment)}
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
    return DeployedFunction(function.name, function.arn, role.arn)


def migrations(folder: Path) -> list[dict[str, str]]:
    """The SQL migrations in apply order (by file name)."""
    return [{"name": p.name, "sql": p.read_text()} for p in sorted(folder.glob("*.sql"))]


def build_bootstrap(
    name: str,
    s: Settings,
    *,
    layer: aws.lambda_.LayerVersion,
    subnet_ids: list[pulumi.Output[str]],
    security_group_id: pulumi.Output[str],
    db_host: pulumi.Output[str],
    db_port: pulumi.Output[int],
    master_secret_arn: pulumi.Output[str],
    app_password: pulumi.Output[str] | None,
    depends_on: list[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    invoke_opts: pulumi.InvokeOutputOptions,
) -> aws.lambda_.Invocation:
    """Create the application user and apply migrations, from inside the VPC, at deploy time.

    The master credentials are read here, on the deployer's side, and travel only in the (secret)
    invocation payload: the bootstrap needs no route to Secrets Manager, so it works with egress `none`.
    """
    spec = FunctionSettings(
        name="bootstrap",
        code=functions_dir() / "bootstrap",
        handler="handler.handler",
        runtime=BOOTSTRAP_RUNTIME,
        architecture=BOOTSTRAP_ARCH,
        memory_mb=256,
        timeout_s=300,
        connect_timeout_s=10,
        reserved_concurrency=1,  # counted in sizing.RESERVED_CONNECTIONS
        environment=(),
        log_retention_days=30,
    )
    env: dict[str, pulumi.Input[str]] = {"DB_CA_BUNDLE": CA_BUNDLE_PATH, "DB_CONNECT_TIMEOUT": "10"}
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
    master = aws.secretsmanager.get_secret_version_output(secret_id=master_secret_arn, opts=invoke_opts)
    steps = migrations(s.database.migrations_dir)
    db = s.database
    payload = pulumi.Output.all(db_host, db_port, master.secret_string, app_password or "").apply(
        lambda v: json.dumps(
            {
                "engine": db.family,
                "host": v[0],
                "port": int(v[1]),
                "database": db.db_name,
                "master": {k: json.loads(v[2])[k] for k in ("username", "password")},
                "app_user": db.app_username,
                "auth": s.auth.value,
                "app_password": v[3] or None,
                "statement_timeout_ms": db.statement_timeout_ms,
                "migrations": steps,
            }
        )
    )
    # Re-invoke when what the bootstrap does changes, not when RDS rotates the master password (every 7
    # days): the payload is ignored for diffs and these triggers decide.
    fingerprint = hashlib.sha256(
        json.dumps([steps, db.app_username, s.auth.value, db.statement_timeout_ms, code_sha256]).encode()
    ).hexdigest()
    return aws.lambda_.Invocation(
        f"{name}-bootstrap-run",
        function_name=function.name,
        input=as_secret(payload),
        triggers={"fingerprint": fingerprint},
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[function, *depends_on], ignore_changes=["input"])
        ),
    )
