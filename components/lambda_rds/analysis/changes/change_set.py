"""The change-set types: one ``Change`` per resource (create, update, replace, delete) in a ``ChangeSet``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

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
        return out


@dataclass
class ChangeSet:
    changes: list[Change] = field(default_factory=list)
    source: str = ""
    """``plan`` (diffed against a base plan) or ``preview`` (pulumi's own step ops)."""
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

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
