"""Reading a doctor JSON report in tests: failed check ids, a check's fix step, its aws commands."""

from __future__ import annotations

from typing import Any


def failed_ids(report: dict[str, Any]) -> list[str]:
    return [v["id"] for v in report["verdicts"] if v["status"] == "fail"]


def step(report: dict[str, Any], check: str) -> dict[str, Any]:
    found = [s for s in report["fix_order"] if s["check"] == check]
    assert len(found) == 1, report["fix_order"]
    return dict(found[0])


def commands(st: dict[str, Any]) -> list[str]:
    return [c for f in st["fixes"] for c in f["aws_cli"]]
