"""The deployer policy's assembly: the actions of the given types and lookups into statements and documents.

Pure functions, no Pulumi: each action goes to the statements `statements.scopes_of` names, each statement
gets the resources and condition its `Scope` gives for the target, and the statements are cut into as few
documents as fit one managed policy each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from lambda_rds.commands.deployer.actions import INVOKE_ACTIONS, RESOURCE_ACTIONS
from lambda_rds.commands.deployer.statements import SCOPES, condition_for, scopes_of
from lambda_rds.commands.deployer.target import Target

# A managed policy holds at most 6,144 characters, whitespace not counted (sources.IAM_QUOTAS).
MANAGED_POLICY_MAX = 6144
VERSION = "2012-10-17"


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
    # The names before a rename too (log groups, layers...), in the same variant.
    old = replace(target.renamed_from, migrate=target.migrate) if target.renamed_from else None
    out: list[dict[str, Any]] = []
    for scope in SCOPES:
        resources = scope.resources(target)
        if old is not None:
            resources += [r for r in scope.resources(old) if r not in resources]
        if scope.sid not in by_sid or not resources:
            continue
        statement: dict[str, Any] = {
            "Sid": scope.sid,
            "Effect": scope.effect,
            "Action": _one_or_list(by_sid[scope.sid]),
            "Resource": _one_or_list(resources),
        }
        condition = condition_for(scope, target)
        if condition:
            statement["Condition"] = condition
        out.append(statement)
    return out


def size(document: dict[str, Any]) -> int:
    """The characters IAM counts against a policy's quota: the JSON without whitespace (no value here
    holds a space)."""
    return len(json.dumps(document, separators=(",", ":")))


def deployer_policies(
    target: Target, types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The policy as few documents as fit a managed policy each, statements kept whole: each goes into the
    first document with room (first fit), so every document keeps the statements' order."""
    documents: list[dict[str, Any]] = []
    for statement in statements(target, types, invokes):
        for document in documents:
            if size({**document, "Statement": [*document["Statement"], statement]}) <= MANAGED_POLICY_MAX:
                document["Statement"].append(statement)
                break
        else:
            documents.append({"Version": VERSION, "Statement": [statement]})
    return documents


def deployer_policy(
    target: Target, types: Iterable[str] | None = None, invokes: Iterable[str] | None = None
) -> dict[str, Any]:
    """The whole policy as one document (for reading and checking; it may not fit one managed policy)."""
    return {"Version": VERSION, "Statement": statements(target, types, invokes)}
