#!/usr/bin/env python3
"""Generate components/lambda_rds/analysis/changes/forcenew.json: which inputs force a new resource, per type.

Reads the provider's own schema from a local copy of its source (a work tree, or the bare git directory the
search tool's `fetch` brings: `/work/.mirror/<owner>+terraform-provider-aws/repo`), offline:

    python scripts/gen_forcenew.py AWS_SOURCE [--random RANDOM_SOURCE] [--aws-version v6.x.y] \
        [--random-version v3.x.y] [--note "..."]

- SDKv2 resources: a top-level attribute with ``ForceNew: true``, or a nested block with a ``ForceNew``
  attribute somewhere inside (the top-level key is recorded; the nested paths go to ``nested``).
- Plugin-framework resources: an attribute with a ``RequiresReplace*`` plan modifier.
- ``customize_diff``: replacements a ``CustomizeDiff`` forces, which no schema flag shows (listed by hand
  below with the function that does it).

Terraform snake_case names become the Pulumi camelCase input keys; the few that pulumi-aws renames are in
``RENAMES`` and every key is checked against the installed SDK's input properties (the script fails on a key
the SDK does not have, so a rename cannot slip through). The pulumi-aws version recorded is the installed
one: tests/analysis/test_forcenew.py fails when it changes (re-run this script against the provider version
the new pulumi-aws bridges). To check the committed table against a source, re-run the script on it
and `git diff --exit-code components/lambda_rds/analysis/changes/forcenew.json`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "components/lambda_rds/analysis/changes/forcenew.json"

# Pulumi type token -> (source file, anchor). The anchor is the resource's registration annotation (or, for
# framework resources sharing a schema, the Schema method); the first schema after it is the resource's.
COMPONENT_TYPES: dict[str, tuple[str, str]] = {
    "aws:cloudwatch/logGroup:LogGroup": (
        "internal/service/logs/group.go",
        '@SDKResource("aws_cloudwatch_log_group"',
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "internal/service/ec2/vpc_default_security_group.go",
        '@SDKResource("aws_default_security_group"',
    ),
    "aws:ec2/eip:Eip": ("internal/service/ec2/ec2_eip.go", '@SDKResource("aws_eip"'),
    "aws:ec2/flowLog:FlowLog": ("internal/service/ec2/vpc_flow_log.go", '@SDKResource("aws_flow_log"'),
    "aws:ec2/internetGateway:InternetGateway": (
        "internal/service/ec2/vpc_internet_gateway.go",
        '@SDKResource("aws_internet_gateway"',
    ),
    "aws:ec2/natGateway:NatGateway": (
        "internal/service/ec2/vpc_nat_gateway.go",
        '@SDKResource("aws_nat_gateway"',
    ),
    "aws:ec2/route:Route": ("internal/service/ec2/vpc_route.go", '@SDKResource("aws_route"'),
    "aws:ec2/routeTable:RouteTable": (
        "internal/service/ec2/vpc_route_table.go",
        '@SDKResource("aws_route_table"',
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "internal/service/ec2/vpc_route_table_association.go",
        '@SDKResource("aws_route_table_association"',
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "internal/service/ec2/vpc_security_group.go",
        '@SDKResource("aws_security_group"',
    ),
    "aws:ec2/subnet:Subnet": ("internal/service/ec2/vpc_subnet.go", '@SDKResource("aws_subnet"'),
    "aws:ec2/vpc:Vpc": ("internal/service/ec2/vpc_.go", '@SDKResource("aws_vpc"'),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        "internal/service/ec2/vpc_endpoint.go",
        '@SDKResource("aws_vpc_endpoint"',
    ),
    "aws:iam/role:Role": ("internal/service/iam/role.go", '@SDKResource("aws_iam_role"'),
    "aws:iam/rolePolicy:RolePolicy": (
        "internal/service/iam/role_policy.go",
        '@SDKResource("aws_iam_role_policy"',
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "internal/service/iam/role_policy_attachment.go",
        '@SDKResource("aws_iam_role_policy_attachment"',
    ),
    "aws:lambda/function:Function": (
        "internal/service/lambda/function.go",
        '@SDKResource("aws_lambda_function"',
    ),
    "aws:lambda/invocation:Invocation": (
        "internal/service/lambda/invocation.go",
        '@SDKResource("aws_lambda_invocation"',
    ),
    "aws:lambda/layerVersion:LayerVersion": (
        "internal/service/lambda/layer_version.go",
        '@SDKResource("aws_lambda_layer_version"',
    ),
    "aws:rds/cluster:Cluster": ("internal/service/rds/cluster.go", '@SDKResource("aws_rds_cluster"'),
    "aws:rds/clusterInstance:ClusterInstance": (
        "internal/service/rds/cluster_instance.go",
        '@SDKResource("aws_rds_cluster_instance"',
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (
        "internal/service/rds/cluster_parameter_group.go",
        '@SDKResource("aws_rds_cluster_parameter_group"',
    ),
    "aws:rds/instance:Instance": ("internal/service/rds/instance.go", '@SDKResource("aws_db_instance"'),
    "aws:rds/parameterGroup:ParameterGroup": (
        "internal/service/rds/parameter_group.go",
        '@SDKResource("aws_db_parameter_group"',
    ),
    "aws:rds/proxy:Proxy": ("internal/service/rds/proxy.go", '@SDKResource("aws_db_proxy"'),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (
        "internal/service/rds/proxy_default_target_group.go",
        '@SDKResource("aws_db_proxy_default_target_group"',
    ),
    "aws:rds/proxyTarget:ProxyTarget": (
        "internal/service/rds/proxy_target.go",
        '@SDKResource("aws_db_proxy_target"',
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        "internal/service/rds/subnet_group.go",
        '@SDKResource("aws_db_subnet_group"',
    ),
    "aws:secretsmanager/secret:Secret": (
        "internal/service/secretsmanager/secret.go",
        '@SDKResource("aws_secretsmanager_secret"',
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "internal/service/secretsmanager/secret_version.go",
        '@SDKResource("aws_secretsmanager_secret_version"',
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
        "func (r *securityGroupRuleResource) Schema(",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
        "func (r *securityGroupRuleResource) Schema(",
    ),
}

# Common resources users add beside the component.
NEIGHBOUR_TYPES: dict[str, tuple[str, str]] = {
    "aws:s3/bucket:Bucket": ("internal/service/s3/bucket.go", '@SDKResource("aws_s3_bucket"'),
    "aws:s3/bucketV2:BucketV2": ("internal/service/s3/bucket.go", '@SDKResource("aws_s3_bucket"'),
    "aws:dynamodb/table:Table": ("internal/service/dynamodb/table.go", '@SDKResource("aws_dynamodb_table"'),
    "aws:apigatewayv2/api:Api": (
        "internal/service/apigatewayv2/api.go",
        '@SDKResource("aws_apigatewayv2_api"',
    ),
    "aws:apigatewayv2/stage:Stage": (
        "internal/service/apigatewayv2/stage.go",
        '@SDKResource("aws_apigatewayv2_stage"',
    ),
    "aws:apigatewayv2/integration:Integration": (
        "internal/service/apigatewayv2/integration.go",
        '@SDKResource("aws_apigatewayv2_integration"',
    ),
    "aws:apigatewayv2/route:Route": (
        "internal/service/apigatewayv2/route.go",
        '@SDKResource("aws_apigatewayv2_route"',
    ),
    "aws:lambda/permission:Permission": (
        "internal/service/lambda/permission.go",
        '@SDKResource("aws_lambda_permission"',
    ),
    "aws:lambda/functionUrl:FunctionUrl": (
        "internal/service/lambda/function_url.go",
        '@SDKResource("aws_lambda_function_url"',
    ),
    "aws:sqs/queue:Queue": ("internal/service/sqs/queue.go", '@SDKResource("aws_sqs_queue"'),
    "aws:sns/topic:Topic": ("internal/service/sns/topic.go", '@SDKResource("aws_sns_topic"'),
    "aws:kms/key:Key": ("internal/service/kms/key.go", '@SDKResource("aws_kms_key"'),
    "aws:kms/alias:Alias": ("internal/service/kms/alias.go", '@SDKResource("aws_kms_alias"'),
    "aws:secretsmanager/secretRotation:SecretRotation": (
        "internal/service/secretsmanager/secret_rotation.go",
        '@SDKResource("aws_secretsmanager_secret_rotation"',
    ),
    "aws:rds/proxyEndpoint:ProxyEndpoint": (
        "internal/service/rds/proxy_endpoint.go",
        '@SDKResource("aws_db_proxy_endpoint"',
    ),
}

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
}

# Replacements a CustomizeDiff forces, which the schema flags do not show.
CUSTOMIZE_DIFF: dict[str, dict[str, str]] = {
    "aws:lambda/invocation:Invocation": {
        "input": "customizeDiffInputChangeWithCreateOnlyScope: with lifecycle_scope CREATE_ONLY (the "
        "default) any change of input forces a new invocation"
    },
}


class Source:
    """A provider source: a work tree, or a bare git directory read with `git show HEAD:path`."""

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

    def describe(self) -> str:
        if not self.bare:
            return str(self.path)
        done = subprocess.run(
            ["git", f"--git-dir={self.path}", "log", "-1", "--format=%H %cs"], capture_output=True, text=True
        )
        return done.stdout.strip()


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


def _consts(source: Source) -> dict[str, str]:
    out = {}
    for rel in ("names/attr_consts.go", "names/attr_constants.go", "names/attr_consts_gen.go"):
        try:
            text = source.read(rel)
        except FileNotFoundError:
            continue
        for name, value in re.findall(r"\b(Attr\w+)\s*=\s*\"([^\"]+)\"", text):
            out[f"names.{name}"] = value
    return out


_SDK_FORCE = re.compile(r"ForceNew:\s*true")
_FW_FORCE = re.compile(r"\bRequiresReplace\w*\(")


def _schema_block(text: str, anchor: str) -> tuple[str, bool]:
    """The resource's top-level schema map (text from its opening brace) and whether it is a framework one."""
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
    ident = re.match(r"(\w+)", rest)
    if not ident:
        raise ValueError(f"cannot read the schema after {anchor!r}")
    name = ident.group(1)
    decl = re.search(
        rf"(?:{name}\s*=\s*map\[string\]\*schema\.Schema\{{"
        rf"|func {name}\(\)\s*map\[string\]\*schema\.Schema\s*\{{"
        r"\s*return\s*map\[string\]\*schema\.Schema\{)",
        text,
    )
    if not decl:
        raise ValueError(f"schema {name} not declared in the same file")
    start = decl.end() - 1
    return text[start : _balanced(text, start)], False


def _nested_paths(value: str, consts: dict[str, str], fw: bool) -> list[str]:
    """Dotted paths of forcing attributes inside a nested block value."""
    out: list[str] = []
    force = _FW_FORCE if fw else _SDK_FORCE
    marker = "Attributes: map[string]schema.Attribute{" if fw else "Schema: map[string]*schema.Schema{"
    at = value.find(marker)
    if at < 0:
        return out
    start = value.index("{", at + len(marker) - 1)
    block = value[start : _balanced(value, start)]
    for key, sub in _entries(block):
        name = consts.get(key, key)
        own = sub.split("Elem:")[0] if not fw else sub
        if force.search(own):
            out.append(name)
        out.extend(f"{name}.{p}" for p in _nested_paths(sub, consts, fw))
    return out


def forcing_attributes(
    text: str, anchor: str, consts: dict[str, str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Top-level attributes that force a new resource, and the nested forcing paths under each."""
    block, fw = _schema_block(text, anchor)
    force = _FW_FORCE if fw else _SDK_FORCE
    top: list[str] = []
    nested: dict[str, list[str]] = {}
    for key, value in _entries(block):
        name = consts.get(key, key)
        if not re.fullmatch(r"[a-z0-9_]+", name):
            continue  # an unresolved constant: reported by the caller as missing
        own = value.split("Elem:")[0] if not fw else value.split("Blocks:")[0]
        paths = _nested_paths(value, consts, fw)
        if force.search(own) or paths:
            top.append(name)
        if paths:
            nested[name] = paths
    return top, nested


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


def build(
    aws: Source, random: Source | None
) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]], dict[str, list[str]], list[str]]:
    """(types, nested paths, forcing attributes the installed SDK does not have, problems)."""
    consts = _consts(aws)
    not_in_sdk: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    nested: dict[str, dict[str, list[str]]] = {}
    problems: list[str] = []
    table = [(aws, t, spec) for t, spec in {**COMPONENT_TYPES, **NEIGHBOUR_TYPES}.items()]
    if random is not None:
        table += [(random, t, spec) for t, spec in RANDOM_TYPES.items()]
    for source, token, (rel, anchor) in table:
        try:
            text = source.read(rel)
            attrs, sub = forcing_attributes(text, anchor, consts if source is aws else {})
        except (FileNotFoundError, ValueError) as exc:
            problems.append(f"{token}: {exc}")
            continue
        known = sdk_inputs(token)
        keys = []
        for a in attrs:
            key = RENAMES.get((token, a), camel(a))
            if known is not None and key not in known:
                # The source read is not the exact version bridged: an attribute removed since (or not yet
                # added) is recorded, not guessed at.
                not_in_sdk.setdefault(token, []).append(a)
                continue
            keys.append(key)
        for key in CUSTOMIZE_DIFF.get(token, {}):
            keys.append(key)
        types[token] = sorted(set(keys))
        if sub:
            nested[token] = {RENAMES.get((token, a), camel(a)): p for a, p in sorted(sub.items())}
    return dict(sorted(types.items())), dict(sorted(nested.items())), not_in_sdk, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("aws_source", type=Path, help="terraform-provider-aws source (work tree or git dir)")
    parser.add_argument("--random", type=Path, help="terraform-provider-random source (work tree or git dir)")
    parser.add_argument("--aws-version", required=True, help="the terraform-provider-aws version read")
    parser.add_argument("--random-version", default="", help="the terraform-provider-random version read")
    parser.add_argument("--note", default="", help="how the version read relates to the pinned one")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    aws = Source(args.aws_source.resolve())
    random = Source(args.random.resolve()) if args.random else None
    types, nested, not_in_sdk, problems = build(aws, random)
    pulumi_aws = importlib.metadata.version("pulumi-aws")
    doc = {
        "provider": f"terraform-provider-aws {args.aws_version} (bridged by pulumi-aws {pulumi_aws}"
        + (": closest source available, see note)" if args.note else ")"),
        "pulumi_aws": pulumi_aws,
        "terraform_provider_aws": args.aws_version,
        "source_commit": aws.describe(),
        "random_provider": (
            f"terraform-provider-random {args.random_version} (bridged by pulumi-random "
            f"{importlib.metadata.version('pulumi-random')})"
            if random
            else None
        ),
        "note": args.note,
        "generated_by": "scripts/gen_forcenew.py",
        "types": types,
        "nested": nested,
        "customize_diff": CUSTOMIZE_DIFF,
        "not_in_installed_sdk": not_in_sdk,
    }
    args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    count = sum(len(v) for v in types.values())
    print(f"{args.output}: {len(types)} types, {count} forcing input keys")
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
