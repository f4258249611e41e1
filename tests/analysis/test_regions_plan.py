"""`lambda-rds plan` of the repository's three stacks retargeted to other Regions.

Each plans with that Region's AZs (exit 0 or 1, never 2); an unknown Region is one clear error; without
`aws:region` the report says once which Region it assumed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import analyze
from lambda_rds.analysis.render import render_markdown, render_text
from lambda_rds.commands.cli import main
from lambda_rds.rules import regions

from tests.analysis.conftest import REPO, RunPlan
from tests.analysis.test_prices_regions import REQUIRED as PRICED_REGIONS

STACKS = ("dev", "staging", "prod")
# The ten Regions the issue prices, and one outside them.
REGIONS = (*PRICED_REGIONS, "sa-east-1")
ASSUMED = "Region: us-east-1 assumed"


def _program(root: Path, region: str | None, *, project_region: bool = True) -> Path:
    """The repository's program and its three stack configs, with `aws:region` set to ``region`` (or
    removed everywhere, the project file's default included, when None)."""
    program = root / (region or "no-region")
    program.mkdir()
    shutil.copy(REPO / "__main__.py", program / "__main__.py")
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    if region is None or not project_region:
        project.get("config", {}).pop("aws:region", None)
    (program / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    for stack in STACKS:
        doc = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())
        config: dict[str, Any] = doc["config"]
        config.pop("aws:region", None)
        if region is not None:
            config["aws:region"] = region
        (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc))
    return program


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("regions")
    return {region: _program(root, region) for region in REGIONS}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("region", REGIONS)
def test_stack_plans_in_region(run_plan: RunPlan, programs: dict[str, Path], region: str, stack: str) -> None:
    result = run_plan("--program", str(programs[region]), "--stack", stack)
    assert result.code in (0, 1), result.stderr
    config = yaml.safe_load((programs[region] / f"Pulumi.{stack}.yaml").read_text())["config"]
    az_count = int(config.get("lambda-rds:az_count", 2))
    subnets = [r for r in result.report["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    zones = {r["inputs"]["availabilityZone"] for r in subnets}
    offered = {name for name, _ in regions.region_zones(region).mock_zones}
    assert len(zones) == az_count and zones <= offered, (zones, offered)
    assert result.report["cost"]["region"] == region
    # Never the zones of us-east-1 (what every plan used before) outside it.
    assert region == "us-east-1" or not any(z.startswith("us-east-1") for z in zones)
    # Never a zone where RDS Proxy cannot run (chosen with or without the proxy).
    by_name = dict(regions.region_zones(region).mock_zones)
    assert not {by_name[z] for z in zones} & regions.region_zones(region).rds_proxy_unsupported_zone_ids
    # The DB subnet group and the proxy span >= 2 of these zones (RDS and RDS Proxy refuse fewer).
    zone_of = {r["id"]: r["inputs"]["availabilityZone"] for r in subnets}
    resources = result.report["resources"]
    groups = [r["inputs"]["subnetIds"] for r in resources if r["type"] == "aws:rds/subnetGroup:SubnetGroup"]
    proxies = [r["inputs"]["vpcSubnetIds"] for r in resources if r["type"] == "aws:rds/proxy:Proxy"]
    assert groups, "every stack has a DB subnet group"
    for ids in groups + proxies:
        assert len({zone_of[i] for i in ids}) >= 2, ids


def test_unknown_region_is_one_clear_error(run_plan: RunPlan, tmp_path: Path) -> None:
    program = _program(tmp_path, "eu-west-9")
    result = run_plan("--program", str(program), "--stack", "dev")
    assert result.code == 2
    assert "'eu-west-9'" in result.stderr and "aws:region" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_assumed_region_is_said_once(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    program = _program(tmp_path, None)
    assert main(["plan", "--program", str(program), "--stack", "dev", "--format", fmt]) in (0, 1)
    out = capsys.readouterr().out
    assert out.count(ASSUMED) == 1, out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_configured_region_is_not_called_assumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    program = _program(tmp_path, "eu-west-1", project_region=False)
    assert main(["plan", "--program", str(program), "--stack", "dev", "--format", fmt]) in (0, 1)
    out = capsys.readouterr().out
    assert "assumed (no aws:region" not in out
    assert "eu-west-1" in out


def test_resources_naming_no_region_are_planned_as_us_east_1_said_once() -> None:
    # A plan of resources without ARNs (e.g. from `pulumi preview --json`): the model assumes the Region.
    report = analyze([Resource("aws:ec2/vpc:Vpc", "vpc", "vpc-1", {"cidrBlock": "10.0.0.0/16"})])
    assert report.model.region == "us-east-1" and report.model.region_assumed
    assert render_text(report).count(ASSUMED) == 1
    assert render_markdown(report).count(ASSUMED) == 1
    named = analyze(
        [
            Resource(
                "aws:ec2/vpc:Vpc",
                "vpc",
                "vpc-1",
                {"cidrBlock": "10.0.0.0/16"},
                {"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"},
            )
        ]
    )
    assert named.model.region == "eu-west-1" and not named.model.region_assumed
    assert "assumed" not in render_text(named)


def test_pinned_zones_of_another_region_plan(run_plan: RunPlan, tmp_path: Path) -> None:
    # The issue: pinning network.availability_zones did not help outside us-east-1 either.
    program = _program(tmp_path, "eu-west-1")
    path = program / "Pulumi.dev.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["lambda-rds:network"] = {"availability_zones": ["eu-west-1b", "eu-west-1c"]}
    path.write_text(yaml.safe_dump(doc))
    result = run_plan("--program", str(program), "--stack", "dev")
    assert result.code in (0, 1), result.stderr
    subnets = [r for r in result.report["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    assert {r["inputs"]["availabilityZone"] for r in subnets} == {"eu-west-1b", "eu-west-1c"}
