"""The doctor report: the verdicts about one function, the fixes in order, the probe; as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lambda_rds.analysis.checks import capacity, reachability
from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.views import Database, Model, Proxy
from lambda_rds.doctor import fixes, live_checks
from lambda_rds.doctor.probe import STAGES, ProbeResult, stage_line
from lambda_rds.doctor.source import Snapshot

REPORT_VERSION = 1
_STATUS = {"pass": "PASS", "fail": "FAIL", "unknown": "????"}


@dataclass
class DoctorReport:
    snapshot: Snapshot
    model: Model
    verdicts: list[Verdict]
    steps: list[fixes.Step]
    probe: ProbeResult | None = None
    api_calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.failed]

    @property
    def blocking_status(self) -> list[str]:
        return [n.message for n in self.snapshot.status if n.blocking]

    @property
    def exit_code(self) -> int:
        """1 when a check failed, AWS reports a state nothing can connect through (a stopped database, an
        unavailable proxy target), or the probe measured a failure; 0 otherwise (unknowns do not fail)."""
        probe_failed = self.probe is not None and self.probe.failed
        return 1 if self.failed or self.blocking_status or probe_failed else 0

    def to_json(self) -> dict[str, Any]:
        statuses = [v.status for v in self.verdicts]
        snap = self.snapshot
        return {
            "version": REPORT_VERSION,
            "tool": "lambda-rds doctor",
            "result": "fail" if self.exit_code else "pass",
            "function": {
                "name": snap.function,
                "arn": snap.function_arn,
                "region": snap.region,
                "account": self.model.account_id,
            },
            "target": target_json(self.model, snap),
            "shared_with": snap.siblings,
            "summary": {
                "checks": len(statuses),
                "passed": statuses.count("pass"),
                "failed": statuses.count("fail"),
                "unknown": statuses.count("unknown"),
            },
            "verdicts": [v.to_json() for v in self.verdicts],
            "fix_order": [s.to_json() for s in self.steps],
            "aws_status": [n.to_json() for n in snap.status],
            "alarms": [a.to_json() for a in snap.alarms],
            "probe": self.probe.to_json() if self.probe else None,
            "notes": list(snap.notes),
            "read_only": True,
            "api_calls": dict(sorted(self.api_calls.items())),
            "seconds": round(self.seconds, 3),
        }


def diagnose(snapshot: Snapshot) -> tuple[Model, list[Verdict], list[fixes.Step]]:
    """Run the analysis's own checks over what was read; keep the verdicts about this function's path."""
    model = build_model(snapshot.resources)
    # The account's own concurrency quota (GetAccountSettings) where it could be read, else AWS's default.
    limit = snapshot.account_concurrency_limit or capacity.ACCOUNT_CONCURRENCY
    verdicts = [v for v in reachability.evaluate(model, limit) if v.subject in snapshot.related]
    verdicts = live_checks.review(
        model, snapshot.function, verdicts, vpc_dns=snapshot.vpc_dns, vpc_zones=snapshot.vpc_zones
    )
    verdicts.sort(key=lambda v: fixes.rank(v.id))
    return model, verdicts, fixes.plan_steps(verdicts, model, snapshot.function)


def _target_of(model: Model, snap: Snapshot) -> Proxy | Database | None:
    fn = next((f for f in model.functions if f.name == snap.function), None)
    return model.target_of(fn) if fn is not None else None


def target_json(model: Model, snap: Snapshot) -> dict[str, Any]:
    match = snap.target
    out: dict[str, Any] = {
        "kind": match.kind,
        "identifier": match.identifier,
        "endpoint": match.endpoint,
        "matched": match.how,
    }
    target = _target_of(model, snap)
    if isinstance(target, Proxy):
        out.update(
            port=target.port,
            engine_family=target.engine_family,
            require_tls=target.require_tls,
            iam_auth=target.iam_auth,
            targets=list(target.target_names),
        )
    elif isinstance(target, Database):
        max_conn = capacity.db_max_connections(target)
        out.update(
            port=target.port,
            engine=target.engine,
            engine_version=target.engine_version,
            instance_classes=list(target.instance_classes),
            max_connections=max_conn,
        )
    return out


def _target_line(model: Model, snap: Snapshot) -> str:
    t = target_json(model, snap)
    if t["kind"] == "proxy":
        targets = ", ".join(t.get("targets", [])) or "none"
        what = f"RDS Proxy {t['identifier']} ({t.get('engine_family', '?')}, targets {targets})"
    else:
        classes = ", ".join(t.get("instance_classes") or []) or "serverless"
        engine = " ".join(str(x) for x in (t.get("engine"), t.get("engine_version")) if x) or "?"
        what = f"{t['kind']} {t['identifier']} ({engine}, {classes})"
    port = f":{t['port']}" if t.get("port") else ""
    return f"Database: {what} at {t['endpoint']}{port} ({t['matched']})"


def render_text(report: DoctorReport) -> str:
    snap, model = report.snapshot, report.model
    out = [
        f"lambda-rds doctor: function {snap.function} ({snap.region}"
        + (f", account {model.account_id}" if model.account_id else "")
        + ")",
        _target_line(model, snap),
    ]
    if snap.siblings:
        out.append(f"Sharing its connections: {', '.join(snap.siblings)}")
    if snap.status:
        out += ["", "AWS reports"] + [f"  {'!' if n.blocking else '-'} {n.message}" for n in snap.status]
    if snap.alarms:
        out += ["", f"Alarms in ALARM ({len(snap.alarms)}, warn)"] + [f"  ! {a.line()}" for a in snap.alarms]
    statuses = [v.status for v in report.verdicts]
    out += [
        "",
        f"Checks ({len(statuses)}: {statuses.count('pass')} pass, {statuses.count('fail')} fail, "
        f"{statuses.count('unknown')} unknown)",
    ]
    for v in report.verdicts:
        target = f" -> {v.target}" if v.target else ""
        out.append(f"  {_STATUS[v.status]} {v.id:<21} {v.subject}{target}: {v.summary}")
        if v.status == "pass" and v.evidence:
            out.append(f"       · {v.evidence[0]}")
        elif v.status == "unknown":
            out += [f"       ? {m}" for m in v.missing]
    if report.steps:
        out += ["", "Fix, in this order"]
        for step in report.steps:
            v = step.verdict
            target = f" -> {v.target}" if v.target else ""
            out.append(f"  {step.number}. {v.id}  {v.subject}{target}: {v.summary}")
            out += [f"     cause: {m}" for m in v.missing]
            for fix in step.fixes:
                if fix.same_as_step is not None:
                    out.append(f"     fix:   {fix.text}  (same as step {fix.same_as_step})")
                    continue
                out.append(f"     fix:   {fix.text}")
                out += [f"       {'' if c.startswith('#') else '$ '}{c}" for c in fix.commands]
    if report.probe is not None:
        probe = report.probe
        out += ["", 'Probe (lambda:Invoke with {"lambda_rds_probe": true})']
        for name in STAGES:
            if name in probe.stages:
                out.append(f"  {stage_line(name, probe.stages[name])}")
        out.append(f"  => {probe.status}: {probe.summary}")
    if snap.notes:
        out += ["", "Notes"] + [f"  - {n}" for n in snap.notes]
    failed = len(report.failed)
    verdict = "PASS" if report.exit_code == 0 else "FAIL"
    reasons = []
    if failed:
        reasons.append(f"{failed} check(s) failed")
    if report.blocking_status:
        reasons.append(f"AWS reports {'; '.join(report.blocking_status)}")
    if report.probe is not None and report.probe.failed:
        reasons.append("the probe failed")
    calls = sum(n for op, n in report.api_calls.items() if not op.endswith(":Invoke"))
    out += [
        "",
        f"Result: {verdict}" + (f" ({', '.join(reasons)})" if reasons else ""),
        f"Read only: {calls} Describe/Get/List call(s) in {report.seconds:.1f} s"
        + (" and 1 lambda:Invoke (--probe)" if report.probe is not None else "")
        + "; nothing in the account was changed.",
    ]
    return "\n".join(out) + "\n"


def render(report: DoctorReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    return render_text(report)
