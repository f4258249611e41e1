"""Plan wall time per stack: `lambda-rds plan` as a user runs it (a fresh process each time), medians as JSON.

    python bench/plan.py [--runs 5] [--stacks dev staging prod] [--scaling | --no-scaling] [--scaling-runs 3]

Each run is `python -m lambda_rds.commands.cli plan --stack S --format json` in a subprocess
(interpreter start, imports, the program under mocks, the analysis, rendering). Also reports the
in-process split (capture vs analysis) from the report's own timings, and the monthly estimate per stack.

Baseline, measured in the same run and interleaved with the plans: a fresh process that only imports the
Pulumi SDK modules the program needs (the floor any offline run of it pays). `ratio_vs_import_floor` says
how much of a plan is ours on top of that floor.

Scaling (issue 19, "linear and close to the floor"; on by default, `--scaling` runs only this part): a
program of N default `LambdaRds` components (N = 8 and 32), planned as `lambda-rds plan --program DIR` runs
it, against the floor: a fresh process in which the Pulumi SDK's own mocks (`pulumi.runtime.set_mocks`, a
trivial `Mocks` that echoes inputs) register the same number of resources: N component resources, each the
parent of plain `aws.cloudwatch.LogGroup`s (the same provider SDK, typed args classes and serialisation as
ours, no invokes, no dependencies between resources: what any program of that size pays the SDK). Both are
timed wall to wall and in CPU seconds (user + system, every thread), interleaved, median of the runs; the
marginal cost per resource is (t32 - t8) / (r32 - r8), so interpreter start and imports cancel out.
`meets_target`: ours within 1.5x of the floor's in wall time (the issue's measure); `meets_target_cpu` the
same in CPU time, which other work on the machine disturbs far less than wall time. `*_waits_median`: the
child's voluntary context switches (threads waiting for the GIL, locks or I/O), which a loaded machine
turns into wall time the CPU figures do not show.
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


SCALING_COMPONENTS = (8, 32)
TARGET_RATIO = 1.5

# N default components, N from the stack's config (`Pulumi.c<N>.yaml`).
SCALING_PROGRAM = """\
import pulumi

from lambda_rds.component import LambdaRds

for i in range(pulumi.Config("scale").require_int("components")):
    LambdaRds(f"c{i}", {})
"""

# The floor: the SDK's own mocks and runtime, `components` component resources with `per` log groups each.
FLOOR_PROGRAM = """\
import asyncio, sys

import pulumi
import pulumi_aws as aws
from pulumi.runtime.stack import run_pulumi_func


class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return (None if args.typ.startswith("bench:") else args.name + "-id"), dict(args.inputs)

    def call(self, args):
        return {}, []


components, total = int(sys.argv[1]), int(sys.argv[2])
per = (total - components) // components
extra = (total - components) % components


def program():
    for c in range(components):
        unit = pulumi.ComponentResource("bench:index:Unit", f"u{c}")
        for i in range(per + (1 if c < extra else 0)):
            aws.cloudwatch.LogGroup(
                f"u{c}-lg{i}",
                name=f"/bench/u{c}/lg{i}",
                retention_in_days=7,
                tags={"environment": "bench", "unit": str(c)},
                opts=pulumi.ResourceOptions(parent=unit),
            )


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
pulumi.runtime.set_mocks(Echo(), project="bench", stack="floor", preview=False)
loop.run_until_complete(run_pulumi_func(program))
loop.close()
"""


def scaling_program(folder: Path) -> Path:
    """Write the N-component project into ``folder`` (one stack per N) and return it."""
    (folder / "Pulumi.yaml").write_text("name: scale\nruntime: python\n", encoding="utf-8")
    (folder / "__main__.py").write_text(SCALING_PROGRAM, encoding="utf-8")
    for n in SCALING_COMPONENTS:
        (folder / f"Pulumi.c{n}.yaml").write_text(
            f"config:\n  aws:region: us-east-1\n  scale:components: {n}\n", encoding="utf-8"
        )
    return folder


PLAN = (sys.executable, "-m", "lambda_rds.commands.cli", "plan")


def _child_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far (this process's waited children)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child_waits() -> int:
    """Voluntary context switches of the finished child processes so far: each a thread giving up its core
    to wait (for the GIL, a lock, I/O). On a busy machine each such wait may also wait for a core again, so
    they are wall time that the CPU figures do not show (issue 19: one GIL hand-off per mock-monitor call
    when the calls ran in a thread pool)."""
    import resource

    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_nvcsw)


def scaled_plan_once(program: Path, n: int) -> tuple[float, float, int]:
    """One `lambda-rds plan` of the N-component program: wall and CPU seconds, and resources (components
    included). Its voluntary context switches go to ``WAITS["ours"]``."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "components"), "LAMBDA_RDS_PACKAGING": "offline"}
    cpu, waits = _child_cpu(), _child_waits()
    started = time.perf_counter()
    done = subprocess.run(
        [*PLAN, "--program", str(program), "--stack", f"c{n}", "--format", "json"],
        cwd=program,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"plan of {n} components failed ({done.returncode}):\n{done.stderr[-2000:]}")
    WAITS["ours"].setdefault(n, []).append(_child_waits() - waits)
    summary = json.loads(done.stdout)["summary"]
    return wall, _child_cpu() - cpu, summary["resources"] + summary["components"]


def floor_once(components: int, resources: int) -> tuple[float, float]:
    """One run of the floor program: wall and CPU seconds. Its voluntary context switches go to
    ``WAITS["floor"]``."""
    cpu, waits = _child_cpu(), _child_waits()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", FLOOR_PROGRAM, str(components), str(resources)],
        capture_output=True,  # the SDK's own run may print loop-teardown noise at exit: not ours to show
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"floor of {resources} resources failed ({done.returncode}):\n{done.stderr[-2000:]}")
    WAITS["floor"].setdefault(components, []).append(_child_waits() - waits)
    return wall, _child_cpu() - cpu


# Voluntary context switches per run, by side ("ours", "floor") and component count.
WAITS: dict[str, dict[int, list[int]]] = {"ours": {}, "floor": {}}


def _median_or_none(values: list[int] | None) -> float | None:
    return statistics.median(values) if values else None


def _marginal_ms(seconds: dict[int, float], counts: dict[int, int]) -> float:
    lo, hi = SCALING_COMPONENTS
    return (seconds[hi] - seconds[lo]) / (counts[hi] - counts[lo]) * 1000


def scaling(runs: int) -> dict:
    """Marginal plan cost per resource, ours against the SDK's mock floor, measured in the same run.

    Wall time is what a user waits; CPU time (user + system of the child, every thread) is also reported
    because on a loaded machine it varies much less from run to run.
    """
    import tempfile

    samples: dict[str, dict[int, list[float]]] = {
        key: {n: [] for n in SCALING_COMPONENTS}
        for key in ("ours_wall", "ours_cpu", "floor_wall", "floor_cpu")
    }
    counts: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="lambda-rds-scale-") as tmp:
        program = scaling_program(Path(tmp))
        for _ in range(max(1, runs)):
            for n in SCALING_COMPONENTS:  # interleaved: load on the machine hits both sides alike
                wall, cpu, counts[n] = scaled_plan_once(program, n)
                samples["ours_wall"][n].append(wall)
                samples["ours_cpu"][n].append(cpu)
                wall, cpu = floor_once(n, counts[n])
                samples["floor_wall"][n].append(wall)
                samples["floor_cpu"][n].append(cpu)
    med = {key: {n: statistics.median(v) for n, v in per.items()} for key, per in samples.items()}
    ms = {key: _marginal_ms(med[key], counts) for key in med}
    ratio = ms["ours_wall"] / ms["floor_wall"] if ms["floor_wall"] > 0 else float("inf")
    cpu_ratio = ms["ours_cpu"] / ms["floor_cpu"] if ms["floor_cpu"] > 0 else float("inf")
    return {
        "runs": max(1, runs),
        "components": list(SCALING_COMPONENTS),
        "resources": [counts[n] for n in SCALING_COMPONENTS],
        "floor_resource": "aws.cloudwatch.LogGroup under one pulumi.ComponentResource per component",
        "ours_wall_s_median": [round(med["ours_wall"][n], 3) for n in SCALING_COMPONENTS],
        "floor_wall_s_median": [round(med["floor_wall"][n], 3) for n in SCALING_COMPONENTS],
        "ours_ms_per_resource": round(ms["ours_wall"], 2),
        "floor_ms_per_resource": round(ms["floor_wall"], 2),
        "ratio": round(ratio, 2),
        "ours_cpu_s_median": [round(med["ours_cpu"][n], 3) for n in SCALING_COMPONENTS],
        "floor_cpu_s_median": [round(med["floor_cpu"][n], 3) for n in SCALING_COMPONENTS],
        "ours_cpu_ms_per_resource": round(ms["ours_cpu"], 2),
        "floor_cpu_ms_per_resource": round(ms["floor_cpu"], 2),
        "cpu_ratio": round(cpu_ratio, 2),
        "ours_waits_median": [_median_or_none(WAITS["ours"].get(n)) for n in SCALING_COMPONENTS],
        "floor_waits_median": [_median_or_none(WAITS["floor"].get(n)) for n in SCALING_COMPONENTS],
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "meets_target_cpu": cpu_ratio <= TARGET_RATIO,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stacks", nargs="+", default=["dev", "staging", "prod"])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--scaling", action="store_true", help="only the scaling benchmark (8, 32 components)")
    mode.add_argument("--no-scaling", action="store_true", help="only the per-stack plans")
    parser.add_argument("--scaling-runs", type=int, default=3, help="runs of each scaling size (default: 3)")
    args = parser.parse_args()
    results = {}
    for stack in [] if args.scaling else args.stacks:
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
    out: dict = {"benchmark": "plan", "python": sys.version.split()[0], "cpus": os.cpu_count()}
    if not args.scaling:
        out["stacks"] = results
    if not args.no_scaling:
        out["scaling"] = scaling(args.scaling_runs)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
