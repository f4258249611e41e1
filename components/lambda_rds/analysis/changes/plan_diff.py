"""Diffing two plans into a change set, carrying a replacement over to the resources that hold its identity.

An earlier plan (``lambda-rds plan --format json``, each resource with its ``inputs``) against this run.
Resources are matched by URN (type, name and parent); a resource whose ``opts.aliases`` name a URN of the
earlier plan is the same resource (a rename, not a replacement). Changed input keys make an update; a changed
key that forces a new resource (``forcenew.json``, read from the provider's schema) makes a replacement, and a
replacement carries on to the resources whose forcing inputs hold the replaced resource's id, ARN or name (a
new database means a new resource id, so the bootstrap that fingerprints it re-runs).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lambda_rds.analysis.changes.change_set import Change, ChangeSet, sort_changes
from lambda_rds.analysis.changes.forcenew import forcing_keys
from lambda_rds.analysis.changes.upgrades import flag, major_upgrade
from lambda_rds.analysis.model.resources import (
    SECRET_MARK,
    Resource,
    from_dicts,
    is_unknown,
    public_inputs,
)

# Outputs that identify a resource to the resources that reference it: a replacement changes them.
_IDENTITY_KEYS = (
    "arn",
    "name",
    "identifier",
    "clusterIdentifier",
    "resourceId",
    "dbiResourceId",
    "clusterResourceId",
    "keyId",
    "address",
    "endpoint",
)


def base_resources(base_doc: Mapping[str, Any]) -> tuple[list[Resource], bool]:
    """The resources of a base plan JSON, and whether it carries their inputs (plans made by a version
    before the change list do not: then only creations and deletions can be told)."""
    items = [dict(r) for r in base_doc.get("resources") or [] if isinstance(r, Mapping)]
    has_inputs = bool(items) and all("inputs" in r for r in items if r.get("custom", True))
    return from_dicts(items), has_inputs


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if a in (None, "", [], {}) and b in (None, "", [], {}):
        return True  # an empty value and an absent one are the same input
    # Numbers as strings (config read as text on one side) compare by value.
    if isinstance(a, (int, float, str)) and isinstance(b, (int, float, str)) and not isinstance(a, bool):
        return str(a) == str(b)
    return False


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """Top-level input keys whose value differs. A secret on either side cannot be compared (its value is
    never written to the report), so it is not reported as changed."""
    out = []
    for key in sorted(set(before) | set(after)):
        if key.startswith("__"):
            continue
        old, new = before.get(key), after.get(key)
        if SECRET_MARK in (old, new) and (old is not None and new is not None):
            continue
        if not _same(_canonical(old), _canonical(new)):
            out.append(key)
    return tuple(out)


def _canonical(value: Any) -> Any:
    """JSON documents held as strings (policies, invocation inputs) compare by content."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _inputs(r: Resource) -> dict[str, Any]:
    """Inputs as the report writes them (secrets masked, assets by name), so a base read back from JSON and
    a fresh capture compare like for like."""
    return public_inputs(r)


def diff_plans(
    before: Sequence[Resource], after: Sequence[Resource], *, inputs_known: bool = True
) -> ChangeSet:
    """Classify every custom resource of ``after`` against ``before`` (see the module doc)."""
    old_by_urn = {r.urn or r.key: r for r in before if r.custom}
    matched: dict[str, Resource] = {}  # after urn -> before resource
    renamed: dict[str, str] = {}
    taken = {r.urn or r.key for r in after if r.custom} & set(old_by_urn)
    for r in after:
        if not r.custom:
            continue
        key = r.urn or r.key
        if key in old_by_urn:
            matched[key] = old_by_urn[key]
            continue
        for alias in r.aliases:  # the engine's rule: the first alias found in the old state wins
            if alias in old_by_urn and alias not in taken:
                taken.add(alias)
                matched[key] = old_by_urn[alias]
                renamed[key] = old_by_urn[alias].name
                break
    used = {id(m) for m in matched.values()}
    changes: list[Change] = []
    replaced: dict[str, Change] = {}
    updates: dict[str, Change] = {}
    for r in after:
        if not r.custom:
            continue
        key = r.urn or r.key
        old = matched.get(key)
        if old is None:
            changes.append(Change(r.type, r.name, "create", urn=key))
            continue
        keys = changed_keys(_inputs(old), _inputs(r)) if inputs_known else ()
        forcing = forcing_keys(r.type) or frozenset()
        replace_keys = tuple(k for k in keys if k in forcing)
        if replace_keys:
            replaced[key] = Change(r.type, r.name, "replace", keys, replace_keys, key, renamed.get(key))
        elif keys:
            updates[key] = Change(r.type, r.name, "update", keys, (), key, renamed.get(key))
    if inputs_known:
        _carry_replacements(after, matched, replaced, updates)
    changes.extend(replaced.values())
    changes.extend(updates.values())
    for old in before:
        if old.custom and id(old) not in used:
            changes.append(Change(old.type, old.name, "delete", urn=old.urn or old.key))
    unchanged = sum(1 for r in after if r.custom) - sum(
        1 for c in changes if c.action in ("create", "update", "replace")
    )
    notes = []
    if renamed:
        notes.append(
            f"{len(renamed)} resource(s) renamed through aliases (opts.aliases): same resources, not replaced"
        )
    if not inputs_known:
        notes.append(
            "the base plan has no resource inputs (made before the change list existed): only creations and "
            "deletions are shown"
        )
    # An in-place update that takes the database down: flagged on its change and said in a note.
    upgrades = [
        u
        for r in after
        if inputs_known and (old := matched.get(r.urn or r.key)) is not None
        if (u := major_upgrade(old, r, before, after)) is not None
    ]
    notes.extend(u.note() for u in upgrades)
    return ChangeSet(
        sort_changes(flag(changes, upgrades)), "plan", max(unchanged, 0), notes, upgrades=upgrades
    )


# ---- carrying a replacement over ---------------------------------------------------------------------
def _identities(r: Resource) -> set[str]:
    """What a replacement of ``r`` changes that others may hold: its id and computed identifiers, except those
    built from an explicit name in its inputs (an explicit name is kept by the replacement)."""
    values = {r.id} if r.id else set()
    for k in _IDENTITY_KEYS:
        v = r.outputs.get(k)
        if isinstance(v, str):
            values.add(v)
    explicit = {
        v for k, v in r.inputs.items() if isinstance(v, str) and len(v) >= 6 and k not in r.secret_keys
    }
    return {v for v in values if len(v) >= 6 and not is_unknown(v) and not any(e in v for e in explicit)}


def _holds(value: Any, needles: set[str]) -> bool:
    if isinstance(value, str):
        return value in needles or any(n in value for n in needles if len(n) >= 12)
    if isinstance(value, Mapping):
        return any(_holds(v, needles) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds(v, needles) for v in value)
    return False


def _carry_replacements(
    after: Sequence[Resource],
    matched: Mapping[str, Resource],
    replaced: dict[str, Change],
    updates: dict[str, Change],
) -> None:
    """A replaced resource gets a new id (and usually a new name, ARN, resource id): an input that holds one
    of them changes too. Offline the mocks keep ids stable, so carry that over here, to a fixed point."""
    by_key = {(r.urn or r.key): r for r in after if r.custom}
    done: set[str] = set()
    while True:
        pending = [k for k in replaced if k not in done]
        if not pending:
            return
        for src_key in pending:
            done.add(src_key)
            src = by_key.get(src_key)
            if src is None:
                continue
            needles = _identities(src)
            if not needles:
                continue
            for key, r in by_key.items():
                if key == src_key or key not in matched or key in replaced:
                    continue
                holding = tuple(
                    k for k, v in r.inputs.items() if k not in r.secret_keys and _holds(v, needles)
                )
                if not holding:
                    continue
                forcing = forcing_keys(r.type) or frozenset()
                forced = tuple(k for k in holding if k in forcing)
                prior = updates.get(key)
                keys = tuple(sorted(set(holding) | set(prior.keys if prior else ())))
                if forced:
                    updates.pop(key, None)
                    replaced[key] = Change(
                        r.type,
                        r.name,
                        "replace",
                        keys,
                        forced,
                        key,
                        prior.renamed_from if prior else None,
                        (src.name,),
                    )
                else:
                    updates[key] = Change(
                        r.type,
                        r.name,
                        "update",
                        keys,
                        (),
                        key,
                        prior.renamed_from if prior else None,
                        (src.name,),
                    )


__all__ = ["base_resources", "changed_keys", "diff_plans"]
