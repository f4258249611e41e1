"""Resource sources: preview JSON, plain dicts, unknown values; and the purity rule of the analysis "
"package."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from lambda_rds.analysis.checks.reachability import evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import (
    UNKNOWN,
    Resource,
    from_dicts,
    from_preview_json,
    is_unknown,
    stack_from_urn,
)

from tests.analysis.builders import baseline

ANALYSIS_DIR = Path(__file__).resolve().parents[2] / "components" / "lambda_rds" / "analysis"
FORBIDDEN = ("pulumi", "pulumi_aws", "pulumi_policy", "pulumi_random", "boto3")


def test_analysis_package_imports_no_pulumi_statically() -> None:
    offenders = []
    for path in sorted(ANALYSIS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(ANALYSIS_DIR.rglob("*.py"))) >= 10


def test_analysis_package_loads_no_pulumi_at_runtime() -> None:
    code = (
        "import sys\n"
        "import lambda_rds.analysis.plan, lambda_rds.analysis.render, lambda_rds.commands.crossguard\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ANALYSIS_DIR.parents[1]
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _as_preview(resources: list[Resource], op: str = "same") -> str:
    steps: list[dict[str, Any]] = [
        {
            "op": "same",
            "urn": "urn:pulumi:test::t::pulumi:pulumi:Stack::t-test",
            "newState": {
                "type": "pulumi:pulumi:Stack",
                "urn": "urn:pulumi:test::t::pulumi:pulumi:Stack::t-test",
                "custom": False,
            },
        }
    ]
    for r in resources:
        steps.append(
            {
                "op": op,
                "urn": r.urn,
                "newState": {
                    "type": r.type,
                    "urn": r.urn,
                    "custom": True,
                    "id": r.id,
                    "inputs": dict(r.inputs),
                    "outputs": dict(r.inputs),
                    "parent": "urn:pulumi:test::t::pulumi:pulumi:Stack::t-test",
                },
            }
        )
    steps.append(
        {
            "op": "delete",
            "urn": "urn:pulumi:test::t::aws:ec2/vpc:Vpc::gone",
            "oldState": {"type": "aws:ec2/vpc:Vpc"},
            "newState": None,
        }
    )
    return json.dumps({"steps": steps, "changeSummary": {"same": len(steps)}})


def test_preview_json_round_trip_gives_the_same_verdicts() -> None:
    original = baseline(auth="secret", endpoint=True)
    loaded = from_preview_json(_as_preview(original))
    assert [r.name for r in loaded] == [r.name for r in original]  # no stack, no deleted resource
    assert all(r.parent is None for r in loaded)  # the Stack parent is dropped
    before = [(v.id, v.subject, v.status) for v in evaluate(build_model(original))]
    after = [(v.id, v.subject, v.status) for v in evaluate(build_model(loaded))]
    assert before == after and len(before) >= 10


def test_preview_json_unknown_ids_never_fail() -> None:
    doc = json.loads(_as_preview(baseline()))
    for step in doc["steps"]:
        state = step.get("newState") or {}
        if state.get("type") == "aws:lambda/function:Function":
            state["inputs"]["vpcConfig"]["securityGroupIds"] = [UNKNOWN]
            state["outputs"] = {}
        if state.get("type") == "aws:ec2/securityGroup:SecurityGroup":
            state["id"] = UNKNOWN
    verdicts = evaluate(build_model(from_preview_json(doc)))
    db_port = [v for v in verdicts if v.id == "reach.db-port"]
    assert db_port and db_port[0].status == "unknown"


def test_from_dicts_round_trip_and_helpers() -> None:
    original = baseline()
    again = from_dicts(r.to_json() for r in original)
    assert [(r.type, r.name, r.id, dict(r.inputs)) for r in again] == [
        (r.type, r.name, r.id, dict(r.inputs)) for r in original
    ]
    assert is_unknown(UNKNOWN) and not is_unknown("sg-1")
    assert stack_from_urn("urn:pulumi:prod::lambda-rds::aws:ec2/vpc:Vpc::v") == "prod"
    r = Resource("t", "n", inputs={"a": 1, "b": 2}, outputs={"a": 3, "b": None})
    assert r.get("a") == 3 and r.get("b") == 2 and r.get("c", "d") == "d"
