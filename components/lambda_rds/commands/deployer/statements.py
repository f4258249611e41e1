"""The statements of the deployer policy: resources, condition and effect, and which action goes where.

Pure data and small functions, no Pulumi: `SCOPES` in the order the policy lists them, and `scopes_of`,
the statements that grant or deny an action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lambda_rds.commands.deployer import arns, conditions
from lambda_rds.commands.deployer.actions import MASTER_SECRET_ACTIONS, NO_RESOURCE_TYPES
from lambda_rds.commands.deployer.conditions import Condition
from lambda_rds.commands.deployer.groups import (
    BROUGHT_VPC_CREATES,
    CHANGE_TAGGED,
    CREATE_KEY,
    CREATE_WITH_TAGS,
    DASHBOARD_ACTIONS,
    DEFAULT_GROUP_CLOSED,
    EC2_TAGGED_TYPES,
    KEY_WITH_ALIAS_DENIED,
    NEW_KEY_CHECKS,
    NOT_ANOTHER_STACKS,
    PUT_ALARM,
    RDS_BY_FILTER,
    RUN_INSTANCES,
    TAG_ADD,
    TAG_REMOVE,
    UNTAGGED_DENIED,
)
from lambda_rds.commands.deployer.target import Target


@dataclass(frozen=True)
class Scope:
    """One statement of the policy: which resources its actions are granted on, and why no narrower."""

    sid: str
    why: str
    resources: Callable[[Target], list[str]]
    """No resources: no statement (it does not apply to this target)."""
    condition: Callable[[Target], Condition] | None = None
    effect: str = "Allow"


def condition_for(scope: Scope, t: Target) -> Condition | None:
    """The statement's condition; in `--migrate` an Allow's `aws:ResourceTag` keys hold only where present
    (...IfExists): a resource of a stack from before the stack tags carries none yet."""
    if scope.condition is None:
        return None
    condition = scope.condition(t)
    if not t.migrate or scope.effect != "Allow":
        return condition
    out: Condition = {}
    for operator, pairs in condition.items():
        for key, value in pairs.items():
            relax = operator == "StringEquals" and key.startswith("aws:ResourceTag/")
            out.setdefault("StringEqualsIfExists" if relax else operator, {})[key] = value
    return out


SCOPES: tuple[Scope, ...] = (
    Scope(
        "NoResourceLevelPermissions",
        "these actions take no resource type (Service Authorization Reference): AWS accepts only `*`",
        arns.star,
    ),
    Scope(
        "CreateProxyWithStackTags",
        "`rds:CreateDBProxy` takes no resource type; its request must carry the stack's tags",
        arns.star,
        conditions.request_tags,
    ),
    Scope(
        "CreateKeyWithStackTags",
        "`kms:CreateKey` takes no resource type; its request must carry the stack's tags (the alarms' topic"
        " key)",
        arns.star,
        conditions.request_tags,
    ),
    Scope(
        "CreateWithStackTags",
        "creates whose request carries the stack's tags (`aws:RequestTag`), on the names the component gives",
        arns.created,
        conditions.request_tags,
    ),
    Scope(
        "ChangeOnlyThisStack",
        "only what carries this project's and stack's tags (`aws:ResourceTag`): the names are alike in"
        " every stack",
        # RunInstances requires the image named too: AWS's carry no tags of ours, so nothing is granted on it.
        lambda t: [*arns.tagged(t), *arns.amazon_images(t)],
        conditions.resource_tags,
    ),
    Scope(
        "PutAlarmsOfTheStack",
        "PutMetricAlarm creates and updates: the request carries the stack's tags, and an alarm that"
        " exists is this stack's",
        arns.alarms,
        conditions.request_and_existing_tags,
    ),
    Scope(
        "LaunchFromAmazonImages",
        "a NAT instance's launch: the image is AWS's own (`ec2:Owner`), Amazon Linux 2023",
        arns.run_instances,
        conditions.amazon_images,
    ),
    Scope(
        "LaunchOnItsInterface",
        "a NAT instance's launch on its fixed interface: RunInstances lists no tag key for it, only where"
        " it is (`ec2:Subnet`); the instance must carry the stack's tags",
        arns.run_instances,
        conditions.interfaces_here,
    ),
    Scope(
        "ResolveAmazonLinuxImage",
        "the NAT instances' template names AWS's public Amazon Linux 2023 parameter: read it, nothing else",
        arns.al2023_parameters,
    ),
    Scope(
        "RetagOnlyThisStack",
        "tags on what carries this stack's tags; a request that sets the stack keys sets this stack's",
        arns.tagged,
        conditions.retag,
    ),
    Scope(
        "TagEc2AtCreate",
        "EC2 tags only with the create (`ec2:CreateAction`), and only this stack's",
        lambda t: arns.ec2(t, *EC2_TAGGED_TYPES),
        conditions.ec2_at_create,
    ),
    Scope(
        "TagNewForThisStack",
        "tags sent with a create: this stack's, on what has no stack or component tag (a stack from"
        " before the stack tags needs `--migrate`)",
        arns.tagged_not_ec2,
        conditions.new_with_stack_tags,
    ),
    Scope(
        "TagTheDefaultGroup",
        "the adopted default group is tagged before its rules are revoked: only with the name"
        " `<component>-default-closed`, which `KeepTheDefaultGroupClosed` keeps closed",
        arns.default_group,
        conditions.default_group_named,
    ),
    Scope(
        "TagFinalSnapshots",
        "the database's tags copied to its final snapshot, named `<identifier>-final-*`",
        arns.final_snapshots,
    ),
    Scope(
        "NothingOfAnotherStack",
        "these also name what has no tags of ours (Lambda's network interfaces, default groups, final"
        " snapshots, RDS's proxy target group): nothing tagged for another stack",
        arns.with_untagged,
        conditions.not_another_stacks,
    ),
    Scope(
        "CreateInTheVpcYouBring",
        "the VPC and subnets you bring (`network.vpc_id`, `network.private_subnet_ids`), by their ids;"
        " what the create makes carries the stack's tags",
        arns.create_in_brought_vpc,
        conditions.request_tags_if_sent,
    ),
    Scope(
        "ChangeEndpointsInTheVpcYouBring",
        "the subnets you bring, by their ids, for endpoints tagged with this stack",
        arns.modify_in_brought_vpc,
        conditions.not_another_stacks,
    ),
    Scope(
        "ReadByName",
        "reads only (a secret's value excepted), on the names the component gives and a VPC you bring",
        lambda t: [
            *arns.roles(t),
            *arns.instance_profiles(t),
            *arns.functions(t),
            *arns.rds(t),
            t.arn("rds", "target-group:*"),
            *arns.app_secret(t),
            *arns.ec2(t, "vpc"),
            *arns.monitoring_reads(t),
        ],
    ),
    Scope(
        "AttachOnlyTheMonitoringPolicy",
        "its roles, tagged with the stack, and only `AmazonRDSEnhancedMonitoringRole` or (NAT instances'"
        " Session Manager) `AmazonSSMManagedInstanceCore`",
        arns.roles,
        conditions.monitoring_policy,
    ),
    Scope(
        "PassRolesOfTheStack",
        "its roles, tagged with the stack, only to the services that run them",
        arns.roles,
        conditions.passed_to,
    ),
    Scope(
        "PassTheNatRoleToEc2",
        "the NAT instances' Session Manager role (`network.nat_instance_ssm`), tagged with the stack, only"
        " to EC2",
        arns.nat_ssm_role,
        conditions.passed_to_ec2,
    ),
    Scope(
        "RdsServiceLinkedRole",
        "RDS's own service-linked role, created on first use in an account",
        arns.rds_service_role,
        conditions.rds_service_name,
    ),
    Scope(
        "LambdaLayersOfTheStack",
        "layers cannot be tagged; their names `<component>-<project>-<stack>-deps-*` carry the stack",
        arns.layers,
    ),
    Scope(
        "DashboardOfTheStack",
        "dashboards take no tags; its name `<project>-<stack>-<component>` carries the stack",
        arns.dashboards,
    ),
    Scope(
        "LogGroupsOfTheStack",
        "names carry the stack: `/lambda-rds/<project>/<stack>/<component>/*`, `/aws/rds/*/<identifier>/*`",
        arns.logs,
    ),
    Scope(
        "RdsDescribeByFilter",
        "a describe without an identifier is authorized on every instance, cluster or global cluster;"
        " read-only",
        arns.rds_by_filter,
    ),
    Scope(
        "RdsManagedMasterSecret",
        "RDS creates, names (`rds!db-<uuid>`) and tags the master secret itself, with the caller's rights",
        arns.master_secret,
    ),
    Scope(
        "CheckTheNewKey",
        "the topic key is read and its rotation turned on seconds after CreateKey, before its tags may take"
        " effect (up to five minutes): reads and EnableKeyRotation only, on the account's keys",
        arns.keys,
    ),
    Scope(
        "KmsThroughRdsAndSecretsManager",
        "the database's key (`database.kms_key_arn`, else any), only through RDS and Secrets Manager",
        arns.kms,
        conditions.via_rds_and_secrets,
    ),
    Scope(
        "Route53EndpointPrivateDns",
        "probable, confirm in CloudTrail: private DNS joins the VPC to the service's hosted zone (AWS's)",
        arns.hosted_zones,
    ),
    Scope(
        "DenyUntaggedOfOurKinds",
        "Deny: addresses, endpoints, databases, proxies and their groups are always tagged: none without a"
        " stack tag (`...IfExists` above is keyed per action; not in `--migrate`)",
        arns.always_tagged,
        conditions.no_stack_tag,
        effect="Deny",
    ),
    Scope(
        "DenyKeysWithAnAlias",
        "Deny: the topic key's changes are granted by its tags on `key/*` (its id is random); a key with an"
        " alias is never the component's, whatever its tags",
        arns.keys,
        conditions.key_has_an_alias,
        effect="Deny",
    ),
    Scope(
        "DenyStackTagRemoval",
        "Deny: nobody strips the `lambda-rds:*` tags the policy relies on",
        arns.every_taggable,
        conditions.stack_tag_keys,
        effect="Deny",
    ),
    Scope(
        "KeepTheDefaultGroupClosed",
        "Deny: a group named `<component>-default-closed` gets no rule and is not deleted",
        arns.default_group,
        conditions.named_closed,
        effect="Deny",
    ),
    Scope(
        "KeepTheDefaultGroupName",
        "Deny: ...nor another `Name`",
        arns.default_group,
        conditions.closed_renamed,
        effect="Deny",
    ),
)
SCOPE_BY_SID = {s.sid: s for s in SCOPES}

_BY_SID: dict[str, frozenset[str]] = {
    "CreateProxyWithStackTags": frozenset({"rds:CreateDBProxy"}),
    "CreateKeyWithStackTags": CREATE_KEY,
    "PutAlarmsOfTheStack": PUT_ALARM,
    "DashboardOfTheStack": DASHBOARD_ACTIONS,
    # The database's key is read through RDS and Secrets Manager; the topic's key, also right after its
    # create (CheckTheNewKey).
    "KmsThroughRdsAndSecretsManager": frozenset({"kms:DescribeKey"}),
    "CheckTheNewKey": NEW_KEY_CHECKS,
    "CreateWithStackTags": CREATE_WITH_TAGS,
    # A NAT instance's launch: its group, subnet and launch template carry the stack's tags.
    "ChangeOnlyThisStack": CHANGE_TAGGED | RUN_INSTANCES,
    "LaunchFromAmazonImages": RUN_INSTANCES,
    "LaunchOnItsInterface": RUN_INSTANCES,
    "ResolveAmazonLinuxImage": frozenset({"ssm:GetParameters"}),
    "RetagOnlyThisStack": TAG_ADD,
    "TagEc2AtCreate": frozenset({"ec2:CreateTags"}),
    "TagNewForThisStack": TAG_ADD - {"ec2:CreateTags"},
    "TagTheDefaultGroup": frozenset({"ec2:CreateTags"}),
    "TagFinalSnapshots": frozenset({"rds:AddTagsToResource"}),
    "NothingOfAnotherStack": NOT_ANOTHER_STACKS,
    "CreateInTheVpcYouBring": BROUGHT_VPC_CREATES,
    "ChangeEndpointsInTheVpcYouBring": frozenset({"ec2:ModifyVpcEndpoint"}),
    "AttachOnlyTheMonitoringPolicy": frozenset({"iam:AttachRolePolicy", "iam:DetachRolePolicy"}),
    "PassRolesOfTheStack": frozenset({"iam:PassRole"}),
    "PassTheNatRoleToEc2": frozenset({"iam:PassRole"}),
    "RdsServiceLinkedRole": frozenset({"iam:CreateServiceLinkedRole"}),
    "LambdaLayersOfTheStack": frozenset(
        {"lambda:PublishLayerVersion", "lambda:GetLayerVersion", "lambda:DeleteLayerVersion"}
    ),
    "RdsDescribeByFilter": RDS_BY_FILTER,
    "RdsManagedMasterSecret": frozenset(MASTER_SECRET_ACTIONS),
    "DenyUntaggedOfOurKinds": UNTAGGED_DENIED,
    "DenyKeysWithAnAlias": KEY_WITH_ALIAS_DENIED,
    "DenyStackTagRemoval": TAG_REMOVE,
    "KeepTheDefaultGroupClosed": DEFAULT_GROUP_CLOSED,
    "KeepTheDefaultGroupName": frozenset({"ec2:CreateTags", "ec2:DeleteTags"}),
}
# The rest, by service: logs and KMS are held by name and key; what remains of EC2 (DescribeVpcAttribute),
# IAM, Lambda, RDS, Secrets Manager, CloudWatch (DescribeAlarms, ListTagsForResource) and SNS
# (GetTopicAttributes, ListTagsForResource) is read-only.
_BY_SERVICE = {
    "logs": "LogGroupsOfTheStack",
    "kms": "KmsThroughRdsAndSecretsManager",
    "route53": "Route53EndpointPrivateDns",
    "ec2": "ReadByName",
    "iam": "ReadByName",
    "lambda": "ReadByName",
    "rds": "ReadByName",
    "secretsmanager": "ReadByName",
    "cloudwatch": "ReadByName",
    "sns": "ReadByName",
}


def scopes_of(action: str) -> tuple[str, ...]:
    """The statements (Sids) that grant or deny ``action``: one Allow for most; the tag actions also where
    tags are added at create, what RDS does on the master secret in that secret's statement, and the
    Denies that bound the Allows."""
    if action in NO_RESOURCE_TYPES:
        return ("NoResourceLevelPermissions",)
    sids = tuple(sid for sid, members in _BY_SID.items() if action in members)
    allows = [sid for sid in sids if SCOPE_BY_SID[sid].effect == "Allow"]
    return sids if allows else (_BY_SERVICE[action.split(":", 1)[0]], *sids)
