"""Small helpers for API Gateway HTTP API (payload v2) and Lambda Function URL events."""

from __future__ import annotations

import base64
import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_JSON_HEADERS = {"content-type": "application/json"}
# One encoder for the life of the environment: json.dumps(..., separators=...) builds a new one per call,
# which is a measurable share of a ~100 us warm invocation.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str, ensure_ascii=False)


class HttpError(Exception):
    """An error answered with `status` and `{"error": message}`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def response(status: int, body: object, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A payload-v2 response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {**_JSON_HEADERS, **headers} if headers else dict(_JSON_HEADERS),
        "body": _ENCODER.encode(body),
    }


def raw_json_response(status: int, body: str) -> dict[str, Any]:
    """A response whose JSON body the caller already formatted (hot paths with a fixed shape)."""
    return {"statusCode": status, "headers": dict(_JSON_HEADERS), "body": body}


def error_response(error: HttpError) -> dict[str, Any]:
    """The JSON error document for an HttpError."""
    return response(error.status, {"error": error.message}, error.headers)


def request_line(event: object) -> tuple[str, str]:
    """(METHOD, path) from a payload-v2 event (`requestContext.http`), or v1 (`httpMethod`/`path`)."""
    if not isinstance(event, dict):
        raise HttpError(400, "the event is not an HTTP request")
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    if not isinstance(http, dict):
        http = {}
    method = http.get("method") or event.get("httpMethod")
    path = event.get("rawPath") or http.get("path") or event.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        raise HttpError(400, "the event is not an HTTP request")
    return method.upper(), path.rstrip("/") or "/"


def query_parameter(event: dict[str, Any], name: str) -> str | None:
    """One query-string value (the last one if repeated)."""
    params = event.get("queryStringParameters")
    if not isinstance(params, dict):
        if params:
            raise HttpError(400, "queryStringParameters must be an object")
        return None
    value = params.get(name)
    return value.rsplit(",", 1)[-1] if isinstance(value, str) else None


def json_body(event: dict[str, Any], max_bytes: int) -> object:
    """The decoded JSON body; 413 when larger than `max_bytes`, 400 when absent or not JSON."""
    raw = event.get("body")
    if raw is None or raw == "":
        raise HttpError(400, "a JSON body is required")
    if not isinstance(raw, str):
        raise HttpError(400, "the body must be a string")
    # Check the size before decoding anything: base64 inflates by 4/3, so the limit is applied to both.
    if len(raw) > (max_bytes * 4 // 3 + 4 if event.get("isBase64Encoded") else max_bytes):
        raise HttpError(413, f"the body is larger than {max_bytes} bytes")
    data: bytes | str = raw
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(raw, validate=True)
        except ValueError:
            raise HttpError(400, "the body is not valid base64") from None
        if len(data) > max_bytes:
            raise HttpError(413, f"the body is larger than {max_bytes} bytes")
    else:
        try:
            size = len(raw.encode("utf-8"))
        except UnicodeEncodeError:
            raise HttpError(400, "the body is not valid UTF-8 (it contains a lone surrogate)") from None
        if size > max_bytes:
            raise HttpError(413, f"the body is larger than {max_bytes} bytes")
    try:
        return json.loads(data)
    except RecursionError:
        raise HttpError(400, "the body is nested too deeply") from None
    except ValueError:  # also UnicodeDecodeError: bytes that are not UTF-8
        raise HttpError(400, "the body is not valid JSON") from None
