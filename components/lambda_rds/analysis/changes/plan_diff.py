"""Diffing two plans into a change set, carrying a replacement over to the resources that hold its identity.

An earlier plan (``lambda-rds plan --format json``, each resource with its ``inputs``) against this run.
Resources are matched by URN (type, name and parent); a resource whose ``opts.aliases`` name a URN of the
earlier plan is the same resource (a rename, not a replacement). Changed input keys make an update; a changed
key that forces a new resource (``forcenew.json``, read from the provider's schema) makes a replacement, and a
replacement carries on to the resources whose forcing inputs hold the replaced resource's id, ARN or name (a
new database means a new resource id, so the bootstrap that fingerprints it re-runs).

What a real preview does besides, and so does this diff: secret inputs compare by salted digest
(``secrets``); an Optional+Computed key removed from the program keeps the state's value (no change); an
input of an SDKv2 type left out compares as its schema default, else its zero value (``storageEncrypted:
false`` removed is no change; ``forcenew.unset_values``); the
resource options recorded in the plan are honoured (``ignoreChanges``, ``replaceOnChanges``, ``protect``,
``deleteBeforeReplace``, ``retainOnDelete``); a new stack Region replaces every regional resource. Each
change carries its values (old -> new) and the consequences AWS documents (``consequences``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from lambda_rds.analysis.changes import property_paths
from lambda_rds.analysis.changes.change_set import Change, ChangeSet, Consequence, KeyDiff, sort_changes
from lambda_rds.analysis.changes.consequences import consequences
from lambda_rds.analysis.changes.forcenew import (
    is_regional,
    is_set,
    optional_computed,
    replacing_keys,
    unset_values,
)
from lambda_rds.analysis.changes.secrets import SECRET_CHANGED, digest_mark, is_digest, secret_digests
from lambda_rds.analysis.changes.upgrades import MajorUpgrade, flag, major_upgrade
from lambda_rds.analysis.model.resources import (
    SECRET_MARK,
    Resource,
    from_dicts,
    is_unknown,
    public_inputs,
)
from lambda_rds.rules import aws_sources as sources

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
    before the change list do not: then only creations and deletions can be told). A secret input the plan
    recorded a digest of (``secret_digests``) holds that digest's mark, so it compares with this run's."""
    items = []
    for r in base_doc.get("resources") or []:
        if not isinstance(r, Mapping):
            continue
        item = dict(r)
        digests = item.get("secret_digests")
        if isinstance(digests, Mapping) and isinstance(item.get("inputs"), Mapping):
            inputs = dict(item["inputs"])
            for k, d in digests.items():
                if k in inputs and isinstance(d, str):
                    inputs[k] = digest_mark(d)
            item["inputs"] = inputs
        items.append(item)
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
    """Top-level input keys whose value differs. A secret compares by its digest mark
    (``secrets.digest_mark``); a secret masked without one (a base plan from before digests) cannot be
    compared, so it is not reported as changed."""
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


def _inputs(r: Resource, salt: str | None = None) -> dict[str, Any]:
    """Inputs as the report writes them (assets by name), each secret as its digest mark salted with
    ``salt`` (the base's URN: a renamed resource keeps its digests), so a base read back from JSON and a
    fresh capture compare like for like."""
    out = public_inputs(r)
    for k in r.secret_keys:  # a base read back from JSON holds the digest's mark already
        if k in out and is_digest(r.inputs.get(k)):
            out[k] = r.inputs[k]
    for k, d in secret_digests(r, salt).items():
        out[k] = digest_mark(d)
    return out


def _apply_ignore(
    before: Mapping[str, Any], after: Mapping[str, Any], ignore: Sequence[str]
) -> dict[str, Any]:
    """``after`` as the engine diffs it under ``ignoreChanges``: at each ignored path the old value is put
    back (a path the old inputs lack is removed), so a difference there is no change and cannot force a
    replacement either. Paths as the engine reads them (``property_paths``: ``tags.owner``,
    ``tags["owner"]``, ``vpcConfig.subnetIds[0]``, ``tags.*``, ``*``); sources.PULUMI_IGNORE_CHANGES."""
    out = dict(after)
    for entry in ignore:
        path = property_paths.parse(entry)
        if not path:
            continue
        keys = list({*before, *out}) if path[0] == property_paths.WILDCARD else [path[0]]
        for key in keys:
            if not isinstance(key, str):
                continue
            kept = property_paths.keep_old(before.get(key), out.get(key), path[1:])
            if kept is None:
                out.pop(key, None)
            else:
                out[key] = kept
    return out


def _replaces_on_change(key: str, old: Any, new: Any, on_changes: Sequence[str]) -> bool:
    """Whether a ``replaceOnChanges`` entry covers the change of ``key``: the engine replaces when a changed
    path lies under an entry (``PropertyPath.Contains``), so ``tags.owner`` replaces on that tag only and
    ``*`` on any key (sources.PULUMI_REPLACE_ON_CHANGES)."""
    o, n = _canonical(old), _canonical(new)
    for entry in on_changes:
        path = property_paths.parse(entry)
        if not path or path[0] not in (key, property_paths.WILDCARD):
            continue
        if len(path) == 1:
            return True
        rest = path[1:]
        if not _same(property_paths.select(o, rest), property_paths.select(n, rest)):
            return True
    return False


def _kept_by_state(type_token: str, key: str, old: Any, new: Any) -> bool:
    """An Optional+Computed key whose value the program removed: the provider keeps the state's value (no
    diff, no replacement: ``kmsKeyId`` left out of a database keeps its key)."""
    return not is_set(new) and is_set(old) and key in optional_computed(type_token)


def _with_unset_values(
    type_token: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``before`` and ``after`` with an input set on one side only given, on the other, the value the
    provider diffs an unset input as (``forcenew.unset_values``: SDKv2 types only, the schema default else
    the zero value). ``storageEncrypted: false`` removed is then no change; ``autoMinorVersionUpgrade:
    false`` removed is a change to its default ``true``. Framework and unknown types are left as they are."""
    unset = unset_values(type_token)
    old, new = dict(before), dict(after)
    if not unset:
        return old, new
    for key, value in unset.items():
        o, n = old.get(key), new.get(key)
        if (o is None) == (n is None):
            continue  # both set or both unset: nothing to stand in for
        if SECRET_MARK in (o, n) or is_digest(o) or is_digest(n):
            continue  # a secret is compared by its digest, never against a default
        if o is None:
            old[key] = value
        else:
            new[key] = value
    return old, new


def _region_moved(regions: tuple[str | None, str | None]) -> bool:
    old, new = regions
    return bool(old and new and old != new)


def diff_plans(
    before: Sequence[Resource],
    after: Sequence[Resource],
    *,
    inputs_known: bool = True,
    regions: tuple[str | None, str | None] = (None, None),
) -> ChangeSet:
    """Classify every custom resource of ``after`` against ``before`` (see the module doc).

    ``regions``: the stack's Region in the base plan and in this one (None: not recorded). When they differ,
    every regional resource is replaced (``region`` forces a new resource of every regional type).
    """
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
    values: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    moved = _region_moved(regions)
    for r in after:
        if not r.custom:
            continue
        key = r.urn or r.key
        old = matched.get(key)
        if old is None:
            changes.append(Change(r.type, r.name, "create", urn=key))
            continue
        old_in, new_in = _inputs(old), _inputs(r, old.urn or old.key)
        if moved and is_regional(r.type):
            old_in, new_in = {**old_in, "region": regions[0]}, {**new_in, "region": regions[1]}
        new_in = _apply_ignore(old_in, new_in, [str(p) for p in r.options.get("ignoreChanges") or ()])
        # Shown as the provider diffs them: an unset SDKv2 input as its default or zero value.
        values[key] = _with_unset_values(r.type, old_in, new_in)
        keys = changed_keys(*values[key]) if inputs_known else ()
        keys = tuple(k for k in keys if not _kept_by_state(r.type, k, old_in.get(k), new_in.get(k)))
        replace_keys = replacing_keys(r.type, keys, old_in, new_in)
        # `replaceOnChanges`: the engine replaces on a change of these keys, whatever the provider says.
        on_changes = [str(p) for p in r.options.get("replaceOnChanges") or ()]
        replace_keys += tuple(
            k
            for k in keys
            if k not in replace_keys and _replaces_on_change(k, old_in.get(k), new_in.get(k), on_changes)
        )
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
    if moved:
        notes.append(
            f"the stack moves from {regions[0]} to {regions[1]}: every regional resource is replaced "
            "(`region` forces a new resource); global ones (IAM) stay"
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
    old_of = {c.urn: matched[c.urn] for c in changes if c.urn in matched}
    old_of.update({old.urn or old.key: old for old in before if old.custom and id(old) not in used})
    new_of = {r.urn or r.key: r for r in after if r.custom}
    changes = [_detail(c, values.get(c.urn), old_of.get(c.urn), new_of.get(c.urn)) for c in changes]
    protected = {c.urn for c in changes if "blocked-by-protect" in c.flags}
    by_urn = {u.urn: u for u in upgrades}
    changes = [
        replace(c, consequences=(*c.consequences, _upgrade_consequence(u)))
        if (u := by_urn.get(c.urn)) is not None
        else c
        for c in changes
    ]
    return ChangeSet(
        sort_changes(flag(changes, upgrades)),
        "plan",
        max(unchanged, 0),
        notes,
        protected=protected,
        upgrades=upgrades,
    )


def _detail(
    change: Change,
    values: tuple[Mapping[str, Any], Mapping[str, Any]] | None,
    old: Resource | None,
    new: Resource | None,
) -> Change:
    """``change`` with its values (old -> new per key), the consequences AWS documents, and the flags its
    resource options give (``protect`` in the state: the `up` refuses to delete or replace it)."""
    diffs: tuple[KeyDiff, ...] = ()
    if values is not None:
        before, after = values
        diffs = tuple(KeyDiff(k, *_shown(before.get(k), after.get(k))) for k in change.keys)
        if change.caused_by:  # offline the held id does not change: say what changes it
            new_id = f"(new id of {', '.join(change.caused_by)})"
            diffs = tuple(KeyDiff(d.key, d.old, new_id) if d.old == d.new else d for d in diffs)
    flags = list(change.flags)
    old_opts = old.options if old is not None else {}
    new_opts = new.options if new is not None else {}
    # The engine refuses a delete when the state has `protect`, and a replacement only when the program
    # keeps it too ("we do allow unprotecting and replacing to happen in a single update cycle":
    # step_generator's `new.Protect && old.Protect`; sources.PULUMI_PROTECT).
    if old_opts.get("protect") and (
        change.action == "delete" or (change.action == "replace" and new_opts.get("protect"))
    ):
        flags.append("blocked-by-protect")
    if change.action == "replace" and new_opts.get("deleteBeforeReplace"):
        flags.append("delete-before-replace")
    if change.action in ("replace", "delete") and (old_opts.get("retainOnDelete")):
        flags.append("retain-on-delete")
    found = consequences(change, dict(values[0]) if values else {}, dict(values[1]) if values else {})
    return replace(change, diffs=diffs, consequences=found, flags=tuple(flags))


def _upgrade_consequence(u: MajorUpgrade) -> Consequence:
    # The downtime upgrades.py notes for a major upgrade (sources.MODIFY_DB_INSTANCE_MAJOR).
    return Consequence(
        "engineVersion",
        f"major version upgrade {u.engine} {u.old} -> {u.new}: the database is down while it upgrades",
        sources.MODIFY_DB_INSTANCE_MAJOR,
    )


def _shown(old: Any, new: Any) -> tuple[Any, Any]:
    """The two values of a changed key as the report may show them: a secret never (either side)."""
    if is_digest(old) or is_digest(new):
        return SECRET_CHANGED, SECRET_CHANGED
    return old, new


# ---- carrying a replacement over ---------------------------------------------------------------------
def _identities(r: Resource) -> tuple[set[str], set[str]]:
    """What a replacement of ``r`` changes that others may hold: its id and computed identifiers, except those
    built from an explicit name in its inputs (an explicit name is kept by the replacement); and, held as a
    whole value only, its id even when it is that explicit name. The engine knows a replacement's id only
    once it exists: during a preview every input holding the id is unknown, and an unknown forcing key
    replaces (a replaced Aurora cluster's instances, whose ``clusterIdentifier`` is ``cluster.id``)."""
    values = {r.id} if r.id else set()
    for k in _IDENTITY_KEYS:
        v = r.outputs.get(k)
        if isinstance(v, str):
            values.add(v)
    explicit = {
        v for k, v in r.inputs.items() if isinstance(v, str) and len(v) >= 6 and k not in r.secret_keys
    }
    out = {v for v in values if len(v) >= 6 and not is_unknown(v) and not any(e in v for e in explicit)}
    exact = {r.id} if r.id and len(r.id) >= 6 and not is_unknown(r.id) else set()
    return out, exact - out


def _holds(value: Any, needles: set[str], exact: set[str] | frozenset[str] = frozenset()) -> bool:
    if isinstance(value, str):
        return value in needles or value in exact or any(n in value for n in needles if len(n) >= 12)
    if isinstance(value, Mapping):
        return any(_holds(v, needles, exact) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds(v, needles, exact) for v in value)
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
            needles, exact = _identities(src)
            if not needles and not exact:
                continue
            for key, r in by_key.items():
                if key == src_key or key not in matched or key in replaced:
                    continue
                deps = r.options.get("propertyDependencies")
                # A key the program ignores keeps the state's value, the old identity included.
                ignored = {
                    str(p[0])
                    for e in r.options.get("ignoreChanges") or ()
                    if len(p := property_paths.parse(str(e))) == 1
                }
                holding = tuple(
                    k
                    for k, v in r.inputs.items()
                    if k not in r.secret_keys
                    and k not in ignored
                    and property_paths.WILDCARD not in ignored
                    and (
                        _holds(v, needles)
                        # The id alone (an explicit name): only where the input came from src (a
                        # name built the same way elsewhere is not its id).
                        or (_holds(v, set(), exact) and (deps is None or src_key in deps.get(k, ())))
                    )
                )
                if not holding:
                    continue
                forced = replacing_keys(
                    r.type,
                    holding,
                    matched[key].inputs,
                    r.inputs,
                    holds=partial(_holds, needles=needles, exact=exact),
                )
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
