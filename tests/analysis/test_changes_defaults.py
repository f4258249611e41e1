"""An input left out of the program compares as the provider diffs it (issue 20, reviewer's note): for the
provider's SDKv2 types an unset input is its schema ``Default``, else its type's zero value
(terraform-plugin-sdk ``schemaMap.diffString``: ``nraw = schema.Type.Zero()``); plugin-framework types
compare null with a value exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.analysis.changes import data_at_risk, diff_plans
from lambda_rds.analysis.changes.forcenew import forcenew_table, unset_values
from lambda_rds.analysis.changes.plan_diff import base_resources
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.test_changes_engine_paths import actions, res
from tests.analysis.test_forcenew_v6 import _index
from tests.scripts import load_script

DB = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
FN = "aws:lambda/function:Function"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _plan_doc(resources: list[Resource]) -> dict[str, Any]:
    """A base plan JSON as `lambda-rds plan --format json` writes it (the lifecycle tests' `--base`)."""
    return {
        "resources": [
            {"type": r.type, "name": r.name, "id": r.id, "urn": r.urn, "custom": True, "inputs": r.inputs}
            for r in resources
        ]
    }


@pytest.mark.parametrize(
    ("old", "new"), [({"storageEncrypted": False}, {}), ({}, {"storageEncrypted": False})]
)
def test_storage_encrypted_false_and_unset_are_the_same_input(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    before = [res(DB, "db", dbName="app", **old)]
    after = [res(DB, "db", dbName="app", **new)]
    cs = diff_plans(before, after)
    assert cs.changes == [] and data_at_risk(cs, before, after) == []
    # Through a base read back from plan JSON, as `plan --base` reads it.
    base, has_inputs = base_resources(json.loads(json.dumps(_plan_doc(before))))
    assert has_inputs and diff_plans(base, after).changes == []


def test_storage_encrypted_true_removed_still_replaces_and_is_at_risk() -> None:
    before = [res(DB, "db", dbName="app", storageEncrypted=True)]
    after = [res(DB, "db", dbName="app")]
    cs = diff_plans(before, after)
    [change] = cs.changes
    assert (change.action, change.replace_keys) == ("replace", ("storageEncrypted",))
    assert [(d.old, d.new) for d in change.diffs] == [(True, False)]
    assert len(data_at_risk(cs, before, after)) == 1


def test_an_explicit_default_engine_mode_removed_is_no_change() -> None:
    before = [res(CLUSTER, "db", engine="aurora-postgresql", engineMode="provisioned")]
    after = [res(CLUSTER, "db", engine="aurora-postgresql")]
    cs = diff_plans(before, after)
    assert cs.changes == [] and data_at_risk(cs, before, after) == []
    # Another mode is still a replacement, to or from unset.
    assert actions(before, [res(CLUSTER, "db", engine="aurora-postgresql", engineMode="serverless")]) == {
        "db": ("replace", ("engineMode",))
    }
    assert actions([res(CLUSTER, "db", engineMode="serverless")], [res(CLUSTER, "db")]) == {
        "db": ("replace", ("engineMode",))
    }


def test_a_value_other_than_the_default_removed_is_a_change_to_the_default() -> None:
    before = [res(DB, "db", dbName="app", autoMinorVersionUpgrade=False)]
    after = [res(DB, "db", dbName="app")]
    [change] = diff_plans(before, after).changes
    assert (change.action, change.keys) == ("update", ("autoMinorVersionUpgrade",))
    assert [(d.old, d.new) for d in change.diffs] == [(False, True)]
    # The default itself, removed, is nothing.
    assert actions([res(DB, "db", dbName="app", autoMinorVersionUpgrade=True)], after) == {}


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ({"reservedConcurrentExecutions": -1}, {}, False),  # Default -1
        ({"reservedConcurrentExecutions": 70}, {}, True),
        ({"timeout": 3}, {}, False),  # Default 3
        ({"layers": []}, {}, False),  # TypeList: unset is empty
        ({"layers": ["arn:aws:lambda:eu-west-1:1:layer:x:1"]}, {}, True),
        ({"environment": {"variables": {}}}, {"environment": {"variables": {}}}, False),
    ],
)
def test_numbers_lists_and_defaults_of_a_function(
    old: dict[str, Any], new: dict[str, Any], changed: bool
) -> None:
    got = actions([res(FN, "fn", role="r", **old)], [res(FN, "fn", role="r", **new)])
    assert bool(got) is changed, got


def test_a_framework_type_compares_unset_exactly() -> None:
    assert forcenew_table()["framework"][INGRESS] is True and unset_values(INGRESS) == {}
    before = [res(INGRESS, "in", ipProtocol="tcp", fromPort=0, toPort=0)]
    after = [res(INGRESS, "in", ipProtocol="tcp", toPort=0)]
    assert actions(before, after) == {"in": ("update", ("fromPort",))}
    # The same zero value removed from an SDKv2 type is no change.
    assert actions([res(DB, "db", dbName="a", monitoringInterval=0)], [res(DB, "db", dbName="a")]) == {}


def test_optional_computed_and_unknown_types_keep_their_own_rules() -> None:
    # kmsKeyId is Optional+Computed: no zero value stands in (removing it keeps the state's key).
    assert "kmsKeyId" not in unset_values(DB)
    assert unset_values("random:index/randomPassword:RandomPassword") == {}
    assert unset_values("aws:unknown/thing:Thing") == {}


def test_the_table_records_kinds_defaults_and_the_sdk_flavour() -> None:
    table = forcenew_table()
    flavours = table["framework"]
    assert sum(flavours.values()) == 2 and len(flavours) >= 55
    assert table["kinds"][DB]["storageEncrypted"] == "bool"
    assert table["defaults"][DB]["autoMinorVersionUpgrade"] is True
    # A default held in a package constant (engineModeProvisioned) is read from its own index file.
    assert table["defaults"][CLUSTER]["engineMode"] == "provisioned"
    # The SDK's own default wins over the provider's ("Managed by Pulumi", not "... Terraform").
    assert table["defaults"]["aws:ec2/securityGroup:SecurityGroup"]["description"] == "Managed by Pulumi"
    script = load_script("gen_forcenew")
    for section in ("kinds", "defaults", "defaults_not_literal"):
        for token, keys in table[section].items():
            known = script.sdk_inputs(token)
            assert known is not None and set(keys) <= known, (section, token, set(keys) - (known or set()))


def test_the_generator_reads_defaults_kinds_and_flavour(tmp_path: Path) -> None:
    script = load_script("gen_forcenew")
    fn = """package x
func resourceThing() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"auto_upgrade": {
				Type:     schema.TypeBool,
				Optional: true,
				Default:  true,
			},
			"mode": {
				Type:     schema.TypeString,
				Optional: true,
				ForceNew: true,
				Default:  thingModeStandard,
			},
			"size": {
				Type:        schema.TypeInt,
				Optional:    true,
				DefaultFunc: schema.EnvDefaultFunc("SIZE", 1),
			},
			"kind": {
				Type:     schema.TypeString,
				Optional: true,
				Default:  awstypes.KindBasic,
			},
			"names": {
				Type:     schema.TypeList,
				Optional: true,
				Elem:     &schema.Schema{Type: schema.TypeString, Default: "x"},
			},
		},
	}
}
"""
    const = 'package x\nconst (\n\tthingModeStandard = "standard" // the usual\n)\n'
    rule = """package x
func (r *ruleResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *Response) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"from_port": schema.Int64Attribute{Optional: true},
		},
	}
}
"""
    root = _index(
        tmp_path,
        {
            "index/internal/service/x/func.resourceThing.goindex": fn,
            "index/internal/service/x/var.thingModeStandard.goindex": const,
            "index/internal/service/x/method.ruleResource.Schema.goindex": rule,
        },
    )
    source = script.IndexSource(root)
    s = script.read_schema(source.function("x", "func.resourceThing"), "func resourceThing(", {}, source, "x")
    assert not s.framework
    assert s.kinds == {
        "auto_upgrade": "bool",
        "mode": "string",
        "size": "int",
        "kind": "string",
        "names": "list",
    }
    assert s.defaults == {"auto_upgrade": True, "mode": "standard"}
    assert sorted(s.defaults_not_literal) == ["kind", "size"]
    fw = script.read_schema(source.function("x", "method.ruleResource.Schema"), "func (", {}, source, "x")
    assert fw.framework and fw.kinds == {} and fw.defaults == {}
