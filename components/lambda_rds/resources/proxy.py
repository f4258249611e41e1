"""RDS Proxy wiring: proxy, default target group with the pool settings, target, and the proxy's role.

`iam` mode uses end-to-end IAM (`default_auth_scheme="IAM_AUTH"`, REFERENCE.md): clients present IAM
tokens and the proxy connects to the database with its own role, so no secret sits between them. `secret`
mode keeps the classic SECRETS auth with a role that can read exactly the app secret. TLS is required
either way (seed 003 turned it off; we never do).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.app_secret import AppSecret
from lambda_rds.resources.computed import known
from lambda_rds.resources.database import Database
from lambda_rds.resources.network import Network
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import iam
from lambda_rds.rules.identifiers import proxy_endpoint_name
from lambda_rds.settings import Auth, Settings


@dataclass
class Proxy:
    endpoint: pulumi.Output[str]
    arn: pulumi.Output[str]
    proxy_id: pulumi.Output[str]
    """`prx-…`: what the functions' rds-db:connect ARN names."""
    ready: list[pulumi.Resource]
    reader_endpoint: pulumi.Output[str] | None = None
    """The read-only proxy endpoint (Aurora with `database.readers`), else None."""
    name: pulumi.Output[str] | None = None
    """The proxy's name: the `ProxyName` its CloudWatch metrics carry (resources/monitoring.py)."""


def build_proxy(
    scope: Scope, s: Settings, net: Network, db: Database, secret: AppSecret | None
) -> Proxy | None:
    """With `proxy`: RDS Proxy in front of the database, its role, pool settings and target; else None."""
    if not s.proxy:
        return None
    assert s.proxy_settings is not None and net.proxy_sg_id is not None
    name, region, account_id, opts, tags = scope.name, scope.region, scope.account_id, scope.opts, scope.tags
    subnet_ids, security_group_id = net.private_subnet_ids, net.proxy_sg_id
    app_secret_arn = secret.arn if secret else None
    role = aws.iam.Role(
        f"{name}-proxy-role", assume_role_policy=json.dumps(iam.RDS_ASSUME_ROLE), tags=tags, opts=opts
    )
    if s.auth is Auth.IAM:
        policy = db.resource_id.apply(
            lambda rid: json.dumps(
                iam.rds_connect_policy(
                    iam.rds_db_connect_arn(region, account_id, db.kind, rid, s.database.app_username)
                )
            )
        )
        auths = None
        default_auth_scheme: str | None = "IAM_AUTH"
    else:
        assert app_secret_arn is not None
        kms_key = (
            s.database.kms_key_arn
        )  # the app secret is encrypted with the database's key when one is given
        policy = app_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, kms_key, region)))
        client_auth = (
            "POSTGRES_SCRAM_SHA_256" if s.database.family == "postgres" else "MYSQL_CACHING_SHA2_PASSWORD"
        )
        auths = [
            aws.rds.ProxyAuthArgs(
                auth_scheme="SECRETS",
                secret_arn=app_secret_arn,
                iam_auth="DISABLED",
                client_password_auth_type=client_auth,
                description="app user password from the component's secret",
            )
        ]
        default_auth_scheme = None
    role_policy = aws.iam.RolePolicy(f"{name}-proxy-policy", role=role.id, policy=policy, opts=opts)

    proxy = aws.rds.Proxy(
        f"{name}-proxy",
        engine_family=s.database.proxy_engine_family,
        role_arn=role.arn,
        vpc_subnet_ids=subnet_ids,
        vpc_security_group_ids=[security_group_id],
        require_tls=True,
        idle_client_timeout=s.proxy_settings.idle_client_timeout_s,
        debug_logging=False,  # debug logs print SQL text, which may contain data
        default_auth_scheme=default_auth_scheme,
        auths=auths,
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[role_policy])),
    )
    p = s.proxy_settings
    target_group = aws.rds.ProxyDefaultTargetGroup(
        f"{name}-proxy-pool",
        db_proxy_name=proxy.name,
        connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
            max_connections_percent=p.max_connections_percent,
            max_idle_connections_percent=p.max_idle_connections_percent,
            connection_borrow_timeout=p.connection_borrow_timeout_s,
        ),
        opts=opts,
    )
    target_args: dict[str, pulumi.Input[str]] = (
        {"db_cluster_identifier": db.identifier}
        if db.kind == "cluster"
        else {"db_instance_identifier": db.identifier}
    )
    target = aws.rds.ProxyTarget(
        f"{name}-proxy-target",
        db_proxy_name=proxy.name,
        target_group_name=target_group.name,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=db.ready)),
        **target_args,
    )
    reader_endpoint = None
    ready: list[pulumi.Resource] = [proxy, target]
    if s.database.readers and db.kind == "cluster":
        # Read-only endpoints are for Aurora clusters only, and need reader instances to exist
        # (sources.RDS_PROXY_ENDPOINTS); settings refuse readers with a proxy on RDS engines. The endpoint
        # shares the proxy's subnets and security group, so the function -> proxy rule on the engine port
        # and the proxy -> database rule cover the read path too. No separate charge: RDS Proxy is billed
        # per vCPU of the database instances behind it (sources.RDS_PROXY_PRICING).
        ro = aws.rds.ProxyEndpoint(
            f"{name}-proxy-read",
            db_proxy_name=proxy.name,
            db_proxy_endpoint_name=db.identifier.apply(proxy_endpoint_name),
            vpc_subnet_ids=subnet_ids,
            vpc_security_group_ids=[security_group_id],
            target_role="READ_ONLY",
            tags=tags,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[target, *db.readers])),
        )
        reader_endpoint = known(ro.endpoint, f"{name}-proxy-read.placeholder.rds.invalid", "proxy endpoint")
        ready.append(ro)
    return Proxy(
        name=proxy.name,
        reader_endpoint=reader_endpoint,
        endpoint=known(proxy.endpoint, f"{name}-proxy.placeholder.rds.invalid", "proxy endpoint"),
        arn=proxy.arn,
        proxy_id=known(
            proxy.arn, "arn:aws:rds:placeholder:000000000000:db-proxy:prx-PLACEHOLDER", "proxy ARN"
        ).apply(iam.proxy_id_from_arn),
        ready=ready,
    )
