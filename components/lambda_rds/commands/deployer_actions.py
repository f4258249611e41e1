"""The IAM actions a deploy or destroy of the component calls, per resource type and lookup, and their scope.

Pure data and small functions, no Pulumi. Per resource type: the API actions the AWS provider
(terraform-provider-aws, bridged by pulumi-aws) calls to create, read, update, tag and delete it. Per
action: the statement that grants it, whose `Resource` names the component's own resources wherever the
Service Authorization Reference (sources.SAR_RDS and the other SAR pages) lets an action take a resource
at all. The tests hold these tables to the code (every type and lookup the component registers, none it
never uses) and to the reference (every action outside `*` takes a resource type, every one in `*` none).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TAGS_EC2 = ("ec2:CreateTags", "ec2:DeleteTags")
_TAGS_RDS = ("rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource")
_KMS_FOR_RDS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")
# With manage_master_user_password RDS creates, tags and rotates the master secret with the caller's
# permissions (sources.RDS_SECRETS_MANAGER_PERMISSIONS).
MASTER_SECRET_ACTIONS = (
    "secretsmanager:CreateSecret",
    "secretsmanager:TagResource",
    "secretsmanager:RotateSecret",
)
# Deleting a security group or a subnet first removes the Lambda ENIs still using it, then waits for
# them (deleteLingeringENIs: sources.TF_LINGERING_ENIS, TF_SECURITY_GROUP_DELETE, TF_SUBNET_DELETE).
# Without these a `pulumi destroy` of a stack with VPC functions stops at the first security group.
_LINGERING_ENIS = (
    "ec2:DescribeNetworkInterfaces",
    "ec2:DetachNetworkInterface",
    "ec2:DeleteNetworkInterface",
)

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
        *_LINGERING_ENIS,
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
        # The aws_eip read also asks for the address's attributes (its PTR record): DescribeAddressesAttribute
        # takes no resource type (sources.SAR_EC2).
        "ec2:DescribeAddressesAttribute",
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
        *_LINGERING_ENIS,
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
        # Probable, confirm in CloudTrail: an interface endpoint with private DNS associates the VPC with
        # the private hosted zone AWS keeps for the service, and the Service Authorization Reference lists
        # this as a dependent action of CreateVpcEndpoint (sources.SAR_EC2).
        "route53:AssociateVPCWithHostedZone",
        *_TAGS_EC2,
    ),
    "aws:ec2/flowLog:FlowLog": (
        "ec2:CreateFlowLogs",
        "ec2:DeleteFlowLogs",
        "ec2:DescribeFlowLogs",
        "iam:PassRole",  # CreateFlowLogs hands the delivery role to vpc-flow-logs.amazonaws.com
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
        # Lambda checks the VPC config with the caller's permissions. replace_security_groups_on_destroy
        # moves the function to the VPC's default group with UpdateFunctionConfiguration before deleting it
        # (it finds that group with DescribeSecurityGroups); since terraform-provider-aws PR 37624 it no
        # longer touches the ENIs itself, so ec2:ModifyNetworkInterfaceAttribute is not needed
        # (sources.TF_REPLACE_SECURITY_GROUPS_ON_DESTROY).
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
        "ec2:DescribeNetworkInterfaces",
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
        # DeleteDBInstance with FinalDBSnapshotIdentifier needs this too, and AddTagsToResource on the
        # snapshot the tags are copied to (sources.SAR_RDS: DeleteDBInstance's dependent actions).
        "rds:CreateDBSnapshot",
        "rds:RebootDBInstance",
        *_TAGS_RDS,
        *_KMS_FOR_RDS,
        *MASTER_SECRET_ACTIONS,
        "iam:PassRole",  # the enhanced-monitoring role
        "iam:CreateServiceLinkedRole",  # RDS's own role, on first use in an account
    ),
    "aws:rds/cluster:Cluster": (
        "rds:CreateDBCluster",
        "rds:DescribeDBClusters",
        # The aws_rds_cluster read asks which global cluster it belongs to
        # (sources.TF_RDS_GLOBAL_CLUSTERS_READ).
        "rds:DescribeGlobalClusters",
        "rds:ModifyDBCluster",
        "rds:DeleteDBCluster",
        "rds:CreateDBClusterSnapshot",  # the final snapshot (sources.SAR_RDS: DeleteDBCluster)
        *_TAGS_RDS,
        *_KMS_FOR_RDS,
        *MASTER_SECRET_ACTIONS,
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

# The lookups (`aws.get_*` invokes) the component makes: resources/account.py and resources/network.py.
INVOKE_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws:index/getRegion:getRegion": ("ec2:DescribeRegions",),
    "aws:index/getCallerIdentity:getCallerIdentity": ("sts:GetCallerIdentity",),
    "aws:index/getAvailabilityZones:getAvailabilityZones": ("ec2:DescribeAvailabilityZones",),
    "aws:ec2/getSubnet:getSubnet": ("ec2:DescribeSubnets",),
    # Aurora: the engine version the cluster runs now, to plan a major upgrade (resources.database).
    "aws:rds/getClusters:getClusters": ("rds:DescribeDBClusters",),
    "aws:rds/getCluster:getCluster": ("rds:DescribeDBClusters",),
    # RDS: the engine version the instance runs, to keep its major while engine_version is unset.
    "aws:rds/getInstances:getInstances": ("rds:DescribeDBInstances",),
    "aws:rds/getInstance:getInstance": ("rds:DescribeDBInstances",),
    # A brought VPC (network.vpc_id) with egress `endpoints`: the data source reads the VPC (its owner),
    # its DNS attributes and its main route table, and nothing else (sources.TF_VPC_DATA_SOURCE). The
    # program never lists the VPC's endpoints (no provider lookup does; `lambda-rds doctor --vpc` does,
    # with its own read-only policy); what the endpoint resource reads is under its own type above.
    "aws:ec2/getVpc:getVpc": (
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeRouteTables",
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
# The one managed policy the component attaches (rules.iam.ENHANCED_MONITORING_POLICY_ARN, by name).
MONITORING_POLICY = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

# Actions that take no resource type in the Service Authorization Reference (its "Resource types" column
# is empty): a policy must grant them on "*" (sources.SAR_EC2, SAR_LOGS, SAR_RDS; STS GetCallerIdentity
# needs no permission at all but is listed so the document shows every call).
NO_RESOURCE_TYPES = frozenset(
    {
        "ec2:DescribeAddresses",
        "ec2:DescribeAddressesAttribute",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribePrefixLists",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpointServices",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "logs:DescribeLogGroups",
        "sts:GetCallerIdentity",
    }
)

# ---- the stack's tags --------------------------------------------------------------------------------
# The component tags everything it can with its project and stack (lambda_rds.component), because the
# names it gives carry only the component name: `app-...` in dev, staging and prod alike. What changes,
# deletes, tags or reads a secret's value is held to resources carrying this stack's tags
# (aws:ResourceTag), and the creates to requests carrying them (aws:RequestTag), wherever the Service
# Authorization Reference lists the key for the action, on its row or for its resource type
# (sources.SAR_HOW_TO_READ; the tests check every key against parliament's copy of the reference).
# Keep these in step with component.py.
PROJECT_TAG = "lambda-rds:project"
STACK_TAG = "lambda-rds:stack"

# Creates whose request carries the resource's tags in terraform-provider-aws v6 (TagSpecifications for
# EC2, Tags for the others: sources.TF_TAGS_ON_CREATE), and whose every resource is the component's own
# or, for RDS, for which AWS's request tag covers the whole request (AWS's default groups included).
CREATE_WITH_TAGS = frozenset(
    {
        "ec2:AllocateAddress",
        "ec2:CreateInternetGateway",
        "ec2:CreateNatGateway",
        "ec2:CreateRouteTable",
        "ec2:CreateSubnet",
        "ec2:CreateVpc",
        "iam:CreateRole",
        "lambda:CreateFunction",
        "rds:CreateDBCluster",
        "rds:CreateDBClusterParameterGroup",
        "rds:CreateDBInstance",
        "rds:CreateDBInstanceReadReplica",
        "rds:CreateDBParameterGroup",
        "rds:CreateDBProxyEndpoint",
        "rds:CreateDBSubnetGroup",
        "secretsmanager:CreateSecret",
    }
)
# EC2 creates that also name a VPC, subnets or groups you may bring (network.vpc_id), which carry your
# tags, not the stack's: held by StringEqualsIfExists (nothing of another stack) instead.
CREATE_IN_YOUR_VPC = frozenset({"ec2:CreateFlowLogs", "ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint"})
# Adding tags: at create (AWS checks the tag permission too when a create carries tags; the adopted
# default security group is tagged before its rules are revoked, sources.TF_DEFAULT_SG_TAGS_FIRST) and on
# the `up` that adds the stack's tags to a stack deployed before they existed.
TAG_ACTIONS = frozenset(
    {
        "ec2:CreateTags",
        "iam:TagRole",
        "lambda:TagResource",
        "rds:AddTagsToResource",
        "secretsmanager:TagResource",
    }
)
# Changes, deletes, invokes and secret reads on the component's own tagged resources.
CHANGE_TAGGED = TAG_ACTIONS | frozenset(
    {
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:CreateNatGateway",
        "ec2:CreateRoute",
        "ec2:CreateRouteTable",
        "ec2:CreateSubnet",
        "ec2:DeleteFlowLogs",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteNatGateway",
        "ec2:DeleteRoute",
        "ec2:DeleteRouteTable",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSubnet",
        "ec2:DeleteTags",
        "ec2:DeleteVpc",
        "ec2:DeleteVpcEndpoints",
        "ec2:DetachInternetGateway",
        "ec2:DisassociateRouteTable",
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:ReleaseAddress",
        "ec2:ReplaceRoute",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:PutRolePolicy",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "lambda:AddPermission",
        "lambda:CreateFunctionUrlConfig",
        "lambda:DeleteFunction",
        "lambda:DeleteFunctionConcurrency",
        "lambda:DeleteFunctionUrlConfig",
        "lambda:InvokeFunction",
        "lambda:PutFunctionConcurrency",
        "lambda:RemovePermission",
        "lambda:UntagResource",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:UpdateFunctionUrlConfig",
        "rds:DeleteDBClusterParameterGroup",
        "rds:DeleteDBInstance",
        "rds:DeleteDBParameterGroup",
        "rds:DeleteDBProxy",
        "rds:DeleteDBProxyEndpoint",
        "rds:DeleteDBSubnetGroup",
        "rds:ModifyDBClusterParameterGroup",
        "rds:ModifyDBParameterGroup",
        "rds:ModifyDBProxy",
        "rds:ModifyDBProxyEndpoint",
        "rds:ModifyDBSubnetGroup",
        "rds:RebootDBInstance",
        "rds:RemoveTagsFromResource",
        "rds:ResetDBClusterParameterGroup",
        "rds:ResetDBParameterGroup",
        "secretsmanager:CancelRotateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:RotateSecret",
        "secretsmanager:UntagResource",
        "secretsmanager:UpdateSecret",
        "secretsmanager:UpdateSecretVersionStage",
    }
)
# Changes that also name something that carries no tag of the stack: a group rule (the component does not
# tag rules), Lambda's lingering network interfaces and AWS's instances they hang on, the subnets and
# groups of a VPC you bring, AWS's default option and parameter groups, the final snapshot a delete
# creates, the target group RDS creates with a proxy. IAM evaluates each resource of a request on its own
# and parliament wants every required resource type in each statement, so these go in one statement
# with StringEqualsIfExists: whatever carries the stack keys must carry this stack's values.
NOT_ANOTHER_STACKS = frozenset(
    {
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DeleteNetworkInterface",
        "ec2:DetachNetworkInterface",
        "ec2:DisassociateAddress",
        "ec2:ModifySecurityGroupRules",
        "ec2:ModifyVpcEndpoint",
        "rds:CreateDBClusterSnapshot",
        "rds:CreateDBSnapshot",
        "rds:DeleteDBCluster",
        "rds:DeregisterDBProxyTargets",
        "rds:ModifyDBCluster",
        "rds:ModifyDBInstance",
        "rds:ModifyDBProxyTargetGroup",
        "rds:RegisterDBProxyTargets",
    }
)
# Lookups by filter, with no identifier: RDS authorizes them on every resource of the type. The instance
# read is one (the provider's id for aws.rds.Instance is the DbiResourceId, read with a dbi-resource-id
# filter: sources.TF_DBI_RESOURCE_ID_READ), as are aws.rds.get_clusters and the cluster read's
# DescribeGlobalClusters.
RDS_BY_FILTER = frozenset({"rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeGlobalClusters"})

# EC2 resources the component creates and tags. EC2 assigns their ids (vpc-..., sg-...) at creation, so an
# ARN names the region, the account and the type; the stack's tags name the rest.
EC2_TAGGED_TYPES = (
    "vpc",
    "subnet",
    "route-table",
    "internet-gateway",
    "elastic-ip",
    "natgateway",
    "security-group",
    "vpc-endpoint",
    "vpc-flow-log",
)


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

    def arn(
        self, service: str, resource: str, *, account: str | None = None, region: str | None = None
    ) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        where = self.region if region is None else region
        return f"arn:{self.partition}:{service}:{where}:{account or self.account}:{resource}"

    def iam_arn(self, resource: str) -> str:
        """IAM ARNs name no region."""
        return f"arn:{self.partition}:iam::{self.account}:{resource}"


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


Condition = dict[str, dict[str, str | list[str]]]


@dataclass(frozen=True)
class Scope:
    """One statement of the policy: which resources its actions are granted on, and why no narrower."""

    sid: str
    why: str
    resources: Callable[[Target], list[str]]
    condition: Callable[[Target], Condition] | None = None


def _star(_: Target) -> list[str]:
    return ["*"]


def _ec2(t: Target, *kinds: str) -> list[str]:
    return [t.arn("ec2", f"{kind}/*") for kind in kinds]


def _roles(t: Target) -> list[str]:
    # Every role is auto-named `<component>-<key>-role-<7 random>` (settings.names.derived_names).
    return [t.iam_arn(f"role/{t.name}-*-role-*")]


def _functions(t: Target) -> list[str]:
    return [t.arn("lambda", f"function:{t.name}-*")]


def _layers(t: Target) -> list[str]:
    return [t.arn("lambda", f"layer:{layer_prefix(t)}*")]


def _logs(t: Target) -> list[str]:
    # `/aws/rds/<instance|cluster>/<identifier>/<log>` (facts_rds.export_log_group), replicas' too.
    return [
        t.arn("logs", f"log-group:{log_group_prefix(t)}*"),
        t.arn("logs", f"log-group:/aws/rds/*/{t.db_identifier}/*"),
        t.arn("logs", f"log-group:/aws/rds/instance/{replica_prefix(t.db_identifier)}*"),
    ]


def _rds(t: Target) -> list[str]:
    """The RDS resources the component creates (and tags), and AWS's default groups its creates name."""
    ident, name = t.db_identifier, t.name
    return [
        t.arn("rds", f"db:{ident}"),
        t.arn("rds", f"db:{replica_prefix(ident)}*"),
        # Aurora members are auto-named `<component>-db-<i>-<7 random>` / `<component>-db-reader-<i>-...`,
        # the parameter and subnet groups `<component>-db-params-...`, `-db-cluster-params-`, `-db-subnets-`.
        t.arn("rds", f"db:{name}-db-*"),
        t.arn("rds", f"cluster:{ident}"),
        t.arn("rds", f"pg:{name}-db-*"),
        t.arn("rds", f"cluster-pg:{name}-db-*"),
        t.arn("rds", f"subgrp:{name}-db-*"),
        # RDS names a proxy and its endpoints by ids it generates (prx-...): the tags name the stack.
        t.arn("rds", "db-proxy:*"),
        t.arn("rds", "db-proxy-endpoint:*"),
        # CreateDBInstance and CreateDBCluster are authorized on the option group, and an Aurora member on
        # the parameter group, RDS gives them by default (sources.RDS_IAM_POLICY_EXAMPLES); default groups
        # cannot be modified or deleted, and carry no tags of ours.
        t.arn("rds", "og:default*"),
        t.arn("rds", "pg:default*"),
    ]


def _final_snapshots(t: Target) -> list[str]:
    # DeleteDBInstance/DeleteDBCluster with a final snapshot (sources.SAR_RDS: their dependent actions).
    ident = t.db_identifier
    return [t.arn("rds", f"snapshot:{ident}-final-*"), t.arn("rds", f"cluster-snapshot:{ident}-final-*")]


def _rds_by_filter(t: Target) -> list[str]:
    # Global cluster ARNs name no region (sources.SAR_RDS:
    # `arn:${Partition}:rds::${Account}:global-cluster:${GlobalCluster}`).
    return [
        t.arn("rds", "db:*"),
        t.arn("rds", "cluster:*"),
        t.arn("rds", "global-cluster:*", region=""),
    ]


def _app_secret(t: Target) -> list[str]:
    return [t.arn("secretsmanager", f"secret:{t.name}-*")]


def _master_secret(t: Target) -> list[str]:
    # RDS names the secret it manages `rds!db-<uuid>` or `rds!cluster-<uuid>`: unknown before it exists.
    return [t.arn("secretsmanager", "secret:rds!*")]


def _kms(t: Target) -> list[str]:
    return [t.kms_key_arn] if t.kms_key_arn else [t.arn("kms", "key/*")]


def _hosted_zones(t: Target) -> list[str]:
    # Route 53 ARNs name neither region nor account (sources.SAR_ROUTE53); the zone is AWS's own.
    return [f"arn:{t.partition}:route53:::hostedzone/*"]


def _tagged(t: Target) -> list[str]:
    """What the component tags with the stack's tags (and AWS's default groups its RDS creates name)."""
    return [*_ec2(t, *EC2_TAGGED_TYPES), *_roles(t), *_functions(t), *_rds(t), *_app_secret(t)]


def _tagged_or_snapshot(t: Target) -> list[str]:
    # A final snapshot gets the database's tags copied on (AddTagsToResource, sources.SAR_RDS).
    return [*_tagged(t), *_final_snapshots(t)]


def _with_untagged(t: Target) -> list[str]:
    return [
        *_ec2(t, *EC2_TAGGED_TYPES, "security-group-rule", "network-interface"),
        # DetachNetworkInterface also names the instance the ENI is attached to; a Lambda ENI's instance is
        # AWS's own (InstanceOwnerId "amazon-aws"), in an account that is not the deployer's.
        t.arn("ec2", "instance/*", account="*"),
        *_rds(t),
        *_final_snapshots(t),
        # The default target group RDS creates with a proxy (prx-tg-...), untagged.
        t.arn("rds", "target-group:*"),
    ]


def dns_suffix(partition: str) -> str:
    """The domain of the partition's endpoints: `amazonaws.com.cn` in China (sources.CHINA_ENDPOINTS),
    `amazonaws.com` in the others."""
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


def _stack_tags(key: str, t: Target) -> dict[str, str | list[str]]:
    return {f"{key}/{PROJECT_TAG}": t.project, f"{key}/{STACK_TAG}": t.stack}


def _resource_tags(t: Target) -> Condition:
    return {"StringEquals": _stack_tags("aws:ResourceTag", t)}


def _request_tags(t: Target) -> Condition:
    return {"StringEquals": _stack_tags("aws:RequestTag", t)}


def _untagged_gets_stack_tags(t: Target) -> Condition:
    # Only a resource with no stack tag yet: another stack's resource keeps its own (Null: the key is
    # absent, sources.IAM_CONDITION_OPERATORS).
    return {**_request_tags(t), "Null": {f"aws:ResourceTag/{STACK_TAG}": "true"}}


def _not_another_stacks(t: Target) -> Condition:
    # ...IfExists: a resource without the key passes (an untagged rule, network interface or default
    # group); one with it must be this stack's (sources.IAM_CONDITION_OPERATORS).
    return {"StringEqualsIfExists": _stack_tags("aws:ResourceTag", t)}


def _create_in_your_vpc(t: Target) -> Condition:
    return {"StringEqualsIfExists": {**_stack_tags("aws:ResourceTag", t), **_stack_tags("aws:RequestTag", t)}}


def _via_rds_and_secrets(t: Target) -> Condition:
    # kms:ViaService is `<service>.<region>.<endpoint domain>` (sources.KMS_VIA_SERVICE):
    # `.amazonaws.com.cn` in China (sources.KMS_VIA_SERVICE_CHINA). StringLike, not StringEquals: with
    # region "*" the value holds a wildcard (sources.IAM_CONDITION_OPERATORS).
    domain = dns_suffix(t.partition)
    return {
        "StringLike": {"kms:ViaService": [f"rds.{t.region}.{domain}", f"secretsmanager.{t.region}.{domain}"]}
    }


def _passed_to(t: Target) -> Condition:
    return {"StringEquals": {"iam:PassedToService": list(PASSED_TO), **_stack_tags("aws:ResourceTag", t)}}


def _monitoring_policy(t: Target) -> Condition:
    return {
        "ArnEquals": {"iam:PolicyARN": f"arn:{t.partition}:{MONITORING_POLICY}"},
        **_resource_tags(t),
    }


def _rds_service_role(t: Target) -> list[str]:
    # As the RDS user guide's example (sources.RDS_SERVICE_LINKED_ROLE): CreateServiceLinkedRole on the
    # role itself with iam:AWSServiceName, and nothing more (RDS gives the role its policy itself).
    return [t.iam_arn("role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS")]


def _rds_service_name(_: Target) -> Condition:
    return {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}}


SCOPES: tuple[Scope, ...] = (
    Scope(
        "NoResourceLevelPermissions",
        "these actions take no resource type (Service Authorization Reference): AWS accepts only `*`",
        _star,
    ),
    Scope(
        "CreateProxyWithStackTags",
        "`rds:CreateDBProxy` takes no resource type; its request must carry the stack's tags",
        _star,
        _request_tags,
    ),
    Scope(
        "CreateWithStackTags",
        "creates whose request carries the stack's tags (`aws:RequestTag`), on the names the component gives",
        _tagged,
        _request_tags,
    ),
    Scope(
        "ChangeOnlyThisStack",
        "only what carries this project's and stack's tags (`aws:ResourceTag`): the names are alike in"
        " every stack",
        _tagged,
        _resource_tags,
    ),
    Scope(
        "TagUntaggedForThisStack",
        "adds the stack's tags only where there is no stack tag yet (at create, or a stack from before)",
        _tagged_or_snapshot,
        _untagged_gets_stack_tags,
    ),
    Scope(
        "NothingOfAnotherStack",
        "these also name what has no tags of ours (group rules, Lambda's network interfaces, default"
        " groups, final snapshots): nothing tagged for another stack",
        _with_untagged,
        _not_another_stacks,
    ),
    Scope(
        "CreateInYourVpc",
        "the VPC, subnets and groups may be yours (`network.vpc_id`): nothing tagged for another stack",
        lambda t: _ec2(t, "vpc", "subnet", "route-table", "security-group", "vpc-endpoint", "vpc-flow-log"),
        _create_in_your_vpc,
    ),
    Scope(
        "ReadByName",
        "reads only (a secret's value excepted), on the names the component gives and a VPC you bring",
        lambda t: [
            *_roles(t),
            *_functions(t),
            *_rds(t),
            t.arn("rds", "target-group:*"),
            *_app_secret(t),
            *_ec2(t, "vpc"),
        ],
    ),
    Scope(
        "AttachOnlyTheMonitoringPolicy",
        "its roles, tagged with the stack, and only `AmazonRDSEnhancedMonitoringRole`",
        _roles,
        _monitoring_policy,
    ),
    Scope(
        "PassRolesOfTheStack",
        "its roles, tagged with the stack, only to the services that run them",
        _roles,
        _passed_to,
    ),
    Scope(
        "RdsServiceLinkedRole",
        "RDS's own service-linked role, created on first use in an account",
        _rds_service_role,
        _rds_service_name,
    ),
    Scope(
        "LambdaLayersOfTheStack",
        "layers cannot be tagged; their names `<component>-<project>-<stack>-deps-*` carry the stack",
        _layers,
    ),
    Scope(
        "LogGroupsOfTheStack",
        "names carry the stack: `/lambda-rds/<project>/<stack>/<component>/*`, `/aws/rds/*/<identifier>/*`",
        _logs,
    ),
    Scope(
        "RdsDescribeByFilter",
        "a describe without an identifier is authorized on every instance, cluster or global cluster;"
        " read-only",
        _rds_by_filter,
    ),
    Scope(
        "RdsManagedMasterSecret",
        "RDS creates, names (`rds!db-<uuid>`) and tags the master secret itself, with the caller's rights",
        _master_secret,
    ),
    Scope(
        "KmsThroughRdsAndSecretsManager",
        "the database's key (`database.kms_key_arn`, else any), only through RDS and Secrets Manager",
        _kms,
        _via_rds_and_secrets,
    ),
    Scope(
        "Route53EndpointPrivateDns",
        "probable, confirm in CloudTrail: private DNS joins the VPC to the service's hosted zone (AWS's)",
        _hosted_zones,
    ),
)
SCOPE_BY_SID = {s.sid: s for s in SCOPES}

_BY_SID: dict[str, frozenset[str]] = {
    "CreateProxyWithStackTags": frozenset({"rds:CreateDBProxy"}),
    "CreateWithStackTags": CREATE_WITH_TAGS,
    "ChangeOnlyThisStack": CHANGE_TAGGED,
    "TagUntaggedForThisStack": TAG_ACTIONS,
    "NothingOfAnotherStack": NOT_ANOTHER_STACKS,
    "CreateInYourVpc": CREATE_IN_YOUR_VPC,
    "AttachOnlyTheMonitoringPolicy": frozenset({"iam:AttachRolePolicy", "iam:DetachRolePolicy"}),
    "PassRolesOfTheStack": frozenset({"iam:PassRole"}),
    "RdsServiceLinkedRole": frozenset({"iam:CreateServiceLinkedRole"}),
    "LambdaLayersOfTheStack": frozenset(
        {"lambda:PublishLayerVersion", "lambda:GetLayerVersion", "lambda:DeleteLayerVersion"}
    ),
    "RdsDescribeByFilter": RDS_BY_FILTER,
    "RdsManagedMasterSecret": frozenset(MASTER_SECRET_ACTIONS),
}
# The rest, by service: logs and KMS are held by name and key; what remains of EC2 (DescribeVpcAttribute),
# IAM, Lambda, RDS and Secrets Manager is read-only.
_BY_SERVICE = {
    "logs": "LogGroupsOfTheStack",
    "kms": "KmsThroughRdsAndSecretsManager",
    "route53": "Route53EndpointPrivateDns",
    "ec2": "ReadByName",
    "iam": "ReadByName",
    "lambda": "ReadByName",
    "rds": "ReadByName",
    "secretsmanager": "ReadByName",
}


def scopes_of(action: str) -> tuple[str, ...]:
    """The statements (Sids) that grant ``action``: one for most; the tag actions also in the statement
    that adds the stack's tags, and what RDS does on the master secret in that secret's statement."""
    if action in NO_RESOURCE_TYPES:
        return ("NoResourceLevelPermissions",)
    sids = tuple(sid for sid, members in _BY_SID.items() if action in members)
    return sids or (_BY_SERVICE[action.split(":", 1)[0]],)
