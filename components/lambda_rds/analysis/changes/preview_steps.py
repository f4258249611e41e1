"""Reading ``pulumi preview --json`` step ops into a change set.

The engine's own step ops (``diffReasons`` / ``replaceReasons``), so a pull request with credentials and one
without read the same way as a diff against a base plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lambda_rds.analysis.changes.change_set import Action, Change, ChangeSet, sort_changes
from lambda_rds.analysis.changes.upgrades import flag, from_states
from lambda_rds.analysis.model.resources import Resource, name_from_urn

_PREVIEW_OPS: dict[str, Action | None] = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "read-replacement": "replace",
    "import-replacement": "replace",
    "discard-replaced": "replace",
    "same": None,
    "read": None,
    "refresh": None,
    "import": None,
    "discard": "delete",
    "remove-pending-replace": None,
}


def from_preview_steps(document: Mapping[str, Any] | str) -> ChangeSet:
    """The change list from ``pulumi preview --json``: one entry per resource from its step ops (a replacement
    appears as ``replace`` or as ``create-replacement``/``delete-replaced`` steps: one entry), keys from
    ``diffReasons`` (``detailedDiff`` paths as a fallback) and forcing keys from ``replaceReasons``."""
    doc = json.loads(document) if isinstance(document, str) else document
    by_urn: dict[str, Change] = {}
    old: dict[str, Resource] = {}
    protected: set[str] = set()
    keeps_protect: dict[str, bool] = {}
    unchanged = 0
    notes: list[str] = []
    for step in doc.get("steps") or []:
        urn = str(step.get("urn") or "")
        state = step.get("newState") or step.get("oldState") or {}
        type_token = str(state.get("type") or _type_from_urn(urn))
        if type_token == "pulumi:pulumi:Stack" or type_token.startswith("pulumi:providers:"):
            continue
        if state and state.get("custom") is False:
            continue
        op = str(step.get("op") or "")
        if op not in _PREVIEW_OPS:
            notes.append(f"unknown preview op {op!r} for {urn}")
            continue
        action = _PREVIEW_OPS[op]
        if action is None:
            if urn not in by_urn:
                unchanged += 1
            continue
        reasons = step.get("diffReasons") or step.get("diffs") or []
        if not reasons and isinstance(step.get("detailedDiff"), Mapping):
            reasons = [_top_key(p) for p in step["detailedDiff"]]
        keys = tuple(sorted({str(k) for k in reasons}))
        replace_keys = tuple(sorted({str(k) for k in step.get("replaceReasons") or []}))
        prior = by_urn.get(urn)
        if prior is not None:
            keys = tuple(sorted(set(keys) | set(prior.keys)))
            replace_keys = tuple(sorted(set(replace_keys) | set(prior.replace_keys)))
            if prior.action == "replace" or action == "replace":
                action = "replace"
        by_urn[urn] = Change(type_token, name_from_urn(urn), action, keys, replace_keys, urn)
        old_state = step.get("oldState") or {}
        if action in ("replace", "delete") and (old_state.get("inputs") or old_state.get("outputs")):
            # What the replaced or deleted resource was (a read replica?): data_at_risk reads it.
            old.setdefault(urn, _old_resource(urn, type_token, old_state))
        if action in ("replace", "delete") and old_state.get("protect") is True:
            protected.add(urn)  # Pulumi refuses to delete it (a reader protected by an earlier version?)
        if isinstance(step.get("newState"), Mapping):
            # A replacement is refused only when the program keeps `protect` too: unprotecting and replacing
            # in one `up` is allowed (sources.PULUMI_PROTECT_REPLACE_ENGINE).
            keeps_protect[urn] = keeps_protect.get(urn, False) or step["newState"].get("protect") is True
    protected = {
        u for u in protected if by_urn[u].action == "delete" or keeps_protect.get(u, True)
    }  # a replacement whose new state says nothing is kept as refused (the cautious reading)
    upgrades = from_states(doc.get("steps") or [])  # major engine upgrades: flagged, with a downtime note
    notes.extend(u.note() for u in upgrades)
    return ChangeSet(
        sort_changes(flag(list(by_urn.values()), upgrades)),
        "preview",
        unchanged,
        notes,
        old_resources=list(old.values()),
        protected=protected,
        upgrades=upgrades,
    )


def _old_resource(urn: str, type_token: str, state: Mapping[str, Any]) -> Resource:
    return Resource(
        type=type_token,
        name=name_from_urn(urn),
        id=str(state.get("id") or ""),
        inputs=dict(state.get("inputs") or {}),
        outputs=dict(state.get("outputs") or {}),
        parent=state.get("parent") or None,
        urn=urn,
    )


def _top_key(path: str) -> str:
    for sep in (".", "["):
        path = path.split(sep, 1)[0]
    return path


def _type_from_urn(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


__all__ = ["from_preview_steps"]
