"""Offline preview of a Pulumi Python program: resources, reachability verdicts, security findings, cost.

Runs the program under mocks (no AWS credentials, no Pulumi CLI, no network), or reads `pulumi preview
--json` output, then reports: the resource tree by component; whether each function can reach its database
and the AWS APIs it needs (with evidence, or the missing piece and its fix); security findings mapped to AWS
Foundational Security Best Practices ids; and the monthly cost with each line's unit price and source.

Exit status: 0 pass; 1 a reachability check failed or a mandatory policy is violated (and not waived);
2 the program, its config, a waiver or the usage file is invalid.

Waivers: stack config `lambda-rds:waivers` (or `<project>:waivers`) and/or --waivers FILE, each entry
  {policy: RDS.5, resource: <logical name or *>, reason: "why this is acceptable"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from lambda_rds.commands.plan_common import default_program, fail

WAIVERS_CONFIG_KEY = "lambda-rds:waivers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", default="dev", help="stack whose Pulumi.<stack>.yaml config to use (default: dev)"
    )
    parser.add_argument(
        "--program",
        type=Path,
        default=None,
        help="Pulumi program directory (default: the current directory if it has Pulumi.yaml, "
        "else this repository)",
    )
    parser.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="report format"
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="a previous plan JSON (same stack): list what this plan creates, updates, replaces or deletes "
        "(replacing or deleting a database, subnet group, VPC, KMS key or secret fails the plan) and diff "
        "the cost",
    )
    parser.add_argument(
        "--base-ref",
        metavar="REF",
        help="plan the same stack at git ref REF (a temporary worktree, removed afterwards) and use it as "
        "--base, e.g. --base-ref main: what the pull-request comment shows. The base is planned by the "
        "library installed here (the head's); the PR workflow plans it with the base's own, so a change to "
        "the library itself shows there only",
    )
    parser.add_argument(
        "--usage", type=Path, help="usage file (YAML): requests, durations, GB through NAT, ACU-hours"
    )
    parser.add_argument("--waivers", type=Path, help="waivers file (YAML list of {policy, resource, reason})")
    parser.add_argument(
        "--preview-json",
        type=Path,
        help="read `pulumi preview --json` output instead of running the program under mocks (its step "
        "ops give the change list)",
    )
    parser.add_argument(
        "--production",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply production-only policies (default: when the stack is named prod*)",
    )
    parser.add_argument(
        "--lambda-concurrency-limit",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="the account's Lambda concurrent executions quota in the region (default: 1000, AWS's default "
        "quota; new accounts start lower: `lambda-rds doctor` reads yours). Reserved concurrency must leave "
        "100 of it unreserved",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        help="price file (JSON, from `lambda-rds prices --region R -o FILE`) instead of the bundled prices; "
        "its region must be the stack's",
    )
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file instead of stdout")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _load_yaml(path: Path, what: str) -> Any:
    import yaml

    from lambda_rds.commands import yaml12

    try:
        return yaml12.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{what} {path}: {exc}") from exc


def _price_file(path: Path, resources: Any) -> Any:
    """The ``--prices`` book, checked against the stack's region (a ``ValueError`` names both regions)."""
    from lambda_rds.analysis.cost.prices import load_file
    from lambda_rds.analysis.model.build import stack_region

    return load_file(path, expected_region=stack_region(resources))


def _base_plan(path: Path, project: str, stack: str) -> dict[str, Any]:
    """The ``--base`` plan JSON, refused (``ValueError`` naming the file) when it is not a plan, or is a plan
    of another project or stack: a diff against it would list another stack's resources as deleted."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"--base {path}: not a plan JSON (not JSON: {exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cost"), dict) or "resources" not in doc:
        raise ValueError(
            f"--base {path}: not a plan JSON (make one with `lambda-rds plan --stack {stack} --format json`)"
        )
    # Plans made before the project was recorded carry only the stack: judged by what they carry.
    for what, theirs, ours in (("project", doc.get("project"), project), ("stack", doc.get("stack"), stack)):
        if theirs is not None and theirs != ours:
            raise ValueError(
                f"--base {path}: a plan of {what} {theirs!r}, this is {what} {ours!r}; use a base plan of "
                f"the same project and stack (lambda-rds plan --stack {stack} --format json on the base)"
            )
    return doc


def run(args: argparse.Namespace) -> int:
    """Run the plan; returns the exit status (see the module docstring)."""
    if getattr(args, "base_ref", None):
        from lambda_rds.commands.base_ref import run_with_base_ref

        return run_with_base_ref(args, run)
    from lambda_rds.analysis.changes.change_set import ChangeSet
    from lambda_rds.analysis.changes.plan_diff import base_resources
    from lambda_rds.analysis.changes.preview_steps import from_preview_steps
    from lambda_rds.analysis.checks.waivers import WaiverError, parse_waivers
    from lambda_rds.analysis.cost.usage import UsageError, bind_functions, parse_usage
    from lambda_rds.analysis.model.resources import from_preview_json
    from lambda_rds.analysis.plan import analyze
    from lambda_rds.analysis.render import render

    started = time.perf_counter()
    timings: dict[str, float] = {}
    program = (args.program or default_program()).resolve()
    exports: dict[str, Any] = {}
    messages: list[str] = []
    stack_config: dict[str, Any] = {}
    project = "lambda-rds"
    preview_changes: ChangeSet | None = None
    base_items: list[Any] | None = None
    base_inputs_known = True
    try:
        if args.preview_json:
            preview_text = args.preview_json.read_text(encoding="utf-8")
            resources = from_preview_json(preview_text)
            preview_changes = from_preview_steps(preview_text)
            source = f"pulumi preview --json ({args.preview_json.name})"
            if (program / "Pulumi.yaml").is_file():
                from lambda_rds.commands.capture import load_config

                project, stack_config = load_config(program, args.stack)
        else:
            from lambda_rds.commands.capture import CaptureError, capture

            try:
                captured = capture(program, args.stack)
            except CaptureError as exc:
                return fail(str(exc), exc.details)
            resources, exports, stack_config = captured.resources, captured.exports, captured.raw_config
            project, messages = captured.project, captured.messages
            source = "program under mocks"
        timings["capture"] = time.perf_counter() - started
        # `lambda-rds:waivers`, or `<project>:waivers` for any other project planned with this tool.
        raw_waivers = stack_config.get(WAIVERS_CONFIG_KEY, stack_config.get(f"{project}:waivers"))
        waivers = parse_waivers(raw_waivers, f"Pulumi.{args.stack}.yaml")
        if args.waivers:
            waivers += parse_waivers(_load_yaml(args.waivers, "waivers file"), str(args.waivers))
        # Checked against the captured functions: a key naming none would otherwise price nothing, silently.
        usage = (
            bind_functions(parse_usage(_load_yaml(args.usage, "usage file")), resources)
            if args.usage
            else None
        )
        price_book = _price_file(args.prices, resources) if getattr(args, "prices", None) else None
        base_cost = None
        base_region = None
        if args.base:
            base_doc = _base_plan(args.base, project, args.stack)
            base_cost = base_doc["cost"]
            base_region = base_doc.get("region") if isinstance(base_doc.get("region"), str) else None
            base_items, base_inputs_known = base_resources(base_doc)
    except (WaiverError, UsageError, ValueError, OSError) as exc:
        return fail(str(exc))

    analysis_started = time.perf_counter()
    report = analyze(
        resources,
        stack=args.stack,
        source=source,
        program=str(program),
        production=args.production,
        waivers=waivers,
        usage=usage,
        base_cost=base_cost,
        exports=exports,
        messages=messages,
        lambda_concurrency_limit=getattr(args, "lambda_concurrency_limit", 1000),
        base_resources=base_items,
        base_inputs_known=base_inputs_known,
        prices=price_book,
        preview_changes=preview_changes,
        project=project,
        base_region=base_region,
    )
    timings["analysis"] = time.perf_counter() - analysis_started
    timings["total"] = time.perf_counter() - started
    report.timings = timings
    text = render(report, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return report.exit_code
