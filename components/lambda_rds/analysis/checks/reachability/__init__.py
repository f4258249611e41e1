"""Reachability verdicts: will this function actually reach its database and the AWS APIs it needs?

Each verdict has a stable id (below), the function or database it concerns, a status (pass / fail /
unknown), the evidence that made it pass, or the exact missing piece and a fix. ``unknown`` means the
resources do not say (e.g. ids computed during a preview); it never fails a plan.

Verdict ids:
- ``reach.db-port``          function -> database or proxy: VPC, security groups both ways, NACLs, DB_PORT
- ``reach.db-read``          function -> each host of DB_READ_HOST (``database.readers``): the proxy's
                             read-only endpoint, the cluster's reader endpoint or each RDS read replica
                             on the port, and with IAM auth rds-db:connect on each replica's own ARN
- ``reach.proxy-db``         proxy -> each target database
- ``reach.aws-api``          function -> Secrets Manager / STS / KMS (interface endpoint with private DNS,
                             a regional NAT gateway in a VPC with an internet gateway, or a zonal one in a
                             public subnet), for each service the function needs
- ``reach.db-internet``      the database is not reachable from the internet
- ``net.function-private``   the function's subnets do not route 0.0.0.0/0 to an internet gateway
- ``iam.eni``                the role may manage the function's ENIs
- ``iam.db-connect``         IAM auth: ``rds-db:connect`` on the exact dbuser ARN (proxy / instance / cluster)
- ``iam.secret-read``        ``secretsmanager:GetSecretValue`` on DB_SECRET_ARN (and kms:Decrypt for a CMK)
- ``capacity.connections``   the database holds the functions' concurrency (max_connections by class)
- ``timeout.connect``        the function's timeout exceeds its connect timeout
- ``ha.function-azs``, ``ha.database-azs``, ``ha.proxy-azs``   subnets in at least 2 AZs

Modules by job: ``database`` (paths to the database, proxy and readers; internet exposure),
``aws_api`` (AWS APIs the function needs and how it reaches them; private subnets), ``permissions``
(the role's IAM grants), ``resilience`` (connect timeout, Availability Zones) and ``evaluation``
(``evaluate``: which checks each function, proxy and database gets, in reading order).
"""

from __future__ import annotations

from lambda_rds.analysis.checks.reachability.aws_api import (
    ROTATION_SECRET_ENV,
    check_aws_api,
    check_function_private,
    needed_services,
)
from lambda_rds.analysis.checks.reachability.database import (
    check_db_internet,
    check_db_port,
    check_db_read,
    check_proxy_db,
    function_endpoint,
    target_endpoint,
)
from lambda_rds.analysis.checks.reachability.evaluation import evaluate
from lambda_rds.analysis.checks.reachability.permissions import check_db_connect, check_eni, check_secret_read
from lambda_rds.analysis.checks.reachability.resilience import (
    PROXY_UNSUPPORTED_AZ_IDS,
    check_azs,
    check_timeout,
)
from lambda_rds.analysis.checks.verdict import Verdict

VERDICT_IDS: tuple[str, ...] = (
    "reach.db-port",
    "reach.db-read",
    "reach.proxy-db",
    "reach.aws-api",
    "reach.db-internet",
    "net.function-private",
    "iam.eni",
    "iam.db-connect",
    "iam.secret-read",
    "capacity.connections",
    "timeout.connect",
    "ha.function-azs",
    "ha.database-azs",
    "ha.proxy-azs",
)

__all__ = [
    "PROXY_UNSUPPORTED_AZ_IDS",
    "ROTATION_SECRET_ENV",
    "VERDICT_IDS",
    "Verdict",
    "check_aws_api",
    "check_azs",
    "check_db_connect",
    "check_db_internet",
    "check_db_port",
    "check_db_read",
    "check_eni",
    "check_function_private",
    "check_proxy_db",
    "check_secret_read",
    "check_timeout",
    "evaluate",
    "function_endpoint",
    "needed_services",
    "target_endpoint",
]
