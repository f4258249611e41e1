"""The CA bundle the layer carries at ``/opt/lambda_rds/ca-bundle.pem`` (the runtime's ``DB_CA_BUNDLE``).

It trusts two kinds of endpoint (REFERENCE.md, RDS and RDS Proxy):
- RDS and Aurora instances present certificates from the RDS CAs: the RDS global bundle, downloaded at build
  time and checked against a pinned sha256, or a PEM file the user supplies;
- RDS Proxy endpoints present ACM certificates: the Amazon Root CAs 1-4 and Starfield Services Root G2,
  taken from the ``certifi`` package and selected by pinned SHA-256 fingerprints (stricter than matching
  subjects; the tests check with ``cryptography`` that the subjects are exactly those five).
A layer is never built without the RDS part: when it cannot be had, ``PackagingError`` says what to do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import os
import re
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from lambda_rds.packaging.model import PackagingError

RDS_GLOBAL_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
# NOT verified against AWS from the machine that wrote this (no internet there). AWS publishes no digest; this
# is the sha256 of two independent public copies of the bundle committed 2025-07 and 2026-03 (102
# certificates, 156,220 bytes, LF line endings). AWS re-issues the bundle when it adds regions or CAs: then
# the build fails with both digests, and you set LAMBDA_RDS_RDS_CA_SHA256 (or LayerSpec.rds_ca_sha256) to
# the new one after checking it, or pass the file yourself with LayerSpec.ca_bundle.
RDS_GLOBAL_BUNDLE_SHA256 = "05c6b4a9bf4daa95c888711481e19cc8e2e11aed4de8db759f51f4a6fce64917"
URL_ENV = "LAMBDA_RDS_RDS_CA_URL"
SHA256_ENV = "LAMBDA_RDS_RDS_CA_SHA256"
DOWNLOAD_TIMEOUT_S = 30.0
_MAX_BUNDLE_BYTES = 4 * 1024 * 1024  # the real bundle is ~160 KB; anything near this is not a CA bundle

# Subject (RFC 4514) -> SHA-256 fingerprint of the DER certificate, as published by Amazon Trust Services
# (https://www.amazontrust.com/repository/) and cross-checked against certifi and the JDK's cacerts tests.
AMAZON_ROOTS: tuple[tuple[str, str], ...] = (
    ("CN=Amazon Root CA 1,O=Amazon,C=US", "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e"),
    ("CN=Amazon Root CA 2,O=Amazon,C=US", "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4"),
    ("CN=Amazon Root CA 3,O=Amazon,C=US", "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4"),
    ("CN=Amazon Root CA 4,O=Amazon,C=US", "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092"),
    (
        "CN=Starfield Services Root Certificate Authority - G2,O=Starfield Technologies\\, Inc.,"
        "L=Scottsdale,ST=Arizona,C=US",
        "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
    ),
)

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.DOTALL)
_HEX64 = re.compile(r"[0-9a-f]{64}")


def pem_certificates(data: bytes, *, source: str) -> list[bytes]:
    """The DER certificates in a PEM text, in order; a corrupt block is an error naming ``source``."""
    ders: list[bytes] = []
    for number, match in enumerate(_PEM_BLOCK.finditer(data), start=1):
        try:
            ders.append(base64.b64decode(b"".join(match.group(1).split()), validate=True))
        except binascii.Error as exc:
            raise PackagingError(f"{source}: certificate #{number} is not valid base64 ({exc})") from exc
    return ders


def der_to_pem(der: bytes) -> bytes:
    """Canonical PEM (64-column base64, LF endings) so the bundle bytes never depend on the input's layout."""
    text = base64.b64encode(der)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def amazon_roots(cacert: Path | None = None) -> list[bytes]:
    """The five Amazon roots (DER, in ``AMAZON_ROOTS`` order) found in certifi's ``cacert.pem`` (or
    ``cacert``); fails naming any that is missing rather than shipping a bundle that rejects RDS Proxy."""
    if cacert is None:
        try:
            import certifi
        except ImportError as exc:
            raise PackagingError(
                "the layer's CA bundle needs the Amazon root CAs from the `certifi` package: "
                "pip install certifi"
            ) from exc
        cacert = Path(certifi.where())
    source = str(cacert)
    by_fingerprint = {fingerprint(der): der for der in pem_certificates(cacert.read_bytes(), source=source)}
    missing = [subject for subject, sha in AMAZON_ROOTS if sha not in by_fingerprint]
    if missing:
        raise PackagingError(
            f"{source} lacks Amazon root CA(s) {missing} needed for RDS Proxy endpoints; "
            "install a certifi release that carries them (any release since 2017 does)"
        )
    return [by_fingerprint[sha] for _, sha in AMAZON_ROOTS]


def expected_rds_sha256(override: str | None = None) -> str:
    """The digest the downloaded RDS bundle must have: ``override``, else ``$LAMBDA_RDS_RDS_CA_SHA256``,
    else the pinned ``RDS_GLOBAL_BUNDLE_SHA256``."""
    value = (override or os.environ.get(SHA256_ENV, "") or RDS_GLOBAL_BUNDLE_SHA256).strip().lower()
    if not _HEX64.fullmatch(value):
        raise PackagingError(f"RDS CA bundle sha256 override {value!r} is not 64 hex digits ({SHA256_ENV})")
    return value


def rds_bundle_url(override: str | None = None) -> str:
    """Where the RDS bundle is downloaded from: ``override``, else ``$LAMBDA_RDS_RDS_CA_URL``, else AWS."""
    return (override or os.environ.get(URL_ENV, "") or RDS_GLOBAL_BUNDLE_URL).strip()


def _download(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise PackagingError(f"RDS CA bundle URL {url!r} must be http(s) (the sha256 pin gives integrity)")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read(_MAX_BUNDLE_BYTES + 1)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise PackagingError(
            f"could not download the RDS global CA bundle from {url}: {exc}. The layer is never built "
            "without the RDS CA: fetch the file yourself, check it, and pass LayerSpec(ca_bundle=<path>), "
            f"or point {URL_ENV} at a mirror"
        ) from exc
    if len(data) > _MAX_BUNDLE_BYTES:
        raise PackagingError(f"{url} returned more than {_MAX_BUNDLE_BYTES} bytes: not a CA bundle")
    return data


def fetch_rds_global_bundle(
    cache_dir: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> bytes:
    """The RDS global bundle, verified against its expected sha256; downloaded once, then read from
    ``cache_dir`` (the file name carries the digest, so a changed pin never reuses a stale copy)."""
    expected = expected_rds_sha256(sha256)
    cached = cache_dir / f"rds-global-bundle-{expected}.pem"
    if cached.is_file():
        data = cached.read_bytes()
        if fingerprint(data) == expected:
            return data
    source = rds_bundle_url(url)
    data = _download(source, timeout)
    actual = fingerprint(data)
    if actual != expected:
        raise PackagingError(
            f"the RDS global CA bundle from {source} has sha256 {actual}, but {expected} was expected. "
            "If AWS re-issued it (new regions or CAs), inspect the file and accept it with "
            f"{SHA256_ENV}={actual} (or LayerSpec(rds_ca_sha256=...)); or pass LayerSpec(ca_bundle=<path>)"
        )
    if not pem_certificates(data, source=source):
        raise PackagingError(f"{source} matched its sha256 but holds no PEM certificate")
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, cached)
    return data


def read_user_bundle(path: Path) -> bytes:
    """A user-supplied PEM bundle, refused when missing or when it holds no certificate."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PackagingError(f"LayerSpec.ca_bundle={str(path)!r} cannot be read: {exc}") from exc
    if not pem_certificates(data, source=str(path)):
        raise PackagingError(f"LayerSpec.ca_bundle={str(path)!r} holds no PEM certificate")
    return data


def assemble_bundle(rds_part: bytes, roots: list[bytes]) -> bytes:
    """``rds_part`` verbatim (it is what the digest pins), then each Amazon root it does not already hold."""
    present = {fingerprint(der) for der in pem_certificates(rds_part, source="RDS CA bundle")}
    body = rds_part if rds_part.endswith(b"\n") else rds_part + b"\n"
    extra = [der_to_pem(der) for der in roots if fingerprint(der) not in present]
    return body + b"".join(extra)


def layer_ca_bundle(
    cache_dir: Path,
    *,
    user_bundle: Path | None = None,
    url: str | None = None,
    sha256: str | None = None,
) -> bytes:
    """The complete bundle for the layer: RDS part (user file, else the pinned download) + Amazon roots."""
    rds_part = (
        read_user_bundle(user_bundle)
        if user_bundle is not None
        else fetch_rds_global_bundle(cache_dir, url=url, sha256=sha256)
    )
    return assemble_bundle(rds_part, amazon_roots())


def ca_identity(*, user_bundle: Path | None = None, sha256: str | None = None) -> str:
    """What the bundle's bytes depend on, computable offline: the user file's digest or the expected RDS
    digest, plus the pinned Amazon root fingerprints (their PEM text is ours, see ``der_to_pem``)."""
    if user_bundle is not None:
        rds = "user:" + fingerprint(read_user_bundle(user_bundle))
    else:
        rds = "rds-global:" + expected_rds_sha256(sha256)
    return rds + "|roots:" + ",".join(sha for _, sha in AMAZON_ROOTS)
