"""The ARN patterns each statement of the deployer policy names, from the stack's names.

Pure functions of a `Target`, no Pulumi: one per kind of `Resource`, held as narrow as the Service
Authorization Reference and the component's names let it be. An empty list: the statement does not apply.
"""

from __future__ import annotations

from lambda_rds.commands.deployer.groups import EC2_TAGGED_TYPES
from lambda_rds.commands.deployer.target import Target, layer_prefix, log_group_prefix, replica_prefix
from lambda_rds.rules.nat_instance import AL2023_SSM_PREFIX


def star(_: Target) -> list[str]:
    """Any resource: for the actions that take no resource type."""
    return ["*"]


def ec2(t: Target, *kinds: str) -> list[str]:
    """Every EC2 resource of these types in the stack's region and account (EC2 assigns the ids)."""
    return [t.arn("ec2", f"{kind}/*") for kind in kinds]


def roles(t: Target) -> list[str]:
    """The component's roles, by their auto-generated names."""
    # Every role is auto-named `<component>-<key>-role-<7 random>` (settings.names.derived_names).
    return [t.iam_arn(f"role/{t.name}-*-role-*")]


def nat_ssm_role(t: Target) -> list[str]:
    """The NAT instances' Session Manager role: `<component>-nat-ssm-role-<7 random>`
    (resources/nat_instance.py)."""
    return [t.iam_arn(f"role/{t.name}-nat-ssm-role-*")]


def instance_profiles(t: Target) -> list[str]:
    """The NAT instances' Session Manager profile, by its auto-generated name."""
    # `<component>-nat-ssm-profile-<7 random>` (resources/nat_instance.py).
    return [t.iam_arn(f"instance-profile/{t.name}-*-profile-*")]


def amazon_images(t: Target) -> list[str]:
    """Any image in the stack's region: image ARNs name no account (sources.SAR_EC2)."""
    return [f"arn:{t.partition}:ec2:{t.region}::image/*"]


def run_instances(t: Target) -> list[str]:
    """The resources RunInstances requires every statement that grants it to name (sources.SAR_EC2)."""
    return [*ec2(t, "instance", "network-interface", "security-group", "subnet"), *amazon_images(t)]


def al2023_parameters(t: Target) -> list[str]:
    """AWS's public Amazon Linux 2023 image parameters, which the NAT instances' template names."""
    # Public parameters' ARNs name no account (sources.ASG_SSM_PARAMETER_PERMISSIONS), and the `aws` prefix is
    # reserved to AWS, so no account can make one of these.
    # The account is left `*` (it matches the empty one): a policy checker reads an empty account as invalid.
    return [f"arn:{t.partition}:ssm:{t.region}:*:parameter{AL2023_SSM_PREFIX}*"]


def functions(t: Target) -> list[str]:
    """The component's functions, by their names."""
    return [t.arn("lambda", f"function:{t.name}-*")]


def layers(t: Target) -> list[str]:
    """The stack's Lambda layers, by their names."""
    return [t.arn("lambda", f"layer:{layer_prefix(t)}*")]


def logs(t: Target) -> list[str]:
    """The stack's log groups: its functions' and its database's."""
    # `/aws/rds/<instance|cluster>/<identifier>/<log>` (facts_rds.export_log_group), replicas' too.
    return [
        t.arn("logs", f"log-group:{log_group_prefix(t)}*"),
        t.arn("logs", f"log-group:/aws/rds/*/{t.db_identifier}/*"),
        t.arn("logs", f"log-group:/aws/rds/instance/{replica_prefix(t.db_identifier)}*"),
    ]


def _rds_own(t: Target) -> list[str]:
    """The RDS resources the component creates and tags."""
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
    ]


def rds(t: Target) -> list[str]:
    """The component's RDS resources and the default groups RDS names in a create."""
    # CreateDBInstance and CreateDBCluster are authorized on the option group, and an Aurora member on
    # the parameter group, RDS gives them by default (sources.RDS_IAM_POLICY_EXAMPLES); default groups
    # cannot be modified or deleted, carry no tags of ours, and are never tagged by this policy.
    return [*_rds_own(t), t.arn("rds", "og:default*"), t.arn("rds", "pg:default*")]


def final_snapshots(t: Target) -> list[str]:
    """The database's final snapshots, `<identifier>-final-*`."""
    # DeleteDBInstance/DeleteDBCluster with a final snapshot (sources.SAR_RDS: their dependent actions).
    ident = t.db_identifier
    return [t.arn("rds", f"snapshot:{ident}-final-*"), t.arn("rds", f"cluster-snapshot:{ident}-final-*")]


def rds_by_filter(t: Target) -> list[str]:
    """Every instance, cluster and global cluster: what a describe by filter is authorized on."""
    # Global cluster ARNs name no region (sources.SAR_RDS:
    # `arn:${Partition}:rds::${Account}:global-cluster:${GlobalCluster}`).
    return [
        t.arn("rds", "db:*"),
        t.arn("rds", "cluster:*"),
        t.arn("rds", "global-cluster:*", region=""),
    ]


def app_secret(t: Target) -> list[str]:
    """The component's own secret, by its name."""
    return [t.arn("secretsmanager", f"secret:{t.name}-*")]


def master_secret(t: Target) -> list[str]:
    """The master secret RDS manages, by the name RDS gives it."""
    # RDS names the secret it manages `rds!db-<uuid>` or `rds!cluster-<uuid>`: unknown before it exists.
    return [t.arn("secretsmanager", "secret:rds!*")]


def kms(t: Target) -> list[str]:
    """The database's key, else any key."""
    return [t.kms_key_arn] if t.kms_key_arn else [t.arn("kms", "key/*")]


def alarms(t: Target) -> list[str]:
    """The component's alarms, auto-named `<component>-<signal>[-<target>]-<7 random>`
    (resources/monitoring.py)."""
    return [t.arn("cloudwatch", f"alarm:{t.name}-*")]


def topics(t: Target) -> list[str]:
    """The alarms' topic the component creates, auto-named `<component>-alarms-<7 random>`."""
    return [t.arn("sns", f"{t.name}-alarms-*")]


def keys(t: Target) -> list[str]:
    """Any key: KMS gives a key a random id, so the stack's tags name the topic's key."""
    return [t.arn("kms", "key/*")]


def dashboards(t: Target) -> list[str]:
    """The stack's dashboard, by its name; dashboards are global: the ARN names no region
    (sources.SAR_CLOUDWATCH)."""
    # Imported here: rules.dashboard pulls the alarm rules, which no other command needs at start-up.
    from lambda_rds.rules.dashboard import dashboard_name

    return [t.arn("cloudwatch", f"dashboard/{dashboard_name(t.project, t.stack, t.name)}", region="")]


def monitoring_reads(t: Target) -> list[str]:
    """What the alarm and topic reads name."""
    return [*alarms(t), *topics(t)]


def hosted_zones(t: Target) -> list[str]:
    """Any hosted zone: the private zone AWS keeps for an endpoint's service."""
    # Route 53 ARNs name neither region nor account (sources.SAR_ROUTE53); the zone is AWS's own.
    return [f"arn:{t.partition}:route53:::hostedzone/*"]


def tagged_not_ec2(t: Target) -> list[str]:
    """What the component tags with the stack's tags outside EC2."""
    return [
        *roles(t),
        *instance_profiles(t),
        *functions(t),
        *_rds_own(t),
        *app_secret(t),
        *alarms(t),
        *topics(t),
        *keys(t),
    ]


def tagged(t: Target) -> list[str]:
    """What the component tags with the stack's tags (AWS's default groups not included)."""
    return [*ec2(t, *EC2_TAGGED_TYPES), *tagged_not_ec2(t)]


def created(t: Target) -> list[str]:
    """What the creates name: what the component tags, and AWS's default groups."""
    # A create is also authorized on AWS's default groups it names, and RunInstances on the image.
    return [*tagged(t), t.arn("rds", "og:default*"), t.arn("rds", "pg:default*"), *amazon_images(t)]


def with_untagged(t: Target) -> list[str]:
    """What the NOT_ANOTHER_STACKS actions name, tagged by the component or not."""
    return [
        *ec2(t, "network-interface", "elastic-ip"),
        # DetachNetworkInterface also names the instance the ENI is attached to; a Lambda ENI's instance is
        # AWS's own (InstanceOwnerId "amazon-aws"), in an account that is not the deployer's.
        t.arn("ec2", "instance/*", account="*"),
        *rds(t),
        *final_snapshots(t),
        # The default target group RDS creates with a proxy (prx-tg-...), untagged.
        t.arn("rds", "target-group:*"),
    ]


def always_tagged(t: Target) -> list[str]:
    """What DenyUntaggedOfOurKinds refuses untagged (nothing in `--migrate`)."""
    # What UNTAGGED_DENIED acts on that the component always tags; nothing in `--migrate`.
    return [] if t.migrate else [*ec2(t, "elastic-ip", "vpc-endpoint"), *_rds_own(t)]


def every_taggable(t: Target) -> list[str]:
    """Everything the stack's tags could be stripped from, for the Deny."""
    # A Deny may be broader than the Allows it bounds: nowhere may the deployer strip the stack's tags.
    return [
        t.arn("ec2", "*"),
        t.iam_arn("role/*"),
        t.iam_arn("instance-profile/*"),
        t.arn("lambda", "function:*"),
        t.arn("rds", "*"),
        t.arn("secretsmanager", "secret:*"),
        t.arn("cloudwatch", "alarm:*"),
        t.arn("sns", "*"),
        t.arn("kms", "key/*"),
    ]


def _brought_subnets(t: Target) -> list[str]:
    return [t.arn("ec2", f"subnet/{s}") for s in t.subnet_ids] if t.vpc_id else []


def create_in_brought_vpc(t: Target) -> list[str]:
    """The VPC and subnets you bring, and what the creates in them make."""
    if t.vpc_id is None:
        return []
    return [t.arn("ec2", f"vpc/{t.vpc_id}"), *_brought_subnets(t), *ec2(t, "security-group", "vpc-endpoint")]


def modify_in_brought_vpc(t: Target) -> list[str]:
    """The endpoints in the VPC you bring, and its subnets."""
    return [*ec2(t, "vpc-endpoint"), *_brought_subnets(t)] if t.vpc_id else []


def default_group(t: Target) -> list[str]:
    """The adopted default group of a VPC the component creates (none with a VPC you bring)."""
    # Only a VPC the component creates has its default group adopted (resources/network.py).
    return [] if t.vpc_id else ec2(t, "security-group")


def rds_service_role(t: Target) -> list[str]:
    """RDS's service-linked role."""
    # As the RDS user guide's example (sources.RDS_SERVICE_LINKED_ROLE): CreateServiceLinkedRole on the
    # role itself with iam:AWSServiceName, and nothing more (RDS gives the role its policy itself).
    return [t.iam_arn("role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS")]
