"""`lambda-rds plan` end to end (in-process): formats, exit codes, waivers, usage, base diff, preview JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.analysis.render import COMMENT_MARKER
from lambda_rds.commands.cli import main

from tests.analysis.conftest import PROGRAMS, REPO, RunPlan

CONTROL = str(PROGRAMS / "control")


def test_text_and_markdown_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--program", CONTROL, "--stack", "test"]) == 0
    text = capsys.readouterr().out
    assert "Reachability (" in text and "PASS reach.db-port" in text and "Monthly cost" in text
    assert "Result: PASS" in text
    assert main(["plan", "--program", CONTROL, "--stack", "test", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("### ✅ lambda-rds plan: `test`")
    assert "| ✅ | `reach.db-port` |" in md and "<details><summary>Monthly cost</summary>" in md
    assert COMMENT_MARKER not in md  # the workflow adds the sticky marker once for all stacks


def test_failing_plan_exits_1_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--program", str(PROGRAMS / "public_function"), "--stack", "test"]) == 1
    text = capsys.readouterr().out
    assert "FAIL net.function-private" in text and "Result: FAIL (1 failed reachability check(s)" in text


def test_program_error_exits_2_with_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "__main__.py").write_text("raise KeyError('missing-thing')\n")
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    assert main(["plan", "--program", str(tmp_path), "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "missing-thing" in err and "lambda-rds plan: the program failed" in err


def _public_db_program(tmp_path: Path, waivers: list[dict[str, Any]] | None) -> Path:
    """The control program with a publicly accessible database (RDS.2, mandatory)."""
    program = tmp_path / "public_db"
    program.mkdir(parents=True)
    (program / "__main__.py").write_text(
        (PROGRAMS / "control" / "__main__.py").read_text() + "\nimport pulumi_aws as aws\n"
        "aws.rds.Instance('open-db', engine='postgres', instance_class='db.t4g.micro', "
        "allocated_storage=20,\n"
        "                 publicly_accessible=True, storage_encrypted=True, "
        "db_subnet_group_name='db-subnets',\n"
        "                 username='lambda_rds_admin', backup_retention_period=7)\n"
    )
    (program / "__main__.py").write_text(
        (program / "__main__.py")
        .read_text()
        .replace('Path(__file__).resolve().parent.parent / "_lib"', repr(str(PROGRAMS / "_lib")))
    )
    (program / "Pulumi.yaml").write_text("name: public-db\nruntime: python\n")
    config: dict[str, Any] = {"aws:region": "us-east-1"}
    if waivers is not None:
        config["public-db:waivers"] = waivers
    (program / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": config}))
    return program


def test_mandatory_violation_fails_and_a_config_waiver_with_reason_passes(
    tmp_path: Path, run_plan: RunPlan
) -> None:
    bad = run_plan("--program", str(_public_db_program(tmp_path / "a", None)), "--stack", "test")
    assert bad.code == 1
    assert [f["resource"] for f in bad.report["findings"] if f["policy"] == "RDS.2"] == ["open-db"]
    waived = run_plan(
        "--program",
        str(
            _public_db_program(
                tmp_path / "b",
                [{"policy": "RDS.2", "resource": "open-db", "reason": "temporary demo, IP allow-list"}],
            )
        ),
        "--stack",
        "test",
    )
    (rds2,) = [f for f in waived.report["findings"] if f["policy"] == "RDS.2"]
    assert (
        rds2["waived"]
        and "temporary demo" in rds2["waiver_reason"]
        and "Pulumi.test.yaml" in rds2["waiver_reason"]
    )
    assert waived.code == 0


def test_waiver_without_reason_exits_2(tmp_path: Path, run_plan: RunPlan) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump([{"policy": "RDS.23", "resource": "*"}]))
    result = run_plan("--program", CONTROL, "--stack", "test", "--waivers", str(waivers))
    assert result.code == 2
    assert "needs a written reason" in result.stderr


def test_waivers_file_applies(tmp_path: Path, run_plan: RunPlan) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {"policy": "RDS.23", "resource": "*", "reason": "port scans are not our threat model"}
                ]
            }
        )
    )
    result = run_plan("--program", CONTROL, "--stack", "test", "--waivers", str(waivers))
    assert all(f["waived"] for f in result.report["findings"] if f["policy"] == "RDS.23")
    assert result.report["waivers"][0]["source"] == str(waivers)


def test_usage_file_and_base_diff(tmp_path: Path, run_plan: RunPlan) -> None:
    base = run_plan("--program", CONTROL, "--stack", "test")
    base_file = tmp_path / "base.json"
    base_file.write_text(json.dumps(base.report))
    usage = tmp_path / "usage.yaml"
    usage.write_text(
        yaml.safe_dump({"functions": {"fn": {"requests_per_month": 2_000_000, "avg_duration_ms": 50}}})
    )
    result = run_plan(
        "--program", CONTROL, "--stack", "test", "--usage", str(usage), "--base", str(base_file)
    )
    # 2 x $0.20 = $0.40 requests; 2e6 x 0.05 s x 0.25 GB = 25,000 GB-s x $0.0000133334 = $0.333335
    diff = result.report["cost_diff"]
    assert diff["delta"] == pytest.approx(0.73, abs=0.01)
    assert {c["line"] for c in diff["changes"]} == {"fn|requests", "fn|duration (256 MB, arm64)"}
    assert result.report["cost"]["usage_total"] == pytest.approx(0.73, abs=0.01)


def test_bad_usage_or_base_exits_2(tmp_path: Path, run_plan: RunPlan) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("nat_gb_per_month: lots\n")
    assert run_plan("--program", CONTROL, "--stack", "test", "--usage", str(usage)).code == 2
    base = tmp_path / "base.json"
    base.write_text("{}")
    result = run_plan("--program", CONTROL, "--stack", "test", "--base", str(base))
    assert result.code == 2 and "not a plan JSON" in result.stderr


def test_preview_json_input(tmp_path: Path, run_plan: RunPlan) -> None:
    from lambda_rds.commands.capture import capture

    cap = capture(PROGRAMS / "no_vpc_access_policy", "test")
    steps = [
        {
            "op": "create",
            "urn": r.urn or f"urn:pulumi:test::p::{r.type}::{r.name}",
            "newState": {
                "type": r.type,
                "urn": r.urn,
                "id": r.id,
                "custom": r.custom,
                "inputs": r.to_json()["inputs"],
                "outputs": r.to_json()["outputs"],
            },
        }
        for r in cap.resources
    ]
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps({"steps": steps}))
    result = run_plan(
        "--program", str(PROGRAMS / "no_vpc_access_policy"), "--stack", "test", "--preview-json", str(preview)
    )
    assert result.code == 1
    assert [vid for vid, _ in result.failed()] == ["iam.eni"]
    assert result.report["source"].startswith("pulumi preview --json")


def test_output_file_and_report_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    assert main(["plan", "--program", CONTROL, "--stack", "test", "--format", "json", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    report = json.loads(out.read_text())
    assert set(report) >= {
        "version",
        "stack",
        "resources",
        "verdicts",
        "findings",
        "cost",
        "summary",
        "result",
    }
    assert report["summary"]["resources"] == len(report["resources"]) == 28
    assert report["cost"]["monthly_total"] == report["summary"]["monthly_total"] > 0


def test_console_script_runs_the_dev_plan_offline() -> None:
    """The real CLI in a subprocess: no AWS credentials, no Pulumi CLI on PATH, no network."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "PYTHONPATH": f"{REPO / 'components'}",
        "LAMBDA_RDS_PACKAGING": "offline",
    }
    done = subprocess.run(
        [sys.executable, "-m", "lambda_rds.commands.cli", "plan", "--stack", "dev", "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["summary"]["checks_failed"] == 0 and report["cost"]["monthly_total"] > 0
