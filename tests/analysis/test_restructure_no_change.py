"""Issue 16's proof: the restructure changed no resource. Each shipped stack is planned by today's code
against the plan JSON the code before the move made (`before_move/plan-<stack>.json`, committed as data).

The plan's own change list must hold nothing but code updates, and, compared here independently of that
change list, every resource (by URN) must have the same type, parent and inputs, and the stack the same
exports, cost lines, verdicts and findings. The one allowed difference is the content hash of a Lambda
artefact, and only when the very folder of `functions/` it is built from differs from the tree the base
plans were made from (`MANIFEST.json`): the runtime package for the layers, `bootstrap_launcher/` for the
launcher, `bootstrap/` for the bootstrap function, and so on. A code change is a code deploy, never a
configuration change, and a comment edited in the launcher would show here as a bootstrap re-run.

The base plans are from before the restructure: the first later change that alters resources on purpose
(a new default, a new resource) ends this proof's job, and should delete it with that change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.conftest import REPO, RunPlan

BASE = Path(__file__).resolve().parent / "before_move"
FUNCTIONS = REPO / "functions"
STACKS = ("dev", "staging", "prod")
LAYER = "aws:lambda/layerVersion:LayerVersion"
FUNCTION = "aws:lambda/function:Function"
INVOCATION = "aws:lambda/invocation:Invocation"


def digest(path: Path) -> str:
    """The MANIFEST's digest of one file or folder of `functions/`: relative paths and bytes, sorted."""
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    )
    h = hashlib.sha256()
    for file in files:
        h.update(file.relative_to(FUNCTIONS).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def changed_sources() -> set[str]:
    manifest = json.loads((BASE / "MANIFEST.json").read_text())["functions_digests"]
    return {part for part, value in manifest.items() if digest(FUNCTIONS / part) != value}


def sources_of(resource: dict[str, Any]) -> set[str]:
    """The parts of `functions/` a resource's code hash is computed from."""
    name = resource["name"]
    if resource["type"] == LAYER:
        return {"lambda_rds_runtime", "requirements.txt"}
    if resource["type"] == FUNCTION:
        for suffix, part in (
            ("-launcher", "bootstrap_launcher"),
            ("-bootstrap", "bootstrap"),
            ("-rotation", "rotation"),
        ):
            if name.endswith(suffix):
                return {part}
        return {"app"}  # the shipped stacks' functions run the example app
    if resource["type"] == INVOCATION:
        return {"bootstrap", "bootstrap_launcher"}  # the trigger fingerprints both packages
    return set()


def code_keys(resource: dict[str, Any], changed: set[str]) -> set[str]:
    """The input keys allowed to differ: its code hash, when one of its sources changed."""
    if not sources_of(resource) & changed:
        return set()
    return {"triggers.fingerprint"} if resource["type"] == INVOCATION else {"code", "sourceCodeHash"}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}{key}."))
        return out or {prefix.rstrip("."): {}}
    return {prefix.rstrip("."): value}


def by_urn(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in report["resources"]}


def differing_keys(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    old_in, new_in = flatten(old["inputs"]), flatten(new["inputs"])
    return {k for k in old_in.keys() | new_in.keys() if old_in.get(k) != new_in.get(k)}


@pytest.mark.parametrize("stack", STACKS)
def test_restructure_changes_no_resource(run_plan: RunPlan, stack: str) -> None:
    base_path = BASE / f"plan-{stack}.json"
    base = json.loads(base_path.read_text())
    run = run_plan("--program", str(REPO), "--stack", stack, "--base", str(base_path))
    assert run.code == 0, run.stderr
    now = run.report
    changed = changed_sources()
    before, after = by_urn(base), by_urn(now)

    # 1. The plan's own change list: nothing created or deleted, and updates or replacements of code only.
    assert now["changes_summary"]["create"] == 0 and now["changes_summary"]["delete"] == 0
    resource_of = {(r["type"], r["name"]): r for r in base["resources"]}
    for change in now["changes"]:
        if change["action"] == "same":
            continue
        allowed = {k.split(".")[0] for k in code_keys(resource_of[(change["type"], change["name"])], changed)}
        assert set(change["keys"]) <= allowed, f"{stack}: {change} is not a code-only change ({changed=})"

    # 2. Independently: the same URNs, types, parents, and inputs but code hashes.
    assert sorted(after) == sorted(before)
    for urn, old in before.items():
        new = after[urn]
        assert (new["type"], new["parent"], new["name"]) == (old["type"], old["parent"], old["name"]), urn
        differing = differing_keys(old, new)
        assert differing <= code_keys(old, changed), f"{stack}: {urn} changed {sorted(differing)}"

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
    """The comparison must notice a configuration change, and a code change whose source did not change."""
    base = json.loads((BASE / "plan-dev.json").read_text())
    function = next(r for r in base["resources"] if r["type"] == FUNCTION and r["name"].endswith("-fn-app"))
    altered = json.loads(json.dumps(function))
    altered["inputs"]["timeout"] = 31.0
    altered["inputs"]["sourceCodeHash"] = "0" * 64
    assert differing_keys(function, altered) == {"timeout", "sourceCodeHash"}
    assert code_keys(function, {"app"}) == {"code", "sourceCodeHash"}
    assert not differing_keys(function, altered) <= code_keys(function, {"app"})  # the timeout
    assert code_keys(function, {"lambda_rds_runtime", "bootstrap_launcher"}) == set()  # not its source
    launcher = next(r for r in base["resources"] if r["name"].endswith("-launcher") and r["type"] == FUNCTION)
    assert sources_of(launcher) == {"bootstrap_launcher"}
