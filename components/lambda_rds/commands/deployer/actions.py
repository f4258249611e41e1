"""The IAM actions a deploy or destroy of the component calls, per resource type and per lookup.

Pure data, no Pulumi. Per resource type: the API actions the AWS provider (terraform-provider-aws,
bridged by pulumi-aws) calls to create, read, update, tag and delete it; per lookup, what it reads; and
the actions the Service Authorization Reference (sources.SAR_RDS and the other SAR pages) gives no
resource type. Where each action is granted is `statements.scopes_of`. The tests hold these tables to the
code (every type and lookup the component registers, none it never uses) and to the reference (every
action outside `*` takes a resource type, every one in `*` none).
"""

from __future__ import annotations

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
        # A NAT instance's address is associated with its fixed interface (network_interface).
        "ec2:AssociateAddress",
        "ec2:DisassociateAddress",
        *_TAGS_EC2,
    ),
    # NAT instances (network.nat_type: instance; resources/nat_instance.py). The interface: created with
    # the stack's tags, then source/destination check turned off (ModifyNetworkInterfaceAttribute); a delete
    # detaches it first when an instance still holds it (sources.TF_LINGERING_ENIS).
    "aws:ec2/networkInterface:NetworkInterface": (
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DetachNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeNetworkInterfaceAttribute",
        "ec2:ModifyNetworkInterfaceAttribute",
        *_TAGS_EC2,
    ),
    # The image-only launch template: its ImageId `resolve:ssm:<AL2023 parameter>` is validated at create,
    # which needs ssm:GetParameters on the parameter (sources.ASG_SSM_PARAMETER_PERMISSIONS); an update
    # writes a new version and makes it the default.
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
        "ec2:DeleteLaunchTemplate",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ssm:GetParameters",
        *_TAGS_EC2,
    ),
    # aws_instance (sources.TF_EC2_INSTANCE): create reads the launch template's data and launches with
    # the instance's and volumes' tags; read describes the instance, its type, credit specification,
    # volumes and their tags, VPC, image and attributes; an instance type or user data change stops,
    # modifies and starts it; maintenance and metadata options are modified in place; delete first turns
    # off termination protection (ModifyInstanceAttribute), then terminates. RunInstances resolves the
    # image parameter (sources.SSM_AMI_ALIASES: ssm:GetParameters) and passes the Session Manager role's
    # profile, which needs iam:PassRole (sources.EC2_PASS_ROLE).
    "aws:ec2/instance:Instance": (
        "ec2:RunInstances",
        "ec2:TerminateInstances",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceAttribute",
        "ec2:ModifyInstanceAttribute",
        "ec2:StopInstances",
        "ec2:StartInstances",
        "ec2:ModifyInstanceMaintenanceOptions",
        "ec2:ModifyInstanceMetadataOptions",
        # Turning `network.nat_instance_ssm` on for a deployed stack, or a new profile, changes the
        # instance's profile in place: described, then associated, replaced, or (stopped instance)
        # disassociated and associated again; Associate and Replace pass the role (sources.SAR_EC2,
        # TF_INSTANCE_PROFILE_UPDATE).
        "ec2:DescribeIamInstanceProfileAssociations",
        "ec2:AssociateIamInstanceProfile",
        "ec2:ReplaceIamInstanceProfileAssociation",
        "ec2:DisassociateIamInstanceProfile",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeInstanceCreditSpecifications",
        # The read finds the template by the instance's aws:ec2launchtemplate:id tag (DescribeTags), then
        # its name and versions (DescribeLaunchTemplates, DescribeLaunchTemplateVersions:
        # sources.TF_EC2_INSTANCE, flattenInstanceLaunchTemplate).
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeVolumes",
        "ec2:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeVpcs",
        "ssm:GetParameters",
        "iam:PassRole",
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
    # Session Manager for NAT instances (network.nat_instance_ssm): the profile that carries the role.
    # AddRoleToInstanceProfile has iam:PassRole as a dependent action (sources.SAR_IAM).
    "aws:iam/instanceProfile:InstanceProfile": (
        "iam:CreateInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:UntagInstanceProfile",
        "iam:PassRole",
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
    # Monitoring (issue 23, resources/monitoring.py), as terraform-provider-aws v6 calls them
    # (sources.TF_MONITORING_CRUD): an alarm is created and updated by PutMetricAlarm (with its tags), read
    # by DescribeAlarms and its tags, deleted by DeleteAlarms.
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:ListTagsForResource",
    ),
    # A dashboard takes no tags (sources.SAR_CLOUDWATCH): PutDashboard creates and updates it.
    "aws:cloudwatch/dashboard:Dashboard": (
        "cloudwatch:PutDashboard",
        "cloudwatch:GetDashboard",
        "cloudwatch:DeleteDashboards",
    ),
    # The topic: CreateTopic with its tags, then SetTopicAttributes (KmsMasterKeyId); read by
    # GetTopicAttributes and its tags. Publishing (and so kms:GenerateDataKey on the topic's key) is
    # CloudWatch's, under the key policy, never the deployer's.
    "aws:sns/topic:Topic": (
        "sns:CreateTopic",
        "sns:SetTopicAttributes",
        "sns:GetTopicAttributes",
        "sns:DeleteTopic",
        "sns:TagResource",
        "sns:UntagResource",
        "sns:ListTagsForResource",
    ),
    # The e-mail subscription: Subscribe on the topic; an e-mail endpoint is not waited on
    # (waitForConfirmation), so the read is GetSubscriptionAttributes alone (no ListSubscriptionsByTopic);
    # Unsubscribe, then GetSubscriptionAttributes until it is gone.
    "aws:sns/topicSubscription:TopicSubscription": (
        "sns:Subscribe",
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:Unsubscribe",
    ),
    # The topic's key: CreateKey (with its policy and tags), EnableKeyRotation, then the reads that wait
    # for the policy, rotation and tags to show (DescribeKey, GetKeyPolicy, GetKeyRotationStatus,
    # ListResourceTags); an update calls PutKeyPolicy, UpdateKeyDescription, Enable/DisableKeyRotation; a
    # delete ScheduleKeyDeletion. EnableKey/DisableKey only for is_enabled false, which the component never
    # sets. CreateKey's dependent kms:TagResource authorizes the tags it sends (sources.SAR_KMS).
    "aws:kms/key:Key": (
        "kms:CreateKey",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:PutKeyPolicy",
        "kms:UpdateKeyDescription",
        "kms:EnableKeyRotation",
        "kms:DisableKeyRotation",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
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
    # Aurora: the engine version the cluster runs now, to plan a major upgrade (resources.running_database).
    "aws:rds/getClusters:getClusters": ("rds:DescribeDBClusters",),
    "aws:rds/getCluster:getCluster": ("rds:DescribeDBClusters",),
    # RDS: the engine version the instance runs, to keep it while engine_version is unset; by identifier,
    # else by the stack's tags (a renamed instance): the data source filters DescribeDBInstances' TagList,
    # no rds:ListTagsForResource (sources.DESCRIBE_DB_INSTANCES).
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

# Actions that take no resource type in the Service Authorization Reference (its "Resource types" column
# is empty): a policy must grant them on "*" (sources.SAR_EC2, SAR_LOGS, SAR_RDS, SAR_SNS; STS
# GetCallerIdentity needs no permission at all but is listed so the document shows every call).
NO_RESOURCE_TYPES = frozenset(
    {
        "ec2:DescribeAddresses",
        "ec2:DescribeAddressesAttribute",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeIamInstanceProfileAssociations",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceCreditSpecifications",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeInstances",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeNetworkInterfaceAttribute",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribePrefixLists",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeTags",
        "ec2:DescribeVolumes",
        "ec2:DescribeVpcEndpointServices",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "logs:DescribeLogGroups",
        # A subscription's own actions name no topic (sources.SAR_SNS).
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:Unsubscribe",
        "sts:GetCallerIdentity",
    }
)
