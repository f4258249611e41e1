"""The force-new table (analysis/forcenew.json, from scripts/gen_forcenew.py): fresh and complete."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path
from typing import Any

import yaml
from lambda_rds.analysis.changes import forcenew_table
from lambda_rds.commands.capture import capture

from tests.analysis.conftest import REPO
from tests.scripts import load_script

NEIGHBOURS = {
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:dynamodb/table:Table",
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/route:Route",
    "aws:lambda/permission:Permission",
    "aws:lambda/functionUrl:FunctionUrl",
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
    "aws:kms/alias:Alias",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:rds/proxyEndpoint:ProxyEndpoint",
    "aws:ec2/natGateway:NatGateway",
}
# Configurations that between them make the component register every type it can.
SHAPES: list[dict[str, Any]] = [
    {"engine": "aurora-postgresql", "auth": "secret", "proxy": True, "egress": "nat"},
    {"engine": "aurora-mysql", "egress": "endpoints", "network": {"flow_logs": True}},
    {"engine": "mysql", "auth": "secret", "egress": "nat", "database": {"monitoring_interval": 60}},
]


def _load_script() -> Any:
    return load_script("gen_forcenew")


def test_table_is_for_the_installed_pulumi_aws() -> None:
    table = forcenew_table()
    installed = importlib.metadata.version("pulumi-aws")
    assert table["pulumi_aws"] == installed, (
        f"forcenew.json was generated for pulumi-aws {table['pulumi_aws']}, {installed} is installed: re-run "
        "scripts/gen_forcenew.py on the terraform-provider-aws source that version bridges "
        "(docs/previewing.md)"
    )
    assert f"bridged by pulumi-aws {installed}" in table["provider"]
    assert table["terraform_provider_aws"] and table["source_commit"] and table["note"]


def test_table_covers_every_type_the_component_registers(tmp_path: Path) -> None:
    """Every resource type the component registers (stacks and other shapes) has an entry."""
    program = tmp_path / "program"
    program.mkdir()
    shutil.copy(REPO / "__main__.py", program / "__main__.py")
    shutil.copy(REPO / "Pulumi.yaml", program / "Pulumi.yaml")
    types: set[str] = set()
    for stack in ("dev", "staging", "prod"):
        shutil.copy(REPO / f"Pulumi.{stack}.yaml", program / f"Pulumi.{stack}.yaml")
        types |= {r.type for r in capture(program, stack).resources if r.custom}
    for i, shape in enumerate(SHAPES):
        config = {"aws:region": "us-east-1", **{f"lambda-rds:{k}": v for k, v in shape.items()}}
        (program / f"Pulumi.shape{i}.yaml").write_text(yaml.safe_dump({"config": config}))
        types |= {r.type for r in capture(program, f"shape{i}").resources if r.custom}
    missing = sorted(types - set(forcenew_table()["types"]))
    assert not missing, f"add these to scripts/gen_forcenew.py COMPONENT_TYPES and re-run it: {missing}"
    assert {"aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/proxy:Proxy"} <= types


def test_table_covers_the_common_neighbours_and_every_key_is_an_sdk_input() -> None:
    table = forcenew_table()["types"]
    assert set(table) >= NEIGHBOURS
    script = _load_script()
    for token, keys in table.items():
        known = script.sdk_inputs(token)
        assert known is not None, token
        assert set(keys) <= known, (token, set(keys) - known)


def test_the_generator_reads_both_schema_styles() -> None:
    script = _load_script()
    sdk = """
// @SDKResource("aws_thing", name="Thing")
func resourceThing() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"name": {
				Type:     schema.TypeString,
				ForceNew: true,
			},
			names.AttrDescription: {
				Type:     schema.TypeString,
				Optional: true,
			},
			"block": {
				Type: schema.TypeList,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						"inner": {Type: schema.TypeString, ForceNew: true},
					},
				},
			},
			names.AttrTags: tftags.TagsSchema(),
		},
	}
}
"""
    top, nested = script.forcing_attributes(
        sdk, '@SDKResource("aws_thing"', {"names.AttrDescription": "description"}
    )
    assert top == ["name", "block"] and nested == {"block": ["inner"]}
    fw = """
func (r *thingResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *Response) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
				},
			},
			"description": schema.StringAttribute{
				Optional: true,
			},
		},
	}
}
"""
    assert script.forcing_attributes(fw, "func (r *thingResource) Schema(", {}) == (["group_id"], {})
    assert script.camel("db_subnet_group_name") == "dbSubnetGroupName"
