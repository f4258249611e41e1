"""The deployer policy (issue 17, item 10): it can finish a destroy, grants on the component's own
resources wherever AWS lets an action take a resource, holds what could cross stacks to the stack's tags,
passes parliament's audit, fits IAM's size limit, and really grants every call `pulumi up` / `destroy`
makes on the names and tags the component gives, checked on the resources it registers under mocks with
the condition keys the Service Authorization Reference lists for each action."""

from __future__ import annotations

import ast
import json
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import pytest

os.environ["LAMBDA_RDS_PACKAGING"] = "offline"

from lambda_rds.commands import deployer_policy as deployer
from lambda_rds.commands.cli import main as cli_main
from lambda_rds.commands.deployer import actions, groups
from lambda_rds.commands.deployer.target import Target
from lambda_rds.component import LambdaRds
from lambda_rds.rules import aws_sources
from lambda_rds.settings.database import database_identifier
from lambda_rds.testing.mocks import RecordedResource, RecordingMocks, run_with_mocks

with warnings.catch_warnings():  # parliament still imports pkg_resources
    warnings.simplefilter("ignore")
    import parliament

REPO = Path(__file__).resolve().parents[2]
ACCOUNT, REGION, OTHER_ACCOUNT = "123456789012", "us-east-1", "999999999999"
SUBNETS = {
    "subnet-a1": {"availabilityZone": "us-east-1a", "vpcId": "vpc-0abc"},
    "subnet-b2": {"availabilityZone": "us-east-1b", "vpcId": "vpc-0abc"},
}
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Between them: every resource type and lookup the component can register (tests/unit holds the same).
CONFIGS: list[dict[str, Any]] = [
    {"engine": "postgres", "egress": "none", "auth": "iam"},
    {
        "engine": "postgres",
        "proxy": True,
        "egress": "nat",
        "auth": "secret",
        "network": {"flow_logs": True},
        "database": {"monitoring_interval": 60},
        "functions": {"app": {"url": True}},
        # Alarms (on by default in every config), the dashboard and the e-mail subscription (issue 23).
        "monitoring": {"alarms": True, "dashboard": True, "email": "ops@example.com"},
    },
    {
        "engine": "aurora-postgresql",
        "proxy": True,
        "egress": "endpoints",
        "auth": "secret",
        "network": {"vpc_id": "vpc-0abc", "private_subnet_ids": list(SUBNETS)},
        "database": {
            "readers": 1,
            "identifier": "orders-db",
            "kms_key_arn": KMS_KEY,
            "monitoring_interval": 60,
        },
    },
    {"engine": "aurora-mysql", "egress": "endpoints", "auth": "secret", "database": {"readers": 1}},
    {"engine": "mysql", "database": {"readers": 1}},
    # NAT instances (issue 22), one per AZ, with the Session Manager profile.
    {
        "engine": "postgres",
        "egress": "nat",
        "auth": "secret",
        "nat_gateways": "per_az",
        "network": {"nat_type": "instance", "nat_instance_ssm": True},
    },
]


# ---- helpers ---------------------------------------------------------------------------------------
def build(args: dict[str, Any], stack: str = "dev") -> RecordingMocks:
    async def program() -> None:
        LambdaRds("app", args)  # type: ignore[arg-type]  # a plain dict, as other languages send

    return run_with_mocks(program, RecordingMocks(subnets=SUBNETS), stack=stack)


@cache
def built(index: int) -> RecordingMocks:
    return build(CONFIGS[index])


def target_for(
    args: dict[str, Any], account: str = ACCOUNT, stack: str = "dev", *, migrate: bool = False
) -> Target:
    database, network = args.get("database", {}), args.get("network", {})
    return Target(
        project="lambda-rds",
        stack=stack,
        name="app",
        db_identifier=database.get("identifier") or database_identifier("lambda-rds", stack, "app"),
        region=REGION,
        account=account,
        kms_key_arn=database.get("kms_key_arn"),
        vpc_id=network.get("vpc_id"),
        subnet_ids=tuple(network.get("private_subnet_ids", ())),
        migrate=migrate,
    )


# ---- the Service Authorization Reference, from parliament's copy --------------------------------------
def _privilege(action: str) -> dict[str, Any]:
    service, name = action.split(":", 1)
    for entry in parliament.iam_definition:
        if entry["prefix"] != service:
            continue
        for privilege in entry["privileges"]:
            if privilege["privilege"].lower() == name.lower():
                return dict(privilege)
    raise KeyError(f"{action} is not in the Service Authorization Reference")


@cache
def sar_types(action: str) -> frozenset[str]:
    """The resource types the Service Authorization Reference lists for ``action`` (parliament ships it)."""
    types = {r["resource_type"].rstrip("*") for r in _privilege(action)["resource_types"]}
    return frozenset(types - {""})


@cache
def _resource_table(service: str) -> dict[str, tuple[str, list[str]]]:
    """The service's resource types table: type -> (ARN template, condition keys)."""
    for entry in parliament.iam_definition:
        if entry["prefix"] == service:
            return {r["resource"]: (r["arn"], r["condition_keys"]) for r in entry["resources"]}
    return {}


def _key_matches(listed: str, key: str) -> bool:
    pattern = re.escape(listed).replace(re.escape("${TagKey}"), ".+").replace("tag-key", ".+")
    return re.fullmatch(pattern, key, flags=re.IGNORECASE) is not None


@cache
def supported_keys(action: str, kind: str) -> tuple[str, ...]:
    """The condition keys IAM evaluates for ``action`` on a resource of ``kind``: the action's row for that
    type when it lists keys (EC2 lists them per row), else the resource types table's keys for the type
    (RDS, Lambda, IAM... list none per row), plus the keys the action lists for the request itself."""
    rows = {r["resource_type"].rstrip("*"): r["condition_keys"] for r in _privilege(action)["resource_types"]}
    service = action.split(":", 1)[0]
    own = rows.get(kind) or _resource_table(service).get(kind, ("", []))[1]
    return (*own, *rows.get("", []))


def supports(action: str, kind: str, key: str) -> bool:
    return any(_key_matches(listed, key) for listed in supported_keys(action, kind))


def kinds_named(action: str, arn_pattern: str) -> set[str]:
    """The action's resource types whose ARN template ``arn_pattern`` (a policy's Resource) can match."""
    if arn_pattern == "*":
        return {""} | set(sar_types(action))
    sample = arn_pattern.replace("*", "x")
    table = _resource_table(action.split(":", 1)[0])
    found = set()
    for kind in sar_types(action):
        template = table.get(kind, ("", []))[0]
        regex = re.sub(r"\\\$\\\{[^}]*\\\}", ".*", re.escape(template))
        if re.fullmatch(regex, sample):
            found.add(kind)
    return found


# ---- IAM's evaluation, enough for these documents ------------------------------------------------------
def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


Context = dict[str, str | list[str]]


def conditions_hold(condition: dict[str, dict[str, Any]], context: Context) -> bool:
    """IAM's condition operators as these documents use them (sources.IAM_CONDITION_OPERATORS): a missing
    key fails a positive operator, passes ...IfExists and a negated one (StringNotEquals); ForAnyValue
    matches when any of the key's values does."""
    for operator, pairs in condition.items():
        for key, expected in pairs.items():
            value = context.get(key)
            if operator == "Null":
                if (value is None) != (expected == "true"):
                    return False
                continue
            base = operator.removeprefix("ForAnyValue:").removesuffix("IfExists")
            negated = "Not" in base
            if value is None:
                if operator.endswith("IfExists") or negated:
                    continue
                return False
            like = base.replace("Not", "") in ("StringLike", "ArnLike")
            matches = any(
                fnmatchcase(v, e) if like else v == e for v in as_list(value) for e in as_list(expected)
            )
            if matches == negated:
                return False
    return True


def allowed(statements: list[dict[str, Any]], action: str, arn: str, context: Context) -> bool:
    """IAM's decision for one resource of a request: some Allow and no Deny whose action is listed, whose
    ARN pattern matches (`*` spans `:` and `/`) and whose conditions all hold. IAM authorizes each
    resource of a request on its own."""

    def applies(s: dict[str, Any]) -> bool:
        return (
            action in as_list(s["Action"])
            and any(fnmatchcase(arn, r) for r in as_list(s["Resource"]))
            and conditions_hold(s.get("Condition", {}), context)
        )

    effects = {s.get("Effect", "Allow") for s in statements if applies(s)}
    return effects == {"Allow"}


# ---- what `pulumi up` / `destroy` touches, as IAM sees it ----------------------------------------------
PASS_ROLE = frozenset({"iam:PassRole"})
SERVICE_LINKED_ROLE = frozenset({"iam:CreateServiceLinkedRole"})
# The resource each create makes (the others name resources that exist already). The facts for the model,
# independent of how the policy groups its statements.
CREATES = {
    "ec2:AllocateAddress": "elastic-ip",
    "ec2:AuthorizeSecurityGroupEgress": "security-group-rule",
    "ec2:AuthorizeSecurityGroupIngress": "security-group-rule",
    "ec2:CreateFlowLogs": "vpc-flow-log",
    "ec2:CreateInternetGateway": "internet-gateway",
    "ec2:CreateLaunchTemplate": "launch-template",
    "ec2:CreateNatGateway": "natgateway",
    "ec2:CreateNetworkInterface": "network-interface",
    "ec2:CreateRouteTable": "route-table",
    "ec2:CreateSecurityGroup": "security-group",
    "ec2:CreateSubnet": "subnet",
    "ec2:CreateVpc": "vpc",
    "ec2:CreateVpcEndpoint": "vpc-endpoint",
    "ec2:RunInstances": "instance",
    "cloudwatch:PutMetricAlarm": "alarm",
    "cloudwatch:PutDashboard": "dashboard",
    "iam:CreateInstanceProfile": "instance-profile",
    "iam:CreateRole": "role",
    "lambda:CreateFunction": "function",
    "lambda:PublishLayerVersion": "layerVersion",
    "logs:CreateLogGroup": "log-group",
    "rds:CreateDBCluster": "cluster",
    "rds:CreateDBClusterParameterGroup": "cluster-pg",
    "rds:CreateDBClusterSnapshot": "cluster-snapshot",
    "rds:CreateDBInstance": "db",
    "rds:CreateDBInstanceReadReplica": "db",
    "rds:CreateDBParameterGroup": "pg",
    "rds:CreateDBProxyEndpoint": "proxy-endpoint",
    "rds:CreateDBSnapshot": "snapshot",
    "rds:CreateDBSubnetGroup": "subgrp",
    "secretsmanager:CreateSecret": "Secret",
    "sns:CreateTopic": "topic",
}
# The EC2 create that tags each type at create (ec2:CreateAction, aws_sources.EC2_TAG_ON_CREATE); the
# adopted default group is tagged by ec2:CreateTags alone.
EC2_CREATE_ACTION = {
    "aws:ec2/vpc:Vpc": "CreateVpc",
    "aws:ec2/subnet:Subnet": "CreateSubnet",
    "aws:ec2/routeTable:RouteTable": "CreateRouteTable",
    "aws:ec2/internetGateway:InternetGateway": "CreateInternetGateway",
    "aws:ec2/eip:Eip": "AllocateAddress",
    "aws:ec2/natGateway:NatGateway": "CreateNatGateway",
    "aws:ec2/securityGroup:SecurityGroup": "CreateSecurityGroup",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "CreateVpcEndpoint",
    "aws:ec2/flowLog:FlowLog": "CreateFlowLogs",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "AuthorizeSecurityGroupIngress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "AuthorizeSecurityGroupEgress",
    "aws:ec2/networkInterface:NetworkInterface": "CreateNetworkInterface",
    "aws:ec2/launchTemplate:LaunchTemplate": "CreateLaunchTemplate",
    "aws:ec2/instance:Instance": "RunInstances",
}
# RunInstances sends TagSpecifications for these only (the instance, and its volumes' volume_tags): the
# fixed interface it launches on gets no request tags (sources.TF_EC2_INSTANCE).
RUN_INSTANCES_TAGGED = frozenset({"instance", "volume"})
AL2023_PARAMETER = (
    f"arn:aws:ssm:{REGION}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
)
# Tagging at create: the resource has no tags yet, the request carries them all.
TAGS_AT_CREATE = frozenset(
    {
        "cloudwatch:TagResource",
        "ec2:CreateTags",
        "iam:TagInstanceProfile",
        "iam:TagRole",
        "kms:TagResource",
        "lambda:TagResource",
        "logs:TagResource",
        "rds:AddTagsToResource",
        "secretsmanager:TagResource",
        "sns:TagResource",
    }
)


TAGGING = re.compile(
    r"CreateTags|DeleteTags|AddTagsToResource|RemoveTagsFromResource|(Untag|Tag|ListTagsFor)\w*|ListTags"
)


@dataclass(frozen=True)
class Touch:
    """One resource a resource's create, update or delete acts on."""

    kind: str
    """Its IAM resource type."""
    arn: str
    tags: dict[str, str] | None = None
    """Its tags when it exists and carries some (None: untagged, yours, or AWS's)."""
    context: dict[str, str] = field(default_factory=dict)
    only: frozenset[str] | None = None
    """The only actions it is checked for (None: all the resource's actions that take its type)."""
    primary: bool = False
    """The registered resource itself: its creates make it, and tag it at create."""


def rds(resource: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:{resource}"


def ec2(resource: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{REGION}:{account}:{resource}"


def tags_of(r: RecordedResource) -> dict[str, str] | None:
    tags = r.inputs.get("tags")
    return dict(tags) if isinstance(tags, dict) and tags else None


def by_reference(everything: list[RecordedResource]) -> dict[str, RecordedResource]:
    """The stack's resources by id, name and ARN: how other resources name them."""
    found: dict[str, RecordedResource] = {}
    for x in everything:
        for key in (x.id, x.inputs.get("name"), x.outputs.get("name"), x.outputs.get("arn")):
            if isinstance(key, str) and key:
                found.setdefault(key, x)
    return found


def touches(r: RecordedResource, everything: list[RecordedResource]) -> Iterator[Touch]:
    """The resources, as IAM sees them, that `pulumi up` / `destroy` of ``r`` acts on."""
    i, o, t = r.inputs, r.outputs, r.type
    known = by_reference(everything)
    one = {x.type: x for x in everything}
    mine = tags_of(r)

    def ref(kind: str, arn: str, rid: str | None = None, **kw: Any) -> Touch:
        other = known.get(rid or "")
        return Touch(kind, arn, tags_of(other) if other else None, **kw)

    passed = {
        "aws:lambda/function:Function": ("role", "lambda.amazonaws.com"),
        "aws:rds/instance:Instance": ("monitoringRoleArn", "monitoring.rds.amazonaws.com"),
        "aws:rds/clusterInstance:ClusterInstance": ("monitoringRoleArn", "monitoring.rds.amazonaws.com"),
        "aws:rds/proxy:Proxy": ("roleArn", "rds.amazonaws.com"),
        "aws:ec2/flowLog:FlowLog": ("iamRoleArn", "vpc-flow-logs.amazonaws.com"),
    }
    if t in passed and i.get(passed[t][0]):
        role = i[passed[t][0]]
        context = {"iam:PassedToService": passed[t][1]}
        yield ref("role", role, role, context=context, only=PASS_ROLE)
    via = {"kms:ViaService": f"rds.{REGION}.amazonaws.com"}
    if t.startswith("aws:ec2/") or t.startswith("aws:vpc/"):
        kind = {
            "aws:ec2/vpc:Vpc": "vpc",
            "aws:ec2/subnet:Subnet": "subnet",
            "aws:ec2/routeTable:RouteTable": "route-table",
            "aws:ec2/internetGateway:InternetGateway": "internet-gateway",
            "aws:ec2/eip:Eip": "elastic-ip",
            "aws:ec2/natGateway:NatGateway": "natgateway",
            "aws:ec2/securityGroup:SecurityGroup": "security-group",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security-group",
            "aws:ec2/vpcEndpoint:VpcEndpoint": "vpc-endpoint",
            "aws:ec2/flowLog:FlowLog": "vpc-flow-log",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security-group-rule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security-group-rule",
            "aws:ec2/networkInterface:NetworkInterface": "network-interface",
            "aws:ec2/launchTemplate:LaunchTemplate": "launch-template",
            "aws:ec2/instance:Instance": "instance",
        }.get(t)
        if kind:
            yield Touch(kind, ec2(f"{kind}/{r.id}"), mine, primary=True)
        refs = (
            ("vpcId", "vpc"),
            ("subnetId", "subnet"),
            ("routeTableId", "route-table"),
            ("securityGroupId", "security-group"),
            ("allocationId", "elastic-ip"),
            ("gatewayId", "internet-gateway"),
            ("subnetIds", "subnet"),
            ("securityGroupIds", "security-group"),
            ("securityGroups", "security-group"),
            ("routeTableIds", "route-table"),
        )
        for key, k in refs:
            for rid in as_list(i.get(key) or []):
                yield ref(k, ec2(f"{k}/{rid}"), rid)
        if t in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/subnet:Subnet"):
            # A Lambda ENI left in the group or subnet, attached to AWS's own instance.
            yield Touch("network-interface", ec2("network-interface/eni-0123456789abcdef0"))
            yield Touch("instance", ec2("instance/i-0123456789abcdef0", OTHER_ACCOUNT))
        if t == "aws:ec2/vpcEndpoint:VpcEndpoint" and i.get("privateDnsEnabled"):
            yield Touch("hostedzone", "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ")
        if t == "aws:ec2/eip:Eip":
            # A NAT gateway's interface, AWS's and untagged, whose address a delete disassociates...
            only = frozenset({"ec2:DisassociateAddress"})
            yield Touch("network-interface", ec2("network-interface/eni-0fedcba9876543210"), only=only)
            if i.get("networkInterface"):  # ...or a NAT instance's fixed interface, the stack's own
                yield ref(
                    "network-interface",
                    ec2(f"network-interface/{i['networkInterface']}"),
                    i["networkInterface"],
                )
        if t in ("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
            # The template's ImageId `resolve:ssm:...` is read at create and at each launch.
            yield Touch("parameter", AL2023_PARAMETER, only=frozenset({"ssm:GetParameters"}))
        if t == "aws:ec2/instance:Instance":
            yield from instance_launch(r, i, known, mine)
    elif t == "aws:iam/role:Role":
        yield Touch("role", o["arn"], mine, primary=True)
    elif t == "aws:iam/instanceProfile:InstanceProfile":
        yield Touch("instance-profile", f"arn:aws:iam::{ACCOUNT}:instance-profile/{r.id}", mine, primary=True)
        # AddRoleToInstanceProfile needs iam:PassRole on the role
        # (aws_sources.IAM_ADD_ROLE_TO_INSTANCE_PROFILE).
        # Which iam:PassedToService IAM evaluates there is not documented: the role is EC2's (its trust
        # policy), so ec2.amazonaws.com is assumed here; confirm in CloudTrail.
        role = i["role"]
        context = {"iam:PassedToService": "ec2.amazonaws.com"}
        yield ref("role", f"arn:aws:iam::{ACCOUNT}:role/{role}", role, context=context, only=PASS_ROLE)
    elif t in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        context = {"iam:PolicyARN": i["policyArn"]} if "policyArn" in i else {}
        yield ref("role", f"arn:aws:iam::{ACCOUNT}:role/{i['role']}", i["role"], context=context)
    elif t == "aws:cloudwatch/logGroup:LogGroup":
        yield Touch("log-group", o["arn"], mine, primary=True)
        yield Touch("log-group", o["arn"] + ":*", mine, primary=True)
    elif t == "aws:lambda/function:Function":
        yield Touch("function", o["arn"], mine, primary=True)
    elif t == "aws:lambda/layerVersion:LayerVersion":
        yield Touch("layer", o["layerArn"], primary=True)
        yield Touch("layerVersion", o["arn"], primary=True)
    elif t in ("aws:lambda/invocation:Invocation", "aws:lambda/functionUrl:FunctionUrl"):
        name = i["functionName"]
        yield ref("function", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}", name)
    elif t == "aws:lambda/permission:Permission":
        name = i["function"].rsplit(":", 1)[-1]
        yield ref("function", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}", name)
    elif t == "aws:secretsmanager/secret:Secret":
        # Secrets Manager ends the ARN with 6 random characters.
        yield Touch("Secret", r.id + "-AbCdEf", mine, primary=True)
    elif t == "aws:secretsmanager/secretVersion:SecretVersion":
        yield ref("Secret", i["secretId"], i["secretId"])
    elif t == "aws:secretsmanager/secretRotation:SecretRotation":
        yield ref("Secret", i["secretId"], i["secretId"])
        yield ref("function", i["rotationLambdaArn"], i["rotationLambdaArn"].rsplit(":", 1)[-1])
    elif t in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        cluster = t == "aws:rds/cluster:Cluster"
        engine, version = str(i.get("engine", "postgres")), str(i.get("engineVersion", "16"))
        # The ARN names the identifier; the provider's id for an instance is its DbiResourceId (db-...),
        # which it reads with a dbi-resource-id filter and no identifier: authorized on `db:*`
        # (aws_sources.TF_DBI_RESOURCE_ID_READ). The cluster read also asks for global clusters.
        if cluster:
            yield Touch("cluster", rds(f"cluster:{i['clusterIdentifier']}"), mine, primary=True)
            yield Touch(
                "global-cluster",
                f"arn:aws:rds::{ACCOUNT}:global-cluster:*",
                only=frozenset({"rds:DescribeGlobalClusters"}),
            )
        else:
            yield Touch("db", rds(f"db:{i['identifier']}"), mine, primary=True)
            yield Touch("db", rds("db:*"), only=frozenset({"rds:DescribeDBInstances"}))
        if i.get("replicateSourceDb"):
            yield ref("db", rds(f"db:{i['replicateSourceDb']}"), i["replicateSourceDb"])
        yield Touch("og", rds(f"og:default:{engine}-{version.split('.')[0]}"))
        if i.get("dbSubnetGroupName"):
            yield ref("subgrp", rds(f"subgrp:{i['dbSubnetGroupName']}"), i["dbSubnetGroupName"])
        if i.get("parameterGroupName"):
            yield ref("pg", rds(f"pg:{i['parameterGroupName']}"), i["parameterGroupName"])
        if i.get("dbClusterParameterGroupName"):
            name = i["dbClusterParameterGroupName"]
            yield ref("cluster-pg", rds(f"cluster-pg:{name}"), name)
        if i.get("finalSnapshotIdentifier"):
            kind = "cluster-snapshot" if cluster else "snapshot"
            yield Touch(kind, rds(f"{kind}:{i['finalSnapshotIdentifier']}"))
        key = i.get("kmsKeyId") or f"arn:aws:kms:{REGION}:{ACCOUNT}:key/aws-rds-managed"
        yield Touch("key", key, context=via)
        slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"
        context = {"iam:AWSServiceName": "rds.amazonaws.com"}
        yield Touch("role", slr, context=context, only=SERVICE_LINKED_ROLE)
        for secret in o.get("masterUserSecrets") or []:
            yield Touch("Secret", secret["secretArn"])  # RDS's, with RDS's own tags
    elif t == "aws:rds/clusterInstance:ClusterInstance":
        yield Touch("db", rds(f"db:{r.id}"), mine, primary=True)
        yield Touch("db", rds("db:*"), only=frozenset({"rds:DescribeDBInstances"}))
        cluster = i["clusterIdentifier"]
        yield ref("cluster", rds(f"cluster:{cluster}"), cluster)
        yield Touch("pg", rds(f"pg:default.{i['engine']}16"))
        yield Touch("og", rds(f"og:default:{i['engine']}-16"))
        yield ref("subgrp", rds(f"subgrp:{i['dbSubnetGroupName']}"), i["dbSubnetGroupName"])
    elif t in ("aws:rds/parameterGroup:ParameterGroup", "aws:rds/subnetGroup:SubnetGroup"):
        kind = "pg" if t == "aws:rds/parameterGroup:ParameterGroup" else "subgrp"
        yield Touch(kind, rds(f"{kind}:{r.id}"), mine, primary=True)
    elif t == "aws:rds/clusterParameterGroup:ClusterParameterGroup":
        yield Touch("cluster-pg", rds(f"cluster-pg:{r.id}"), mine, primary=True)
    elif t == "aws:cloudwatch/metricAlarm:MetricAlarm":
        # The provider's id is the alarm's name (resourceMetricAlarmCreate: d.SetId(name)).
        yield Touch("alarm", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{r.id}", mine, primary=True)
    elif t == "aws:cloudwatch/dashboard:Dashboard":
        # Dashboards are global: no region in the ARN.
        yield Touch(
            "dashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{i['dashboardName']}", primary=True
        )
    elif t == "aws:sns/topic:Topic":
        yield Touch("topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:{r.id}", mine, primary=True)
    elif t == "aws:sns/topicSubscription:TopicSubscription":
        # Subscribe names the topic; the subscription's own actions name none (checked on `*`).
        name = i["topic"].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        yield ref("topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}", name)
    elif t == "aws:kms/key:Key":
        yield Touch("key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{r.id}", mine, primary=True)
    elif t.startswith("aws:rds/proxy"):
        proxy = one["aws:rds/proxy:Proxy"]
        yield Touch("proxy", proxy.outputs["arn"], tags_of(proxy), primary=t == "aws:rds/proxy:Proxy")
        if t == "aws:rds/proxyEndpoint:ProxyEndpoint":
            yield Touch("proxy-endpoint", o["arn"], mine, primary=True)
        if t in (
            "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
            "aws:rds/proxyTarget:ProxyTarget",
        ):
            group = one["aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"]
            yield Touch("target-group", group.outputs["arn"])  # RDS creates it, untagged
        if t == "aws:rds/proxyTarget:ProxyTarget":
            if i.get("dbClusterIdentifier"):
                cluster = i["dbClusterIdentifier"]
                yield ref("cluster", rds(f"cluster:{cluster}"), cluster)
            if i.get("dbInstanceIdentifier"):
                db = i["dbInstanceIdentifier"]
                yield ref("db", rds(f"db:{db}"), db)


def instance_launch(
    r: RecordedResource, i: dict[str, Any], known: dict[str, RecordedResource], mine: dict[str, str] | None
) -> Iterator[Touch]:
    """What a NAT instance's RunInstances names besides the instance: its root volume (tagged by the same
    request), its fixed interface and that interface's subnet and group, the launch template, AWS's image,
    and the Session Manager role its profile passes."""
    launch = frozenset({"ec2:RunInstances"})
    yield Touch(
        "volume",
        ec2("volume/vol-0123456789abcdef0"),
        mine,  # volume_tags: the instance's tags
        only=launch | {"ec2:CreateTags", "ec2:DeleteTags"},
        primary=True,
    )
    eni_id = (i.get("primaryNetworkInterface") or i["networkInterfaces"][0])["networkInterfaceId"]
    eni = known[eni_id]
    subnet = eni.inputs["subnetId"]
    # RunInstances lists no tag key for the interface, only where it is (ec2:Subnet).
    where = {"ec2:Subnet": ec2(f"subnet/{subnet}")}
    yield Touch("network-interface", ec2(f"network-interface/{eni_id}"), tags_of(eni), where, only=launch)
    yield Touch(
        "subnet", ec2(f"subnet/{subnet}"), tags_of(known[subnet]) if subnet in known else None, only=launch
    )
    for group in eni.inputs.get("securityGroups") or []:
        other = known.get(group)
        yield Touch(
            "security-group", ec2(f"security-group/{group}"), tags_of(other) if other else None, only=launch
        )
    template = i["launchTemplate"]["id"]
    yield Touch("launch-template", ec2(f"launch-template/{template}"), tags_of(known[template]), only=launch)
    # AWS's Amazon Linux 2023 image (owner alias "amazon", aws_sources.EC2_IMAGE_OWNER_AMAZON).
    image = f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0"
    yield Touch("image", image, context={"ec2:Owner": "amazon"}, only=launch)
    if i.get("iamInstanceProfile"):
        role = known[i["iamInstanceProfile"]].inputs["role"]
        passed = {"iam:PassedToService": "ec2.amazonaws.com"}  # aws_sources.EC2_PASS_ROLE
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
        yield Touch("role", role_arn, tags_of(known[role]), passed, only=PASS_ROLE)


def request_context(r: RecordedResource, action: str, touch: Touch, *, pre_tag: bool = False) -> Context:
    """What IAM knows when it authorizes ``action`` on ``touch`` for ``r``'s create, update or delete:
    the resource's tags unless this very request makes it (or tags it at create), the request's tags when
    it carries them (and their keys), the other keys; then only the keys the reference lists for the
    action and type (IAM evaluates an unlisted key as absent). ``pre_tag``: the stack was deployed before
    the stack tags, so what exists carries the component tag but no project or stack tag."""
    # Before the stack tags, the first `up` adds them to what exists: not a tagging at create.
    at_create = action in TAGS_AT_CREATE and not pre_tag
    made_here = touch.primary and (CREATES.get(action) == touch.kind or at_create)
    context: Context = dict(touch.context)
    existing = dict(touch.tags or {})
    if pre_tag:
        existing = {k: v for k, v in existing.items() if k not in (groups.PROJECT_TAG, groups.STACK_TAG)}
    if existing and not made_here:
        context.update({f"aws:ResourceTag/{k}": v for k, v in existing.items()})
    carries = action in TAGS_AT_CREATE or CREATES.get(action) is not None
    if action == "ec2:RunInstances" and touch.kind not in RUN_INSTANCES_TAGGED:
        carries = False
    sent = tags_of(r) or {}
    if action in TAGS_AT_CREATE and not made_here:  # an update sends only the tags it adds or changes
        sent = {k: v for k, v in sent.items() if existing.get(k) != v}
    if carries and sent:
        context.update({f"aws:RequestTag/{k}": v for k, v in sent.items()})
        context["aws:TagKeys"] = sorted(sent)
    if action == "ec2:CreateTags" and made_here and r.type in EC2_CREATE_ACTION:
        context["ec2:CreateAction"] = EC2_CREATE_ACTION[r.type]
    return {k: v for k, v in context.items() if supports(action, touch.kind, k)}


def denied(mocks: RecordingMocks, target: Target, *, pre_tag: bool = False) -> list[str]:
    """Every (action, ARN) the stack's resources need that the policy does not grant."""
    statements = deployer.statements(target)
    out: set[str] = set()
    custom = [r for r in mocks.resources if r.custom]
    for r in custom:
        for touch in touches(r, custom):
            for action in actions.RESOURCE_ACTIONS[r.type]:
                if touch.only is not None and action not in touch.only:
                    continue
                if action in SERVICE_LINKED_ROLE and touch.only is None:
                    continue  # it creates RDS's own role, never one of the component's
                if touch.kind not in sar_types(action):
                    continue
                if TAGGING.fullmatch(action.split(":", 1)[1]) and not (touch.primary and touch.tags):
                    continue  # tags are read and written on the resource itself, when it has some
                context = request_context(r, action, touch, pre_tag=pre_tag)
                if not allowed(statements, action, touch.arn, context):
                    out.add(f"{action} on {touch.arn}")
    return sorted(out)


def audit(document: dict[str, Any]) -> list[str]:
    """parliament's findings at MEDIUM or above, with its default auditors (as its command line runs)."""
    policy = parliament.analyze_policy_string(json.dumps(document))
    return [
        f"{f.issue}: {f.detail}"
        for f in policy.findings
        if parliament.config.get(f.issue, {}).get("severity") in ("MEDIUM", "HIGH", "CRITICAL")
    ]


def write_project(folder: Path, stack: str, config: dict[str, Any]) -> Path:
    (folder / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (folder / f"Pulumi.{stack}.yaml").write_text(json.dumps({"config": config}))  # JSON is YAML
    return folder


# ---- (a) a destroy can finish ----------------------------------------------------------------------
@pytest.mark.parametrize("type_token", ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/subnet:Subnet"])
def test_deleting_a_group_or_subnet_may_remove_lambdas_lingering_enis(type_token: str) -> None:
    # deleteLingeringENIs (aws_sources.TF_LINGERING_ENIS) runs before both deletes.
    needed = {"ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface", "ec2:DeleteNetworkInterface"}
    assert needed <= set(actions.RESOURCE_ACTIONS[type_token])
    statements = deployer.statements(target_for({}), [type_token], [])
    eni = ec2("network-interface/eni-0123456789abcdef0")  # Lambda's, untagged
    assert allowed(statements, "ec2:DeleteNetworkInterface", eni, {})
    assert allowed(statements, "ec2:DetachNetworkInterface", ec2("instance/i-1", OTHER_ACCOUNT), {})


# ---- (b) scoped to the component's names and the stack's tags ---------------------------------------
@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_every_call_is_granted_on_the_names_the_component_gives(index: int) -> None:
    mocks = built(index)
    assert denied(mocks, target_for(CONFIGS[index])) == []
    # ...and with the account left open, as `lambda-rds deployer-policy` does by default.
    assert denied(mocks, target_for(CONFIGS[index], account="*")) == []


def test_another_components_names_are_refused() -> None:
    mocks = built(1)
    other = Target("lambda-rds", "dev", "other", "lambda-rds-dev-other", region=REGION, account=ACCOUNT)
    refused = denied(mocks, other)
    for needle in (
        ":role/app-",
        ":function:app-",
        ":log-group:/lambda-rds/lambda-rds/dev/app/",
        ":db:lambda-rds-dev-app",
    ):
        assert any(needle in line for line in refused), needle
    elsewhere = Target("lambda-rds", "dev", "app", "lambda-rds-dev-app", region="eu-west-1", account=ACCOUNT)
    assert any(":function:app-" in line for line in denied(mocks, elsewhere))


@pytest.mark.parametrize("index", [1, 2])
def test_another_stack_of_the_same_component_cannot_change_this_ones(index: int) -> None:
    # The names are alike in every stack (`app-...`): the prod policy must not reach dev's resources.
    refused = denied(built(index), target_for(CONFIGS[index], stack="prod"))
    for damage in (
        "lambda:UpdateFunctionCode on arn:aws:lambda:us-east-1:123456789012:function:app-",
        "lambda:DeleteFunction on arn:aws:lambda:us-east-1:123456789012:function:app-",
        "iam:PutRolePolicy on arn:aws:iam::123456789012:role/app-",
        "iam:DeleteRole on arn:aws:iam::123456789012:role/app-",
        "iam:PassRole on arn:aws:iam::123456789012:role/app-",
        "secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:app-",
        "secretsmanager:DeleteSecret on arn:aws:secretsmanager:us-east-1:123456789012:secret:app-",
        "ec2:DeleteSecurityGroup on arn:aws:ec2:us-east-1:123456789012:security-group/",
        "ec2:AuthorizeSecurityGroupIngress on arn:aws:ec2:us-east-1:123456789012:security-group/",
        "rds:DeleteDBSubnetGroup on arn:aws:rds:us-east-1:123456789012:subgrp:app-db-subnets",
        "rds:ModifyDBParameterGroup on arn:aws:rds:us-east-1:123456789012:pg:app-db-params"
        if index == 1
        else "rds:ModifyDBClusterParameterGroup on arn:aws:rds:us-east-1:123456789012:cluster-pg:app-db-",
    ):
        assert any(line.startswith(damage) for line in refused), damage
    if index == 2:  # Aurora members are `app-db-<i>-...` in every stack
        assert any(line.startswith("rds:DeleteDBInstance on " + rds("db:app-db-0-")) for line in refused)
        assert any(line.startswith("rds:ModifyDBInstance on " + rds("db:app-db-0-")) for line in refused)


# ---- (c2) the second review of the scoped policy (issue 17, item 10) ----------------------------------
DEV_REQ: Context = {
    "aws:RequestTag/lambda-rds:project": "lambda-rds",
    "aws:RequestTag/lambda-rds:stack": "dev",
}
DEV_RES: Context = {
    "aws:ResourceTag/lambda-rds:project": "lambda-rds",
    "aws:ResourceTag/lambda-rds:stack": "dev",
}
PROD_RES: Context = {**DEV_RES, "aws:ResourceTag/lambda-rds:stack": "prod"}
# What a stack deployed before the stack tags carries: the component tag (component.py), no stack tag.
PRE_TAG: Context = {"aws:ResourceTag/lambda-rds:component": "app"}
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-db-app-AbCdEf"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-fn-app-role-1234567"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app-fn-app-1234567"
ALARM = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:app-db-cpu-1234567"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:app-alarms-1234567"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-0000-0000-0000-000000000000"
DEV = target_for({})  # the stack creates its VPC
MIGRATE = target_for({}, migrate=True)


def test_a_stack_retags_its_own_resources_but_not_another_stacks() -> None:
    statements = deployer.statements(deployer.DOCS_TARGET)  # dev
    fn = "arn:aws:lambda:us-east-1:123456789012:function:app-fn-app-1234567"
    # A change of a user tag sends only that tag: the resource's own tags allow it.
    assert allowed(statements, "lambda:TagResource", fn, {**DEV_RES, "aws:RequestTag/team": "a"})
    assert allowed(statements, "lambda:UpdateFunctionCode", fn, DEV_RES)
    # prod's function keeps its tags: dev cannot retag it as its own, nor untag it.
    assert not allowed(statements, "lambda:TagResource", fn, {**PROD_RES, **DEV_REQ})
    assert not allowed(statements, "lambda:UntagResource", fn, {**PROD_RES, "aws:TagKeys": ["team"]})


def test_a_stack_cannot_claim_an_untagged_resource_of_another_stack() -> None:
    statements = deployer.statements(DEV)
    # prod's secret and role from before the stack tags: dev may not tag them as its own...
    assert not allowed(statements, "secretsmanager:TagResource", SECRET, {**DEV_REQ, **PRE_TAG})
    assert not allowed(statements, "iam:TagRole", ROLE, {**DEV_REQ, **PRE_TAG})
    # ...nor read or change them as they are.
    assert not allowed(statements, "secretsmanager:GetSecretValue", SECRET, PRE_TAG)
    assert not allowed(statements, "iam:PutRolePolicy", ROLE, PRE_TAG)
    # EC2 tags only with a create (ec2:CreateAction, aws_sources.EC2_TAG_ON_CREATE): no untagged VPC.
    assert not allowed(statements, "ec2:CreateTags", ec2("vpc/vpc-other"), DEV_REQ)
    assert not allowed(statements, "ec2:DeleteVpc", ec2("vpc/vpc-other"), {})
    created = {**DEV_REQ, "ec2:CreateAction": "CreateVpc"}
    assert allowed(statements, "ec2:CreateTags", ec2("vpc/vpc-new"), created)
    prods = {**created, "aws:RequestTag/lambda-rds:stack": "prod"}
    assert not allowed(statements, "ec2:CreateTags", ec2("vpc/vpc-new"), prods)
    # Tags sent with CreateRole / CreateSecret: the resource has none yet.
    assert allowed(statements, "iam:TagRole", ROLE, DEV_REQ)
    assert allowed(statements, "secretsmanager:TagResource", SECRET, DEV_REQ)
    assert "TagUntaggedForThisStack" not in {s["Sid"] for s in statements}


def test_the_migrate_policy_lets_the_first_up_tag_a_stack_from_before() -> None:
    statements = deployer.statements(MIGRATE)
    assert allowed(statements, "secretsmanager:TagResource", SECRET, {**DEV_REQ, **PRE_TAG})
    assert allowed(statements, "secretsmanager:GetSecretValue", SECRET, PRE_TAG)  # a refresh
    assert allowed(statements, "lambda:DeleteFunction", FUNCTION, PRE_TAG)  # a replacement
    assert allowed(statements, "ec2:CreateTags", ec2("security-group/sg-1"), {**DEV_REQ, **PRE_TAG})
    assert allowed(statements, "rds:ModifyDBInstance", rds("db:app-db-0-abcdefg"), PRE_TAG)
    # Still nothing tagged for another stack.
    assert not allowed(statements, "lambda:DeleteFunction", FUNCTION, PROD_RES)
    assert not allowed(statements, "secretsmanager:TagResource", SECRET, {**DEV_REQ, **PROD_RES})
    assert not allowed(
        statements, "lambda:TagResource", FUNCTION, {**PRE_TAG, "aws:RequestTag/lambda-rds:stack": "prod"}
    )


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_the_first_up_of_a_stack_from_before_needs_the_migrate_policy(index: int) -> None:
    assert denied(built(index), target_for(CONFIGS[index]), pre_tag=True) != []
    assert denied(built(index), target_for(CONFIGS[index], migrate=True), pre_tag=True) == []
    assert denied(built(index), target_for(CONFIGS[index], migrate=True)) == []


def test_types_that_are_always_tagged_are_refused_without_the_stack_tag() -> None:
    statements = deployer.statements(DEV)
    # ...IfExists is keyed per action: the Deny covers the types the component always tags.
    assert not allowed(statements, "rds:ModifyDBInstance", rds("db:app-db-0-abcdefg"), {})  # prod's member
    assert not allowed(statements, "rds:DeleteDBCluster", rds("cluster:lambda-rds-dev-app"), {})
    assert not allowed(statements, "rds:DeregisterDBProxyTargets", rds("db-proxy:prx-0123"), {})
    assert not allowed(statements, "ec2:DisassociateAddress", ec2("elastic-ip/eipalloc-1"), {})
    assert not allowed(statements, "ec2:ModifyVpcEndpoint", ec2("vpc-endpoint/vpce-1"), {})
    assert not allowed(statements, "ec2:AuthorizeSecurityGroupIngress", ec2("security-group/sg-x"), {})
    # AWS's default groups and RDS's target group carry no tags of ours, and still pass.
    assert allowed(statements, "rds:ModifyDBInstance", rds("og:default:postgres-16"), {})
    assert allowed(statements, "rds:ModifyDBProxyTargetGroup", rds("target-group:prx-tg-0123"), {})
    assert allowed(statements, "rds:ModifyDBInstance", rds("db:lambda-rds-dev-app"), DEV_RES)
    deny = next(s for s in statements if s["Sid"] == "DenyUntaggedOfOurKinds")
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Null": {"aws:ResourceTag/lambda-rds:stack": "true"}}
    assert "DenyUntaggedOfOurKinds" not in {s["Sid"] for s in deployer.statements(MIGRATE)}


def test_a_brought_vpc_is_named_by_its_ids_not_matched_by_tags() -> None:
    brought = deployer.statements(target_for(CONFIGS[2]))  # network.vpc_id vpc-0abc, subnet-a1, subnet-b2
    other_stacks = {"aws:ResourceTag/lambda-rds:stack": "shared"}  # a VPC another stack made and you bring
    assert allowed(brought, "ec2:CreateSecurityGroup", ec2("vpc/vpc-0abc"), other_stacks)
    assert allowed(brought, "ec2:CreateVpcEndpoint", ec2("subnet/subnet-a1"), {})
    assert not allowed(brought, "ec2:CreateSecurityGroup", ec2("vpc/vpc-other"), {})
    assert not allowed(brought, "ec2:CreateVpcEndpoint", ec2("subnet/subnet-zz"), {})
    # What the create makes carries the stack's tags.
    group = ec2("security-group/sg-new")
    assert allowed(brought, "ec2:CreateSecurityGroup", group, DEV_REQ)
    assert not allowed(
        brought, "ec2:CreateSecurityGroup", group, {**DEV_REQ, "aws:RequestTag/lambda-rds:stack": "prod"}
    )
    # A VPC the component creates: only this stack's.
    own = deployer.statements(DEV)
    assert not allowed(own, "ec2:CreateSecurityGroup", ec2("vpc/vpc-other"), {})
    assert allowed(own, "ec2:CreateSecurityGroup", ec2("vpc/vpc-1"), DEV_RES)


def test_security_group_rules_carry_the_stack_tags_and_are_tagged_at_create() -> None:
    # aws.vpc.SecurityGroup{Ingress,Egress}Rule send TagSpecifications (aws_sources.TF_SG_RULE_TAGS), with
    # the provider's default tags too: the rule must carry the stack's.
    rules = [
        r
        for i in range(len(CONFIGS))
        for r in built(i).resources
        if r.type.startswith("aws:vpc/securityGroup") and r.type.endswith("Rule")
    ]
    assert len(rules) > 10
    for r in rules:
        assert (tags_of(r) or {}).get("lambda-rds:stack") == "dev", r.name
    assert "security-group-rule" in groups.EC2_TAGGED_TYPES
    statements = deployer.statements(DEV)
    rule = ec2("security-group-rule/sgr-0123")
    create = {**DEV_REQ, "aws:RequestTag/team": "x", "ec2:CreateAction": "AuthorizeSecurityGroupIngress"}
    assert allowed(statements, "ec2:CreateTags", rule, create)
    assert allowed(statements, "ec2:AuthorizeSecurityGroupIngress", rule, create)
    default_tags_only = {"aws:RequestTag/team": "x", "ec2:CreateAction": "AuthorizeSecurityGroupIngress"}
    assert not allowed(statements, "ec2:CreateTags", rule, default_tags_only)
    assert allowed(statements, "ec2:ModifySecurityGroupRules", rule, DEV_RES)


def test_the_final_snapshot_gets_the_database_tags_by_its_name() -> None:
    # AddTagsToResource copies the database's tags: the request may carry none of the stack's.
    statements = deployer.statements(DEV)
    for kind in ("snapshot", "cluster-snapshot"):
        assert allowed(
            statements, "rds:AddTagsToResource", rds(f"{kind}:lambda-rds-dev-app-final-1a2b3c4d"), {}
        )
        assert not allowed(statements, "rds:AddTagsToResource", rds(f"{kind}:other-final-1a2b3c4d"), {})


def test_the_stack_tags_cannot_be_stripped_or_rewritten() -> None:
    statements = deployer.statements(DEV)
    removals = {
        "ec2:DeleteTags": ec2("vpc/vpc-1"),
        "iam:UntagRole": ROLE,
        "iam:UntagInstanceProfile": f"arn:aws:iam::{ACCOUNT}:instance-profile/app-nat-ssm-profile-1234567",
        "lambda:UntagResource": FUNCTION,
        "rds:RemoveTagsFromResource": rds("db:lambda-rds-dev-app"),
        "secretsmanager:UntagResource": SECRET,
        "cloudwatch:UntagResource": ALARM,
        "sns:UntagResource": TOPIC,
        "kms:UntagResource": KEY,
    }
    assert set(removals) == groups.TAG_REMOVE
    for action, arn in removals.items():
        assert supports(action, "", "aws:TagKeys") or any(
            supports(action, kind, "aws:TagKeys") for kind in sar_types(action)
        ), action
        assert allowed(statements, action, arn, {**DEV_RES, "aws:TagKeys": ["team"]}), action
        for key in ("lambda-rds:stack", "lambda-rds:project", "lambda-rds:component"):
            assert not allowed(statements, action, arn, {**DEV_RES, "aws:TagKeys": ["team", key]}), action
    rewrite = {**DEV_RES, "aws:RequestTag/lambda-rds:stack": "prod"}
    assert not allowed(statements, "lambda:TagResource", FUNCTION, rewrite)
    assert not allowed(statements, "iam:TagRole", ROLE, rewrite)
    # AWS's default groups are never tagged.
    default = {**DEV_REQ, "aws:ResourceTag/x": "y"}
    assert not allowed(statements, "rds:AddTagsToResource", rds("og:default:postgres-16"), DEV_REQ)
    assert not allowed(statements, "rds:AddTagsToResource", rds("pg:default.postgres16"), default)


def test_the_default_group_is_tagged_once_and_then_stays_closed() -> None:
    statements = deployer.statements(DEV)
    group = ec2("security-group/sg-0default")
    adopt = {**DEV_REQ, "aws:RequestTag/Name": "app-default-closed", "aws:TagKeys": ["Name"]}
    assert allowed(statements, "ec2:CreateTags", group, adopt)
    assert not allowed(statements, "ec2:CreateTags", group, DEV_REQ)  # any other untagged group: no
    assert not allowed(statements, "ec2:CreateTags", group, {**adopt, **PRE_TAG})
    closed: Context = {**DEV_RES, "aws:ResourceTag/Name": "app-default-closed"}
    assert allowed(statements, "ec2:RevokeSecurityGroupIngress", group, closed)  # AWS's rules go
    for action in sorted(groups.DEFAULT_GROUP_CLOSED):
        assert not allowed(statements, action, group, closed), action
    renamed = {**closed, "aws:RequestTag/Name": "web", "aws:TagKeys": ["Name"]}
    assert not allowed(statements, "ec2:CreateTags", group, renamed)
    assert allowed(
        statements, "ec2:CreateTags", group, {**closed, "aws:RequestTag/team": "b", "aws:TagKeys": ["team"]}
    )
    # A VPC you bring: no group is adopted, none may be tagged so.
    brought = deployer.statements(target_for(CONFIGS[2]))
    assert not allowed(brought, "ec2:CreateTags", group, adopt)


def test_a_renamed_stack_migrates_from_its_old_tags_and_names() -> None:
    old = target_for({}, stack="dev")
    renamed = replace(target_for({}, stack="dev2", migrate=True), renamed_from=old)
    statements = deployer.statements(renamed)
    olds = {**DEV_RES}
    assert allowed(
        statements, "lambda:TagResource", FUNCTION, {**olds, "aws:RequestTag/lambda-rds:stack": "dev2"}
    )
    assert allowed(statements, "lambda:UpdateFunctionCode", FUNCTION, olds)
    assert not allowed(statements, "lambda:UpdateFunctionCode", FUNCTION, PROD_RES)
    assert "DenyUntaggedOfOurKinds" not in {s["Sid"] for s in statements}
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-rds/lambda-rds/dev/app/fn-app"
    assert allowed(statements, "logs:DeleteLogGroup", group, {})  # its old name, replaced
    assert not allowed(deployer.statements(target_for({}, stack="dev2")), "logs:DeleteLogGroup", group, {})


def test_every_condition_key_is_listed_for_every_action_of_its_statement() -> None:
    # An unlisted key is absent when IAM evaluates it: StringEquals then denies, ...IfExists ignores it.
    for target in (deployer.DOCS_TARGET, target_for(CONFIGS[2])):
        for s in deployer.statements(target):
            keys = [k for pairs in s.get("Condition", {}).values() for k in pairs]
            for action in as_list(s["Action"]):
                kinds = set().union(*(kinds_named(action, r) for r in as_list(s["Resource"])))
                for key in keys:
                    listed = any(supports(action, kind, key) for kind in kinds | {""})
                    assert listed, f"{s['Sid']}: {key} is not listed for {action} on {sorted(kinds)}"


def test_the_key_check_catches_a_key_the_reference_does_not_list() -> None:
    # Break it on purpose: aws:ResourceTag on a layer (layers take no tags).
    assert not supports("lambda:PublishLayerVersion", "layer", "aws:ResourceTag/lambda-rds:stack")
    assert supports("lambda:UpdateFunctionCode", "function", "aws:ResourceTag/lambda-rds:stack")
    # EC2 lists keys per row: the subnet a CreateSubnet makes has request tags, its VPC resource tags.
    assert supports("ec2:CreateSubnet", "subnet", "aws:RequestTag/lambda-rds:stack")
    assert not supports("ec2:CreateSubnet", "vpc", "aws:RequestTag/lambda-rds:stack")


def test_reads_by_name_are_reads() -> None:
    for s in deployer.statements(deployer.DOCS_TARGET):
        if s["Sid"] == "ReadByName":
            for action in as_list(s["Action"]):
                assert re.match(r"\w+:(Describe|Get|List)", action), action
                assert action != "secretsmanager:GetSecretValue"


def test_only_actions_that_take_no_resource_type_are_granted_on_star() -> None:
    statements = deployer.statements(deployer.DOCS_TARGET)
    star = [s for s in statements if s["Resource"] == "*"]
    assert [s["Sid"] for s in star] == [
        "NoResourceLevelPermissions",
        "CreateProxyWithStackTags",
        "CreateKeyWithStackTags",
    ]
    for s in star:
        for action in as_list(s["Action"]):
            assert sar_types(action) == frozenset(), f"{action} takes a resource: scope it"
    for s in statements:
        if s["Resource"] != "*":
            for action in as_list(s["Action"]):
                assert sar_types(action), f"{action} takes no resource type: it belongs on *"
    every = set(deployer.actions_for(actions.RESOURCE_ACTIONS, actions.INVOKE_ACTIONS))
    assert every >= actions.NO_RESOURCE_TYPES


def test_roles_are_passed_only_to_the_services_that_run_them_and_one_policy_is_attached() -> None:
    statements = deployer.statements(deployer.DOCS_TARGET)
    role = "arn:aws:iam::123456789012:role/app-fn-app-role-1234567"
    dev = {"aws:ResourceTag/lambda-rds:project": "lambda-rds", "aws:ResourceTag/lambda-rds:stack": "dev"}
    lambda_ = {"iam:PassedToService": "lambda.amazonaws.com", **dev}
    assert allowed(statements, "iam:PassRole", role, lambda_)
    assert not allowed(
        statements, "iam:PassRole", role, {**lambda_, "iam:PassedToService": "ec2.amazonaws.com"}
    )
    prod = {**lambda_, "aws:ResourceTag/lambda-rds:stack": "prod"}
    assert not allowed(statements, "iam:PassRole", role, prod)  # prod's role, same name
    assert not allowed(statements, "iam:PassRole", "arn:aws:iam::123456789012:role/app-admin", lambda_)
    admin = {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess", **dev}
    assert not allowed(statements, "iam:AttachRolePolicy", role, admin)
    monitoring = {
        **dev,
        "iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    }
    assert allowed(statements, "iam:AttachRolePolicy", role, monitoring)


# ---- (c) the review's findings (issue 17, item 10, third review) -------------------------------------
def test_an_instance_is_read_by_its_resource_id_on_db_star() -> None:
    # The provider's id is the DbiResourceId; it reads with a dbi-resource-id filter and no identifier,
    # which RDS authorizes on `db:*` (aws_sources.TF_DBI_RESOURCE_ID_READ): AccessDenied otherwise.
    r = next(x for x in built(0).resources if x.type == "aws:rds/instance:Instance")
    read = [t for t in touches(r, built(0).resources) if t.only == {"rds:DescribeDBInstances"}]
    assert [t.arn for t in read] == [rds("db:*")]
    assert allowed(deployer.statements(target_for(CONFIGS[0])), "rds:DescribeDBInstances", rds("db:*"), {})


def test_the_cluster_read_may_describe_global_clusters() -> None:
    assert "rds:DescribeGlobalClusters" in actions.RESOURCE_ACTIONS["aws:rds/cluster:Cluster"]
    arn = f"arn:aws:rds::{ACCOUNT}:global-cluster:*"  # no region in a global cluster's ARN
    assert allowed(deployer.statements(target_for(CONFIGS[2])), "rds:DescribeGlobalClusters", arn, {})
    assert kinds_named("rds:DescribeGlobalClusters", arn) == {"global-cluster"}


def test_the_eip_read_may_describe_address_attributes() -> None:
    assert "ec2:DescribeAddressesAttribute" in actions.RESOURCE_ACTIONS["aws:ec2/eip:Eip"]
    assert sar_types("ec2:DescribeAddressesAttribute") == frozenset()
    assert "ec2:DescribeAddressesAttribute" in actions.NO_RESOURCE_TYPES


def test_private_dns_endpoints_may_join_the_service_hosted_zone() -> None:
    create = _privilege("ec2:CreateVpcEndpoint")["resource_types"]
    assert any("route53:AssociateVPCWithHostedZone" in r["dependent_actions"] for r in create)
    assert "route53:AssociateVPCWithHostedZone" in actions.RESOURCE_ACTIONS["aws:ec2/vpcEndpoint:VpcEndpoint"]
    zone = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
    assert allowed(
        deployer.statements(target_for(CONFIGS[2])), "route53:AssociateVPCWithHostedZone", zone, {}
    )


def test_lambda_no_longer_modifies_network_interfaces() -> None:
    # replace_security_groups_on_destroy updates the function's configuration instead
    # (aws_sources.TF_REPLACE_SECURITY_GROUPS_ON_DESTROY).
    function = actions.RESOURCE_ACTIONS["aws:lambda/function:Function"]
    assert "ec2:ModifyNetworkInterfaceAttribute" not in function
    assert "lambda:UpdateFunctionConfiguration" in function


def test_rds_service_linked_role_is_granted_as_the_rds_user_guide_shows() -> None:
    # aws_sources.RDS_SERVICE_LINKED_ROLE: CreateServiceLinkedRole on AWSServiceRoleForRDS, with
    # StringLike iam:AWSServiceName rds.amazonaws.com, and no more.
    slr = [
        s
        for s in deployer.statements(deployer.DOCS_TARGET)
        if "iam:CreateServiceLinkedRole" in as_list(s["Action"])
    ]
    assert slr == [
        {
            "Sid": "RdsServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
            "Condition": {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}},
        }
    ]


def test_kms_via_service_names_the_china_endpoint_domain() -> None:
    china = Target("shop", "prod", "orders", "shop-prod-orders", region="cn-north-1", partition="aws-cn")
    kms = next(s for s in deployer.statements(china) if s["Sid"] == "KmsThroughRdsAndSecretsManager")
    assert kms["Condition"]["StringLike"]["kms:ViaService"] == [
        "rds.cn-north-1.amazonaws.com.cn",
        "secretsmanager.cn-north-1.amazonaws.com.cn",
    ]
    dev = next(
        s for s in deployer.statements(deployer.DOCS_TARGET) if s["Sid"] == "KmsThroughRdsAndSecretsManager"
    )
    assert dev["Condition"]["StringLike"]["kms:ViaService"][0] == "rds.us-east-1.amazonaws.com"


def test_the_component_tags_everything_with_its_project_and_stack() -> None:
    # A user tag in the component's namespace is refused in settings (tests/unit/test_tag_limits.py).
    with pytest.raises(ValueError, match=r"tags\.lambda-rds:stack: .*the component's own"):
        build({"engine": "postgres", "tags": {"lambda-rds:stack": "spoof"}}, stack="staging")
    mocks = build({"engine": "postgres", "tags": {"team": "a"}}, stack="staging")
    tagged = [r for r in mocks.resources if r.custom and isinstance(r.inputs.get("tags"), dict)]
    assert len(tagged) > 10
    for r in tagged:
        tags = r.inputs["tags"]
        assert tags["lambda-rds:project"] == "lambda-rds", r.name
        assert tags["lambda-rds:stack"] == "staging", r.name  # the user's tags cannot override it
        assert tags["team"] == "a" and tags["lambda-rds:component"] == "app"
    # ...the keys the policy's conditions name.
    assert (groups.PROJECT_TAG, groups.STACK_TAG) == ("lambda-rds:project", "lambda-rds:stack")


def test_monitoring_is_held_to_the_stacks_tags_and_dashboard_name() -> None:
    # Issue 23: the alarms, their topic and its key carry the stack's tags; the dashboard is named for it.
    types = {r.type for r in built(1).resources if r.custom}
    assert {
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:kms/key:Key",
    } <= types
    statements = deployer.statements(DEV)
    prod = deployer.statements(target_for({}, stack="prod"))
    # PutMetricAlarm creates with the stack's tags, and updates only this stack's alarm.
    assert allowed(statements, "cloudwatch:PutMetricAlarm", ALARM, DEV_REQ)
    assert allowed(statements, "cloudwatch:PutMetricAlarm", ALARM, {**DEV_REQ, **DEV_RES})
    assert not allowed(prod, "cloudwatch:PutMetricAlarm", ALARM, {**DEV_RES, **DEV_REQ})
    assert not allowed(statements, "cloudwatch:PutMetricAlarm", ALARM, {})  # untagged request
    other = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:billing-alarm"
    assert not allowed(statements, "cloudwatch:PutMetricAlarm", other, DEV_REQ)
    for action, arn in (
        ("cloudwatch:DeleteAlarms", ALARM),
        ("sns:DeleteTopic", TOPIC),
        ("sns:Subscribe", TOPIC),
        ("kms:ScheduleKeyDeletion", KEY),
        ("kms:PutKeyPolicy", KEY),
    ):
        assert allowed(statements, action, arn, DEV_RES), action
        assert not allowed(prod, action, arn, DEV_RES), action  # dev's, same names
        assert not allowed(statements, action, arn, {}), action  # untagged: not this stack's
    # The key's reads come right after CreateKey, before its tags may count: they hold without them
    # (test_the_new_topic_key_is_checked_before_its_tags_take_effect); its changes need them (above).
    assert allowed(statements, "kms:GetKeyPolicy", KEY, DEV_RES)
    assert allowed(statements, "kms:GetKeyPolicy", KEY, {})
    via = {"kms:ViaService": f"rds.{REGION}.amazonaws.com"}
    assert allowed(statements, "kms:DescribeKey", KEY, via)
    assert allowed(statements, "kms:DescribeKey", KEY, DEV_RES)
    assert not allowed(statements, "kms:DescribeKey", KEY.replace(REGION, "eu-west-1"), {})
    # CreateKey takes no resource: only with the stack's tags in the request.
    assert allowed(statements, "kms:CreateKey", "*", DEV_REQ)
    assert not allowed(statements, "kms:CreateKey", "*", {})
    assert not allowed(
        statements, "kms:CreateKey", "*", {**DEV_REQ, "aws:RequestTag/lambda-rds:stack": "prod"}
    )
    # The dashboard takes no tags: its name carries project, stack and component.
    mine = f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/lambda-rds-dev-app"
    assert allowed(statements, "cloudwatch:DeleteDashboards", mine, {})
    assert not allowed(prod, "cloudwatch:DeleteDashboards", mine, {})
    assert not allowed(
        statements, "cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/ops", {}
    )
    # The deployer never publishes: no kms:GenerateDataKey on the topic's key outside RDS/Secrets Manager.
    assert not allowed(statements, "kms:GenerateDataKey", KEY, DEV_RES)
    assert not allowed(statements, "sns:Publish", TOPIC, DEV_RES)


# ---- (d) parliament, and IAM's size limit ----------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        deployer.DOCS_TARGET,
        target_for(CONFIGS[2]),  # brought VPC, proxy, Aurora, own identifier and KMS key
        Target("shop", "prod", "orders", "shop-prod-orders", region="cn-north-1", partition="aws-cn"),
        target_for({}, migrate=True),
        replace(target_for({}, stack="dev2", migrate=True), renamed_from=target_for({})),
    ],
    ids=["dev-stack", "brought-vpc-proxy-aurora", "china", "migrate", "migrate-renamed"],
)
def test_parliament_finds_nothing_at_medium_or_above(target: Target) -> None:
    documents = deployer.deployer_policies(target)
    assert [audit(d) for d in documents] == [[] for _ in documents]
    assert all(deployer.size(d) <= deployer.MANAGED_POLICY_MAX for d in documents)


def test_parliament_catches_a_scope_that_misses_a_required_resource_type() -> None:
    # Break the policy on purpose: DeleteDBCluster needs the final cluster snapshot too (aws_sources.SAR_RDS).
    statements = deployer.statements(deployer.DOCS_TARGET)
    for s in statements:
        if s["Sid"] == "NothingOfAnotherStack":
            s["Resource"] = [r for r in s["Resource"] if ":cluster-snapshot:" not in r]
    findings = audit({"Version": "2012-10-17", "Statement": statements})
    assert any(f.startswith("RESOURCE_MISMATCH") and "rds:DeleteDBCluster" in f for f in findings)


@pytest.mark.parametrize(
    "target",
    [
        deployer.DOCS_TARGET,
        Target(
            "a-rather-long-project-name",
            "production-eu-central",
            "orders-api-service",
            "a-rather-long-project-name-production-eu-central-orders-ap-1a2b3c4d",
            region="eu-central-1",
            account=ACCOUNT,
            kms_key_arn=KMS_KEY,
        ),
    ],
    ids=["dev-stack", "long-names"],
)
def test_each_document_fits_a_managed_policy_and_together_they_grant_everything(
    target: Target,
) -> None:
    documents = deployer.deployer_policies(target)
    # The whole policy is over 6,144 characters: it is split. At most 5 of the 10 managed policies IAM lets
    # one role or user have by default (aws_sources.IAM_QUOTAS).
    assert 1 < len(documents) <= 5
    assert deployer.size(deployer.deployer_policy(target)) > deployer.MANAGED_POLICY_MAX
    assert all(deployer.size(d) <= deployer.MANAGED_POLICY_MAX for d in documents)
    everything = deployer.statements(target)
    assert sorted(s["Sid"] for d in documents for s in d["Statement"]) == sorted(s["Sid"] for s in everything)
    for d in documents:  # each keeps the statements' order, whole
        assert d["Statement"] == [s for s in everything if s in d["Statement"]]


# ---- the tables stay in step with the code ---------------------------------------------------------
def test_every_table_entry_is_used_by_the_component() -> None:
    types = {r.type for i in range(len(CONFIGS)) for r in built(i).resources if r.custom}
    invokes = {c.token for i in range(len(CONFIGS)) for c in built(i).calls}
    assert set(actions.RESOURCE_ACTIONS) - types == set(), "types the component never registers"
    assert types - set(actions.RESOURCE_ACTIONS) == set() and invokes - set(actions.INVOKE_ACTIONS) == set()
    # (lookups under mocks miss branches, e.g. get_cluster once get_clusters found one: the next test
    # reads them from the source)


def lookups_in_source() -> set[str]:
    """The `aws.[<module>.]get_<x>(...)` calls in the package, as invoke tokens."""
    found: set[str] = set()
    for path in (REPO / "components" / "lambda_rds").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                chain = ast.unparse(node.func).split(".")
                if chain[0] == "aws" and chain[-1].startswith("get_") and len(chain) in (2, 3):
                    module = "index" if len(chain) == 2 else chain[1]
                    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), chain[-1])
                    found.add(f"aws:{module}/{camel}:{camel}")
    return found


def test_the_lookups_are_exactly_the_ones_the_code_makes() -> None:
    assert lookups_in_source() == set(actions.INVOKE_ACTIONS)
    assert "aws:index/getPartition:getPartition" not in actions.INVOKE_ACTIONS


def test_the_sources_named_in_the_tables_exist() -> None:
    for module in (actions, deployer):
        text = Path(str(module.__file__)).read_text()
        for name in re.findall(r"sources\.([A-Z][A-Z0-9_]+)", text):
            assert hasattr(aws_sources, name), f"{module.__name__} cites sources.{name}"


# ---- the command ----------------------------------------------------------------------------------
def test_defaults_come_from_the_stack_config(tmp_path: Path) -> None:
    assert deployer.target_from_stack(REPO, "dev") == deployer.DOCS_TARGET
    config = {
        "aws:region": "eu-west-1",
        "shop:name": "orders",
        "shop:database": {"identifier": "orders-main", "kms_key_arn": KMS_KEY},
    }
    target = deployer.target_from_stack(write_project(tmp_path, "prod", config), "prod", account=ACCOUNT)
    assert target == Target(
        "shop", "prod", "orders", "orders-main", region="eu-west-1", account=ACCOUNT, kms_key_arn=KMS_KEY
    )
    # A program of one's own, with keys of its own; structured values as the Pulumi CLI hands them over.
    own = {"shop:replicas": 3, "shop:database": json.dumps({"kms_key_arn": KMS_KEY})}
    plain = deployer.target_from_stack(write_project(tmp_path, "dev", own), "dev")
    assert (plain.name, plain.db_identifier, plain.region, plain.account) == ("app", "shop-dev-app", "*", "*")
    assert plain.kms_key_arn == KMS_KEY
    # A VPC you bring is named by its ids (network.vpc_id, network.private_subnet_ids).
    network = {"shop:network": {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-a1", "subnet-b2"]}}
    brought = deployer.target_from_stack(write_project(tmp_path, "dev", network), "dev")
    assert (brought.vpc_id, brought.subnet_ids) == ("vpc-0abc", ("subnet-a1", "subnet-b2"))


def test_the_command_prints_the_one_off_migrate_variant_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = write_project(tmp_path, "prod", {"aws:region": "eu-west-1"})
    argv = ["deployer-policy", "--program", str(program), "--stack", "prod", "--account-id", ACCOUNT]
    assert cli_main([*argv, "--migrate"]) == 0
    out, err = capsys.readouterr()
    migrate = deployer.target_from_stack(program, "prod", account=ACCOUNT, migrate=True)
    assert json.loads(out) == deployer.deployer_policies(migrate)
    assert "ONE `pulumi up`" in err and "Replace it with the normal policy" in err
    sids = {s["Sid"] for d in json.loads(out) for s in d["Statement"]}
    assert "DenyUntaggedOfOurKinds" not in sids
    assert cli_main(argv) == 0
    out, err = capsys.readouterr()
    assert "DenyUntaggedOfOurKinds" in {s["Sid"] for d in json.loads(out) for s in d["Statement"]}
    assert "--migrate" not in err
    assert cli_main([*argv, "--renamed-from", "staging"]) == 0
    renamed = deployer.target_from_stack(program, "prod", account=ACCOUNT, renamed_from="staging")
    assert renamed.migrate and renamed.renamed_from is not None
    assert (renamed.renamed_from.stack, renamed.renamed_from.db_identifier) == ("staging", "shop-staging-app")
    assert json.loads(capsys.readouterr().out) == deployer.deployer_policies(renamed)


def test_the_command_writes_one_file_per_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_project(tmp_path, "prod", {"aws:region": "eu-west-1"})
    out = tmp_path / "deployer.json"
    argv = ["deployer-policy", "--program", str(program), "--stack", "prod", "--account-id", ACCOUNT]
    assert cli_main([*argv, "--out", str(out)]) == 0
    written = sorted(tmp_path.glob("deployer-*.json"))
    documents = [json.loads(p.read_text()) for p in written]
    assert documents == deployer.deployer_policies(
        deployer.target_from_stack(program, "prod", account=ACCOUNT)
    )
    assert all(":eu-west-1:123456789012:" in json.dumps(d) for d in documents)
    capsys.readouterr()
    assert cli_main([*argv, "--part", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == documents[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "nope"], "Pulumi.nope.yaml not found"),
        (["--part", "9"], "--part must be 1.."),
    ],
)
def test_the_command_refuses_what_it_cannot_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    program = write_project(tmp_path, "dev", {})
    assert cli_main(["deployer-policy", "--program", str(program), *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_command_warns_when_the_account_is_left_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = write_project(tmp_path, "dev", {"aws:region": "eu-west-1"})
    assert cli_main(["deployer-policy", "--program", str(program)]) == 0
    err = capsys.readouterr().err
    assert "warning: no --account-id" in err and "--account-id <12 digits>" in err
    assert cli_main(["deployer-policy", "--program", str(program), "--account-id", ACCOUNT]) == 0
    assert "warning" not in capsys.readouterr().err


def test_bad_account_or_region_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main(["deployer-policy", "--account-id", "12345"])
    assert "is not an account id" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["deployer-policy", "--region", "Mars"])
    assert "is not a region name" in capsys.readouterr().err


# ---- NAT instances (issue 22) -----------------------------------------------------------------------
NAT = len(CONFIGS) - 1  # the NAT instance configuration (per_az, Session Manager on)


def test_a_nat_instance_launch_is_granted_piece_by_piece() -> None:
    statements = deployer.statements(target_for(CONFIGS[NAT]))
    launch = "ec2:RunInstances"
    instance = ec2("instance/i-0123456789abcdef0")
    # The instance carries this stack's tags, sent with the launch; not another stack's, not none.
    assert allowed(statements, launch, instance, DEV_REQ)
    assert not allowed(statements, launch, instance, {})
    assert not allowed(statements, launch, instance, {**DEV_REQ, "aws:RequestTag/lambda-rds:stack": "prod"})
    # The subnet, group and template are this stack's.
    for arn in (ec2("subnet/subnet-1"), ec2("security-group/sg-1"), ec2("launch-template/lt-1")):
        assert allowed(statements, launch, arn, DEV_RES)
        assert not allowed(statements, launch, arn, PROD_RES)
        assert not allowed(statements, launch, arn, {})
    # AWS's image only.
    image = f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0"
    assert allowed(statements, launch, image, {"ec2:Owner": "amazon"})
    assert not allowed(statements, launch, image, {"ec2:Owner": OTHER_ACCOUNT})
    # The fixed interface: by where it is, in this account and region.
    eni = ec2("network-interface/eni-0123456789abcdef0")
    assert allowed(statements, launch, eni, {"ec2:Subnet": ec2("subnet/subnet-1")})
    assert not allowed(statements, launch, eni, {"ec2:Subnet": ec2("subnet/subnet-1", OTHER_ACCOUNT)})
    assert not allowed(statements, launch, eni, {})


def test_without_the_interface_statement_the_nat_launch_is_refused() -> None:
    # The check really walks the launch: drop one statement and the interface is refused.
    target = target_for(CONFIGS[NAT])
    kept = [s for s in deployer.statements(target) if s["Sid"] != "LaunchOnItsInterface"]
    refused = set()
    custom = [r for r in built(NAT).resources if r.custom]
    for r in custom:
        if r.type != "aws:ec2/instance:Instance":
            continue
        for touch in touches(r, custom):
            if touch.kind == "network-interface" and not allowed(
                kept, "ec2:RunInstances", touch.arn, request_context(r, "ec2:RunInstances", touch)
            ):
                refused.add(touch.arn)
    assert len(refused) == 2  # one interface per AZ
    assert denied(built(NAT), target) == []


def test_only_the_amazon_linux_parameters_are_read() -> None:
    statements = deployer.statements(target_for(CONFIGS[NAT]))
    assert allowed(statements, "ssm:GetParameters", AL2023_PARAMETER, {})
    x86 = AL2023_PARAMETER.replace("arm64", "x86_64")
    assert allowed(statements, "ssm:GetParameters", x86, {})
    for other in (
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/db-password",
        f"arn:aws:ssm:{REGION}::parameter/aws/service/ami-windows-latest/Windows_Server-2022",
        AL2023_PARAMETER.replace(REGION, "eu-west-1"),
    ):
        assert not allowed(statements, "ssm:GetParameters", other, {}), other


def test_only_the_nat_role_goes_to_ec2_and_only_the_ssm_policy_is_added() -> None:
    statements = deployer.statements(target_for(CONFIGS[NAT]))
    to_ec2 = {**DEV_RES, "iam:PassedToService": "ec2.amazonaws.com"}
    nat_role = f"arn:aws:iam::{ACCOUNT}:role/app-nat-ssm-role-1234567"
    assert allowed(statements, "iam:PassRole", nat_role, to_ec2)
    assert not allowed(statements, "iam:PassRole", nat_role, {**to_ec2, **PROD_RES})
    assert not allowed(statements, "iam:PassRole", ROLE, to_ec2)  # a function's role stays off EC2
    ssm = {**DEV_RES, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    assert allowed(statements, "iam:AttachRolePolicy", nat_role, ssm)
    admin = {**DEV_RES, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}
    assert not allowed(statements, "iam:AttachRolePolicy", nat_role, admin)
    profile = f"arn:aws:iam::{ACCOUNT}:instance-profile/app-nat-ssm-profile-1234567"
    assert allowed(statements, "iam:CreateInstanceProfile", profile, DEV_REQ)
    assert allowed(statements, "iam:DeleteInstanceProfile", profile, DEV_RES)
    assert not allowed(statements, "iam:DeleteInstanceProfile", profile, PROD_RES)
    other = f"arn:aws:iam::{ACCOUNT}:instance-profile/admin-profile"
    assert not allowed(statements, "iam:AddRoleToInstanceProfile", other, DEV_RES)


def test_a_deployed_nat_instance_gets_its_session_manager_profile_in_place() -> None:
    # Turning network.nat_instance_ssm on for a deployed stack changes the instance's profile in place
    # (aws_sources.TF_INSTANCE_PROFILE_UPDATE): the provider describes the associations, then associates,
    # replaces, or disassociates and associates again, passing the NAT role to EC2.
    changes = (
        "ec2:AssociateIamInstanceProfile",
        "ec2:ReplaceIamInstanceProfileAssociation",
        "ec2:DisassociateIamInstanceProfile",
    )
    listed = actions.RESOURCE_ACTIONS["aws:ec2/instance:Instance"]
    for action in (*changes, "ec2:DescribeIamInstanceProfileAssociations"):
        assert action in listed, action
    statements = deployer.statements(target_for(CONFIGS[NAT]))
    assert allowed(statements, "ec2:DescribeIamInstanceProfileAssociations", "*", {})
    custom = [r for r in built(NAT).resources if r.custom]
    instances = [r for r in custom if r.type == "aws:ec2/instance:Instance"]
    assert instances
    for r in instances:
        touch = next(t for t in touches(r, custom) if t.kind == "instance" and t.primary)
        for action in changes:
            assert "instance" in sar_types(action)
            assert allowed(statements, action, touch.arn, request_context(r, action, touch)), action
            # Another stack's instance, or one without the stack's tags, keeps its profile.
            assert not allowed(statements, action, touch.arn, PROD_RES), action
            assert not allowed(statements, action, touch.arn, {}), action
    # Associate and Replace pass the NAT role (their dependent iam:PassRole), to EC2 only.
    nat_role = f"arn:aws:iam::{ACCOUNT}:role/app-nat-ssm-role-1234567"
    assert allowed(
        statements, "iam:PassRole", nat_role, {**DEV_RES, "iam:PassedToService": "ec2.amazonaws.com"}
    )


def test_a_key_with_an_alias_cannot_be_claimed_for_the_stack() -> None:
    # Tagging at create needs kms:TagResource on every key (aws_sources.KMS_TAG_PERMISSIONS), and the topic
    # key's changes are held to its tags on `key/*`: an existing untagged key could be tagged for this stack,
    # then have its policy replaced or its deletion scheduled. One with an alias (the component gives its
    # key none) is refused both.
    statements = deployer.statements(target_for(CONFIGS[1]))
    victim = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f0f0f0f-1111-2222-3333-444444444444"
    aliased = {"kms:ResourceAliases": ["alias/payments"]}
    tag_it = {**DEV_REQ, "aws:TagKeys": ["lambda-rds:project", "lambda-rds:stack"]}
    assert not allowed(statements, "kms:TagResource", victim, {**tag_it, **aliased})
    for action in sorted(groups.KEY_WITH_ALIAS_DENIED - {"kms:TagResource", "kms:UntagResource"}):
        assert allowed(statements, action, victim, DEV_RES), action  # the component's own key
        assert not allowed(statements, action, victim, {**DEV_RES, **aliased}), action
    # The key the component creates: tagged at create, then changed by its tags, never aliased.
    assert allowed(statements, "kms:CreateKey", "*", tag_it)
    assert allowed(statements, "kms:TagResource", victim, tag_it)
    assert denied(built(1), target_for(CONFIGS[1])) == []
    # The database's key, aliased or not, is still read and used through RDS.
    via = {"kms:ViaService": f"rds.{REGION}.amazonaws.com", **aliased}
    for action in ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt"):
        assert allowed(statements, action, KMS_KEY, via), action


def test_adding_the_nat_role_to_its_profile_does_not_depend_on_an_undocumented_service_key() -> None:
    # AddRoleToInstanceProfile needs iam:PassRole on the role (aws_sources.IAM_ADD_ROLE_TO_INSTANCE_PROFILE);
    # which iam:PassedToService IAM sets there, if any, is not documented. Without one the NAT role still
    # goes into its profile; a pass that names a service must name EC2.
    statements = deployer.statements(target_for(CONFIGS[NAT]))
    nat_role = f"arn:aws:iam::{ACCOUNT}:role/app-nat-ssm-role-1234567"
    assert allowed(statements, "iam:PassRole", nat_role, DEV_RES)
    assert allowed(
        statements, "iam:PassRole", nat_role, {**DEV_RES, "iam:PassedToService": "ec2.amazonaws.com"}
    )
    for service in ("ecs-tasks.amazonaws.com", "sagemaker.amazonaws.com"):
        assert not allowed(statements, "iam:PassRole", nat_role, {**DEV_RES, "iam:PassedToService": service})
    # Another stack's NAT role, or any other role of this stack, without a service: refused.
    assert not allowed(statements, "iam:PassRole", nat_role, PROD_RES)
    assert not allowed(statements, "iam:PassRole", ROLE, DEV_RES)


def test_the_instance_read_finds_its_launch_template_on_its_own() -> None:
    # flattenInstanceLaunchTemplate (aws_sources.TF_EC2_INSTANCE): the instance's aws:ec2launchtemplate:id
    # tag, then the template's name and versions. The instance's own entry lists them, so a policy for its
    # types alone still reads it.
    types = ["aws:ec2/instance:Instance"]
    acts = set(deployer.actions_for(types))
    for action in ("ec2:DescribeTags", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"):
        assert action in acts, action
        assert allowed(deployer.statements(target_for(CONFIGS[NAT]), types, ()), action, "*", {}), action


def test_the_new_topic_key_is_checked_before_its_tags_take_effect() -> None:
    # Right after CreateKey the provider turns rotation on (retried only on NotFound or Disabled) and waits
    # on the key's policy, rotation and tags (aws_sources.TF_MONITORING_CRUD); a key's tags may take up to
    # five minutes to count in authorization (aws_sources.KMS_ABAC). Those calls hold without the tags;
    # what changes or deletes a key still needs them.
    statements = deployer.statements(target_for(CONFIGS[1]))
    new_key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1b2c3d4e-1111-2222-3333-444444444444"
    aliased = {"kms:ResourceAliases": ["alias/payments"]}
    for action in sorted(groups.NEW_KEY_CHECKS):
        assert allowed(statements, action, new_key, {}), action
        # Turning rotation on stays off keys with an alias (never the component's); reads do not.
        refused = action in groups.KEY_WITH_ALIAS_DENIED
        assert allowed(statements, action, new_key, aliased) is not refused, action
    for action in (
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKeyRotation",
        "kms:UntagResource",
    ):
        assert not allowed(statements, action, new_key, {}), action
        assert not allowed(statements, action, new_key, PROD_RES), action
        assert allowed(statements, action, new_key, DEV_RES), action
    # Not on another region's keys.
    assert not allowed(statements, "kms:EnableKeyRotation", new_key.replace(REGION, "eu-west-1"), {})
