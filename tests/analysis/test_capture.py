"""Capture: config loading, parents, exports, errors with tracebacks, and isolation between captures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pulumi
import pytest
import yaml
from lambda_rds.commands.capture import CaptureError, capture, load_config, secret_placeholder

from tests.analysis.conftest import PROGRAMS, REPO


def _program(
    tmp_path: Path,
    main: str,
    stack_config: dict[str, object] | None = None,
    project_config: dict[str, object] | None = None,
) -> Path:
    (tmp_path / "__main__.py").write_text(main)
    (tmp_path / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": "demo", "runtime": "python", "config": project_config or {}})
    )
    (tmp_path / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": stack_config or {}}))
    return tmp_path


def test_config_defaults_stack_values_structured_and_secure(tmp_path: Path) -> None:
    program = _program(
        tmp_path,
        "",
        stack_config={
            "demo:size": 3,
            "demo:settings": {"a": [1, 2]},
            "aws:region": "eu-west-1",
            "demo:password": {"secure": "AAABAxyz"},
        },
        project_config={
            "size": {"type": "integer", "default": 1},
            "name": {"default": "x"},
            "aws:region": {"value": "us-east-1"},
        },
    )
    project, values = load_config(program, "test")
    assert project == "demo"
    assert values == {
        "demo:size": 3,
        "demo:name": "x",
        "aws:region": "eu-west-1",
        "demo:settings": {"a": [1, 2]},
        "demo:password": secret_placeholder("AAABAxyz"),
    }


def test_program_sees_json_encoded_config_and_exports_resolve(tmp_path: Path) -> None:
    main = (
        "import os\n"
        "import pulumi, pulumi_aws as aws\n"
        "cfg = pulumi.Config()\n"
        "vpc = aws.ec2.Vpc('v', cidr_block=cfg.require('cidr'))\n"
        "pulumi.export('settings', cfg.require_object('settings'))\n"
        "pulumi.export('count', cfg.require_int('count'))\n"
        "pulumi.export('vpcId', vpc.id)\n"
        "pulumi.export('packaging', os.environ.get('LAMBDA_RDS_PACKAGING'))\n"
    )
    program = _program(
        tmp_path, main, {"demo:cidr": "10.9.0.0/16", "demo:settings": {"k": [1, "x"]}, "demo:count": 4}
    )
    before = os.environ.get("LAMBDA_RDS_PACKAGING")
    cap = capture(program, "test")
    assert cap.exports["settings"] == {"k": [1, "x"]}
    assert cap.exports["count"] == 4
    assert cap.exports["vpcId"].startswith("vpc-") and cap.exports["vpcId"] == cap.by_name("v").id
    assert cap.exports["packaging"] == "offline"
    assert os.environ.get("LAMBDA_RDS_PACKAGING") == before  # restored
    assert cap.by_name("v").inputs["cidrBlock"] == "10.9.0.0/16"


def test_program_error_carries_its_traceback(tmp_path: Path) -> None:
    program = _program(
        tmp_path,
        "import pulumi\n\ndef broken():\n    raise RuntimeError('boom in the program')\n\nbroken()\n",
    )
    with pytest.raises(CaptureError) as err:
        capture(program, "test")
    assert "RuntimeError: boom in the program" in str(err.value)
    assert "__main__.py" in err.value.details and "broken()" in err.value.details


def test_error_inside_an_apply_surfaces(tmp_path: Path) -> None:
    main = (
        "import pulumi_aws as aws\n"
        "v = aws.ec2.Vpc('v', cidr_block='10.0.0.0/16')\n"
        "def fail(_):\n    raise ValueError('apply failed')\n"
        "aws.ec2.Subnet('s', vpc_id=v.id.apply(fail), cidr_block='10.0.1.0/24')\n"
    )
    with pytest.raises(CaptureError, match="apply failed"):
        capture(_program(tmp_path, main), "test")


def test_missing_stack_file_is_an_error_naming_the_known_stacks() -> None:
    with pytest.raises(CaptureError, match=r"Pulumi\.nope\.yaml not found .*Pulumi\.test\.yaml"):
        capture(PROGRAMS / "control", "nope")


def test_two_stacks_in_one_process_are_independent_and_deterministic() -> None:
    path_before = list(sys.path)
    dev = capture(REPO, "dev")
    prod = capture(REPO, "prod")
    dev_again = capture(REPO, "dev")
    assert [(r.type, r.name, r.id) for r in dev.resources] == [
        (r.type, r.name, r.id) for r in dev_again.resources
    ]
    dev_subnets = [r for r in dev.resources if r.type == "aws:ec2/subnet:Subnet"]
    prod_subnets = [r for r in prod.resources if r.type == "aws:ec2/subnet:Subnet"]
    assert len(dev_subnets) != len(prod_subnets) or dev.config != prod.config
    assert all(r.urn.startswith("urn:pulumi:prod::lambda-rds::") for r in prod.resources)
    assert sys.path == path_before  # the program directory is removed from sys.path again


def test_parents_come_from_the_engine_not_name_prefixes() -> None:
    cap = capture(PROGRAMS / "control", "test")
    assert all(r.parent is None for r in cap.resources)  # raw resources at the top level
    dev = capture(REPO, "dev")
    (component,) = [r for r in dev.resources if not r.custom]
    children = [r for r in dev.resources if r.parent == component.urn]
    assert {r.type for r in children} >= {
        "aws:ec2/vpc:Vpc",
        "aws:rds/instance:Instance",
        "aws:lambda/function:Function",
    }


def test_capture_leaves_the_callers_pulumi_runtime_alone() -> None:
    from pulumi.runtime import settings

    root_before = settings.get_root_resource()
    stack_before = pulumi.get_stack()
    capture(PROGRAMS / "control", "test")
    assert settings.get_root_resource() is root_before
    assert pulumi.get_stack() == stack_before


def test_a_failed_capture_does_not_poison_the_next(tmp_path: Path) -> None:
    main = (
        "import pulumi_aws as aws\n"
        "v = aws.ec2.Vpc('v', cidr_block='10.0.0.0/16')\n"
        "aws.ec2.Subnet('s', vpc_id=v.id.apply(lambda _: 1 / 0), cidr_block='10.0.1.0/24')\n"
    )
    with pytest.raises(CaptureError, match="ZeroDivisionError"):
        capture(_program(tmp_path, main), "test")
    assert len(capture(PROGRAMS / "control", "test").resources) == 28


def test_program_warnings_are_collected_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = capture(_program(tmp_path, "import pulumi\npulumi.log.warn('careful with that axe')\n"), "test")
    # (after the note that the program, with no aws:region, was planned as us-east-1)
    assert cap.messages[1:] == ["warning: careful with that axe"] and "us-east-1 assumed" in cap.messages[0]
    assert "careful" not in capsys.readouterr().err


def test_main_in_pulumi_yaml_points_at_the_program(tmp_path: Path) -> None:
    """`main: infra/` (Pulumi.yaml) is honoured: the program in that folder runs, from that folder, with
    the project's stack config."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: sub\nruntime: python\nmain: infra/\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  sub:bucket: logs\n")
    (tmp_path / "infra" / "__main__.py").write_text(
        "import os, pulumi, pulumi_aws as aws\n"
        "aws.s3.Bucket(pulumi.Config().require('bucket'), tags={'cwd': os.path.basename(os.getcwd())})\n"
    )
    cap = capture(tmp_path, "dev")
    bucket = cap.by_name("logs")
    assert bucket.inputs["tags"] == {"cwd": "infra"}


def test_main_naming_a_missing_program_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: sub\nruntime: python\nmain: src/\n")
    with pytest.raises(CaptureError, match=r"src.*no __main__.py"):
        capture(tmp_path, "dev")
