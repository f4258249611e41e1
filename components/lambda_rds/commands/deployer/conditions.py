"""The conditions of the deployer policy's statements: the stack's tags, what is passed, through what.

Pure functions of a `Target`, no Pulumi: `aws:ResourceTag` on what exists, `aws:RequestTag` on creates,
the tag keys the Denies guard, and the role, policy and key conditions.
"""

from __future__ import annotations

from lambda_rds.commands.deployer.groups import COMPONENT_TAG, EC2_CREATE_ACTIONS, PROJECT_TAG, STACK_TAG
from lambda_rds.commands.deployer.target import Target, default_group_name, dns_suffix

Condition = dict[str, dict[str, str | list[str]]]

# The services the component hands roles to (iam:PassRole's iam:PassedToService condition).
PASSED_TO = (
    "lambda.amazonaws.com",
    "rds.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
)
# The NAT instances' Session Manager role goes to EC2 in its instance profile (sources.EC2_PASS_ROLE): that
# role alone (`passed_to_ec2`), not every role of the stack.
EC2_SERVICE = "ec2.amazonaws.com"
# The managed policies the component attaches, by name: enhanced monitoring
# (rules.iam.ENHANCED_MONITORING_POLICY_ARN) and Session Manager on NAT instances
# (resources.nat_instance.SSM_CORE_POLICY_ARN).
MONITORING_POLICY = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
SSM_CORE_POLICY = "iam::aws:policy/AmazonSSMManagedInstanceCore"
# The owner alias of AWS's own images, Amazon Linux 2023 among them (sources.EC2_IMAGE_OWNER_AMAZON).
AMAZON_IMAGE_OWNER = "amazon"


def _stack_tags(key: str, t: Target) -> dict[str, str | list[str]]:
    stacks = t.stacks()
    return {
        f"{key}/{PROJECT_TAG}": t.project,
        f"{key}/{STACK_TAG}": stacks[0] if len(stacks) == 1 else stacks,
    }


def resource_tags(t: Target) -> Condition:
    """The resource carries this project's and stack's tags."""
    return {"StringEquals": _stack_tags("aws:ResourceTag", t)}


def request_tags(t: Target) -> Condition:
    """The request sets this project's and stack's tags."""
    return {
        "StringEquals": {f"aws:RequestTag/{PROJECT_TAG}": t.project, f"aws:RequestTag/{STACK_TAG}": t.stack}
    }


def retag(t: Target) -> Condition:
    """The resource is this stack's, and the request sets no other stack's tags."""
    # A tag the request sets on the stack keys must be this stack's (each key on its own: ...IfExists);
    # a change of another tag sends only that tag (sources.IAM_CONDITION_OPERATORS).
    return {**resource_tags(t), "StringEqualsIfExists": request_tags(t)["StringEquals"]}


def request_and_existing_tags(t: Target) -> Condition:
    """The request sets this stack's tags, and the resource, where it exists already, is this stack's."""
    # PutMetricAlarm both creates (no resource tags yet: ...IfExists) and updates (the alarm's own tags;
    # the request's are ignored then, sources.PUT_METRIC_ALARM): another stack's alarm with the same name
    # pattern keeps its own stack tag and is refused.
    return {**request_tags(t), "StringEqualsIfExists": _stack_tags("aws:ResourceTag", t)}


def request_tags_if_sent(t: Target) -> Condition:
    """The request's stack tags, where the action lists them, are this stack's."""
    # The VPC and subnets you bring list no request tag (sources.SAR_EC2): only what the create makes.
    return {"StringEqualsIfExists": request_tags(t)["StringEquals"]}


def ec2_at_create(t: Target) -> Condition:
    """EC2 tags only with a create, and only this stack's."""
    return {"StringEquals": {"ec2:CreateAction": list(EC2_CREATE_ACTIONS), **request_tags(t)["StringEquals"]}}


def _untagged(t: Target) -> dict[str, str | list[str]]:
    # No stack tag and no component tag: not a resource of a stack from before the stack tags (Null: the
    # key is absent, sources.IAM_CONDITION_OPERATORS). A service that reads the request's tags as the
    # resource's at create is granted by RetagOnlyThisStack instead.
    return {f"aws:ResourceTag/{STACK_TAG}": "true", f"aws:ResourceTag/{COMPONENT_TAG}": "true"}


def new_with_stack_tags(t: Target) -> Condition:
    """This stack's tags, sent with a create, on what carries no stack or component tag."""
    return {**request_tags(t), "Null": _untagged(t)}


def default_group_named(t: Target) -> Condition:
    """The adopted default group's tags at adoption, with its `Name`."""
    tags = {**request_tags(t)["StringEquals"], "aws:RequestTag/Name": default_group_name(t)}
    return {"StringEquals": tags, "Null": _untagged(t)}


def named_closed(t: Target) -> Condition:
    """The group carries the adopted default group's `Name`."""
    return {"StringEquals": {"aws:ResourceTag/Name": default_group_name(t)}}


def closed_renamed(t: Target) -> Condition:
    """The adopted default group's `Name` is changed or removed."""
    return {**named_closed(t), "ForAnyValue:StringEquals": {"aws:TagKeys": "Name"}}


def not_another_stacks(t: Target) -> Condition:
    """Whatever carries the stack keys carries this stack's values."""
    # ...IfExists: a resource without the key passes (a network interface, a default group, a snapshot
    # being made); one with it must be this stack's (sources.IAM_CONDITION_OPERATORS).
    return {"StringEqualsIfExists": _stack_tags("aws:ResourceTag", t)}


def no_stack_tag(_: Target) -> Condition:
    """The resource carries no stack tag."""
    return {"Null": {f"aws:ResourceTag/{STACK_TAG}": "true"}}


def stack_tag_keys(_: Target) -> Condition:
    """The request touches a `lambda-rds:*` tag key."""
    # aws:TagKeys is listed for every one of TAG_REMOVE (sources.SAR_EC2, SAR_IAM, SAR_LAMBDA, SAR_RDS,
    # SAR_SECRETS_MANAGER; the tests check it against parliament's copy).
    return {"ForAnyValue:StringLike": {"aws:TagKeys": "lambda-rds:*"}}


def key_has_an_alias(_: Target) -> Condition:
    """The key has at least one alias."""
    # kms:ResourceAliases is multivalued and absent on a key without an alias, as on the key CreateKey is
    # making (sources.KMS_ALIAS_AUTHORIZATION): Null false holds only where the key has one.
    return {"Null": {"kms:ResourceAliases": "false"}}


def via_rds_and_secrets(t: Target) -> Condition:
    """The key is used through RDS or Secrets Manager in the stack's region."""
    # kms:ViaService is `<service>.<region>.<endpoint domain>` (sources.KMS_VIA_SERVICE):
    # `.amazonaws.com.cn` in China (sources.KMS_VIA_SERVICE_CHINA). StringLike, not StringEquals: with
    # region "*" the value holds a wildcard (sources.IAM_CONDITION_OPERATORS).
    domain = dns_suffix(t.partition)
    return {
        "StringLike": {"kms:ViaService": [f"rds.{t.region}.{domain}", f"secretsmanager.{t.region}.{domain}"]}
    }


def passed_to(t: Target) -> Condition:
    """The stack's roles, passed only to the services that run them."""
    # The role's tags right after CreateRole may not be visible yet (sources.IAM_EVENTUAL_CONSISTENCY);
    # the provider retries a function create on "cannot be assumed by Lambda", not on an AccessDenied for
    # iam:PassRole (sources.TF_LAMBDA_FUNCTION_RETRIES): docs/deploying.md says to re-run `up`.
    return {"StringEquals": {"iam:PassedToService": list(PASSED_TO), **_stack_tags("aws:ResourceTag", t)}}


def passed_to_ec2(t: Target) -> Condition:
    """The NAT instances' role, tagged with the stack, passed only to EC2."""
    # AddRoleToInstanceProfile needs iam:PassRole on the role (sources.IAM_ADD_ROLE_TO_INSTANCE_PROFILE),
    # and no AWS page says which iam:PassedToService, if any, IAM sets there: ...IfExists lets a pass that
    # names no service through. A pass that names one (RunInstances, AssociateIamInstanceProfile) must name
    # EC2; and the role's trust policy lets only EC2 assume it (resources/nat_instance.py).
    return {
        "StringEquals": _stack_tags("aws:ResourceTag", t),
        "StringEqualsIfExists": {"iam:PassedToService": EC2_SERVICE},
    }


def monitoring_policy(t: Target) -> Condition:
    """Only the enhanced-monitoring and Session Manager managed policies, on the stack's roles."""
    policies = [f"arn:{t.partition}:{MONITORING_POLICY}", f"arn:{t.partition}:{SSM_CORE_POLICY}"]
    return {"ArnEquals": {"iam:PolicyARN": policies}, **resource_tags(t)}


def amazon_images(_: Target) -> Condition:
    """The image is AWS's own (the Amazon Linux 2023 the NAT instances boot)."""
    # ec2:Owner is listed for RunInstances' image row only (sources.SAR_EC2): the other resources of the
    # launch lack the key, so this statement grants nothing on them.
    return {"StringEquals": {"ec2:Owner": AMAZON_IMAGE_OWNER}}


def interfaces_here(t: Target) -> Condition:
    """The network interface is in a subnet of the stack's region and account."""
    # RunInstances lists no tag key for the interface it launches on (sources.SAR_EC2): ec2:Subnet is
    # listed for that row only, so this statement grants nothing on the other resources of the launch.
    # The instance itself must still carry the stack's tags, and an interface can be the primary one of a
    # single instance: another stack's running NAT keeps its own.
    return {"ArnLike": {"ec2:Subnet": t.arn("ec2", "subnet/*")}}


def rds_service_name(_: Target) -> Condition:
    """The service-linked role is RDS's."""
    return {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}}
