"""Waivers: a reviewed, written exception to a policy for one resource (or all, with ``*``).

Sources: the stack config key ``lambda-rds:waivers`` in ``Pulumi.<stack>.yaml`` and a ``--waivers FILE``
(YAML, a list or ``{waivers: [...]}``). Each entry: ``{policy: "RDS.5", resource: "<logical name or *>",
reason: "..."}``. A waiver without a reason, or for a policy id that does not exist, is an error: a
silent exception is exactly what a review should catch.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lambda_rds.analysis.checks.policies import POLICIES, Finding, with_waiver


class WaiverError(ValueError):
    """A waiver that cannot be accepted (the message names the entry and the source)."""


@dataclass(frozen=True)
class Waiver:
    policy: str
    resource: str
    reason: str
    source: str

    def matches(self, finding: Finding) -> bool:
        return self.policy == finding.policy and fnmatch.fnmatchcase(finding.resource, self.resource)

    def to_json(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "resource": self.resource,
            "reason": self.reason,
            "source": self.source,
        }


def parse_waivers(raw: Any, source: str) -> list[Waiver]:
    """Validate waiver entries from one source (already parsed YAML/JSON, or a JSON string)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise WaiverError(f"{source}: waivers must be a list, got unparsable text") from exc
    if isinstance(raw, Mapping):
        raw = raw.get("waivers", [])
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise WaiverError(f"{source}: waivers must be a list of {{policy, resource, reason}}")
    known = {p.id for p in POLICIES}
    out = []
    for i, entry in enumerate(raw):
        where = f"{source} waivers[{i}]"
        if not isinstance(entry, Mapping):
            raise WaiverError(f"{where}: expected a mapping with policy, resource and reason")
        policy = str(entry.get("policy") or "").strip()
        resource = str(entry.get("resource") or "").strip()
        reason = str(entry.get("reason") or "").strip()
        if policy not in known:
            raise WaiverError(f"{where}: unknown policy {policy!r} (known: {', '.join(sorted(known))})")
        if not resource:
            raise WaiverError(f"{where}: resource is required (a logical name, or '*' for all)")
        if not reason:
            raise WaiverError(f"{where}: a waiver for {policy} on {resource} needs a written reason")
        out.append(Waiver(policy, resource, reason, source))
    return out


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver]) -> list[Finding]:
    """Mark each finding a waiver covers; the first matching waiver's reason is kept."""
    out = []
    for f in findings:
        w = next((w for w in waivers if w.matches(f)), None)
        out.append(with_waiver(f, f"{w.reason} ({w.source})") if w else f)
    return out
