"""A minimal AWS Signature Version 4 implementation (standard library only).

Why not botocore: `import boto3` plus the first client costs ~300 ms of cold start on our 2-vCPU test box
(REFERENCE.md quotes ~170 ms + 60-100 ms on faster machines), which is more than the rest of the cold path
together. The two things the runtime signs (an rds-db:connect presigned URL and one Secrets Manager POST)
need ~60 lines. tests/functions/test_rt_sigv4.py checks the output byte-for-byte against botocore.

Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
"""

from __future__ import annotations

import hashlib
import hmac
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from .awscreds import AwsCredentials

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
# Headers botocore never signs (they may be rewritten in transit); we never send them while signing anyway.
_UNSIGNED_HEADERS = frozenset({"user-agent", "expect", "x-amzn-trace-id", "authorization"})


def quote(text: str) -> str:
    """RFC 3986 percent-encoding of everything but unreserved characters (what SigV4 requires).

    Same result as `urllib.parse.quote(text, safe="-_.~")`, without importing urllib (~4 ms).
    """
    data = text.encode("utf-8")
    if all(byte in _UNRESERVED for byte in data):
        return text
    return "".join(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in data)


def amz_date(epoch_seconds: float) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(epoch_seconds)))


def signing_key(secret_key: str, datestamp: str, region: str, service: str) -> bytes:
    """Derive the per-day, per-region, per-service key."""
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), datestamp)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def host_header(host: str, port: int, scheme: str = "https") -> str:
    """The `host` value that gets signed: lower-case, with the port unless it is the scheme's default."""
    default = 443 if scheme == "https" else 80
    name = host.lower()
    return name if port == default else f"{name}:{port}"


def presign_query(
    *,
    method: str,
    host: str,
    path: str,
    params: Iterable[tuple[str, str]],
    credentials: AwsCredentials,
    region: str,
    service: str,
    expires: int,
    epoch_seconds: float,
) -> str:
    """Return the query string of a presigned URL: operation params, auth params, then the signature.

    The parameter order of the returned string matches botocore's (operation params first, then
    X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Security-Token, -Signature), so
    tokens are byte-identical to `generate_db_auth_token` for the same clock and credentials.
    """
    timestamp = amz_date(epoch_seconds)
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    auth_params = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{credentials.access_key}/{scope}"),
        ("X-Amz-Date", timestamp),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    if credentials.token is not None:
        auth_params.append(("X-Amz-Security-Token", credentials.token))
    encoded = [(quote(k), quote(v)) for k, v in (*params, *auth_params)]
    canonical_request = "\n".join(
        (
            method,
            path,
            "&".join(f"{k}={v}" for k, v in sorted(encoded)),
            f"host:{host}\n",
            "host",
            EMPTY_SHA256,  # presigned GET: the (empty) payload is hashed, as botocore does over https
        )
    )
    signature = _signature(credentials.secret_key, timestamp, scope, region, service, canonical_request)
    query = "&".join(f"{k}={v}" for k, v in encoded)
    return f"{query}&X-Amz-Signature={signature}"


def sign_headers(
    *,
    method: str,
    host: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    credentials: AwsCredentials,
    region: str,
    service: str,
    epoch_seconds: float,
) -> dict[str, str]:
    """Return `headers` plus X-Amz-Date, X-Amz-Security-Token (if any), Host and Authorization."""
    timestamp = amz_date(epoch_seconds)
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    signed = dict(headers)
    signed["X-Amz-Date"] = timestamp
    if credentials.token is not None:
        signed["X-Amz-Security-Token"] = credentials.token
    canonical: dict[str, str] = {"host": host}
    for name, value in signed.items():
        lname = name.lower()
        if lname not in _UNSIGNED_HEADERS:
            canonical[lname] = " ".join(value.split())
    names = sorted(canonical)
    signed_names = ";".join(names)
    canonical_request = "\n".join(
        (
            method,
            path,
            "",
            "".join(f"{n}:{canonical[n]}\n" for n in names),
            signed_names,
            hashlib.sha256(body).hexdigest(),
        )
    )
    signature = _signature(credentials.secret_key, timestamp, scope, region, service, canonical_request)
    signed["Host"] = host
    signed["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_names}, Signature={signature}"
    )
    return signed


def _signature(
    secret_key: str, timestamp: str, scope: str, region: str, service: str, canonical_request: str
) -> str:
    string_to_sign = "\n".join(
        (ALGORITHM, timestamp, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest())
    )
    key = signing_key(secret_key, timestamp[:8], region, service)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
