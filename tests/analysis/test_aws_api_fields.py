"""The API-model field table: generated from the pinned botocore, and each constraint kind enforced."""

from __future__ import annotations

from pathlib import Path

import botocore
from lambda_rds.analysis.checks.aws import api
from lambda_rds.analysis.checks.aws.api_map import FIELD_MAP
from lambda_rds.analysis.model.resources import UNKNOWN

from tests.analysis.aws_cases import res
from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    return load_script("gen_api_fields")


def test_committed_table_is_what_the_pinned_botocore_gives() -> None:
    gen = _generator()
    committed = api.FIELDS_FILE.read_text()
    assert api.api_fields()["botocore_version"] == botocore.__version__, (
        "botocore was bumped: run `make docs` to regenerate analysis/aws/api_fields.json"
    )
    assert committed == gen.render(gen.generate()), "api_fields.json drifted: run `make docs`"


def test_every_mapped_input_is_in_the_table() -> None:
    fields = api.api_fields()["fields"]
    for token, inputs in FIELD_MAP.items():
        assert set(inputs) == set(fields[token]), token


def test_constraint_kinds() -> None:
    spec = {"type": "string", "api": "x:Y.Z", "enum": ["A", "B"]}
    assert api.check_value("k", "A", spec) is None
    assert "not one of A, B" in (api.check_value("k", "C", spec) or "")
    spec = {"type": "string", "api": "x:Y.Z", "min": 1, "max": 3, "pattern": "[a-z]+"}
    assert api.check_value("k", "abc", spec) is None
    assert "characters" in (api.check_value("k", "abcd", spec) or "")
    assert "does not match" in (api.check_value("k", "ab1", spec) or "")  # the whole value must match
    spec = {"type": "integer", "api": "x:Y.Z", "min": 128, "max": 10240}
    assert api.check_value("k", 128, spec) is None
    assert "outside" in (api.check_value("k", 127, spec) or "")
    assert api.check_value("k", True, spec) is None  # not a number: another check's business
    spec = {"type": "list", "api": "x:Y.Z", "min": 1, "max": 1}
    assert "2 items" in (api.check_value("k", ["a", "b"], spec) or "")


def test_unknown_values_are_skipped_not_guessed() -> None:
    fn = res("aws:lambda/function:Function", "f", runtime=UNKNOWN, memorySize=UNKNOWN)
    assert list(api.violations(fn)) == []


def test_nested_list_paths_are_walked() -> None:
    proxy = res(
        "aws:rds/proxy:Proxy",
        "p",
        engineFamily="POSTGRESQL",
        auths=[{"authScheme": "SECRETS"}, {"authScheme": "PASSWORD"}],
    )
    problems = list(api.violations(proxy))
    assert len(problems) == 1 and "auths.[].authScheme='PASSWORD'" in problems[0]


def test_nat_gateway_availability_mode_is_checked_against_the_api_enum() -> None:
    # botocore ec2 CreateNatGateway.AvailabilityMode: zonal | regional (the regional NAT gateway, issue 13).
    spec = api.api_fields()["fields"]["aws:ec2/natGateway:NatGateway"]["availabilityMode"]
    assert spec["api"] == "ec2:CreateNatGateway.AvailabilityMode"
    assert spec["enum"] == ["zonal", "regional"]
    ok = res("aws:ec2/natGateway:NatGateway", "nat", availabilityMode="regional", connectivityType="public")
    assert list(api.violations(ok)) == []
    bad = res("aws:ec2/natGateway:NatGateway", "nat", availabilityMode="multi-az")
    (msg,) = list(api.violations(bad))
    assert "multi-az" in msg and "zonal, regional" in msg
