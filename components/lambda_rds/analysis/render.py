"""The plan report as a terminal text, a markdown pull-request comment, or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lambda_rds.analysis import diagram
from lambda_rds.analysis.changes.at_risk import DATA_TYPES
from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.cost import estimate as cost_mod
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import PlanReport

COMMENT_MARKER = "<!-- lambda-rds-plan -->"
_STATUS = {"pass": "PASS", "fail": "FAIL", "unknown": "????"}
_ICON = diagram.MARK


def _money(value: float | None) -> str:
    if value is None:
        return "unpriced"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _unit_price(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) < 0.01:
        return f"${value:.10f}".rstrip("0")
    text = f"{value:,.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def _qty(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"


def _short_type(token: str) -> str:
    """``aws:ec2/securityGroup:SecurityGroup`` -> ``ec2.SecurityGroup``."""
    parts = token.split(":")
    if len(parts) == 3:
        module = parts[1].split("/")[0]
        return f"{module}.{parts[2]}" if module not in ("index",) else f"{parts[0]}.{parts[2]}"
    return token


def tree_lines(resources: list[Resource]) -> Iterator[tuple[int, Resource]]:
    """Depth-first (depth, resource): components first, children under their parent, sorted by type and "
    "name."""
    keys = {r.key for r in resources}
    children: dict[str | None, list[Resource]] = {}
    for r in resources:
        parent = r.parent if r.parent in keys else None
        children.setdefault(parent, []).append(r)

    def walk(parent: str | None, depth: int) -> Iterator[tuple[int, Resource]]:
        for r in sorted(children.get(parent, []), key=lambda x: (x.custom, x.type, x.name)):
            yield depth, r
            yield from walk(r.key, depth + 1)

    yield from walk(None, 0)


def _result_line(report: PlanReport) -> str:
    failed = len(report.failed_verdicts)
    blocking = len(report.blocking_findings)
    if report.exit_code == 0:
        return "Result: PASS (no failed reachability check, no mandatory policy violated)"
    return f"Result: FAIL ({failed} failed reachability check(s), {blocking} mandatory policy violation(s))"


def _assumed_region(report: PlanReport) -> list[str]:
    """The one line saying which Region the plan assumed, when nothing named one (else none)."""
    if not report.model.region_assumed:
        return []
    return [
        f"Region: {report.model.region} assumed (no aws:region in the stack config, none in the resources): "
        "its AZs and prices are used; set aws:region to plan another"
    ]


def render_text(report: PlanReport, *, show_tree: bool = True) -> str:
    out: list[str] = []
    custom = sum(1 for r in report.resources if r.custom)
    out.append(
        f"lambda-rds plan: stack {report.stack} ({custom} resources, source: {report.source}"
        + (", production policies" if report.production else "")
        + ")"
    )
    out.extend(_changes_text(report))
    out.extend(_assumed_region(report))
    if show_tree:
        out.append("")
        out.append("Resources")
        for depth, r in tree_lines(report.resources):
            out.append(
                f"  {'  ' * depth}{_short_type(r.type)} {r.name}" + ("" if r.custom else "  [component]")
            )
    out.append("")
    paths = diagram.ascii_lines(report.model, report.verdicts)
    if paths:
        out.append("Topology")
        out.extend(f"  {line}" for line in paths)
        out.append("")
    statuses = [v.status for v in report.verdicts]
    out.append(
        f"Reachability ({len(statuses)} checks: {statuses.count('pass')} pass, {statuses.count('fail')} "
        "fail, "
        f"{statuses.count('unknown')} unknown)"
    )
    for v in report.verdicts:
        target = f" -> {v.target}" if v.target else ""
        out.append(f"  {_STATUS[v.status]} {v.id:<22} {v.subject}{target}: {v.summary}")
        for e in v.evidence if v.status != "pass" else v.evidence[:2]:
            out.append(f"         · {e}")
        for m in v.missing:
            out.append(f"         missing: {m}")
        for fix in v.fixes:
            out.append(f"         fix: {fix}")
    out.append("")
    blocking = len(report.blocking_findings)
    waived = sum(1 for f in report.findings if f.waived)
    out.append(f"Security findings ({len(report.findings)}: {blocking} blocking, {waived} waived)")
    for f in report.findings:
        level = "MANDATORY" if f.mandatory else "advisory"
        tail = f"  [waived: {f.waiver_reason}]" if f.waived else ""
        out.append(f"  {f.severity:<8} {level:<9} {f.policy:<18} {f.resource}: {f.message}{tail}")
        if f.source and not f.waived:
            out.append(f"{'':30}source: {f.source}")
    out.append("")
    out.extend(_cost_text(report))
    if report.messages:
        out.append("")
        out.append("Program messages")
        out.extend(f"  {m}" for m in report.messages)
    out.append("")
    out.append(_result_line(report))
    return "\n".join(out) + "\n"


def _headline(report: PlanReport) -> str:
    """``this PR replaces app-db, deletes app-old`` (what a reviewer reads first)."""
    cs = report.changes
    if cs is None:
        return ""
    parts = []
    for action, verb in (("replace", "replaces"), ("delete", "deletes")):
        # What holds data first: "this PR replaces app-db, ..." is what a reviewer must not miss.
        picked = [c for c in cs.changes if c.action == action]
        names = [c.name for c in sorted(picked, key=lambda c: c.type not in DATA_TYPES)]
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            parts.append(f"{verb} {shown}")
    if not parts:
        return "this PR replaces and deletes nothing"
    return "this PR " + "; ".join(parts)


_CHANGE_SOURCE = {"preview": "pulumi preview", "plan": "the base plan"}


def _changes_text(report: PlanReport) -> list[str]:
    cs = report.changes
    if cs is None:
        return []
    s = cs.summary()
    out = [
        "",
        f"Changes{' vs base' if cs.source == 'plan' else ''} ({s['replace']} replace, {s['delete']} delete, "
        f"{s['create']} create, "
        f"{s['update']} update, {s['unchanged']} unchanged; from {_CHANGE_SOURCE.get(cs.source, cs.source)})",
        f"  {_headline(report)}",
    ]
    for c in cs.changes:
        keys = c.replace_keys if c.action == "replace" and c.replace_keys else c.keys
        detail = ", ".join(keys)
        if c.action == "replace" and c.caused_by:
            detail += f" (via {', '.join(c.caused_by)})"
        out.append(
            f"  {c.action:<8} {_short_type(c.type):<28} {c.name}" + (f"  [{detail}]" if detail else "")
        )
        # Its flags, each changed key old -> new (a secret as "changed (secret)"), what AWS says it does.
        if c.flags:
            out.append(f"{'':13}flags: {', '.join(c.flags)}")
        out.extend(f"{'':13}{d.short()}" for d in c.diffs)
        out.extend(f"{'':13}consequence: {q.text} ({q.source})" for q in c.consequences)
        if "blocked-by-protect" in c.flags:
            out.append(f"{'':13}{_protect_way_out(c.urn, c.action)}")
    out.extend(f"  note: {n}" for n in cs.notes)
    return out


def _protect_way_out(urn: str, action: str = "delete") -> str:
    """What to do when `protect` blocks a delete or replacement (the `up` would fail at it). A replacement is
    refused only while the program keeps `protect` (sources.PULUMI_PROTECT_REPLACE_ENGINE): lifting it in
    the same change is enough; a delete needs one `up` without it first."""
    if action == "replace":
        return (
            "blocked by protect: `pulumi up` refuses to replace it. Way out: set protect=False in this same "
            f"change (or `pulumi state unprotect '{urn}'` first)"
        )
    return (
        "blocked by protect: `pulumi up` refuses to delete it. Way out: set protect=False and run "
        f"one `pulumi up` first (or `pulumi state unprotect '{urn}'`), then this change"
    )


def _changes_markdown(report: PlanReport) -> list[str]:
    cs = report.changes
    if cs is None:
        return []
    s = cs.summary()
    risky = any(f.policy == "LR.DATA-AT-RISK" and f.blocking for f in report.findings)
    cost = ""
    if report.cost_diff:
        d = report.cost_diff["delta"]
        cost = f" · cost {'+' if d >= 0 else ''}{_money(d)}/month ({_money(report.cost.total)})"
    out = [
        f"{'🛑' if risky else '🔁' if s['replace'] or s['delete'] else '✅'} **{_md(_headline(report))}** · "
        f"{s['replace']} replace · {s['delete']} delete · {s['create']} create · {s['update']} update{cost}",
        "",
    ]
    shown = [c for c in cs.changes if c.action in ("replace", "delete")] + [
        c for c in cs.changes if c.action in ("create", "update")
    ]
    if shown:
        out.append("| action | resource | type | keys |")
        out.append("|---|---|---|---|")
        for c in shown[:40]:
            keys = c.replace_keys if c.action == "replace" and c.replace_keys else c.keys
            diffs = {d.key: d for d in c.diffs}
            detail = ", ".join(
                f"`{k}` {_md(diffs[k].short(32).split(': ', 1)[1])}" if k in diffs else f"`{k}`" for k in keys
            )
            if c.caused_by:
                detail += f" (via {_md(', '.join(c.caused_by))})"
            if "blocked-by-protect" in c.flags:
                detail += " — **blocked by protect**"
            for q in c.consequences:
                detail += f"<br>{_md(q.text)} ([AWS]({q.source}))"
            action = f"**{c.action}**" if c.action in ("replace", "delete") else c.action
            out.append(f"| {action} | {_md(c.name)} | `{_short_type(c.type)}` | {detail} |")
        if len(shown) > 40:
            out.append(f"| | … {len(shown) - 40} more (see the JSON report) | | |")
        out.append("")
    out.extend(f"_{_md(n)}_" for n in cs.notes)
    if cs.notes:
        out.append("")
    return out


def _cost_text(report: PlanReport) -> list[str]:
    c = report.cost
    out = [
        f"Monthly cost ({c.currency}, {c.region}; Lambda free tier "
        f"{'applied' if c.free_tier else 'not applied'})"
    ]
    rows = [("resource", "item", "quantity", "unit price", "monthly", "grade")]
    for ln in c.lines:
        rows.append(
            (
                ln.resource,
                ln.item,
                f"{_qty(ln.quantity)} {ln.unit}",
                _unit_price(ln.unit_price),
                _money(ln.monthly),
                "-" if ln.monthly is None else ln.grade + (" †" if ln.flagged else ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for row in rows:
        out.append(
            "  "
            + "  ".join(
                cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
            )
        )
    incomplete = f" (partial: {len(c.unpriced)} line(s) unpriced, listed below)" if c.unpriced else ""
    out.append(
        f"  fixed {_money(c.subtotal('fixed'))}  usage {_money(c.subtotal('usage'))}  total "
        f"{_money(c.total)}/month{incomplete}"
    )
    if any(ln.flagged for ln in c.lines):
        out.append("  † grade C: single secondary source, unconfirmed against the AWS Price List")
    for ln in c.unpriced:
        out.append(f"  unpriced ({c.region}): {ln.resource} {ln.item} ({ln.source})")
    if c.not_included:
        items = ", ".join(n.item for n in c.not_included)
        out.append(f"  not included: {items}; add --usage FILE to price them")
        for n in c.not_included:
            out.append(f"    - {n.item}: {n.why}")
    out.extend(cost_mod.egress_comparison_text(c))
    if report.cost_diff:
        d = report.cost_diff
        out.append(
            f"  vs base: {_money(d['base_total'])} -> {_money(d['total'])} "
            f"({'+' if d['delta'] >= 0 else ''}{_money(d['delta'])})"
        )
        for ch in d["changes"]:
            out.append(f"    {ch['status']:<8} {ch['line']}: {_money(ch['before'])} -> {_money(ch['after'])}")
    out.append("  sources: run with --format json for each line's price source")
    return out


def render_markdown(report: PlanReport) -> str:
    out: list[str] = []
    icon = "✅" if report.exit_code == 0 else "❌"
    custom = sum(1 for r in report.resources if r.custom)
    statuses = [v.status for v in report.verdicts]
    delta = ""
    if report.cost_diff:
        d = report.cost_diff["delta"]
        delta = f" ({'+' if d >= 0 else ''}{_money(d)} vs base)"
    out.append(f"### {icon} lambda-rds plan: `{report.stack}`")
    out.append("")
    out.extend(f"{line}\n" for line in _assumed_region(report))
    out.extend(_changes_markdown(report))
    out.append(
        f"**{custom} resources** · **reachability** {statuses.count('pass')} pass / "
        f"{statuses.count('fail')} fail / "
        f"{statuses.count('unknown')} unknown · **findings** {len(report.findings)} "
        f"({len(report.blocking_findings)} blocking) · **{_money(report.cost.total)}/month**{delta}"
    )
    out.append("")
    picture = diagram.mermaid(report.model, report.verdicts)
    if picture:
        out.extend(["<details open><summary>Topology</summary>", "", "```mermaid", picture, "```", "",
                    "</details>", ""])  # fmt: skip
    problems = [v for v in report.verdicts if v.status != "pass"]
    passes = [v for v in report.verdicts if v.status == "pass"]
    if problems:
        out.extend(_verdict_table(problems))
    else:
        out.append(f"All {len(passes)} reachability checks pass.")
    out.append("")
    if passes:
        out.append(f"<details><summary>Passing checks ({len(passes)})</summary>")
        out.append("")
        out.extend(_verdict_table(passes))
        out.append("")
        out.append("</details>")
        out.append("")
    if report.findings:
        out.append("<details><summary>Security findings</summary>")
        out.append("")
        out.append("| severity | policy | resource | finding |")
        out.append("|---|---|---|---|")
        for f in report.findings:
            policy = f"`{f.policy}`" + (" **mandatory**" if f.mandatory else "")
            msg = _md(f.message) + (f" _(waived: {_md(f.waiver_reason or '')})_" if f.waived else "")
            if f.source:
                msg += f" ([source]({f.source}))"
            out.append(f"| {f.severity} | {policy} | {_md(f.resource)} | {msg} |")
        out.append("")
        out.append("</details>")
        out.append("")
    out.append("<details><summary>Monthly cost</summary>")
    out.append("")
    out.append("| resource | item | quantity | unit price | monthly | source |")
    out.append("|---|---|---:|---:|---:|---|")
    for ln in report.cost.lines:
        grade = f"grade {ln.grade}" + (" ⚠️ unconfirmed" if ln.flagged else "")
        grade = "unpriced" if ln.monthly is None else grade
        out.append(
            f"| {_md(ln.resource)} | {_md(ln.item)} | {_qty(ln.quantity)} {ln.unit} | "
            f"{_unit_price(ln.unit_price)} | "
            f"{_money(ln.monthly)} | {grade}: `{', '.join(ln.price_keys)}` |"
        )
    unpriced = report.cost.unpriced
    partial = f" (partial: {len(unpriced)} unpriced)" if unpriced else ""
    out.append(f"| **total** | | | | **{_money(report.cost.total)}**{partial} | |")
    out.append("")
    if unpriced:
        out.append(f"**Unpriced in {report.cost.region}** (no price for this region; not in the total):")
        out.append("")
        out.extend(f"- {_md(ln.resource)}: {_md(ln.item)} (`{', '.join(ln.price_keys)}`)" for ln in unpriced)
        out.append("")
    if report.cost.not_included:
        out.append(
            "**Not included** (usage-dependent; add `--usage FILE` to price them): "
            + ", ".join(_md(n.item) for n in report.cost.not_included)
        )
        out.append("")
        out.extend(f"- {_md(n.item)}: {_md(n.why)}" for n in report.cost.not_included)
        out.append("")
    out.extend(cost_mod.egress_comparison_markdown(report.cost))
    if report.cost_diff and report.cost_diff["changes"]:
        out.append("Changes against the base branch:")
        out.append("")
        for ch in report.cost_diff["changes"]:
            out.append(
                f"- {ch['status']} `{_md(ch['line'])}`: {_money(ch['before'])} → {_money(ch['after'])}"
            )
        out.append("")
    out.append("</details>")
    out.append("")
    if report.messages:
        out.append("<details><summary>Program messages</summary>")
        out.append("")
        out.extend(f"- {_md(m)}" for m in report.messages)
        out.append("")
        out.append("</details>")
        out.append("")
    out.append("<details><summary>Resources</summary>")
    out.append("")
    out.append("```")
    for depth, r in tree_lines(report.resources):
        out.append(f"{'  ' * depth}{_short_type(r.type)} {r.name}" + ("" if r.custom else "  [component]"))
    out.append("```")
    out.append("")
    out.append("</details>")
    return "\n".join(out) + "\n"


def _verdict_table(verdicts: list[Verdict]) -> list[str]:
    rows = ["| | check | subject | detail |", "|---|---|---|---|"]
    for v in verdicts:
        target = f" → {v.target}" if v.target else ""
        detail = _md(v.summary)
        if v.missing:
            detail += "<br>missing: " + "<br>".join(_md(m) for m in v.missing)
        if v.fixes:
            detail += "<br>fix: " + "<br>".join(_md(f) for f in v.fixes)
        rows.append(f"| {_ICON[v.status]} | `{v.id}` | {_md(v.subject + target)} | {detail} |")
    return rows


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_json(report: PlanReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n"


def render(report: PlanReport, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)
