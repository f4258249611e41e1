"""How functions reach the database, as one intent: host, read host, grant, environment.

CDK's "allow this function to connect": the host to connect to, the read host, the one grant that lets
a function authenticate, and the environment contract, decided together.

The network module opens the matching security group path; this handle is what every app function, and
every function you attach yourself (the `function_environment` output), is given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from lambda_rds.resources.app_secret import AppSecret
from lambda_rds.resources.database import Database
from lambda_rds.resources.lambda_function import CA_BUNDLE_PATH
from lambda_rds.resources.proxy import Proxy
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import iam
from lambda_rds.settings import Auth, Settings


@dataclass(frozen=True)
class Connection:
    host: pulumi.Output[str]
    """The proxy endpoint with a proxy, else the database's writer endpoint."""
    read_host: pulumi.Output[str] | None
    """With `database.readers`: the proxy's read-only endpoint (Aurora + proxy), else the cluster's reader
    endpoint or the RDS replicas' hosts; None without readers (no DB_READ_HOST)."""
    grant: pulumi.Output[str]
    """The policy JSON that lets a function authenticate (rds-db:connect, or reading the app secret)."""
    app_secret_arn: pulumi.Output[str] | None
    """`secret` auth: the app secret (DB_SECRET_ARN)."""


def connect_policy(
    s: Settings,
    *,
    region: str,
    account_id: str,
    kind: iam.TargetKind,
    resource_id: pulumi.Output[str],
    app_secret_arn: pulumi.Output[str] | None,
    replica_resource_ids: Sequence[pulumi.Output[str]] = (),
) -> pulumi.Output[str]:
    """The one grant that lets a function authenticate: rds-db:connect on the exact ARN (and on each RDS
    read replica's own `db-…` ARN: DB_READ_HOST names them directly), or reading the app secret (with the
    database's KMS key, which encrypts it, when one is given)."""
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
    kms_key_arn = s.database.kms_key_arn
    return app_secret_arn.apply(lambda arn: json.dumps(iam.read_secret_policy(arn, kms_key_arn, region)))


def build_connection(
    scope: Scope, s: Settings, db: Database, secret: AppSecret | None, proxy: Proxy | None
) -> Connection:
    """Where functions connect and what they are granted: through the proxy when there is one."""
    secret_arn = secret.arn if secret else None
    read_host = proxy.reader_endpoint if proxy and proxy.reader_endpoint is not None else db.reader_host
    grant = connect_policy(
        s,
        region=scope.region,
        account_id=scope.account_id,
        kind="proxy" if proxy else db.kind,
        resource_id=proxy.proxy_id if proxy else db.resource_id,
        app_secret_arn=secret_arn,
        # Through a proxy the replicas are the proxy's business; directly, each has its own `db-…` ARN.
        replica_resource_ids=[] if proxy else db.replica_resource_ids,
    )
    return Connection(proxy.endpoint if proxy else db.host, read_host, grant, secret_arn)


def connection_env(
    s: Settings, connection: Connection, connect_timeout_s: int
) -> dict[str, pulumi.Input[str]]:
    """The environment contract (component -> runtime, docs/inside-the-function.md), built here. DB_READ_HOST
    only with `database.readers` (the reader endpoint, the proxy's read-only endpoint, or the RDS
    replicas' hosts comma-separated)."""
    env: dict[str, pulumi.Input[str]] = {
        "DB_ENGINE": s.database.family,
        "DB_HOST": connection.host,
        "DB_PORT": str(s.database.port),
        "DB_NAME": s.database.db_name,
        "DB_USER": s.database.app_username,
        "DB_AUTH": s.auth.value,
        "DB_CA_BUNDLE": CA_BUNDLE_PATH,
        "DB_CONNECT_TIMEOUT": str(connect_timeout_s),
    }
    if s.auth is Auth.SECRET and connection.app_secret_arn is not None:
        env["DB_SECRET_ARN"] = connection.app_secret_arn
    if s.database.readers and connection.read_host is not None:
        env["DB_READ_HOST"] = connection.read_host
    return env
