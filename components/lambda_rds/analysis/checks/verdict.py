"""The reachability verdict type and how one is made from a path answer.

A verdict has a stable id, its subject and target, pass / fail / unknown, and the evidence that made it
pass or the missing piece and the fix (see checks/reachability/ for the ids)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_rds.analysis.model.paths import PathResult, Status


@dataclass(frozen=True)
class Verdict:
    id: str
    subject: str
    target: str | None
    status: Status
    summary: str
    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "target": self.target,
            "status": self.status,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "missing": list(self.missing),
            "fixes": list(self.fixes),
        }


def from_path(vid: str, subject: str, target: str | None, result: PathResult, ok: str, bad: str) -> Verdict:
    summary = ok if result.status == "pass" else bad if result.status == "fail" else f"{bad} (unknown)"
    return Verdict(
        vid,
        subject,
        target,
        result.status,
        summary,
        tuple(result.evidence),
        tuple(result.missing + result.unknown),
        tuple(dict.fromkeys(result.fixes)),
    )
