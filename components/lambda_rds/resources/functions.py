"""The app functions, each in the VPC with its own role and the connection environment.

Each role holds exactly the connection's grant; a function asks for an AWS_IAM function URL with `url`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.bootstrap import Bootstrap
from lambda_rds.resources.connection import Connection, connection_env
from lambda_rds.resources.database import Database
from lambda_rds.resources.lambda_function import VpcPlacement, deploy_lambda
from lambda_rds.resources.layers import Layers
from lambda_rds.resources.network import Network
from lambda_rds.resources.proxy import Proxy
from lambda_rds.resources.scope import Scope
from lambda_rds.settings import FunctionSettings, Settings


@dataclass(frozen=True)
class DeployedFunction:
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    url: pulumi.Output[str] | None = None


def build_function(
    scope: Scope,
    s: Settings,
    fn: FunctionSettings,
    *,
    layer: aws.lambda_.LayerVersion,
    vpc: VpcPlacement,
    connection: Connection,
    depends_on: list[pulumi.Resource],
) -> DeployedFunction:
    """One app function (`<component>-fn-<name>`): the connection environment, then its own variables."""
    env = {**connection_env(s, connection, fn.connect_timeout_s), **dict(fn.environment)}
    deployed = deploy_lambda(
        scope,
        f"fn-{fn.name}",
        fn,
        env=env,
        grants={"db": connection.grant},
        layer=layer,
        vpc=vpc,
        depends_on=depends_on,
    )
    function = deployed.function
    url = None
    if fn.url:
        # AWS_IAM only: a URL with auth NONE is publicly invokable (FSBP Lambda.1), which the plan fails.
        url = aws.lambda_.FunctionUrl(
            f"{scope.name}-fn-{fn.name}-url",
            function_name=function.name,
            authorization_type="AWS_IAM",
            opts=scope.opts,
        ).function_url
    return DeployedFunction(function.name, function.arn, deployed.role.arn, url)


def build_functions(
    scope: Scope,
    s: Settings,
    net: Network,
    db: Database,
    proxy: Proxy | None,
    connection: Connection,
    layers: Layers,
    bootstrap: Bootstrap,
) -> dict[str, DeployedFunction]:
    """Every app function, by its logical name. They start once the network, the bootstrap (the app user
    exists), the proxy and the readers (DB_READ_HOST names them) do."""
    after: list[pulumi.Resource] = [
        *net.ready,
        bootstrap.run,
        *(proxy.ready if proxy else []),
        *db.readers,
    ]
    vpc = VpcPlacement(net.private_subnet_ids, net.function_sg_id)
    return {
        fn.name: build_function(
            scope, s, fn, layer=layers.for_function(fn), vpc=vpc, connection=connection, depends_on=after
        )
        for fn in s.functions
    }
