"""The change-set types: one ``Change`` per resource (create, update, replace, delete) in a ``ChangeSet``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lambda_rds.analysis.changes.upgrades import MajorUpgrade

from lambda_rds.analysis.model.resources import Resource

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
    """What the action alone does not say: ``major-version-upgrade`` (an update with downtime)."""

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
        return out


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
    ``oldState.protect``): ``pulumi up`` refuses to delete them. A base plan does not record it."""
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


__all__ = ["ACTIONS", "Action", "Change", "ChangeSet", "sort_changes"]
