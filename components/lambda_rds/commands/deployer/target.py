"""The stack a deployer policy is for, and the physical names the component derives from it.

Pure data and small functions, no Pulumi: each name's start as the component's resources build it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """The stack a policy is for: the names the component derives its physical names from, and where."""

    project: str
    stack: str
    name: str
    """The component's name (`lambda-rds:name`): the start of every auto-generated physical name."""
    db_identifier: str
    """The RDS instance or cluster identifier (`database.identifier`, or project-stack-component)."""
    region: str = "*"
    account: str = "*"
    partition: str = "aws"
    kms_key_arn: str | None = None
    """`database.kms_key_arn`; None: RDS's and Secrets Manager's AWS managed keys."""
    vpc_id: str | None = None
    """`network.vpc_id`: the VPC you bring, named by its id (None: the component creates and tags one)."""
    subnet_ids: tuple[str, ...] = ()
    """`network.private_subnet_ids` of the VPC you bring."""
    migrate: bool = False
    """The one-off `--migrate` policy, for the first `up` of a stack deployed before the stack tags (or
    after `pulumi stack rename`): what carries no stack tag counts as this stack's. Replace it after."""
    renamed_from: Target | None = None
    """`--renamed-from`: the stack's names and tags before `pulumi stack rename` (with `migrate`)."""

    def arn(
        self, service: str, resource: str, *, account: str | None = None, region: str | None = None
    ) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        where = self.region if region is None else region
        return f"arn:{self.partition}:{service}:{where}:{account or self.account}:{resource}"

    def iam_arn(self, resource: str) -> str:
        """IAM ARNs name no region."""
        return f"arn:{self.partition}:iam::{self.account}:{resource}"

    def stacks(self) -> list[str]:
        """The values the stack tag may have: this stack's, and its old name's after a rename."""
        return [self.stack, *([self.renamed_from.stack] if self.renamed_from else [])]


def replica_prefix(identifier: str) -> str:
    """What every read replica identifier of ``identifier`` starts with: `<identifier>-replica-`, or the
    identifier's start where `rules.identifiers.replica_identifier` cuts it to fit 63 characters (two-digit
    replica numbers taken into account)."""
    suffix = "-replica-"
    longest = len(suffix) + 2
    if len(identifier) + longest <= 63:
        return identifier + suffix
    return identifier[: 63 - longest].rstrip("-")


def log_group_prefix(t: Target) -> str:
    """`/lambda-rds/<project>/<stack>/<component>/`: resources.lambda_function.log_group_name's start,
    with the characters CreateLogGroup refuses replaced the same way."""
    return re.sub(r"[^.\-_/#A-Za-z0-9]", "-", f"/lambda-rds/{t.project}/{t.stack}/{t.name}/")


def layer_prefix(t: Target) -> str:
    """`<component>-<project>-<stack>-deps-`: resources.layers.layer_name's start (140 characters at most;
    a longer name is cut at 131 and ends with a digest)."""
    raw = re.sub(r"[^a-zA-Z0-9_-]", "-", f"{t.name}-{t.project}-{t.stack}-deps-")
    return raw if len(raw) <= 131 else raw[:131]


def default_group_name(t: Target) -> str:
    """The `Name` the component gives the adopted default group (resources/network.py)."""
    return f"{t.name}-default-closed"


def dns_suffix(partition: str) -> str:
    """The domain of the partition's endpoints: `amazonaws.com.cn` in China (sources.CHINA_ENDPOINTS),
    `amazonaws.com` in the others."""
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
