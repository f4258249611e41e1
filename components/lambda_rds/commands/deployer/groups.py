"""The stack's tag keys, and the groups of actions held to them, one group per kind of statement.

Pure data, no Pulumi: which creates carry the stack's tags, which actions add or remove tags, change only
what carries this stack's tags, also name untagged resources, act in a VPC you bring or on its adopted
default group, and which RDS reads go by filter.
"""

from __future__ import annotations

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
# On everything the component made, also before the stack tags existed: a resource that carries it but no
# stack tag belongs to a stack deployed before them, which only the `--migrate` policy may tag.
COMPONENT_TAG = "lambda-rds:component"

# EC2 creates that carry the resource's tags (TagSpecifications; sources.TF_TAGS_ON_CREATE, and
# sources.TF_SG_RULE_TAGS for the rules): the values of ec2:CreateAction that may tag at create
# (sources.EC2_TAG_ON_CREATE), the only way the normal policy lets ec2:CreateTags add the stack's tags.
EC2_CREATE_ACTIONS = (
    "AllocateAddress",
    "AuthorizeSecurityGroupEgress",
    "AuthorizeSecurityGroupIngress",
    "CreateFlowLogs",
    "CreateInternetGateway",
    "CreateLaunchTemplate",
    "CreateNatGateway",
    "CreateNetworkInterface",
    "CreateRouteTable",
    "CreateSecurityGroup",
    "CreateSubnet",
    "CreateVpc",
    "CreateVpcEndpoint",
    # NAT instances: the instance and its root volume are tagged by RunInstances (TagSpecifications for
    # `instance` and `volume`, sources.TF_EC2_INSTANCE).
    "RunInstances",
)
# Creates whose request carries the resource's tags in terraform-provider-aws v6 (TagSpecifications for
# EC2, Tags for the others: sources.TF_TAGS_ON_CREATE), held to requests carrying the stack's tags. The
# EC2 ones also name their parent (the VPC, the group), held to its tags in ChangeOnlyThisStack, or by
# its id when you bring the VPC; for RDS the request tag covers the whole request (AWS's default groups
# included).
CREATE_WITH_TAGS = frozenset(
    {f"ec2:{a}" for a in EC2_CREATE_ACTIONS}
    | {
        "iam:CreateInstanceProfile",
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
        "sns:CreateTopic",
    }
)
# Adding tags. IAM, Lambda, RDS and Secrets Manager authorize tags sent with a create as these actions
# too, on a resource with no tags yet (sources.SAR_RDS: AddTagsToResource is a dependent
# action of the RDS creates); EC2 as ec2:CreateTags with ec2:CreateAction (sources.EC2_TAG_ON_CREATE).
TAG_ADD = frozenset(
    {
        "cloudwatch:TagResource",
        "ec2:CreateTags",
        "iam:TagInstanceProfile",
        "iam:TagRole",
        "kms:TagResource",
        "lambda:TagResource",
        "rds:AddTagsToResource",
        "secretsmanager:TagResource",
        "sns:TagResource",
    }
)
TAG_REMOVE = frozenset(
    {
        "cloudwatch:UntagResource",
        "ec2:DeleteTags",
        "iam:UntagInstanceProfile",
        "iam:UntagRole",
        "kms:UntagResource",
        "lambda:UntagResource",
        "rds:RemoveTagsFromResource",
        "secretsmanager:UntagResource",
        "sns:UntagResource",
    }
)
# Changes, deletes, invokes and secret reads on the component's own tagged resources, and the creates'
# parents (the VPC, subnets and groups the component made).
CHANGE_TAGGED = TAG_REMOVE | frozenset(
    {
        # NAT instances: the interface, its address, the image template and the instance are the stack's.
        # DescribeInstanceAttribute is a read, held to the tags too: it returns an instance's user data.
        "ec2:AssociateAddress",
        "ec2:AssociateIamInstanceProfile",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteLaunchTemplate",
        "ec2:DescribeInstanceAttribute",
        "ec2:DisassociateIamInstanceProfile",
        "ec2:ModifyInstanceAttribute",
        "ec2:ModifyInstanceMaintenanceOptions",
        "ec2:ModifyInstanceMetadataOptions",
        "ec2:ModifyLaunchTemplate",
        "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:ReplaceIamInstanceProfileAssociation",
        "ec2:StartInstances",
        "ec2:StopInstances",
        "ec2:TerminateInstances",
        "iam:AddRoleToInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateFlowLogs",
        "ec2:CreateNatGateway",
        "ec2:CreateRoute",
        "ec2:CreateRouteTable",
        "ec2:CreateSecurityGroup",
        "ec2:CreateSubnet",
        "ec2:CreateVpcEndpoint",
        "ec2:DeleteFlowLogs",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteNatGateway",
        "ec2:DeleteRoute",
        "ec2:DeleteRouteTable",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSubnet",
        "ec2:DeleteVpc",
        "ec2:DeleteVpcEndpoints",
        "ec2:DetachInternetGateway",
        "ec2:DisassociateRouteTable",
        "ec2:ModifySecurityGroupRules",
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:ModifyVpcEndpoint",
        "ec2:ReleaseAddress",
        "ec2:ReplaceRoute",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:PutRolePolicy",
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
        "rds:ResetDBClusterParameterGroup",
        "rds:ResetDBParameterGroup",
        "secretsmanager:CancelRotateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:RotateSecret",
        "secretsmanager:UpdateSecret",
        "secretsmanager:UpdateSecretVersionStage",
        # Monitoring (issue 23): the alarms, their topic and the topic's key carry the stack's tags. The
        # key's changes are held to them: its id is random, so no name could hold them (its reads and
        # EnableKeyRotation: NEW_KEY_CHECKS).
        "cloudwatch:DeleteAlarms",
        "kms:DisableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:UpdateKeyDescription",
        "sns:DeleteTopic",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
    }
)
# Changes that also name something that carries no tag of the stack: Lambda's lingering network
# interfaces and AWS's instances they hang on, a NAT gateway's interface, AWS's default option and
# parameter groups, the final snapshot a delete creates, the target group RDS creates with a proxy. IAM
# evaluates each resource of a request on its own and parliament wants every required resource type in
# each statement, so these go in one statement with StringEqualsIfExists: whatever carries the stack
# keys must carry this stack's values. ...IfExists is keyed per action, not per type, so the Deny
# UNTAGGED_DENIED refuses the types that are always tagged when they carry no stack tag.
NOT_ANOTHER_STACKS = frozenset(
    {
        "ec2:DeleteNetworkInterface",
        "ec2:DetachNetworkInterface",
        "ec2:DisassociateAddress",
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
# ...those of them that act on a type the component always tags (an address, a database, a cluster, a
# proxy, its parameter and subnet groups): refused on one without a stack tag, except in `--migrate`.
# (RegisterDBProxyTargets and ModifyDBProxyTargetGroup name only the target group, sources.SAR_RDS.)
UNTAGGED_DENIED = (NOT_ANOTHER_STACKS | {"ec2:ModifyVpcEndpoint"}) - {
    "ec2:DeleteNetworkInterface",
    "ec2:DetachNetworkInterface",
    "rds:ModifyDBProxyTargetGroup",
    "rds:RegisterDBProxyTargets",
}
# What names the VPC and subnets you bring (network.vpc_id, network.private_subnet_ids): by their ids. A
# statement must name every type an action requires (parliament), so the creates' statement also names
# the group or endpoint they make, held to the stack's request tags; the endpoint change's statement
# names the endpoint, held to no other stack's tags, and UNTAGGED_DENIED refuses an untagged one.
BROUGHT_VPC_CREATES = frozenset({"ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint"})
# The default group of a VPC the component creates is adopted (aws.ec2.DefaultSecurityGroup): the provider
# tags it, untagged, before it revokes AWS's rules (sources.TF_DEFAULT_SG_TAGS_FIRST). The only untagged
# group the deployer may tag is one it names `<component>-default-closed`, and such a group may then get
# no rule, no other name, and no delete.
DEFAULT_GROUP_CLOSED = frozenset(
    {
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifySecurityGroupRules",
    }
)
# Lookups by filter, with no identifier: RDS authorizes them on every resource of the type. The instance
# read is one (the provider's id for aws.rds.Instance is the DbiResourceId, read with a dbi-resource-id
# filter: sources.TF_DBI_RESOURCE_ID_READ), as are aws.rds.get_clusters and the cluster read's
# DescribeGlobalClusters.
RDS_BY_FILTER = frozenset({"rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeGlobalClusters"})

# EC2 resources the component creates and tags (the rules too: resources/security_groups.py). EC2 assigns
# their ids (vpc-..., sg-...) at creation, so an ARN names the region, the account and the type; the
# stack's tags name the rest.
EC2_TAGGED_TYPES = (
    "vpc",
    "subnet",
    "route-table",
    "internet-gateway",
    "elastic-ip",
    "natgateway",
    "security-group",
    "security-group-rule",
    "vpc-endpoint",
    "vpc-flow-log",
    # NAT instances (network.nat_type: instance): the fixed interface, the image template, the instance and
    # its root volume (volume_tags).
    "network-interface",
    "launch-template",
    "instance",
    "volume",
)
# ec2:RunInstances names every resource of the launch, each authorized on its own (sources.SAR_EC2): the
# instance and its volume carry the request's tags (CreateWithStackTags); the group, subnet and launch
# template are the stack's (aws:ResourceTag); the image is AWS's (ec2:Owner); the fixed interface is
# named by no tag key for this action, only by where it is (ec2:Subnet).
RUN_INSTANCES = frozenset({"ec2:RunInstances"})
# PutMetricAlarm both creates and updates an alarm, with the alarm's tags in every request (TagResource
# changes an existing alarm's tags; PutMetricAlarm's are applied at create only: sources.PUT_METRIC_ALARM,
# aws/aws-sdk#27): the request must carry this stack's tags, and an existing alarm must be this stack's.
PUT_ALARM = frozenset({"cloudwatch:PutMetricAlarm"})
# CreateKey takes no resource type (sources.SAR_KMS) but lists aws:RequestTag: the new key carries the
# stack's tags.
CREATE_KEY = frozenset({"kms:CreateKey"})
# Dashboards take no tags: named `<project>-<stack>-<component>` (rules.dashboard.dashboard_name).
DASHBOARD_ACTIONS = frozenset(
    {"cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"}
)
# The topic key's changes, held to the stack's tags like everything else; but KMS gives a key a random id,
# so they are granted on any key (`key/*`), and tagging at create needs kms:TagResource on every key
# (sources.KMS_TAG_PERMISSIONS): an untagged key of the account could be tagged for this stack and then
# changed or deleted. A key with an alias is never the component's (it gives its key none): these are
# refused on one (kms:ResourceAliases, sources.KMS_ALIAS_AUTHORIZATION). kms:DescribeKey stays out: the
# database's key, which may well have an alias, is read through RDS and Secrets Manager.
KEY_WITH_ALIAS_DENIED = frozenset(
    {
        "kms:DisableKeyRotation",
        "kms:EnableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateKeyDescription",
    }
)
# What the provider calls on the topic key within seconds of CreateKey (sources.TF_MONITORING_CRUD:
# EnableKeyRotation, retried only on NotFound or Disabled, then the waits on the policy, rotation and tags)
# and on every read. A key's tags "might take up to five minutes" to take effect in authorization, though
# ListResourceTags already shows them (sources.KMS_ABAC; the provider retries SNS's first SetTopicAttributes
# on that very permissions error, not KMS's EnableKeyRotation: sources.TF_ABAC_PROPAGATION): held to the
# tags, the first `up` could fail AccessDenied. Reads, and turning rotation on, of any key of the account and
# region instead (never on one with an alias: KEY_WITH_ALIAS_DENIED); what changes or deletes a key stays held
# to the tags.
NEW_KEY_CHECKS = frozenset(
    {
        "kms:DescribeKey",
        "kms:EnableKeyRotation",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
    }
)
