"""`lambda-rds deployer-policy`: the IAM policy that `pulumi up` and `pulumi destroy` of a stack need.

Generated, not written: the actions come from what the component registers, per resource type and per
lookup (`deployer_actions.RESOURCE_ACTIONS`, `INVOKE_ACTIONS`; the tests run the component under mocks
and hold both tables to it), and each statement's `Resource` from the names the component gives this
stack's resources: its project, stack and component name, the database identifier, the region and the
account. Those names start with the component name alone (`app-...` in every stack), so what changes,
deletes or reads a secret is also held to the stack's tags (`lambda-rds:project`, `lambda-rds:stack`,
which the component puts on everything it can tag): `aws:ResourceTag` on what exists, `aws:RequestTag`
on creates. `Resource: "*"` remains only for the actions the Service Authorization Reference gives no
resource type (EC2 `Describe*`, `logs:DescribeLogGroups`, `rds:CreateDBProxy`...).

What it cannot prevent: an identity that may create roles, give them policies, pass them to Lambda and
run functions can run code with any permission it can write into a role (here only its own roles, with
the component's policies, but the policies themselves are not constrained). That holds for any deployer
of functions with roles; a permissions boundary on the roles is the user's option.

The document is longer than one managed policy may be (6,144 characters without whitespace), so it is
cut into as few documents as fit, statement by statement: attach them all to the deploying identity.
Defaults come from the stack's config (`Pulumi.yaml` and `Pulumi.<stack>.yaml`): the project, the
component name (`lambda-rds:name`), `database.identifier`, `database.kms_key_arn` and `aws:region`.
The account defaults to any (`*`), with a warning: give `--account-id` to pin it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lambda_rds.commands.deployer_actions import (
    ACTION_OPERATION,
    INVOKE_ACTIONS,
    PASSED_TO,
    PERMISSION_ONLY,
    RESOURCE_ACTIONS,
    SCOPE_BY_SID,
    SCOPES,
    Target,
    scopes_of,
)

__all__ = [
    "ACTION_OPERATION",
    "INVOKE_ACTIONS",
    "PASSED_TO",
    "PERMISSION_ONLY",
    "RESOURCE_ACTIONS",
    "Target",
    "actions_for",
    "deployer_policies",
    "deployer_policy",
    "target_from_stack",
]

# A managed policy holds at most 6,144 characters, whitespace not counted (sources.IAM_QUOTAS).
MANAGED_POLICY_MAX = 6144
VERSION = "2012-10-17"
# This repository's own dev stack (Pulumi.yaml, Pulumi.dev.yaml): the document docs/deploying.md shows.
DOCS_TARGET = Target("lambda-rds", "dev", "app", "lambda-rds-dev-app", region="us-east-1")


def actions_for(types: Iterable[str], invokes: Iterable[str] = ()) -> list[str]:
    """The sorted, de-duplicated actions for these resource types and invoke tokens (KeyError if unknown)."""
    found: set[str] = set()
    for t in types:
        found.update(RESOURCE_ACTIONS[t])
    for token in invokes:
        found.update(INVOKE_ACTIONS[token])
    return sorted(found)


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def statements(
    target: Target, types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The statements for the given types and invokes (default: everything the component can use)."""
    acts = actions_for(
        RESOURCE_ACTIONS if types is None else types, INVOKE_ACTIONS if invokes is None else invokes
    )
    by_sid: dict[str, list[str]] = {}
    for action in acts:
        for sid in scopes_of(action):
            by_sid.setdefault(sid, []).append(action)
    out: list[dict[str, Any]] = []
    for scope in SCOPES:
        if scope.sid not in by_sid:
            continue
        statement: dict[str, Any] = {
            "Sid": scope.sid,
            "Effect": "Allow",
            "Action": _one_or_list(by_sid[scope.sid]),
            "Resource": _one_or_list(scope.resources(target)),
        }
        if scope.condition:
            statement["Condition"] = scope.condition(target)
        out.append(statement)
    return out


def size(document: dict[str, Any]) -> int:
    """The characters IAM counts against a policy's quota: the JSON without whitespace (no value here
    holds a space)."""
    return len(json.dumps(document, separators=(",", ":")))


def deployer_policies(
    target: Target, types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The policy as few documents as fit a managed policy each, statements kept whole and in order."""
    documents: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for statement in statements(target, types, invokes):
        if current and size({"Version": VERSION, "Statement": [*current, statement]}) > MANAGED_POLICY_MAX:
            documents.append({"Version": VERSION, "Statement": current})
            current = []
        current.append(statement)
    if current:
        documents.append({"Version": VERSION, "Statement": current})
    return documents


def deployer_policy(
    target: Target, types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> dict[str, Any]:
    """The whole policy as one document (for reading and checking; it may not fit one managed policy)."""
    return {"Version": VERSION, "Statement": statements(target, types, invokes)}


def render(documents: Sequence[dict[str, Any]]) -> str:
    """A JSON list of the documents."""
    return json.dumps(list(documents), indent=2) + "\n"


# ---- the stack's names -------------------------------------------------------------------------------
def partition_of(region: str) -> str:
    """The partition a region belongs to (``*``: the commercial one)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def target_from_stack(
    program: Path | None,
    stack: str,
    *,
    project: str | None = None,
    name: str | None = None,
    region: str | None = None,
    account: str = "*",
    partition: str | None = None,
) -> Target:
    """The stack's names, from its config where not given (raises CaptureError or ConfigError).

    Reads only the keys it needs (`<project>:name`, `<project>:database`, `aws:region`), so a program of
    one's own, with keys of its own, works too. With no program, ``project`` is needed and the rest
    defaults as the component does: name `app`, identifier project-stack-name, region any.
    """
    from lambda_rds.commands.capture import load_config
    from lambda_rds.settings import ConfigError
    from lambda_rds.settings.database import database_identifier

    config: dict[str, Any] = {}
    if program is not None:
        found_project, config = load_config(program, stack)
        project = project or found_project
    if not project:
        raise ValueError("no Pulumi.yaml found: give --program or --project")
    name = name or str(config.get(f"{project}:name") or "app")
    raw_database = config.get(f"{project}:database")
    if isinstance(raw_database, str):  # the Pulumi CLI hands structured values over as JSON text
        try:
            raw_database = json.loads(raw_database)
        except json.JSONDecodeError:
            raise ConfigError(f"{project}:database", "expected a YAML object") from None
    database: dict[str, Any] = raw_database if isinstance(raw_database, dict) else {}
    identifier = database.get("identifier") or database_identifier(project, stack, name)
    region = region or str(config.get("aws:region") or "*")
    return Target(
        project=project,
        stack=stack,
        name=name,
        db_identifier=str(identifier),
        region=region,
        account=account,
        partition=partition or partition_of(region),
        kms_key_arn=database.get("kms_key_arn") or None,
    )


# ---- docs/deploying.md -------------------------------------------------------------------------------
BEGIN = "<!-- BEGIN deployer-policy (generated by `make docs`; do not edit) -->"
END = "<!-- END deployer-policy -->"


def render_docs(target: Target) -> str:
    """The documents in JSON blocks, then each statement's scope and why it is no narrower."""
    documents = deployer_policies(target)
    parts: list[str] = []
    for i, document in enumerate(documents, 1):
        parts.append(f"Policy {i} of {len(documents)} ({size(document)} characters):\n")
        parts.append(f"```json\n{json.dumps(document, indent=2)}\n```\n")
    parts.append("\n| statement | `Resource` | why no narrower |\n| --- | --- | --- |\n")
    for document in documents:
        for statement in document["Statement"]:
            resources = statement["Resource"]
            count = 1 if isinstance(resources, str) else len(resources)
            shown = "`*`" if resources == "*" else f"{count} ARN{'s' if count > 1 else ''}"
            parts.append(f"| `{statement['Sid']}` | {shown} | {SCOPE_BY_SID[statement['Sid']].why} |\n")
    return "".join(parts)


def splice_docs(text: str, target: Target = DOCS_TARGET) -> str:
    """``text`` with the generated policy between the markers (docs/deploying.md)."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render_docs(target)}{END}{tail}"


# ---- `lambda-rds deployer-policy` --------------------------------------------------------------------
def _account(text: str) -> str:
    if text == "*" or re.fullmatch(r"\d{12}", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not an account id (12 digits) or *")


def _region(text: str) -> str:
    if text == "*" or re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not a region name (like us-east-1) or *")


def _default_program() -> Path | None:
    """The project the Pulumi CLI would use here: the nearest folder upwards holding a Pulumi.yaml."""
    cwd = Path.cwd()
    return next((f for f in (cwd, *cwd.parents) if (f / "Pulumi.yaml").is_file()), None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", default="dev", help="stack whose Pulumi.<stack>.yaml to read (default: dev)"
    )
    parser.add_argument(
        "--program",
        type=Path,
        default=None,
        help="Pulumi project directory (default: the nearest one upwards from the current directory)",
    )
    parser.add_argument("--project", help="project name (default: Pulumi.yaml's name)")
    parser.add_argument("--name", help="component name (default: the stack's <project>:name, else app)")
    parser.add_argument(
        "--region", type=_region, help="region (default: the stack's aws:region, else * for any)"
    )
    parser.add_argument(
        "--account-id",
        type=_account,
        default=None,
        help="12-digit account id (default: * for any, with a warning)",
    )
    parser.add_argument(
        "--partition",
        choices=("aws", "aws-cn", "aws-us-gov"),
        help="ARN partition (default: the region's, else aws)",
    )
    parser.add_argument(
        "--part", type=int, default=None, help="print only document N (1-based) instead of the JSON list"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write each document to its own file: OUT for one, OUT-1.json, OUT-2.json... for several",
    )


def run(args: argparse.Namespace) -> int:
    """Print the documents (a JSON list, or document ``--part``), or write them (``--out``)."""
    from lambda_rds.commands.capture import CaptureError
    from lambda_rds.settings import ConfigError

    program = args.program or _default_program()
    if args.account_id is None:
        # Every ARN then names any account: the tag conditions still hold the EC2, Lambda, IAM, RDS and
        # Secrets Manager changes to this stack, but not the reads, layers, log groups and KMS.
        sys.stderr.write(
            "lambda-rds deployer-policy: warning: no --account-id, so the policy names every account (*);"
            " give --account-id <12 digits> to pin it to yours\n"
        )
    try:
        target = target_from_stack(
            program,
            args.stack,
            project=args.project,
            name=args.name,
            region=args.region,
            account=args.account_id or "*",
            partition=args.partition,
        )
    except (CaptureError, ConfigError, ValueError) as exc:
        sys.stderr.write(f"lambda-rds deployer-policy: {exc}\n")
        return 2
    documents = deployer_policies(target)
    if args.part is not None:
        if not 1 <= args.part <= len(documents):
            sys.stderr.write(f"lambda-rds deployer-policy: --part must be 1..{len(documents)}\n")
            return 2
        documents = [documents[args.part - 1]]
    if args.out:
        paths = (
            [args.out]
            if len(documents) == 1
            else [
                args.out.with_name(f"{args.out.stem}-{i}{args.out.suffix or '.json'}")
                for i in range(1, len(documents) + 1)
            ]
        )
        for path, document in zip(paths, documents, strict=True):
            path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        sys.stderr.write("".join(f"wrote {p}\n" for p in paths))
    elif args.part is not None:
        sys.stdout.write(json.dumps(documents[0], indent=2) + "\n")
    else:
        sys.stdout.write(render(documents))
    return 0
