"""The seed articles' intended topologies (examples/seeds, one stack per article) pass `lambda-rds plan`
through the CLI: reachability, AWS API paths, proxy and NAT costs. The configs live only in examples/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.analysis.conftest import RunPlan

SEEDS_DIR = Path(__file__).resolve().parents[2] / "examples" / "seeds"
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in SEEDS_DIR.glob("Pulumi.seed*.yaml"))


def _config(stack: str) -> dict[str, Any]:
    raw = yaml.safe_load((SEEDS_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.split(":", 1)[1]: v for k, v in raw.items() if k.startswith("lambda-rds:")}


@pytest.mark.parametrize("stack", STACKS)
def test_seed_topology_passes(run_plan: RunPlan, stack: str) -> None:
    config = _config(stack)
    result = run_plan("--program", str(SEEDS_DIR), "--stack", stack)
    assert result.code == 0, (result.failed(), result.stderr)
    assert result.failed() == []
    assert "LR.SG-BY-REFERENCE" not in result.finding_ids()
    statuses = {(v["id"], v["target"]): v["status"] for v in result.report["verdicts"]}
    app = [
        v for v in result.report["verdicts"] if v["id"] == "reach.db-port" and "bootstrap" not in v["subject"]
    ]
    assert app and app[0]["status"] == "pass"
    if config.get("auth") == "secret":
        assert statuses[("reach.aws-api", "secretsmanager")] == "pass"
        via = "via NAT gateway" if config.get("egress") == "nat" else "via endpoint"
        api = [v for v in result.report["verdicts"] if v["id"] == "reach.aws-api"]
        # The app function, and the app secret's rotation function (on by default with secret auth).
        assert [v["summary"] for v in api] == [f"reaches secretsmanager {via}"] * 2
        assert sorted(v["subject"].rsplit("-", 1)[-1] for v in api) == ["app", "rotation"]
        rotation_db = [
            v for v in result.report["verdicts"] if v["id"] == "reach.db-port" and "rotation" in v["subject"]
        ]
        assert [v["status"] for v in rotation_db] == ["pass"]
        assert not rotation_db[0]["target"].endswith("proxy")  # straight to the database
    if config.get("proxy"):
        assert app[0]["target"].endswith("proxy")
        assert any(v["id"] == "reach.proxy-db" and v["status"] == "pass" for v in result.report["verdicts"])
        assert any("RDS Proxy" in ln["item"] for ln in result.report["cost"]["lines"])
    if config.get("egress") == "nat":
        nat_lines = [ln for ln in result.report["cost"]["lines"] if ln["item"] == "NAT gateway hours"]
        gateways = 1 if config.get("nat_gateways") == "single" else config.get("az_count", 2)
        assert len(nat_lines) == gateways  # one line per gateway, each 730 h x $0.045
        assert sum(ln["monthly"] for ln in nat_lines) == pytest.approx(32.85 * gateways)


def test_every_seed_article_has_a_stack() -> None:
    assert len(STACKS) == 4
