"""A cost estimate against a base plan's ``cost`` section: total delta and the lines that changed."""

from __future__ import annotations

from typing import Any

from lambda_rds.analysis.cost.model import CostEstimate


def diff(base: dict[str, Any], current: CostEstimate) -> dict[str, Any]:
    """This estimate against a base plan's ``cost`` section: total delta and the lines that changed."""
    base_lines = {f"{ln['resource']}|{ln['item']}": ln for ln in base.get("lines", [])}
    cur_lines = {ln.line_key: ln for ln in current.lines}
    changes = []
    for key in sorted(set(base_lines) | set(cur_lines)):
        before = base_lines.get(key, {}).get("monthly") or 0.0
        after_line = cur_lines.get(key)
        after = (after_line.monthly or 0.0) if after_line else 0.0
        if round(after - before, 4) != 0:
            status = "added" if key not in base_lines else "removed" if after_line is None else "changed"
            changes.append(
                {
                    "line": key,
                    "status": status,
                    "before": round(before, 2),
                    "after": round(after, 2),
                    "delta": round(after - before, 2),
                }
            )
    base_total = float(base.get("monthly_total") or 0.0)
    return {
        "base_total": round(base_total, 2),
        "total": current.total,
        "delta": round(current.total - base_total, 2),
        "changes": changes,
    }
