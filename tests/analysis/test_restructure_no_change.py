"""Issue 16's proof: the restructure changed no resource. Each shipped stack is planned by today's code
against the plan JSON the code before the move made (`before_move/plan-<stack>.json`, committed as data).

The plan's own change list must be empty, and, compared here independently of that change list, every
resource (by URN) must have the same type, parent and inputs, and the stack the same exports and cost.
The one allowed difference is the content hash of a Lambda artefact built from `functions/` (layer and
function `code`/`sourceCodeHash`, the bootstrap run's trigger fingerprint): that code is what Lambda runs,
so a change to it is a code deploy, not a configuration change. It is allowed only when `functions/` itself
differs from the tree the base plans were made from (`MANIFEST.json`'s digest).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.conftest import REPO, RunPlan

BASE = Path(__file__).resolve().parent / "before_move"
STACKS = ("dev", "staging", "prod")
# Inputs that hash the code shipped to Lambda, per type token.
CODE_KEYS = {
    "aws:lambda/layerVersion:LayerVersion": {"code", "sourceCodeHash"},
    "aws:lambda/function:Function": {"code", "sourceCodeHash"},
    "aws:lambda/invocation:Invocation": {"triggers.fingerprint"},
}


def functions_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}{key}."))
        return out or {prefix.rstrip("."): {}}
    return {prefix.rstrip("."): value}


def by_urn(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in report["resources"]}


def code_changed() -> bool:
    manifest = json.loads((BASE / "MANIFEST.json").read_text())
    return bool(functions_digest(REPO / "functions") != manifest["functions_digest"])


@pytest.mark.parametrize("stack", STACKS)
def test_restructure_changes_no_resource(run_plan: RunPlan, stack: str) -> None:
    base_path = BASE / f"plan-{stack}.json"
    base = json.loads(base_path.read_text())
    run = run_plan("--program", str(REPO), "--stack", stack, "--base", str(base_path))
    assert run.code == 0, run.stderr
    now = run.report
    allowed = CODE_KEYS if code_changed() else {}

    # 1. The plan's own change list: nothing created, deleted, replaced or updated but code hashes.
    assert now["changes_summary"]["create"] == 0 and now["changes_summary"]["delete"] == 0
    for change in now["changes"]:
        if change["action"] == "same":
            continue
        keys = {k.split(".")[0] for k in allowed.get(change["type"], set())}
        assert set(change["keys"]) <= keys, f"{stack}: {change} is not a code-only change"

    # 2. Independently: the same URNs, types, parents, and inputs but code hashes.
    before, after = by_urn(base), by_urn(now)
    assert sorted(after) == sorted(before)
    for urn, old in before.items():
        new = after[urn]
        assert (new["type"], new["parent"], new["name"]) == (old["type"], old["parent"], old["name"]), urn
        old_in, new_in = flatten(old["inputs"]), flatten(new["inputs"])
        differing = {k for k in old_in.keys() | new_in.keys() if old_in.get(k) != new_in.get(k)}
        assert differing <= allowed.get(old["type"], set()), f"{stack}: {urn} changed {sorted(differing)}"

    # 3. The same exports, cost and verdicts.
    assert now["exports"] == base["exports"]
    assert now["cost"]["monthly_total"] == base["cost"]["monthly_total"]
    assert now["cost"]["lines"] == base["cost"]["lines"]
    assert [(v["id"], v["subject"], v["status"]) for v in now["verdicts"]] == [
        (v["id"], v["subject"], v["status"]) for v in base["verdicts"]
    ]
    assert sorted((f["policy"], f["resource"]) for f in now["findings"]) == sorted(
        (f["policy"], f["resource"]) for f in base["findings"]
    )


def test_the_allowance_is_only_for_code() -> None:
    """The comparison above must notice a configuration change: a base with one input altered fails it."""
    base = json.loads((BASE / "plan-dev.json").read_text())
    function = next(r for r in base["resources"] if r["type"] == "aws:lambda/function:Function")
    altered = json.loads(json.dumps(function))
    altered["inputs"]["timeout"] = 31.0
    old_in, new_in = flatten(function["inputs"]), flatten(altered["inputs"])
    differing = {k for k in old_in.keys() | new_in.keys() if old_in.get(k) != new_in.get(k)}
    assert differing == {"timeout"}
    assert not differing <= CODE_KEYS["aws:lambda/function:Function"]
