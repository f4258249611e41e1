"""`lambda-rds deployer-policy`: the IAM policy that running `pulumi up` needs.

One statement per resource type the component registers and per lookup it makes; the tests check it
covers them, so it stays in step with the code (pure data, no Pulumi).

Per resource type: the API actions the AWS provider (terraform-provider-aws, bridged by pulumi-aws) calls to
create, read, update, tag and delete it. Most of these actions do not support resource-level scoping
on create (EC2 ``Describe*``, ``CreateVpc``...), so statements use ``Resource: *``; what can be bounded is:
``iam:PassRole`` only to the services the component hands roles to, and the one service-linked role RDS
needs. Print it with ``lambda-rds deployer-policy``; docs/deploying.md embeds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

_TAGS_EC2 = ("ec2:CreateTags", "ec2:DeleteTags")
_TAGS_RDS = ("rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource")
_KMS_FOR_RDS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")
# With manage_master_user_password RDS creates and tags the master secret on the caller's behalf.
_MASTER_SECRET = ("secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:RotateSecret")

RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": (
        "ec2:CreateVpc",
        "ec2:DeleteVpc",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        *_TAGS_EC2,
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSecurityGroupRules",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        *_TAGS_EC2,
    ),
    "aws:ec2/subnet:Subnet": (
        "ec2:CreateSubnet",
        "ec2:DeleteSubnet",
        "ec2:DescribeSubnets",
        "ec2:ModifySubnetAttribute",
        *_TAGS_EC2,
    ),
    "aws:ec2/routeTable:RouteTable": (
        "ec2:CreateRouteTable",
        "ec2:DeleteRouteTable",
        "ec2:DescribeRouteTables",
        *_TAGS_EC2,
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:DescribeRouteTables",
    ),
    "aws:ec2/route:Route": (
        "ec2:CreateRoute",
        "ec2:DeleteRoute",
        "ec2:ReplaceRoute",
        "ec2:DescribeRouteTables",
    ),
    "aws:ec2/internetGateway:InternetGateway": (
        "ec2:CreateInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:DescribeInternetGateways",
        *_TAGS_EC2,
    ),
    "aws:ec2/eip:Eip": (
        "ec2:AllocateAddress",
        "ec2:ReleaseAddress",
        "ec2:DescribeAddresses",
        "ec2:DisassociateAddress",
        *_TAGS_EC2,
    ),
    "aws:ec2/natGateway:NatGateway": (
        "ec2:CreateNatGateway",
        "ec2:DeleteNatGateway",
        "ec2:DescribeNatGateways",
        *_TAGS_EC2,
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:DescribeSecurityGroups",
        # A new group's default allow-all egress rule is revoked by the provider.
        "ec2:RevokeSecurityGroupEgress",
        # Deletion waits for Lambda's ENIs to let go of the group.
        "ec2:DescribeNetworkInterfaces",
        *_TAGS_EC2,
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:ModifySecurityGroupRules",
        "ec2:DescribeSecurityGroupRules",
        *_TAGS_EC2,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifySecurityGroupRules",
        "ec2:DescribeSecurityGroupRules",
        *_TAGS_EC2,
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        "ec2:CreateVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:DescribeVpcEndpoints",
        "ec2:ModifyVpcEndpoint",
        "ec2:DescribeVpcEndpointServices",
        "ec2:DescribePrefixLists",
        *_TAGS_EC2,
    ),
    "aws:ec2/flowLog:FlowLog": (
        "ec2:CreateFlowLogs",
        "ec2:DeleteFlowLogs",
        "ec2:DescribeFlowLogs",
        *_TAGS_EC2,
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:ListTagsForResource",
    ),
    "aws:iam/role:Role": (
        "iam:CreateRole",
        "iam:GetRole",
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
    ),
    "aws:iam/rolePolicy:RolePolicy": ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
    ),
    "aws:lambda/function:Function": (
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunction",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction",
        "lambda:TagResource",
        "lambda:UntagResource",
        "lambda:ListTags",
        "iam:PassRole",
        # Lambda checks the VPC config; replace_security_groups_on_destroy moves the ENIs to the default
        # group.
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
        "ec2:DescribeNetworkInterfaces",
        "ec2:ModifyNetworkInterfaceAttribute",
    ),
    "aws:lambda/invocation:Invocation": ("lambda:InvokeFunction",),
    # The rotation function's resource policy: Secrets Manager may invoke it (lambda_rds.resources.rotation).
    "aws:lambda/permission:Permission": (
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:GetPolicy",
    ),
    "aws:lambda/layerVersion:LayerVersion": (
        "lambda:PublishLayerVersion",
        "lambda:GetLayerVersion",
        "lambda:DeleteLayerVersion",
    ),
    "aws:lambda/functionUrl:FunctionUrl": (
        "lambda:CreateFunctionUrlConfig",
        "lambda:GetFunctionUrlConfig",
        "lambda:UpdateFunctionUrlConfig",
        "lambda:DeleteFunctionUrlConfig",
    ),
    "aws:rds/instance:Instance": (
        "rds:CreateDBInstance",
        # database.readers on RDS: an instance with replicate_source_db is created with this operation
        # (sources.CREATE_DB_INSTANCE_READ_REPLICA), not CreateDBInstance.
        "rds:CreateDBInstanceReadReplica",
        "rds:DescribeDBInstances",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:RebootDBInstance",
        *_TAGS_RDS,
        *_KMS_FOR_RDS,
        *_MASTER_SECRET,
        "iam:PassRole",  # the enhanced-monitoring role
        "iam:CreateServiceLinkedRole",  # RDS's own role, on first use in an account
    ),
    "aws:rds/cluster:Cluster": (
        "rds:CreateDBCluster",
        "rds:DescribeDBClusters",
        "rds:ModifyDBCluster",
        "rds:DeleteDBCluster",
        *_TAGS_RDS,
        *_KMS_FOR_RDS,
        *_MASTER_SECRET,
        "iam:CreateServiceLinkedRole",
    ),
    "aws:rds/clusterInstance:ClusterInstance": (
        "rds:CreateDBInstance",
        "rds:DescribeDBInstances",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        *_TAGS_RDS,
        "iam:PassRole",
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        "rds:CreateDBParameterGroup",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:ModifyDBParameterGroup",
        "rds:ResetDBParameterGroup",
        "rds:DeleteDBParameterGroup",
        *_TAGS_RDS,
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (
        "rds:CreateDBClusterParameterGroup",
        "rds:DescribeDBClusterParameterGroups",
        "rds:DescribeDBClusterParameters",
        "rds:ModifyDBClusterParameterGroup",
        "rds:ResetDBClusterParameterGroup",
        "rds:DeleteDBClusterParameterGroup",
        *_TAGS_RDS,
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        "rds:CreateDBSubnetGroup",
        "rds:DescribeDBSubnetGroups",
        "rds:ModifyDBSubnetGroup",
        "rds:DeleteDBSubnetGroup",
        *_TAGS_RDS,
    ),
    "aws:rds/proxy:Proxy": (
        "rds:CreateDBProxy",
        "rds:DescribeDBProxies",
        "rds:ModifyDBProxy",
        "rds:DeleteDBProxy",
        *_TAGS_RDS,
        "iam:PassRole",
    ),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (
        "rds:DescribeDBProxyTargetGroups",
        "rds:ModifyDBProxyTargetGroup",
    ),
    "aws:rds/proxyTarget:ProxyTarget": (
        "rds:RegisterDBProxyTargets",
        "rds:DeregisterDBProxyTargets",
        "rds:DescribeDBProxyTargets",
    ),
    "aws:rds/proxyEndpoint:ProxyEndpoint": (
        "rds:CreateDBProxyEndpoint",
        "rds:DescribeDBProxyEndpoints",
        "rds:ModifyDBProxyEndpoint",
        "rds:DeleteDBProxyEndpoint",
        *_TAGS_RDS,
    ),
    "aws:secretsmanager/secret:Secret": (
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:UpdateSecretVersionStage",
    ),
    "aws:secretsmanager/secretRotation:SecretRotation": (
        "secretsmanager:RotateSecret",
        "secretsmanager:CancelRotateSecret",
        "secretsmanager:DescribeSecret",
        # RotateSecret: "You also need lambda:InvokeFunction permissions on the rotation function"
        # (sources.SM_ROTATE_SECRET).
        "lambda:InvokeFunction",
    ),
    # Computed locally by the random provider: no AWS call.
    "random:index/randomId:RandomId": (),
    "random:index/randomPassword:RandomPassword": (),
}

INVOKE_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws:index/getRegion:getRegion": ("ec2:DescribeRegions",),
    "aws:index/getCallerIdentity:getCallerIdentity": ("sts:GetCallerIdentity",),
    "aws:index/getPartition:getPartition": (),
    "aws:index/getAvailabilityZones:getAvailabilityZones": ("ec2:DescribeAvailabilityZones",),
    "aws:ec2/getSubnet:getSubnet": ("ec2:DescribeSubnets",),
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "kms:Decrypt",
    ),
}

# Actions that exist only as IAM permissions, not as API operations (so no API model lists them).
PERMISSION_ONLY = frozenset({"iam:PassRole"})
# IAM action names that differ from the API operation they authorise.
ACTION_OPERATION = {"lambda:InvokeFunction": "Invoke"}
# The services the component hands roles to (iam:PassRole's iam:PassedToService condition).
PASSED_TO = (
    "lambda.amazonaws.com",
    "rds.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
)


def actions_for(types: Iterable[str], invokes: Iterable[str] = ()) -> list[str]:
    """The sorted, de-duplicated actions for these resource types and invoke tokens (KeyError if unknown)."""
    found: set[str] = set()
    for t in types:
        found.update(RESOURCE_ACTIONS[t])
    for token in invokes:
        found.update(INVOKE_ACTIONS[token])
    return sorted(found)


def deployer_policy(
    types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> dict[str, Any]:
    """The policy document for the given types and invokes (default: everything the component can use)."""
    acts = actions_for(
        RESOURCE_ACTIONS if types is None else types, INVOKE_ACTIONS if invokes is None else invokes
    )
    statements: list[dict[str, Any]] = []
    by_service: dict[str, list[str]] = {}
    for action in acts:
        if action in ("iam:PassRole", "iam:CreateServiceLinkedRole"):
            continue
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    for service, service_actions in sorted(by_service.items()):
        sid = "".join(part.capitalize() for part in service.replace("-", " ").split())
        statements.append({"Sid": sid, "Effect": "Allow", "Action": service_actions, "Resource": "*"})
    if "iam:PassRole" in acts:
        statements.append(
            {
                "Sid": "PassRolesToTheServicesThatRunThem",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": list(PASSED_TO)}},
            }
        )
    if "iam:CreateServiceLinkedRole" in acts:
        statements.append(
            {
                "Sid": "RdsServiceLinkedRole",
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
                "Condition": {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def render(policy: dict[str, Any]) -> str:
    return json.dumps(policy, indent=2) + "\n"


BEGIN = "<!-- BEGIN deployer-policy (generated by `make docs`; do not edit) -->"
END = "<!-- END deployer-policy -->"


def splice_docs(text: str) -> str:
    """``text`` with the generated policy between the markers (docs/deploying.md)."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n```json\n{render(deployer_policy())}```\n{END}{tail}"


# ---- `lambda-rds deployer-policy` --------------------------------------------------------------------
def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--out", help="write the policy JSON to this file instead of standard output", default=None
    )


def run(args: Any) -> int:
    text = render(deployer_policy())
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        print(text, end="")
    return 0
