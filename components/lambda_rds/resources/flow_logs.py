"""VPC flow logs wiring: the log group with its retention, the role flow logs assume, and the flow log itself.

The role's trust policy and its write grant are plain documents in `rules/iam.py`.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.scope import Scope
from lambda_rds.rules import iam
from lambda_rds.settings import Settings


def build_flow_logs(scope: Scope, s: Settings, vpc: aws.ec2.Vpc) -> None:
    """Flow logs of the VPC we own (accepted and rejected traffic), in a log group of ours kept for
    `network.flow_logs_retention_days`."""
    name, opts, tags = scope.name, scope.opts, scope.tags
    group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name=f"/lambda-rds/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/vpc-flow-logs",
        retention_in_days=s.network.flow_logs_retention_days,
        tags=tags,
        opts=opts,
    )
    role = aws.iam.Role(
        f"{name}-flow-logs-role",
        assume_role_policy=json.dumps(iam.flow_logs_assume_role()),
        tags=tags,
        opts=opts,
    )
    aws.iam.RolePolicy(
        f"{name}-flow-logs-policy",
        role=role.id,
        policy=group.arn.apply(lambda arn: json.dumps(iam.flow_logs_policy(arn))),
        opts=opts,
    )
    aws.ec2.FlowLog(
        f"{name}-flow-log",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination=group.arn,
        log_destination_type="cloud-watch-logs",
        iam_role_arn=role.arn,
        tags=tags,
        opts=opts,
    )
