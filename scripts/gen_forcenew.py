#!/usr/bin/env python3
"""Generate components/lambda_rds/analysis/changes/forcenew.json: which inputs force a new resource, per type.

Reads terraform-provider-aws's resource schemas, offline, from the per-function index of the provider
(github.com/lonegunmanb/terraform-provider-aws-index: one file per Go function or method, the function's own
source, tagged per provider release), as the search tool's ``fetch`` brings it
(``/work/.mirror/lonegunmanb+terraform-provider-aws-index/repo``, a bare git directory) or a work tree of it:

    python scripts/gen_forcenew.py INDEX [--random RANDOM_SOURCE] [--random-version v3.x.y] [--note "..."]

- The provider version is the index's own (``index/terraform-provider-aws-index.json`` ``version``), its date
  the date of the index commit that holds it.
- SDKv2 resources: a top-level attribute with ``ForceNew: true`` goes to ``types``. A block whose own schema
  is not ForceNew but holds ForceNew attributes goes to ``nested`` with the forcing sub-paths (camelCase,
  dotted): only a change of one of them forces. Blocks with no forcing sub-key are listed with ``[]``.
- Plugin-framework resources: an attribute with an unconditional ``RequiresReplace()`` plan modifier.
- ``conditional``: replacements a ``CustomizeDiff`` (or the provider's region interceptor) forces only under a
  condition; written by hand below (CONDITIONAL) from reading each function, and each entry's function is
  re-read from the index here and must still mention the attribute, so a provider change that drops it fails.
  ``region`` is injected by the provider into every regional resource (sdkv2 ``sdkProvider.initialize``,
  framework ``resourceInjectRegionAttributeInterceptor``) and forced on change by ``forceNewIfRegionChanges``
  / ``resourceForceNewIfRegionChangesInterceptor``: it is added for every type whose SDK inputs have it.
- ``optional_computed``: top-level inputs that are Optional and Computed (removing the value keeps the
  state's: no diff).
- ``framework``: per type, whether its schema is a plugin-framework one (else SDKv2). SDKv2 diffs an input
  left out of the program as its schema ``Default``, else its type's zero value (false, 0, "", empty), so
  ``false`` <-> unset is no change there; the framework compares null with a value exactly.
- ``kinds``: per SDKv2 type, each top-level input's schema type (bool, int, float, string, list, set, map).
- ``defaults``: per SDKv2 type, the schema ``Default`` of top-level inputs where it is a literal (or a
  package-level constant holding one, read from its own index file), overridden by a default the installed
  Pulumi SDK applies itself (``sdk_defaults``); ``defaults_not_literal``: inputs whose
  ``Default``/``DefaultFunc`` cannot be read as a literal (an unset one is compared as is, not as zero).

Terraform snake_case names become the Pulumi camelCase input keys; the few that pulumi-aws renames are in
``RENAMES`` and every key is checked against the installed SDK's input properties (the script fails on a key
the SDK does not have, so a rename cannot slip through). The pulumi-aws version recorded is the installed
one: tests/analysis/test_forcenew.py fails when it changes (re-run this script against the index tag of the
provider version the new pulumi-aws bridges). To check the committed table against the index, re-run the
script and ``git diff --exit-code components/lambda_rds/analysis/changes/forcenew.json``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import inspect
import json
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "components/lambda_rds/analysis/changes/forcenew.json"
INDEX_DIR = "index/internal/service"

# Pulumi type token -> (Terraform type, service package, the index file of its schema function). The
# function is the one its CRUD methods are named after (index ``resource_crud_methods``), or for framework
# resources the ``Schema`` method of its struct.
COMPONENT_TYPES: dict[str, tuple[str, str, str]] = {
    "aws:cloudwatch/dashboard:Dashboard": (
        "aws_cloudwatch_dashboard",
        "cloudwatch",
        "func.resourceDashboard",
    ),
    "aws:cloudwatch/logGroup:LogGroup": ("aws_cloudwatch_log_group", "logs", "func.resourceGroup"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        "aws_cloudwatch_metric_alarm",
        "cloudwatch",
        "func.resourceMetricAlarm",
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "aws_default_security_group",
        "ec2",
        "func.resourceDefaultSecurityGroup",
    ),
    "aws:ec2/eip:Eip": ("aws_eip", "ec2", "func.resourceEIP"),
    "aws:ec2/instance:Instance": ("aws_instance", "ec2", "func.resourceInstance"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("aws_launch_template", "ec2", "func.resourceLaunchTemplate"),
    "aws:ec2/networkInterface:NetworkInterface": (
        "aws_network_interface",
        "ec2",
        "func.resourceNetworkInterface",
    ),
    "aws:ec2/flowLog:FlowLog": ("aws_flow_log", "ec2", "func.resourceFlowLog"),
    "aws:ec2/internetGateway:InternetGateway": (
        "aws_internet_gateway",
        "ec2",
        "func.resourceInternetGateway",
    ),
    "aws:ec2/natGateway:NatGateway": ("aws_nat_gateway", "ec2", "func.resourceNATGateway"),
    "aws:ec2/networkAclRule:NetworkAclRule": ("aws_network_acl_rule", "ec2", "func.resourceNetworkACLRule"),
    "aws:ec2/route:Route": ("aws_route", "ec2", "func.resourceRoute"),
    "aws:ec2/routeTable:RouteTable": ("aws_route_table", "ec2", "func.resourceRouteTable"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "aws_route_table_association",
        "ec2",
        "func.resourceRouteTableAssociation",
    ),
    "aws:ec2/securityGroup:SecurityGroup": ("aws_security_group", "ec2", "func.resourceSecurityGroup"),
    "aws:ec2/subnet:Subnet": ("aws_subnet", "ec2", "func.resourceSubnet"),
    "aws:ec2/vpc:Vpc": ("aws_vpc", "ec2", "func.resourceVPC"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("aws_vpc_endpoint", "ec2", "func.resourceVPCEndpoint"),
    "aws:iam/instanceProfile:InstanceProfile": (
        "aws_iam_instance_profile",
        "iam",
        "func.resourceInstanceProfile",
    ),
    "aws:iam/role:Role": ("aws_iam_role", "iam", "func.resourceRole"),
    "aws:iam/rolePolicy:RolePolicy": ("aws_iam_role_policy", "iam", "func.resourceRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "aws_iam_role_policy_attachment",
        "iam",
        "func.resourceRolePolicyAttachment",
    ),
    "aws:lambda/function:Function": ("aws_lambda_function", "lambda", "func.resourceFunction"),
    "aws:lambda/invocation:Invocation": ("aws_lambda_invocation", "lambda", "func.resourceInvocation"),
    "aws:lambda/layerVersion:LayerVersion": (
        "aws_lambda_layer_version",
        "lambda",
        "func.resourceLayerVersion",
    ),
    "aws:rds/cluster:Cluster": ("aws_rds_cluster", "rds", "func.resourceCluster"),
    "aws:rds/clusterInstance:ClusterInstance": (
        "aws_rds_cluster_instance",
        "rds",
        "func.resourceClusterInstance",
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (
        "aws_rds_cluster_parameter_group",
        "rds",
        "func.resourceClusterParameterGroup",
    ),
    "aws:rds/instance:Instance": ("aws_db_instance", "rds", "func.resourceInstance"),
    "aws:rds/parameterGroup:ParameterGroup": ("aws_db_parameter_group", "rds", "func.resourceParameterGroup"),
    "aws:rds/proxy:Proxy": ("aws_db_proxy", "rds", "func.resourceProxy"),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (
        "aws_db_proxy_default_target_group",
        "rds",
        "func.resourceProxyDefaultTargetGroup",
    ),
    "aws:rds/proxyTarget:ProxyTarget": ("aws_db_proxy_target", "rds", "func.resourceProxyTarget"),
    "aws:rds/subnetGroup:SubnetGroup": ("aws_db_subnet_group", "rds", "func.resourceSubnetGroup"),
    "aws:secretsmanager/secret:Secret": (
        "aws_secretsmanager_secret",
        "secretsmanager",
        "func.resourceSecret",
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "aws_secretsmanager_secret_version",
        "secretsmanager",
        "func.resourceSecretVersion",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "aws_vpc_security_group_egress_rule",
        "ec2",
        "method.securityGroupRuleResource.Schema",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule",
        "ec2",
        "method.securityGroupRuleResource.Schema",
    ),
}

# Common resources users add beside the component (and the ones it adds for some shapes).
NEIGHBOUR_TYPES: dict[str, tuple[str, str, str]] = {
    "aws:s3/bucket:Bucket": ("aws_s3_bucket", "s3", "func.resourceBucket"),
    "aws:s3/bucketV2:BucketV2": ("aws_s3_bucket", "s3", "func.resourceBucket"),
    "aws:dynamodb/table:Table": ("aws_dynamodb_table", "dynamodb", "func.resourceTable"),
    "aws:apigatewayv2/api:Api": ("aws_apigatewayv2_api", "apigatewayv2", "func.resourceAPI"),
    "aws:apigatewayv2/stage:Stage": ("aws_apigatewayv2_stage", "apigatewayv2", "func.resourceStage"),
    "aws:apigatewayv2/integration:Integration": (
        "aws_apigatewayv2_integration",
        "apigatewayv2",
        "func.resourceIntegration",
    ),
    "aws:apigatewayv2/route:Route": ("aws_apigatewayv2_route", "apigatewayv2", "func.resourceRoute"),
    "aws:lambda/permission:Permission": ("aws_lambda_permission", "lambda", "func.resourcePermission"),
    "aws:lambda/functionUrl:FunctionUrl": ("aws_lambda_function_url", "lambda", "func.resourceFunctionURL"),
    "aws:sqs/queue:Queue": ("aws_sqs_queue", "sqs", "func.resourceQueue"),
    "aws:sns/topic:Topic": ("aws_sns_topic", "sns", "func.resourceTopic"),
    "aws:sns/topicSubscription:TopicSubscription": (
        "aws_sns_topic_subscription",
        "sns",
        "func.resourceTopicSubscription",
    ),
    "aws:kms/key:Key": ("aws_kms_key", "kms", "func.resourceKey"),
    "aws:kms/alias:Alias": ("aws_kms_alias", "kms", "func.resourceAlias"),
    "aws:secretsmanager/secretRotation:SecretRotation": (
        "aws_secretsmanager_secret_rotation",
        "secretsmanager",
        "func.resourceSecretRotation",
    ),
    "aws:rds/proxyEndpoint:ProxyEndpoint": ("aws_db_proxy_endpoint", "rds", "func.resourceProxyEndpoint"),
}

# terraform-provider-random is not in the index: read from a work tree / git dir with --random, else the
# entries of the committed table are kept with their recorded version.
RANDOM_TYPES: dict[str, tuple[str, str]] = {
    "random:index/randomId:RandomId": ("internal/provider/resource_id.go", "func (r *idResource) Schema("),
    "random:index/randomPassword:RandomPassword": (
        "internal/provider/resource_password.go",
        "func passwordSchemaV3() schema.Schema {",
    ),
}

# Terraform attribute -> Pulumi input key, where pulumi-aws renames it (everything else: camelCase).
RENAMES: dict[tuple[str, str], str] = {
    ("aws:lambda/function:Function", "function_name"): "name",
    ("aws:lambda/permission:Permission", "function_name"): "function",
    ("aws:lambda/layerVersion:LayerVersion", "filename"): "code",
    ("aws:lambda/function:Function", "filename"): "code",
    ("aws:dynamodb/table:Table", "local_secondary_index"): "localSecondaryIndexes",
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm_name"): "name",
    ("aws:sns/topicSubscription:TopicSubscription", "topic_arn"): "topic",
}

# Replacements forced only under a condition (CustomizeDiff), read from each function named in `source` (an
# index file under index/internal/service/). `attr` is the Terraform attribute the function forces (the script
# checks the function still names it); `key` the Pulumi input; `when` the condition, evaluated by
# analysis/changes/forcenew.py against the resource's old and new inputs (vocabulary: forcenew.CONDITIONS);
# `default` the schema default an absent input takes. A key here is taken out of the unconditional `types`
# list even when its schema says ForceNew (the CustomizeDiff clears or narrows it).
CONDITIONAL: dict[str, list[dict[str, Any]]] = {
    "aws:rds/cluster:Cluster": [
        {
            "key": "storageType",
            "attr": "names.AttrStorageType",
            # "Aurora supports mutation of the storage_type parameter, other engines do not".
            "when": {"input_not_prefix": {"engine": "aurora"}},
            "source": "rds/func.resourceCluster",
        },
    ],
    "aws:ec2/vpc:Vpc": [
        {
            "key": "instanceTenancy",
            "attr": "instance_tenancy",
            # Any change forces except dedicated -> default (the only in-place tenancy change EC2 allows).
            "when": {"except_change": ["dedicated", "default"]},
            "default": "default",
            "source": "ec2/func.resourceVPCCustomizeDiff",
        },
        {
            "key": "cidrBlock",
            "attr": "names.AttrCIDRBlock",
            # With ipv4_netmask_length set the block comes from IPAM and a diff on it is cleared.
            "when": {"input_unset": ["ipv4NetmaskLength"]},
            "source": "ec2/func.resourceVPCCustomizeDiff",
        },
    ],
    "aws:ec2/vpcEndpoint:VpcEndpoint": [
        {
            "key": "privateDnsEnabled",
            "attr": "private_dns_enabled",
            "when": {"input_not_in": {"vpcEndpointType": ["Interface"]}},
            "source": "ec2/func.resourceVPCEndpoint",
        },
    ],
    "aws:ec2/subnet:Subnet": [
        {
            "key": "ipv6CidrBlock",
            "attr": "ipv6_cidr_block",
            # Re-addressing a subnet created with assign_ipv6_address_on_creation=true needs a new subnet.
            "when": {"old_input_in": {"assignIpv6AddressOnCreation": [True]}},
            "source": "ec2/func.resourceSubnet",
        },
    ],
    "aws:ec2/natGateway:NatGateway": [
        {
            "key": "secondaryPrivateIpAddressCount",
            "attr": "secondary_private_ip_address_count",
            "when": {"input_in": {"connectivityType": ["private"]}, "new_set": True},
            "source": "ec2/func.resourceNATGatewayCustomizeDiff",
        },
    ],
    "aws:lambda/function:Function": [
        {
            "key": "durableConfig",
            "attr": "durable_config",
            # Adding or removing the block forces; changing its settings in place does not.
            "when": {"added_or_removed": True},
            "source": "lambda/func.resourceFunction",
        },
    ],
    "aws:lambda/invocation:Invocation": [
        {
            "key": "input",
            "attr": "lifecycleScopeCreateOnly",
            # lifecycle_scope CREATE_ONLY (the default) re-invokes on any input change; CRUD updates in place.
            "when": {"input_in": {"lifecycleScope": [None, "CREATE_ONLY"]}},
            "source": "lambda/func.customizeDiffInputChangeWithCreateOnlyScope",
        },
    ],
    "aws:secretsmanager/secretVersion:SecretVersion": [
        {
            "key": "secretString",
            "attr": "secret_string",
            # Forced when the state holds a string and the config another one (v6 dropped the schema
            # ForceNew; set -> unset and unset -> set are not forced unless write-only values are involved).
            "when": {"both_set": True},
            "source": "secretsmanager/func.secretVersionForceNewCustomDiffInner",
        },
        {
            "key": "secretStringWoVersion",
            "attr": "secret_string_wo_version",
            "when": {"both_set": True},
            "source": "secretsmanager/func.secretVersionForceNewCustomDiffInner",
        },
    ],
}

# The provider's region override (v6): every regional resource gets a top-level `region` input, and a change
# of it forces a new resource, except between unset and the provider's own region (which the change list
# cannot tell from a plan: pulumi-aws 7 copies the provider region into the inputs, so both sides are set).
REGION_CONDITION: dict[str, Any] = {
    "key": "region",
    "attr": "names.AttrRegion",
    "when": {"both_set": True},
    "source": "../provider/sdkv2/func.forceNewIfRegionChanges",
}
REGION_SOURCES = (
    "../provider/sdkv2/func.forceNewIfRegionChanges",
    "../provider/framework/method.resourceForceNewIfRegionChangesInterceptor.modifyPlan",
)


class IndexSource:
    """The provider index: a work tree, or a bare git directory read with ``git show HEAD:path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bare = not (path / "index").is_dir() and (path / "HEAD").is_file()

    def read(self, rel: str) -> str:
        if not self.bare:
            return (self.path / rel).read_text(encoding="utf-8")
        done = subprocess.run(
            ["git", f"--git-dir={self.path}", "show", f"HEAD:{rel}"], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise FileNotFoundError(f"{rel}: {done.stderr.strip()}")
        return done.stdout

    def function(self, service: str, name: str) -> str:
        """The source of one indexed function (``name`` like ``func.resourceVPC``) of a service package."""
        return self.read(posixpath.normpath(f"{INDEX_DIR}/{service}/{name}.goindex"))

    def version(self) -> str:
        doc = json.loads(self.read("index/terraform-provider-aws-index.json"))
        return str(doc["version"])

    def commit(self) -> tuple[str, str]:
        """(commit, commit date) of the index read; the work tree's HEAD when not bare."""
        git = f"--git-dir={self.path}" if self.bare else f"--git-dir={self.path / '.git'}"
        done = subprocess.run(["git", git, "log", "-1", "--format=%H %cs"], capture_output=True, text=True)
        parts = done.stdout.split()
        return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


class TreeSource:
    """A provider source work tree or bare git directory (terraform-provider-random)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bare = not (path / "internal").is_dir() and (path / "HEAD").is_file()

    def read(self, rel: str) -> str:
        if not self.bare:
            return (self.path / rel).read_text(encoding="utf-8")
        done = subprocess.run(
            ["git", f"--git-dir={self.path}", "show", f"HEAD:{rel}"], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise FileNotFoundError(f"{rel}: {done.stderr.strip()}")
        return done.stdout


def _balanced(text: str, start: int) -> int:
    """Index just past the brace block opening at ``text[start] == '{'`` (strings and comments skipped)."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch in '"`':
            end = text.index(ch, i + 1)
            while ch == '"' and text[end - 1] == "\\":
                end = text.index(ch, end + 1)
            i = end + 1
            continue
        if text.startswith("//", i):
            i = text.index("\n", i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced braces")


_ENTRY = re.compile(r'\s*(?:"(?P<lit>[a-z0-9_]+)"|(?P<const>names\.Attr\w+)|(?P<ident>\w+))\s*:\s*')


def _entries(block: str) -> Iterator[tuple[str, str]]:
    """(key expression, value text) for each entry of a Go map literal body."""
    i = 1  # past the opening brace
    while i < len(block) - 1:
        m = _ENTRY.match(block, i)
        if not m:
            nxt = block.find("\n", i)
            if nxt < 0:
                break
            i = nxt + 1
            continue
        key = m.group("lit") or m.group("const") or m.group("ident") or ""
        j = m.end()
        brace = block.find("{", j)
        comma_nl = block.find(",\n", j)
        if brace != -1 and (comma_nl == -1 or brace < comma_nl):
            end = _balanced(block, brace)
            yield key, block[j:end]
            i = end + 1
        else:
            end = comma_nl if comma_nl != -1 else len(block)
            yield key, block[j:end]
            i = end + 2


# Acronyms the provider's `names.Attr*` constants keep upper-case (names/attr_constants.csv: AttrVPCID is
# "vpc_id", AttrSubnetIDs "subnet_ids"). The `names` package is not in the index, so the constant's value is
# derived from its name; a wrong derivation fails the SDK key check below.
_ACRONYMS = sorted(
    [
        "ARNs",
        "ARN",
        "IDs",
        "ID",
        "VPC",
        "DNS",
        "IPv4",
        "IPv6",
        "IPs",
        "IP",
        "IAM",
        "IOPS",
        "KMS",
        "SNS",
        "SQS",
        "URIs",
        "URI",
        "URLs",
        "URL",
        "JSON",
        "CIDR",
        "S3",
        "DB",
        "AZ",
        "ACL",
        "TLS",
        "SSL",
        "HTTP",
        "HTTPS",
    ],
    key=len,
    reverse=True,
)


def const_name(ident: str) -> str:
    """``names.AttrVPCSecurityGroupIDs`` -> ``vpc_security_group_ids`` (the constant's string value)."""
    rest = ident.removeprefix("names.").removeprefix("Attr")
    words: list[str] = []
    i = 0
    while i < len(rest):
        for a in _ACRONYMS:
            end = i + len(a)
            if rest.startswith(a, i) and (end == len(rest) or not rest[end].islower()):
                words.append(a.lower())
                i = end
                break
        else:
            m = re.match(r"[A-Z]?[a-z0-9]+|[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]", rest[i:])
            assert m is not None
            words.append(m.group(0).lower())
            i += len(m.group(0))
    return "_".join(words)


def _key_name(key: str, consts: dict[str, str]) -> str:
    if key in consts:
        return consts[key]
    return const_name(key) if key.startswith("names.Attr") else key


_SDK_FORCE = re.compile(r"ForceNew:\s*true")
_FW_FORCE = re.compile(r"\bRequiresReplace\(\)")
_OPTIONAL = re.compile(r"\bOptional:\s*true")
_TYPE = re.compile(r"\bType:\s*schema\.Type(Bool|Int|Float|String|List|Set|Map)\b")
_DEFAULT = re.compile(r"\bDefault(?P<func>Func)?:\s*(?P<expr>[^\n]+?),?\s*(?://[^\n]*)?\n")
_LITERAL = re.compile(r'(?:true|false|-?[0-9]+(?:\.[0-9]+)?|"(?:[^"\\]|\\.)*")')
_COMPUTED = re.compile(r"\bComputed:\s*true")


def _schema_block(
    text: str, anchor: str, source: IndexSource | None = None, service: str = ""
) -> tuple[str, bool]:
    """The resource's top-level schema map (text from its opening brace) and whether it is a framework one.
    A schema held in a helper function is read from the helper's own index file."""
    at = text.find(anchor)
    if at < 0:
        raise ValueError(f"anchor {anchor!r} not found")
    fw = text.find("Attributes: map[string]schema.Attribute{", at)
    sdk = re.compile(r"(Schema|SchemaFunc):\s*").search(text, at)
    if fw != -1 and (sdk is None or fw < sdk.start()):
        start = text.index("{", fw)
        return text[start : _balanced(text, start)], True
    if sdk is None:
        raise ValueError(f"no schema after {anchor!r}")
    rest = text[sdk.end() :]
    m = re.match(
        r"(?:func\(\)\s*map\[string\]\*schema\.Schema\s*\{\s*return\s*)?map\[string\]\*schema\.Schema\{", rest
    )
    if m:
        start = sdk.end() + m.end() - 1
        return text[start : _balanced(text, start)], False
    ident = re.match(r"(?:maps\.Clone\()?(\w+)", rest)
    if not ident:
        raise ValueError(f"cannot read the schema after {anchor!r}")
    name = ident.group(1)
    pattern = (
        rf"(?:{name}\s*=\s*map\[string\]\*schema\.Schema\{{"
        rf"|func {name}\(\)\s*map\[string\]\*schema\.Schema\s*\{{"
        r"\s*return\s*map\[string\]\*schema\.Schema\{)"
    )
    decl = re.search(pattern, text)
    for kind in ("func", "var"):
        if decl or source is None:
            break
        try:
            text = source.function(service, f"{kind}.{name}")
        except FileNotFoundError:
            continue
        decl = re.search(pattern, text)
    if not decl:
        raise ValueError(f"schema {name} not found")
    start = decl.end() - 1
    return text[start : _balanced(text, start)], False


def _own(value: str, fw: bool) -> str:
    """An attribute's own settings, without its nested block's."""
    if fw:
        for marker in ("Attributes: map[string]schema.Attribute{", "Blocks:"):
            value = value.split(marker)[0]
        return value
    return value.split("Elem:")[0]


def _nested_block(value: str, fw: bool) -> str | None:
    marker = "Attributes: map[string]schema.Attribute{" if fw else "Schema: map[string]*schema.Schema{"
    at = value.find(marker)
    if at < 0:
        return None
    start = value.index("{", at + len(marker) - 1)
    return value[start : _balanced(value, start)]


def _nested_paths(value: str, consts: dict[str, str], fw: bool) -> list[str] | None:
    """Dotted paths of forcing attributes inside a nested block value; None when it is no block."""
    block = _nested_block(value, fw)
    if block is None:
        return None
    out: list[str] = []
    force = _FW_FORCE if fw else _SDK_FORCE
    for key, sub in _entries(block):
        name = _key_name(key, consts)
        if force.search(_own(sub, fw)):
            out.append(name)
        out.extend(f"{name}.{p}" for p in _nested_paths(sub, consts, fw) or [])
    return out


class Schema:
    """What the generator reads of one resource schema (Terraform names)."""

    def __init__(self) -> None:
        self.forcing: list[str] = []  # the attribute itself forces
        self.nested: dict[str, list[str]] = {}  # block -> forcing sub-paths (the block itself does not force)
        self.optional_computed: list[str] = []
        self.attributes: list[str] = []
        self.framework = False
        self.kinds: dict[str, str] = {}  # SDKv2 only: attribute -> bool/int/float/string/list/set/map
        self.defaults: dict[str, bool | int | float | str] = {}  # literal schema Default
        self.defaults_not_literal: list[str] = []  # Default/DefaultFunc not readable as a literal


def _literal(expr: str) -> bool | int | float | str | None:
    """A Go literal's value (``true``, ``16``, ``"provisioned"``); None when ``expr`` is none."""
    expr = expr.strip()
    if not _LITERAL.fullmatch(expr):
        return None
    if expr in ("true", "false"):
        return expr == "true"
    if expr.startswith('"'):
        value: str = json.loads(expr)
        return value
    return float(expr) if "." in expr else int(expr)


def _constant(
    ident: str, text: str, source: IndexSource | None, service: str
) -> bool | int | float | str | None:
    """The literal a package-level constant or variable holds (``engineModeProvisioned = "provisioned"``),
    looked for in ``text`` and then in its own index file; None when it is not found or not a literal."""
    if not re.fullmatch(r"[A-Za-z_]\w*", ident):
        return None
    pattern = re.compile(rf"^\s*{ident}\s*(?:\w+\s*)?=\s*(?P<expr>[^\n]+?)\s*(?://[^\n]*)?$", re.M)
    texts = [text]
    if source is not None:
        for kind in ("var", "const"):
            try:
                texts.append(source.function(service, f"{kind}.{ident}"))
            except FileNotFoundError:
                continue
    for t in texts:
        m = pattern.search(t)
        if m:
            return _literal(m.group("expr"))
    return None


def read_schema(
    text: str, anchor: str, consts: dict[str, str], source: IndexSource | None = None, service: str = ""
) -> Schema:
    block, fw = _schema_block(text, anchor, source, service)
    force = _FW_FORCE if fw else _SDK_FORCE
    out = Schema()
    out.framework = fw
    for key, value in _entries(block):
        name = _key_name(key, consts)
        if not re.fullmatch(r"[a-z0-9_]+", name):
            continue  # an unresolved identifier: reported by the caller as missing
        out.attributes.append(name)
        own = _own(value, fw)
        paths = _nested_paths(value, consts, fw)
        if force.search(own):
            out.forcing.append(name)
        elif paths is not None:
            out.nested[name] = paths
        if _OPTIONAL.search(own) and _COMPUTED.search(own):
            out.optional_computed.append(name)
        if fw:
            continue
        kind = _TYPE.search(own)
        if kind:
            out.kinds[name] = kind.group(1).lower()
        default = _DEFAULT.search(own + "\n")
        if default:
            expr = default.group("expr").strip()
            lit = None if default.group("func") else _literal(expr)
            if lit is None and not default.group("func"):
                lit = _constant(expr, text, source, service)
            if lit is None:
                out.defaults_not_literal.append(name)
            else:
                out.defaults[name] = lit
    return out


def forcing_attributes(
    text: str, anchor: str, consts: dict[str, str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Top-level attributes that force a new resource (themselves or through a forcing sub-key), and the
    nested forcing paths under each block that does not force as a whole."""
    s = read_schema(text, anchor, consts)
    top = s.forcing + [k for k, p in s.nested.items() if p]
    return top, {k: p for k, p in s.nested.items() if p}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def sdk_inputs(token: str) -> set[str] | None:
    """The camelCase input keys of ``token`` in the installed Pulumi SDK (None if not installed)."""
    pkg, mod_cls, cls = token.split(":")
    module = mod_cls.split("/")[0]
    package = {"aws": "pulumi_aws", "random": "pulumi_random"}[pkg]
    module = {"lambda": "lambda_", "index": ""}.get(module, module)
    try:
        mod = importlib.import_module(f"{package}.{module}" if module else package)
    except ImportError:
        return None
    args_cls = getattr(mod, f"{cls}Args", None)
    if args_cls is None:
        return None
    keys = set()
    for _, member in inspect.getmembers(args_cls):
        if isinstance(member, property) and member.fget is not None:
            keys.add(getattr(member.fget, "_pulumi_name", None) or camel(member.fget.__name__))
    return keys


_SDK_DEFAULT = re.compile(
    r"^\s+if (\w+) is None:\n\s+\1 = ('[^'\n]*'|\"[^\"\n]*\"|True|False|-?[0-9]+)$", re.M
)


def sdk_defaults(token: str) -> dict[str, bool | int | str]:
    """Defaults the installed Pulumi SDK sets itself when an input is left out (pulumi-aws gives a
    security group ``description`` 'Managed by Pulumi', not the provider's 'Managed by Terraform'): an
    absent input reaches the provider with this value, so it is the one an unset input compares as."""
    pkg, mod_cls, cls = token.split(":")
    module = {"lambda": "lambda_", "index": ""}.get(mod_cls.split("/")[0], mod_cls.split("/")[0])
    package = {"aws": "pulumi_aws", "random": "pulumi_random"}[pkg]
    try:
        mod = importlib.import_module(f"{package}.{module}" if module else package)
        # The constructor body only: the class docstring's examples have `if x is None:` lines too.
        text = inspect.getsource(getattr(mod, cls)._internal_init)
    except (ImportError, AttributeError, OSError, TypeError):
        return {}
    args_cls = getattr(mod, f"{cls}Args", None)
    out: dict[str, bool | int | str] = {}
    for name, expr in _SDK_DEFAULT.findall(text):
        prop = getattr(args_cls, name, None)
        fget = prop.fget if isinstance(prop, property) else None
        if fget is None:
            continue  # not an input of the resource
        out[getattr(fget, "_pulumi_name", None) or camel(name)] = ast.literal_eval(expr)
    return out


def check_conditional(source: IndexSource) -> list[str]:
    """Each hand-written condition's function must still be in the index and name its attribute."""
    problems = []
    for token, entries in {**CONDITIONAL, "*": [REGION_CONDITION]}.items():
        for entry in entries:
            service, name = str(entry["source"]).rsplit("/", 1)
            try:
                text = source.function(service, name)
            except FileNotFoundError as exc:
                problems.append(f"{token}: {exc}")
                continue
            if str(entry["attr"]) not in text:
                problems.append(f"{token}: {name} no longer mentions {entry['attr']}")
    for rel in REGION_SOURCES:
        service, name = rel.rsplit("/", 1)
        try:
            if "AttrRegion" not in source.function(service, name):
                problems.append(f"{rel} no longer mentions region")
        except FileNotFoundError as exc:
            problems.append(str(exc))
    return problems


def _plurals(key: str) -> list[str]:
    out = [key + "s", key + "es"]
    if key.endswith("y"):
        out.append(key[:-1] + "ies")
    return out


def _pulumi_keys(token: str, attrs: list[str], known: set[str] | None, missing: list[str]) -> list[str]:
    out = []
    for a in attrs:
        key = RENAMES.get((token, a), camel(a))
        if known is not None and key not in known:
            # pulumi-aws names a repeatable block in the plural (parameter -> parameters).
            key = next((p for p in _plurals(key) if p in known), key)
        if known is not None and key not in known:
            # The provider read is not the exact version bridged: an attribute removed since (or not yet
            # added) is recorded, not guessed at.
            missing.append(a)
            continue
        out.append(key)
    return out


def build(source: IndexSource) -> dict[str, Any]:
    """The table's per-type sections, and the problems met."""
    types: dict[str, list[str]] = {}
    nested: dict[str, dict[str, list[str]]] = {}
    conditional: dict[str, list[dict[str, Any]]] = {}
    optional_computed: dict[str, list[str]] = {}
    framework: dict[str, bool] = {}
    kinds: dict[str, dict[str, str]] = {}
    defaults: dict[str, dict[str, bool | int | float | str]] = {}
    defaults_not_literal: dict[str, list[str]] = {}
    not_in_sdk: dict[str, list[str]] = {}
    problems: list[str] = []
    for token, (tf_type, service, fn) in {**COMPONENT_TYPES, **NEIGHBOUR_TYPES}.items():
        try:
            text = source.function(service, fn)
            anchor = "func (" if fn.startswith("method.") else f"func {fn.removeprefix('func.')}("
            s = read_schema(text, anchor, {}, source, service)
        except (FileNotFoundError, ValueError) as exc:
            problems.append(f"{token} ({tf_type}): {exc}")
            continue
        known = sdk_inputs(token)
        missing: list[str] = []
        conds = [{k: v for k, v in e.items() if k != "attr"} for e in CONDITIONAL.get(token, [])]
        if known is not None and "region" in known:
            conds.append({k: v for k, v in REGION_CONDITION.items() if k != "attr"})
        cond_keys = {str(c["key"]) for c in conds}
        keys = [k for k in _pulumi_keys(token, s.forcing, known, missing) if k not in cond_keys]
        types[token] = sorted(set(keys))
        blocks = {}
        for attr, paths in sorted(s.nested.items()):
            key = _pulumi_keys(token, [attr], known, missing)
            if key:
                blocks[key[0]] = sorted(".".join(camel(p) for p in path.split(".")) for path in paths)
        if blocks:
            nested[token] = blocks
        if conds:
            conditional[token] = sorted(conds, key=lambda c: str(c["key"]))
        oc = _pulumi_keys(token, s.optional_computed, known, [])
        if oc:
            optional_computed[token] = sorted(oc)
        framework[token] = s.framework
        if not s.framework:
            # Keys as the installed SDK names them; an attribute it lacks is already in `missing`.
            kinds[token] = {
                key[0]: kind for a, kind in s.kinds.items() if (key := _pulumi_keys(token, [a], known, []))
            }
            kinds[token] = dict(sorted(kinds[token].items()))
            lit = {key[0]: v for a, v in s.defaults.items() if (key := _pulumi_keys(token, [a], known, []))}
            lit.update(sdk_defaults(token))
            if lit:
                defaults[token] = dict(sorted(lit.items()))
            opaque = _pulumi_keys(token, s.defaults_not_literal, known, [])
            if opaque:
                defaults_not_literal[token] = sorted(opaque)
        for c in cond_keys:
            if known is not None and c not in known:
                problems.append(f"{token}: conditional key {c} is not an SDK input")
        if missing:
            not_in_sdk[token] = sorted(set(missing))
    problems += check_conditional(source)
    return {
        "types": dict(sorted(types.items())),
        "nested": dict(sorted(nested.items())),
        "conditional": dict(sorted(conditional.items())),
        "optional_computed": dict(sorted(optional_computed.items())),
        "framework": dict(sorted(framework.items())),
        "kinds": dict(sorted(kinds.items())),
        "defaults": dict(sorted(defaults.items())),
        "defaults_not_literal": dict(sorted(defaults_not_literal.items())),
        "not_in_installed_sdk": not_in_sdk,
        "problems": problems,
    }


def build_random(random: TreeSource) -> tuple[dict[str, list[str]], list[str]]:
    types: dict[str, list[str]] = {}
    problems: list[str] = []
    for token, (rel, anchor) in RANDOM_TYPES.items():
        try:
            top, _ = forcing_attributes(random.read(rel), anchor, {})
        except (FileNotFoundError, ValueError) as exc:
            problems.append(f"{token}: {exc}")
            continue
        types[token] = sorted({camel(a) for a in top})
    return types, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index", type=Path, help="terraform-provider-aws-index (work tree or git dir)")
    parser.add_argument("--random", type=Path, help="terraform-provider-random source (work tree or git dir)")
    parser.add_argument("--random-version", default="", help="the terraform-provider-random version read")
    parser.add_argument("--note", default="", help="how the version read relates to the one bridged")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    source = IndexSource(args.index.resolve())
    built = build(source)
    problems: list[str] = built.pop("problems")
    previous: dict[str, Any] = json.loads(args.output.read_text("utf-8")) if args.output.is_file() else {}
    if args.random:
        random_types, random_problems = build_random(TreeSource(args.random.resolve()))
        problems += random_problems
        random_provider = (
            f"terraform-provider-random {args.random_version} (bridged by pulumi-random "
            f"{importlib.metadata.version('pulumi-random')})"
        )
    else:
        # Not in the index: keep the committed entries and the version they were read from.
        random_types = {k: v for k, v in previous.get("types", {}).items() if k.startswith("random:")}
        random_provider = str(previous.get("random_provider") or "")
    built["types"] = dict(sorted({**built["types"], **random_types}.items()))
    pulumi_aws = importlib.metadata.version("pulumi-aws")
    version = source.version()
    commit, date = source.commit()
    doc = {
        "provider": f"terraform-provider-aws {version} (bridged by pulumi-aws {pulumi_aws}"
        + (": closest source available, see note)" if args.note else ")"),
        "pulumi_aws": pulumi_aws,
        "terraform_provider_aws": version,
        "terraform_provider_aws_date": date,
        "terraform_provider_aws_date_is": "the date of the index commit that indexed this release",
        "source": "github.com/lonegunmanb/terraform-provider-aws-index (per-function index of "
        f"hashicorp/terraform-provider-aws {version})",
        "source_commit": f"{commit} {date}",
        "random_provider": random_provider,
        "note": args.note,
        "generated_by": "scripts/gen_forcenew.py",
        **built,
    }
    args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    count = sum(len(v) for v in doc["types"].values())
    print(f"{args.output}: {len(doc['types'])} types, {count} forcing input keys")
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
