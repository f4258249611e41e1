"""Plan wall time per stack: `lambda-rds plan` as a user runs it (a fresh process each time), medians as JSON.

    python bench/plan.py [--runs 5] [--stacks dev staging prod]

Each run is `python -m lambda_rds.commands.cli plan --stack S --format json` in a subprocess
(interpreter start, imports, the program under mocks, the analysis, rendering). Also reports the
in-process split (capture vs analysis) from the report's own timings, and the monthly estimate per stack.

Baseline, measured in the same run and interleaved with the plans: a fresh process that only imports the
Pulumi SDK modules the program needs (the floor any offline run of it pays). `ratio_vs_import_floor` says
how much of a plan is ours on top of that floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(stack: str) -> tuple[float, dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "components"), "LAMBDA_RDS_PACKAGING": "offline"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lambda_rds.commands.cli", "plan", "--stack", stack, "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"plan --stack {stack} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


# pulumi-aws loads a service module lazily on first attribute access, so the floor touches every class
# family the program uses, not just the modules.
BASELINE = (
    "import pulumi, pulumi_random, pulumi_aws as aws;"
    "aws.ec2.Vpc; aws.vpc.SecurityGroupIngressRule; aws.rds.Instance; aws.lambda_.Function; aws.iam.Role;"
    "aws.cloudwatch.LogGroup; aws.secretsmanager.Secret; aws.get_region"
)


def baseline_once() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE], check=True, timeout=120)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stacks", nargs="+", default=["dev", "staging", "prod"])
    args = parser.parse_args()
    results = {}
    for stack in args.stacks:
        walls, captures, analyses, floors = [], [], [], []
        report: dict = {}
        for _ in range(max(1, args.runs)):
            floors.append(baseline_once())
            wall, report = run_once(stack)
            walls.append(wall)
            captures.append(report["timings_s"]["capture"])
            analyses.append(report["timings_s"]["analysis"])
        results[stack] = {
            "runs": len(walls),
            "wall_s_median": round(statistics.median(walls), 3),
            "wall_s_min": round(min(walls), 3),
            "wall_s_max": round(max(walls), 3),
            "import_floor_s_median": round(statistics.median(floors), 3),
            "ratio_vs_import_floor": round(statistics.median(walls) / statistics.median(floors), 2),
            "capture_s_median": round(statistics.median(captures), 3),
            "analysis_s_median": round(statistics.median(analyses), 4),
            "resources": report["summary"]["resources"],
            "checks": report["summary"]["checks"],
            "checks_failed": report["summary"]["checks_failed"],
            "monthly_usd": report["cost"]["monthly_total"],
            "unpriced": report["cost"]["unpriced"],
        }
    print(
        json.dumps(
            {
                "benchmark": "plan",
                "python": sys.version.split()[0],
                "cpus": os.cpu_count(),
                "stacks": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
