"""``--probe``: invoke the function with the runtime's probe event and read back what really happened.

The runtime (``lambda_rds_runtime.probe``, wired in the example handler) answers
``{"lambda_rds_probe": true}`` with stages dns -> tcp -> tls -> credentials -> auth, each with ``ok``,
``ms`` and either details or an ``error``. ``lambda:Invoke`` is the one call doctor makes that is not a
read, and only with ``--probe``: it runs the function once (a fresh connection and ``SELECT 1``; it
writes nothing), so it is opt-in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PROBE_EVENT: dict[str, Any] = {"lambda_rds_probe": True}
STAGES: tuple[str, ...] = ("config", "dns", "tcp", "tls", "credentials", "auth")
# How long past the function's own timeout to wait for the answer (cold start, Lambda's overhead).
INVOKE_GRACE_S = 15

ProbeStatus = Literal["pass", "fail", "unsupported", "error"]


@dataclass
class ProbeResult:
    status: ProbeStatus
    summary: str
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    details: dict[str, Any] = field(
        default_factory=dict
    )  # engine, host, port, auth... as the runtime saw them

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "summary": self.summary,
            "stages": self.stages,
            "details": self.details,
        }


def parse(payload: bytes | str, function_error: str | None = None) -> ProbeResult:
    """Interpret an Invoke answer (the payload bytes and the ``FunctionError`` header, if any)."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if function_error:
        message = body.get("errorMessage") if isinstance(body, Mapping) else None
        kind = body.get("errorType") if isinstance(body, Mapping) else None
        return ProbeResult("fail", f"the function raised {kind or function_error}: {message or text[:300]}")
    if not isinstance(body, Mapping) or body.get("lambda_rds_probe") is not True or "stages" not in body:
        return ProbeResult(
            "unsupported",
            "the function did not answer the probe event: its handler must return "
            'lambda_rds_runtime.run_probe() for {"lambda_rds_probe": true} (see functions/app/handler.py); '
            f"it returned {text[:200]!r}",
        )
    stages = {str(k): dict(v) for k, v in dict(body["stages"]).items() if isinstance(v, Mapping)}
    details = {
        k: body[k] for k in ("engine", "host", "port", "database", "auth", "connect_timeout") if k in body
    }
    failed = next((name for name in STAGES if name in stages and not stages[name].get("ok")), None)
    if body.get("ok") and failed is None:
        return ProbeResult(
            "pass", "connected, authenticated and ran SELECT 1 from inside the function", stages, details
        )
    where = failed or "unknown stage"
    error = stages.get(where, {}).get("error", "no error reported")
    return ProbeResult("fail", f"{where} failed: {error}", stages, details)


def invoke(aws: Any, function: str, function_timeout: int) -> ProbeResult:
    """Invoke once (no SDK retries: a retry would run the function again) and parse the answer."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = aws.client(
        "lambda",
        retries={"mode": "standard", "total_max_attempts": 1},
        read_timeout=function_timeout + INVOKE_GRACE_S,
    )
    try:
        answer = client.invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(PROBE_EVENT).encode(),
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return ProbeResult("error", f"lambda:Invoke failed: {error.get('Code')}: {error.get('Message')}")
    except BotoCoreError as exc:
        return ProbeResult("error", f"lambda:Invoke failed: {exc}")
    payload = answer["Payload"].read() if answer.get("Payload") is not None else b""
    return parse(payload, answer.get("FunctionError"))


def stage_line(name: str, stage: Mapping[str, Any]) -> str:
    """``tcp   ok    0.8 ms  10.0.1.23`` (one stage for the text report)."""
    if stage.get("skipped"):
        return f"{name:<12} skip            ({stage['skipped']})"
    ms = f"{stage['ms']:.1f} ms" if isinstance(stage.get("ms"), (int, float)) else ""
    if not stage.get("ok"):
        return f"{name:<12} FAIL {ms:>10}  {stage.get('error', '')}"
    extras = {k: v for k, v in stage.items() if k not in ("ok", "ms")}
    detail = ", ".join(
        f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in extras.items()
    )
    return f"{name:<12} ok   {ms:>10}  {detail}".rstrip()
