"""Lambda, IAM and Secrets Manager answers -> ``Resource``: functions, roles, managed policies, secrets.

Function environments keep only the runtime's contract variables (``DB_*``, a connection URL's password cut
out of the hosts) and the two markers of the component's own functions (``MARKER_ENV``): anything else may
be a secret and is none of the analysis's business.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from lambda_rds.analysis.checks.capacity import DEPLOY_TASK_ENV
from lambda_rds.analysis.checks.reachability.aws_api import ROTATION_SECRET_ENV
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_FUNCTION,
    T_POLICY,
    T_ROLE,
    T_SECRET,
    T_SECRET_ROTATION,
)
from lambda_rds.doctor.normalise.common import record

# The runtime's environment contract (docs/inside-the-function.md, "Environment contract").
CONTRACT_ENV = frozenset(
    {
        "DB_ENGINE",
        "DB_HOST",
        "DB_READ_HOST",  # the readers (database.readers): reach.db-read checks each host's path
        "DB_PORT",
        "DB_NAME",
        "DB_USER",
        "DB_AUTH",
        "DB_SECRET_ARN",
        "DB_CA_BUNDLE",
        "DB_CONNECT_TIMEOUT",
    }
)
# The component's own functions say what they are in their environment, and the checks read it: the
# rotation function (ROTATION_SECRET_ARN, an ARN like DB_SECRET_ARN) runs one step at a time in the reserved
# headroom, the deploy-time bootstrap (LAMBDA_RDS_DEPLOY_TASK, a flag) once per deploy. Dropped, a healthy
# stack's rotation function counts as an unreserved function on the database: a false capacity failure.
MARKER_ENV = frozenset({ROTATION_SECRET_ENV, DEPLOY_TASK_ENV})
KEPT_ENV = CONTRACT_ENV | MARKER_ENV


def policy_document(value: Any) -> dict[str, Any] | None:
    """IAM documents arrive decoded (boto3) or URL-encoded JSON (raw API, some recordings)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        for text in (value, urllib.parse.unquote(value)):
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            return doc if isinstance(doc, dict) else None
    return None


# The contract's host variables: a host name never has "user:password@" in it, but a connection URL pasted
# there does, and doctor prints DB_HOST when it matches nothing.
HOST_ENV = frozenset({"DB_HOST", "DB_READ_HOST"})
_USERINFO = re.compile(r"(^|://|,)(\s*)[^/@\s,]+@")


def without_credentials(value: str) -> str:
    """``postgresql://app:pw@db.example.com/app`` -> ``postgresql://<credentials removed>@db.example.com/app``
    (each comma-separated host too); a plain host name is returned unchanged."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}<credentials removed>@", value)


def function(config: Mapping[str, Any], reserved: int | None) -> Resource:
    """``GetFunctionConfiguration`` (or a ``ListFunctions`` item) plus ``GetFunctionConcurrency``."""
    name = str(config["FunctionName"])
    vpc_config = config.get("VpcConfig") or {}
    variables = (config.get("Environment") or {}).get("Variables") or {}
    outputs: dict[str, Any] = {
        "name": name,
        "arn": config.get("FunctionArn"),
        "role": config.get("Role"),
        "timeout": config.get("Timeout"),
        "memorySize": config.get("MemorySize"),
        "reservedConcurrentExecutions": reserved,
        "environment": {
            "variables": {
                k: without_credentials(str(v)) if k in HOST_ENV else v
                for k, v in variables.items()
                if k in KEPT_ENV
            }
        },
        "runtime": config.get("Runtime"),
        "architectures": list(config.get("Architectures") or ["x86_64"]),
    }
    if vpc_config.get("SubnetIds"):
        # Not VpcConfig.VpcId: the subnets decide the VPC (and moto answers a fixed placeholder there).
        outputs["vpcConfig"] = {
            "subnetIds": list(vpc_config["SubnetIds"]),
            "securityGroupIds": list(vpc_config.get("SecurityGroupIds") or []),
        }
    return record(T_FUNCTION, name, name, outputs, str(config.get("FunctionArn") or name))


def role(item: Mapping[str, Any], inline: Mapping[str, Any], managed_arns: Sequence[str]) -> Resource:
    """``GetRole`` + each ``GetRolePolicy`` document (by policy name) + ``ListAttachedRolePolicies`` ARNs."""
    name = str(item["RoleName"])
    return record(
        T_ROLE,
        name,
        name,
        {
            "name": name,
            "arn": item.get("Arn"),
            "inlinePolicies": [
                {"name": pname, "policy": json.dumps(parsed)}
                for pname, raw in sorted(inline.items())
                if (parsed := policy_document(raw)) is not None
            ],
            "managedPolicyArns": list(managed_arns),
            "permissionsBoundary": (item.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        },
        str(item.get("Arn") or name),
    )


def managed_policy(arn: str, name: str, document: Any) -> Resource | None:
    """A managed policy's default version (``GetPolicy`` + ``GetPolicyVersion``)."""
    doc = policy_document(document)
    if doc is None:
        return None
    return record(T_POLICY, name, arn, {"arn": arn, "name": name, "policy": json.dumps(doc)}, arn)


def secret(item: Mapping[str, Any]) -> list[Resource]:
    """``DescribeSecret`` (metadata only: doctor never reads a secret's value)."""
    arn = str(item["ARN"])
    name = str(item.get("Name") or arn)
    out = [record(T_SECRET, name, arn, {"arn": arn, "name": name, "kmsKeyId": item.get("KmsKeyId")}, arn)]
    if item.get("RotationEnabled"):
        days = (item.get("RotationRules") or {}).get("AutomaticallyAfterDays")
        out.append(
            record(
                T_SECRET_ROTATION,
                f"{name} rotation",
                f"{arn}/rotation",
                {"secretId": arn, "rotationRules": {"automaticallyAfterDays": days}},
            )
        )
    return out
