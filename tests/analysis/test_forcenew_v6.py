"""The force-new table read from terraform-provider-aws v6 (issue 20 item 1): the keys v6 added or made
forcing, conditional (CustomizeDiff) keys evaluated against the inputs, nested blocks, region, and the
generator's reading of the per-function provider index."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.analysis.changes import diff_plans, forcenew_table
from lambda_rds.analysis.changes.forcenew import (
    CONDITIONS,
    condition_holds,
    forcing_keys,
    is_regional,
    replacing_keys,
)
from lambda_rds.analysis.model.resources import Resource

from tests.scripts import load_script

NAT = "aws:ec2/natGateway:NatGateway"
CLUSTER = "aws:rds/cluster:Cluster"
PROXY = "aws:rds/proxy:Proxy"
FUNCTION = "aws:lambda/function:Function"
SUBNET = "aws:ec2/subnet:Subnet"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
VPC = "aws:ec2/vpc:Vpc"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
INVOCATION = "aws:lambda/invocation:Invocation"


def _forces(token: str, key: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
    return key in replacing_keys(token, [key], before, after)


def test_the_table_is_read_from_terraform_provider_aws_v6() -> None:
    table = forcenew_table()
    assert re.fullmatch(r"v6\.\d+\.\d+", table["terraform_provider_aws"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["terraform_provider_aws_date"])
    assert "terraform-provider-aws-index" in table["source"]
    assert table["terraform_provider_aws"] in table["provider"]


@pytest.mark.parametrize(
    ("token", "keys"),
    [
        (NAT, {"vpcId", "availabilityMode"}),
        (CLUSTER, {"clusterScalabilityType"}),
        (PROXY, {"endpointNetworkType", "targetConnectionNetworkType"}),
        (FUNCTION, {"tenancyConfig"}),
        (SUBNET, {"ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId", "ipv6NetmaskLength"}),
        (SECRET, {"type"}),
    ],
)
def test_keys_v6_added_or_made_forcing_always_force(token: str, keys: set[str]) -> None:
    assert keys <= set(forcenew_table()["types"][token])
    for key in keys:
        assert _forces(token, key, {key: "a"}, {key: "b"}), key


def test_storage_type_forces_only_outside_aurora() -> None:
    assert "storageType" not in forcenew_table()["types"][CLUSTER]
    mysql = {"engine": "mysql", "storageType": "io1"}
    assert _forces(CLUSTER, "storageType", mysql, {**mysql, "storageType": "gp3"})
    aurora = {"engine": "aurora-postgresql", "storageType": ""}
    assert not _forces(CLUSTER, "storageType", aurora, {**aurora, "storageType": "aurora-iopt1"})


def test_durable_config_forces_when_added_or_removed_not_when_tuned() -> None:
    on = {"durableConfig": {"executionTimeout": 60}}
    assert _forces(FUNCTION, "durableConfig", {}, on)
    assert _forces(FUNCTION, "durableConfig", on, {})
    assert not _forces(FUNCTION, "durableConfig", on, {"durableConfig": {"executionTimeout": 90}})


def test_vpc_tenancy_forces_except_dedicated_to_default() -> None:
    assert _forces(VPC, "instanceTenancy", {}, {"instanceTenancy": "dedicated"})
    assert not _forces(
        VPC, "instanceTenancy", {"instanceTenancy": "dedicated"}, {"instanceTenancy": "default"}
    )
    # An absent tenancy is the default one: no change at all.
    assert not _forces(VPC, "instanceTenancy", {}, {"instanceTenancy": "default"})


def test_vpc_cidr_forces_unless_it_comes_from_ipam() -> None:
    assert _forces(VPC, "cidrBlock", {"cidrBlock": "10.0.0.0/16"}, {"cidrBlock": "10.1.0.0/16"})
    ipam = {"ipv4IpamPoolId": "ipam-pool-1", "ipv4NetmaskLength": 16}
    assert not _forces(
        VPC, "cidrBlock", {**ipam, "cidrBlock": "10.0.0.0/16"}, {**ipam, "cidrBlock": "10.1.0.0/16"}
    )


def test_only_a_forcing_sub_key_of_a_block_forces() -> None:
    assert {"privateDnsPreference", "privateDnsSpecifiedDomains"} <= set(
        forcenew_table()["nested"][ENDPOINT]["dnsOptions"]
    )
    before = {"dnsOptions": {"dnsRecordIpType": "ipv4", "privateDnsPreference": "ALL_DOMAINS"}}
    record = {"dnsOptions": {"dnsRecordIpType": "dualstack", "privateDnsPreference": "ALL_DOMAINS"}}
    preference = {"dnsOptions": {"dnsRecordIpType": "ipv4", "privateDnsPreference": "VERIFIED_DOMAINS_ONLY"}}
    assert not _forces(ENDPOINT, "dnsOptions", before, record)
    assert _forces(ENDPOINT, "dnsOptions", before, preference)
    # Pulumi may render a single block as a one-element list.
    assert _forces(
        ENDPOINT,
        "dnsOptions",
        {"dnsOptions": [before["dnsOptions"]]},
        {"dnsOptions": [preference["dnsOptions"]]},
    )
    assert "dnsOptions" in (forcing_keys(ENDPOINT) or set())


def test_secret_string_forces_between_two_values_only() -> None:
    assert "secretString" not in forcenew_table()["types"][SECRET_VERSION]
    assert _forces(SECRET_VERSION, "secretString", {"secretString": "a"}, {"secretString": "b"})
    assert not _forces(SECRET_VERSION, "secretString", {}, {"secretString": "b"})


def test_invocation_input_forces_only_with_the_create_only_scope() -> None:
    assert _forces(INVOCATION, "input", {"input": "{}"}, {"input": '{"a": 1}'})
    crud = {"lifecycleScope": "CRUD"}
    assert not _forces(INVOCATION, "input", {**crud, "input": "{}"}, {**crud, "input": '{"a": 1}'})


def test_a_region_change_replaces_every_regional_type_and_no_global_one() -> None:
    script = load_script("gen_forcenew")
    table = forcenew_table()
    regional = [
        t for t in table["types"] if t.startswith("aws:") and "region" in (script.sdk_inputs(t) or set())
    ]
    assert len(regional) > 30
    for token in regional:
        assert _forces(token, "region", {"region": "us-east-1"}, {"region": "eu-west-1"}), token
    assert "aws:iam/role:Role" not in regional
    assert all(is_regional(t) for t in regional) and not is_regional("aws:iam/role:Role")
    assert not replacing_keys("aws:iam/role:Role", ["region"], {"region": "a"}, {"region": "b"})


def test_every_condition_in_the_table_is_one_the_evaluator_knows() -> None:
    for token, entries in forcenew_table()["conditional"].items():
        for entry in entries:
            assert set(entry["when"]) <= set(CONDITIONS), (token, entry)
            assert entry["source"], (token, entry)
    with pytest.raises(ValueError, match="unknown condition"):
        condition_holds({"engine_is_fast": True}, "a", "b", {}, {})


def test_every_key_of_every_section_is_an_sdk_input() -> None:
    script = load_script("gen_forcenew")
    table = forcenew_table()
    for section in ("nested", "optional_computed"):
        for token, keys in table[section].items():
            known = script.sdk_inputs(token)
            assert known is not None and set(keys) <= known, (section, token, set(keys) - (known or set()))
    for token, entries in table["conditional"].items():
        known = script.sdk_inputs(token) or set()
        assert {e["key"] for e in entries} <= known, token
    # Item 4 of issue 20 relies on these: an Optional+Computed forcing key keeps the state's value.
    assert "kmsKeyId" in table["optional_computed"]["aws:rds/instance:Instance"]


def test_plan_diff_uses_the_conditions() -> None:
    def cluster(**inputs: object) -> Resource:
        return Resource(CLUSTER, "db", "db-1", dict(inputs), urn="urn:x::db")

    mysql = diff_plans(
        [cluster(engine="mysql", storageType="io1")], [cluster(engine="mysql", storageType="gp3")]
    )
    assert [(c.action, c.replace_keys) for c in mysql.changes] == [("replace", ("storageType",))]
    aurora = diff_plans(
        [cluster(engine="aurora-mysql", storageType="")],
        [cluster(engine="aurora-mysql", storageType="aurora-iopt1")],
    )
    assert [c.action for c in aurora.changes] == ["update"]


@pytest.mark.parametrize(("scope", "action"), [(None, "replace"), ("CRUD", "update")])
def test_a_carried_replacement_honours_the_condition(scope: str | None, action: str) -> None:
    db = Resource(
        "aws:rds/instance:Instance",
        "db",
        "db-1",
        {"dbName": "app"},
        {"resourceId": "db-ABCDEFGHIJKLMNOP"},
        urn="u:db",
    )
    inputs: dict[str, Any] = {"input": json.dumps({"db": "db-ABCDEFGHIJKLMNOP"})}
    if scope:
        inputs["lifecycleScope"] = scope
    run = Resource(INVOCATION, "run", "r", inputs, urn="u:run")
    new_db = Resource(db.type, db.name, db.id, {"dbName": "shop"}, db.outputs, urn=db.urn)
    changes = {c.name: c.action for c in diff_plans([db, run], [new_db, run]).changes}
    assert changes["run"] == action


# ---- the generator ----------------------------------------------------------------------------------
def test_attribute_constants_are_derived_as_the_provider_defines_them() -> None:
    # Pairs from hashicorp/terraform-provider-aws names/attr_constants.csv (name, constant).
    csv = {
        "vpc_id": "VPCID",
        "subnet_ids": "SubnetIDs",
        "kms_key_id": "KMSKeyID",
        "iam_role_arn": "IAMRoleARN",
        "dns_name": "DNSName",
        "ip_address_type": "IPAddressType",
        "s3_bucket_name": "S3BucketName",
        "vpc_security_group_ids": "VPCSecurityGroupIDs",
        "identifier": "Identifier",
        "arns": "ARNs",
        "iops": "IOPS",
        "availability_zone": "AvailabilityZone",
        "transit_gateway_attachment_id": "TransitGatewayAttachmentID",
        "uri": "URI",
        "description": "Description",
        "database_name": "DatabaseName",
    }
    script = load_script("gen_forcenew")
    assert {script.const_name(f"names.Attr{c}") for c in csv.values()} == set(csv)
    assert all(script.const_name(f"names.Attr{c}") == n for n, c in csv.items())


def _index(tmp: Path, files: dict[str, str]) -> Path:
    root = tmp / "idx"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_the_generator_reads_the_per_function_index(tmp_path: Path) -> None:
    script = load_script("gen_forcenew")
    queue = """package x
func resourceQueue() *schema.Resource {
	return &schema.Resource{
		Schema: maps.Clone(queueSchema),
	}
}
"""
    schema = """package x
var (
	queueSchema = map[string]*schema.Schema{
		"fifo_queue": {
			Type:     schema.TypeBool,
			Optional: true,
			ForceNew: true,
		},
		names.AttrKMSKeyID: {
			Type:     schema.TypeString,
			Optional: true,
			Computed: true,
		},
		"dns_options": {
			Type:     schema.TypeList,
			Optional: true,
			Elem: &schema.Resource{
				Schema: map[string]*schema.Schema{
					"dns_record_ip_type": {Type: schema.TypeString, Optional: true},
					"private_dns_preference": {
						Type:     schema.TypeString,
						Optional: true,
						ForceNew: true,
					},
				},
			},
		},
		"tenancy_config": {
			Type:     schema.TypeList,
			Optional: true,
			ForceNew: true,
			Elem: &schema.Resource{
				Schema: map[string]*schema.Schema{
					"mode": {Type: schema.TypeString, Required: true},
				},
			},
		},
	}
)
"""
    root = _index(
        tmp_path,
        {
            "index/terraform-provider-aws-index.json": json.dumps({"version": "v6.1.2"}),
            "index/internal/service/sqs/func.resourceQueue.goindex": queue,
            "index/internal/service/sqs/var.queueSchema.goindex": schema,
        },
    )
    source = script.IndexSource(root)
    assert source.version() == "v6.1.2"
    s = script.read_schema(
        source.function("sqs", "func.resourceQueue"), "func resourceQueue(", {}, source, "sqs"
    )
    assert s.forcing == ["fifo_queue", "tenancy_config"]
    # A block that forces as a whole is a forcing key; one that does not lists its forcing sub-keys.
    assert s.nested == {"dns_options": ["private_dns_preference"]}
    assert s.optional_computed == ["kms_key_id"]


def test_each_hand_written_condition_names_a_function_and_an_attribute() -> None:
    script = load_script("gen_forcenew")
    for token, entries in script.CONDITIONAL.items():
        assert token in script.COMPONENT_TYPES, token
        for entry in entries:
            assert set(entry["when"]) <= set(CONDITIONS)
            assert entry["source"].count("/") >= 1 and entry["attr"]


def test_the_committed_table_holds_the_generators_conditions() -> None:
    """forcenew.json was generated by the current script (an edited CONDITIONAL needs a re-run)."""
    script = load_script("gen_forcenew")
    table = forcenew_table()["conditional"]
    for token, entries in script.CONDITIONAL.items():
        written = [e for e in table[token] if e["key"] != "region"]
        expected = sorted(
            ({k: v for k, v in e.items() if k != "attr"} for e in entries), key=lambda e: e["key"]
        )
        assert written == expected, token
