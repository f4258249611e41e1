"""IAM policy documents and ARNs, as plain data (no Pulumi): the least-privilege rules in one place.

The component renders these into ``aws.iam.RolePolicy`` resources; the analysis uses the same functions to
decide whether a role grants what a function needs. aws-cdk#12415 is the classic mistake here: an
``rds-db:connect`` grant on the database ARN instead of the ``dbuser`` ARN with the resource id.
"""

from __future__ import annotations

from typing import Any, Literal

PolicyDocument = dict[str, Any]
TargetKind = Literal["proxy", "instance", "cluster"]

LAMBDA_ASSUME_ROLE: PolicyDocument = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}

RDS_ASSUME_ROLE: PolicyDocument = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}

MONITORING_ASSUME_ROLE: PolicyDocument = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

# AWS managed policies and the actions they grant (what the analysis needs to know about them).
BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
ENI_MANAGEMENT_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

# AWSLambdaENIManagementAccess v2 (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
# AWSLambdaENIManagementAccess.html, read 2026-12-01): the five ENI actions, no DescribeSubnets.
ENI_MANAGEMENT_ACTIONS: tuple[str, ...] = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
# The EC2 actions of AWSLambdaVPCAccessExecutionRole v3 (edited 2024-01-05; https://docs.aws.amazon.com/
# aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html, read 2026-12-01): AWS added
# ec2:DescribeSubnets to what Lambda's service needs for VPC functions; our inline policy grants the same.
ENI_ACTIONS: tuple[str, ...] = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
LOG_ACTIONS: tuple[str, ...] = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

MANAGED_POLICY_ACTIONS: dict[str, tuple[str, ...]] = {
    BASIC_EXECUTION_POLICY_ARN: LOG_ACTIONS,
    VPC_ACCESS_POLICY_ARN: LOG_ACTIONS + ENI_ACTIONS,
    ENI_MANAGEMENT_POLICY_ARN: ENI_MANAGEMENT_ACTIONS,
}

# IAM condition operators that compare exactly: a `*` or `?` in their value is a literal character, so a
# wildcard there never matches (use the ...Like operators). ArnEquals is not among them: ARN operators
# match wildcards per ARN segment whichever of ArnEquals/ArnLike is used.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
# (read 2026-12-01); https://iam.cloudcopilot.io/resources/operators/ArnNotEqualsIfExists
EXACT_STRING_OPERATORS: frozenset[str] = frozenset(
    {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
)


def secretsmanager_service(region: str) -> str:
    """The ``kms:ViaService`` value for Secrets Manager in ``region`` (exact: it is compared with
    StringEquals). https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    #conditions-kms-via-service

    >>> secretsmanager_service("eu-west-1")
    'secretsmanager.eu-west-1.amazonaws.com'
    """
    return f"secretsmanager.{region}.amazonaws.com"


def exact_operator_wildcards(document: PolicyDocument) -> list[tuple[str, str, str]]:
    """``(operator, key, value)`` for every exact string condition whose value holds ``*`` or ``?``.

    Set-qualified (``ForAnyValue:``/``ForAllValues:``) and ``...IfExists`` forms count too: they compare
    the same way.
    """
    found: list[tuple[str, str, str]] = []
    statements = document.get("Statement", [])
    for st in [statements] if isinstance(statements, dict) else statements:
        if not isinstance(st, dict):
            continue
        conditions = st.get("Condition") or {}
        if not isinstance(conditions, dict):
            continue
        for op, block in conditions.items():
            base = str(op).split(":", 1)[-1].removesuffix("IfExists")
            if base not in EXACT_STRING_OPERATORS or not isinstance(block, dict):
                continue
            for key, values in block.items():
                for v in [values] if isinstance(values, str) else list(values or []):
                    if isinstance(v, str) and ("*" in v or "?" in v):
                        found.append((str(op), str(key), v))
    return found


def rds_db_connect_arn(region: str, account_id: str, kind: TargetKind, resource_id: str, db_user: str) -> str:
    """The ARN ``rds-db:connect`` must name (REFERENCE.md item 6).

    ``resource_id`` is the proxy id (``prx-…``, the last part of the proxy ARN), the instance's
    ``DbiResourceId`` (``db-…``) or the cluster's ``ClusterResourceId`` (``cluster-…``).

    >>> rds_db_connect_arn("us-east-1", "123456789012", "proxy", "prx-0abc", "app")
    'arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-0abc/app'
    """
    expected_prefix = {"proxy": "prx-", "instance": "db-", "cluster": "cluster-"}[kind]
    if not resource_id.startswith(expected_prefix):
        raise ValueError(f"{kind} resource id must start with {expected_prefix!r}, got {resource_id!r}")
    return f"arn:aws:rds-db:{region}:{account_id}:dbuser:{resource_id}/{db_user}"


def proxy_id_from_arn(proxy_arn: str) -> str:
    """``arn:aws:rds:us-east-1:123:db-proxy:prx-0abc`` -> ``prx-0abc``."""
    return proxy_arn.rsplit(":", 1)[-1]


def rds_connect_policy(connect_arn: str, *more_arns: str) -> PolicyDocument:
    """rds-db:connect on exactly these dbuser ARNs (more than one: an RDS instance and its read replicas,
    each with its own DbiResourceId)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ConnectAsAppUser",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": [connect_arn, *more_arns] if more_arns else connect_arn,
            }
        ],
    }


def read_secret_policy(secret_arn: str, kms_key_arn: str | None = None, region: str = "") -> PolicyDocument:
    """GetSecretValue on exactly one secret, and Decrypt with its key when it is a customer key.

    The Decrypt grant is limited to calls Secrets Manager makes on the caller's behalf in ``region``
    (``kms:ViaService``, compared exactly: a wildcard there never matches, so the region is required
    with a key).
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadOneSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret_arn,
        }
    ]
    if kms_key_arn:
        if not region:
            raise ValueError("read_secret_policy: a region is required with a KMS key (kms:ViaService)")
        statements.append(
            {
                "Sid": "DecryptThatSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": secretsmanager_service(region)}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def eni_policy() -> PolicyDocument:
    """What a VPC-attached function needs for its ENIs. ``Resource: *`` is required by EC2 for these."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ManageVpcEnis", "Effect": "Allow", "Action": list(ENI_ACTIONS), "Resource": "*"}
        ],
    }


def log_policy(log_group_arn: str) -> PolicyDocument:
    """Write to the function's own log group only (no CreateLogGroup: the component owns the group)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }


def flow_logs_assume_role() -> PolicyDocument:
    """The VPC flow logs role's trust policy: assumed by the flow logs service only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def flow_logs_policy(log_group_arn: str) -> PolicyDocument:
    """What VPC flow logs may do: write streams of exactly one log group (no CreateLogGroup: the component
    owns the group)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }


def statement_actions(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def statement_resources(statement: dict[str, Any]) -> list[str]:
    resource = statement.get("Resource", [])
    return [resource] if isinstance(resource, str) else list(resource)


def _matches(pattern: str, value: str) -> bool:
    """IAM wildcard match (``*`` any run, ``?`` one character), case-sensitive as IAM resources are."""
    import fnmatch

    return fnmatch.fnmatchcase(value, pattern)


def allows(documents: list[PolicyDocument], action: str, resource: str = "*") -> bool:
    """Whether any Allow statement grants ``action`` on ``resource`` and no Deny statement removes it.

    Conditions are not evaluated (treated as satisfied): the analysis reports on intent, not on
    request context. Action names compare case-insensitively, as IAM does.
    """
    allowed = False
    for doc in documents:
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        for st in statements:
            acts = [a.lower() for a in statement_actions(st)]
            if not any(_matches(a, action.lower()) for a in acts):
                continue
            if not any(_matches(r, resource) for r in statement_resources(st) or ["*"]):
                continue
            if st.get("Effect") == "Deny":
                return False
            if st.get("Effect") == "Allow":
                allowed = True
    return allowed


# Secrets Manager rotation (resources/rotation.py): exactly what the four rotation steps call.
ROTATION_ACTIONS: tuple[str, ...] = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)


def rotation_policy(secret_arn: str, kms_key_arn: str | None, region: str) -> PolicyDocument:
    """What the rotation function may do: the four rotation actions on exactly one secret, and with a
    customer key Decrypt/GenerateDataKey only through Secrets Manager in `region`."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "RotateOneSecret",
            "Effect": "Allow",
            "Action": list(ROTATION_ACTIONS),
            "Resource": secret_arn,
        }
    ]
    if kms_key_arn:
        statements.append(
            {
                "Sid": "UseThatSecretsKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": secretsmanager_service(region)}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def invoke_function_policy(function_arn: str) -> PolicyDocument:
    """Invoking exactly one function (the bootstrap's launcher may invoke the bootstrap, nothing else)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeTheBootstrap",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": function_arn,
            }
        ],
    }
