"""The change-set types: one ``Change`` per resource (create, update, replace, delete) in a ``ChangeSet``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lambda_rds.analysis.changes.upgrades import MajorUpgrade

from lambda_rds.analysis.model.resources import Resource

RESOURCE_OPTIONS = ("protect", "ignoreChanges", "deleteBeforeReplace", "replaceOnChanges", "retainOnDelete")
"""The Pulumi resource options a plan JSON records per resource (``options``) and the change list honours."""

Action = Literal["create", "update", "replace", "delete"]
ACTIONS: tuple[Action, ...] = ("replace", "delete", "create", "update")


@dataclass(frozen=True)
class Change:
    type: str
    name: str
    action: Action
    keys: tuple[str, ...] = ()
    """Input keys that changed (for a replacement: all of them; ``replace_keys`` are the forcing ones)."""
    replace_keys: tuple[str, ...] = ()
    urn: str = ""
    renamed_from: str | None = None
    """The earlier name, when an alias carried the resource over."""
    caused_by: tuple[str, ...] = ()
    """For a replacement carried over from another: the replaced resources whose identity it holds."""
    flags: tuple[str, ...] = ()
    """What the action alone does not say: ``major-version-upgrade`` (an update with downtime),
    ``blocked-by-protect``, ``delete-before-replace``, ``retain-on-delete``."""
    diffs: tuple[KeyDiff, ...] = ()
    """Per changed key, the value before and after (a secret as ``changed (secret)``, never its value)."""
    consequences: tuple[Consequence, ...] = ()
    """What AWS documents the change does besides (a reboot, downtime, dropped connections), with sources."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "action": self.action,
            "keys": list(self.keys),
        }
        if self.replace_keys:
            out["replace_keys"] = list(self.replace_keys)
        if self.renamed_from:
            out["renamed_from"] = self.renamed_from
        if self.caused_by:
            out["caused_by"] = list(self.caused_by)
        if self.flags:
            out["flags"] = list(self.flags)
        if self.diffs:
            out["diff"] = {d.key: {"old": d.old, "new": d.new} for d in self.diffs}
        if self.consequences:
            out["consequences"] = [c.to_json() for c in self.consequences]
        return out


@dataclass(frozen=True)
class KeyDiff:
    """One changed input key: its value before and after (JSON values; ``changed (secret)`` for a secret on
    both sides, so neither value is ever written)."""

    key: str
    old: Any
    new: Any

    def short(self, width: int = 48) -> str:
        """``key: old -> new`` on one line, long values cut (the JSON report has them whole)."""
        if self.old == self.new:  # a secret: the same mark on both sides
            return f"{self.key}: {self.old}"
        return f"{self.key}: {_short(self.old, width)} -> {_short(self.new, width)}"


def _short(value: Any, width: int) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # the engine sends numbers as floats: 70.0 is 70
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Consequence:
    """What AWS documents a change does besides changing the value, and where it says so."""

    key: str
    text: str
    source: str
    """A URL (the AWS page that documents it)."""

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "text": self.text, "source": self.source}


@dataclass
class ChangeSet:
    changes: list[Change] = field(default_factory=list)
    source: str = ""
    """``plan`` (diffed against a base plan) or ``preview`` (pulumi's own step ops)."""
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    old_resources: list[Resource] = field(default_factory=list)
    """The replaced or deleted resources as they were, where the source says (a preview's old state): what
    ``data_at_risk`` reads when there is no base plan."""
    protected: set[str] = field(default_factory=set)
    """URNs of the replaced or deleted resources whose old state has Pulumi ``protect`` on (a preview's
    ``oldState.protect``, a base plan's ``options.protect``): ``pulumi up`` refuses to delete them."""
    upgrades: list[MajorUpgrade] = field(default_factory=list)
    """Databases whose engine version crosses a major (``upgrades.py``): noted, and judged by
    ``upgrade_findings``."""

    def of(self, action: Action) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    def summary(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in ACTIONS} | {"unchanged": self.unchanged}

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.changes]


def sort_changes(changes: Iterable[Change]) -> list[Change]:
    """Changes in report order: by action (``ACTIONS``), then type, then name."""
    order = {a: i for i, a in enumerate(ACTIONS)}
    return sorted(changes, key=lambda c: (order[c.action], c.type, c.name))


__all__ = [
    "ACTIONS",
    "RESOURCE_OPTIONS",
    "Action",
    "Change",
    "ChangeSet",
    "Consequence",
    "KeyDiff",
    "sort_changes",
]
