"""`lambda-rds deployer-policy`: the IAM policy that `pulumi up` and `pulumi destroy` of a stack need.

Generated, not written: the actions come from what the component registers, per resource type and per
lookup (`deployer.actions.RESOURCE_ACTIONS`, `INVOKE_ACTIONS`; the tests run the component under mocks
and hold both tables to it), and each statement's `Resource` from the names the component gives this
stack's resources: its project, stack and component name, the database identifier, the region and the
account. Those names start with the component name alone (`app-...` in every stack), so what changes,
deletes or reads a secret is also held to the stack's tags (`lambda-rds:project`, `lambda-rds:stack`,
which the component puts on everything it can tag): `aws:ResourceTag` on what exists, `aws:RequestTag`
on creates; tags are added only with a create (EC2: `ec2:CreateAction`; the others: on what carries no
stack or component tag), and Denies keep the stack tags from being stripped and refuse untagged
resources of the types the component always tags. `Resource: "*"` remains only for the actions the
Service Authorization Reference gives no resource type (EC2 `Describe*`, `logs:DescribeLogGroups`,
`rds:CreateDBProxy` and `kms:CreateKey` with the stack's request tags, `sns:Unsubscribe`...). The
monitoring (alarms, their topic and its key) is held to the stack's tags too; the dashboard, which takes
no tags, to its name `<project>-<stack>-<component>`.

`--migrate` prints a one-off variant, ONLY for the first `pulumi up` of a stack deployed before the
stack tags existed (or the first after `pulumi stack rename`, with `--renamed-from <old stack>`): its
Allows also take what carries no stack tag (`...IfExists`), so that `up` can tag, change and replace the
stack's resources, and it lacks the Deny on untagged addresses, databases and proxies. It is name-scoped
like the normal policy but lets this stack's deployer tag and change ANY resource with the component's
names and no stack tag, another stack's from before the tags included. Run one plain `up` with it, then
replace it with the normal policy.

What it cannot prevent: an identity that may create roles, give them policies, pass them to Lambda and
run functions can run code with any permission it can write into a role (here only its own roles, with
the component's policies, but the policies themselves are not constrained). That holds for any deployer
of functions with roles; a permissions boundary on the roles is the user's option.

The document is longer than one managed policy may be (6,144 characters without whitespace), so it is
cut into as few documents as fit, statement by statement: attach them all to the deploying identity.
Defaults come from the stack's config (`Pulumi.yaml` and `Pulumi.<stack>.yaml`): the project, the
component name (`lambda-rds:name`), `database.identifier`, `database.kms_key_arn`, `network.vpc_id` and
`network.private_subnet_ids` (a VPC you bring is named by its ids) and `aws:region`.
The account defaults to any (`*`), with a warning: give `--account-id` to pin it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambda_rds.commands.deployer.actions import (
    ACTION_OPERATION,
    INVOKE_ACTIONS,
    PERMISSION_ONLY,
    RESOURCE_ACTIONS,
)
from lambda_rds.commands.deployer.conditions import PASSED_TO
from lambda_rds.commands.deployer.documents import (
    MANAGED_POLICY_MAX,
    VERSION,
    actions_for,
    deployer_policies,
    deployer_policy,
    size,
    statements,
)
from lambda_rds.commands.deployer.statements import SCOPE_BY_SID
from lambda_rds.commands.deployer.target import Target
from lambda_rds.rules.regions import partition_of

__all__ = [
    "ACTION_OPERATION",
    "INVOKE_ACTIONS",
    "MANAGED_POLICY_MAX",
    "PASSED_TO",
    "PERMISSION_ONLY",
    "RESOURCE_ACTIONS",
    "VERSION",
    "Target",
    "actions_for",
    "deployer_policies",
    "deployer_policy",
    "size",
    "statements",
    "target_from_stack",
]

# This repository's own dev stack (Pulumi.yaml, Pulumi.dev.yaml): the document docs/deploying.md shows.
DOCS_TARGET = Target("lambda-rds", "dev", "app", "lambda-rds-dev-app", region="us-east-1")


def render(documents: Sequence[dict[str, Any]]) -> str:
    """A JSON list of the documents."""
    return json.dumps(list(documents), indent=2) + "\n"


# ---- the stack's names -------------------------------------------------------------------------------
def target_from_stack(
    program: Path | None,
    stack: str,
    *,
    project: str | None = None,
    name: str | None = None,
    region: str | None = None,
    account: str = "*",
    partition: str | None = None,
    migrate: bool = False,
    renamed_from: str | None = None,
) -> Target:
    """The stack's names, from its config where not given (raises CaptureError or ConfigError).

    Reads only the keys it needs (`<project>:name`, `<project>:database`, `<project>:network`,
    `aws:region`), so a program of one's own, with keys of its own, works too. With no program,
    ``project`` is needed and the rest defaults as the component does: name `app`, identifier
    project-stack-name, region any. ``migrate``: the one-off `--migrate` variant; ``renamed_from`` (which
    implies it): the stack's name before `pulumi stack rename`.
    """
    from lambda_rds.commands.capture import load_config
    from lambda_rds.settings.database import database_identifier

    config: dict[str, Any] = {}
    if program is not None:
        found_project, config = load_config(program, stack)
        project = project or found_project
    if not project:
        raise ValueError("no Pulumi.yaml found: give --program or --project")
    name = name or str(config.get(f"{project}:name") or "app")
    database, network = (_section(config, project, key) for key in ("database", "network"))
    region = region or str(config.get("aws:region") or "*")
    vpc_id = network.get("vpc_id")
    target = Target(
        project=project,
        stack=stack,
        name=name,
        db_identifier=str(database.get("identifier") or database_identifier(project, stack, name)),
        region=region,
        account=account,
        partition=partition or partition_of(region),
        kms_key_arn=database.get("kms_key_arn") or None,
        vpc_id=str(vpc_id) if vpc_id else None,
        subnet_ids=tuple(str(x) for x in network.get("private_subnet_ids") or ()) if vpc_id else (),
        migrate=migrate or bool(renamed_from),
    )
    if renamed_from:
        old_identifier = database.get("identifier") or database_identifier(project, renamed_from, name)
        old = replace(target, stack=renamed_from, db_identifier=str(old_identifier))
        target = replace(target, renamed_from=old)
    return target


def _section(config: dict[str, Any], project: str, key: str) -> dict[str, Any]:
    """``<project>:<key>`` as a dict ({} when unset)."""
    from lambda_rds.settings import ConfigError

    raw = config.get(f"{project}:{key}")
    if isinstance(raw, str):  # the Pulumi CLI hands structured values over as JSON text
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise ConfigError(f"{project}:{key}", "expected a YAML object") from None
    return raw if isinstance(raw, dict) else {}


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
        "--migrate",
        action="store_true",
        help="ONE-OFF: the variant for the first `up` of a stack deployed before the stack tags existed;"
        " it may tag and change untagged resources with the component's names: replace it after that `up`",
    )
    parser.add_argument(
        "--renamed-from",
        metavar="OLD_STACK",
        help="with --migrate (implied): the stack's name before `pulumi stack rename`, whose tags and"
        " names the first `up` after the rename changes",
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
            migrate=args.migrate,
            renamed_from=args.renamed_from,
        )
    except (CaptureError, ConfigError, ValueError) as exc:
        sys.stderr.write(f"lambda-rds deployer-policy: {exc}\n")
        return 2
    if target.migrate:
        sys.stderr.write(
            "lambda-rds deployer-policy: warning: --migrate is for ONE `pulumi up` (the first after"
            " upgrading to the stack tags, or after `pulumi stack rename`): it may tag and change untagged"
            " resources with the component's names in any stack. Replace it with the normal policy"
            " (without --migrate) right after that `up`.\n"
        )
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
