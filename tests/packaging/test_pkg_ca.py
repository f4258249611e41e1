"""The layer's CA bundle: Amazon roots from certifi, the pinned RDS bundle download, user bundles."""

from __future__ import annotations

import hashlib
import socket
import ssl
import warnings
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lambda_rds.packaging import PackagingError, ca
from pkg_helpers import PemServer, serve_pem

EXPECTED_SUBJECTS = [
    "CN=Amazon Root CA 1,O=Amazon,C=US",
    "CN=Amazon Root CA 2,O=Amazon,C=US",
    "CN=Amazon Root CA 3,O=Amazon,C=US",
    "CN=Amazon Root CA 4,O=Amazon,C=US",
    "CN=Starfield Services Root Certificate Authority - G2,O=Starfield Technologies\\, Inc.,"
    "L=Scottsdale,ST=Arizona,C=US",
]


def load(der: bytes) -> x509.Certificate:
    with warnings.catch_warnings():
        # Starfield Services Root G2 has serial number 0, which cryptography warns about (RFC 5280).
        warnings.simplefilter("ignore")
        return x509.load_der_x509_certificate(der)


def certs_in(pem: bytes) -> list[x509.Certificate]:
    return [load(der) for der in ca.pem_certificates(pem, source="test")]


def test_amazon_roots_are_exactly_the_five_acm_roots() -> None:
    roots = [load(der) for der in ca.amazon_roots()]
    assert [c.subject.rfc4514_string() for c in roots] == EXPECTED_SUBJECTS
    for cert in roots:
        assert cert.subject == cert.issuer  # self-signed roots
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_subject_search_in_certifi_finds_the_same_five_and_no_other() -> None:
    """Independent of the pins: scan certifi's store by subject with cryptography."""
    by_subject = {}
    for der in ca.pem_certificates(Path(certifi.where()).read_bytes(), source="certifi"):
        cert = load(der)
        subject = cert.subject.rfc4514_string()
        org = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        if (org and org[0].value == "Amazon") or "Starfield Services Root" in subject:
            by_subject[subject] = cert.fingerprint(hashes.SHA256()).hex()
    assert sorted(by_subject) == sorted(EXPECTED_SUBJECTS)
    picked = {hashlib.sha256(der).hexdigest() for der in ca.amazon_roots()}
    assert picked == set(by_subject.values())
    assert dict(ca.AMAZON_ROOTS) == by_subject


def test_a_store_without_an_amazon_root_is_refused(tmp_path: Path) -> None:
    store = Path(certifi.where()).read_bytes()
    root1 = ca.der_to_pem(ca.amazon_roots()[0])
    assert root1 in store  # certifi's PEM layout is the canonical one, so it can be cut out
    stripped = tmp_path / "cacert.pem"
    stripped.write_bytes(store.replace(root1, b""))
    with pytest.raises(PackagingError, match="Amazon Root CA 1"):
        ca.amazon_roots(stripped)


def test_download_checks_the_digest_and_caches(tmp_path: Path, pem_server: PemServer) -> None:
    digest = hashlib.sha256(pem_server.body).hexdigest()
    data = ca.fetch_rds_global_bundle(tmp_path, url=pem_server.url, sha256=digest)
    assert data == pem_server.body
    assert (tmp_path / f"rds-global-bundle-{digest}.pem").read_bytes() == data
    # Cached: a second fetch makes no request (it would even work offline).
    assert ca.fetch_rds_global_bundle(tmp_path, url=pem_server.url, sha256=digest) == data
    assert pem_server.requests == ["/bundle.pem"]


def test_digest_mismatch_names_both_digests_and_the_override(tmp_path: Path, pem_server: PemServer) -> None:
    actual = hashlib.sha256(pem_server.body).hexdigest()
    with pytest.raises(PackagingError) as failure:
        ca.fetch_rds_global_bundle(tmp_path, url=pem_server.url)  # the pinned digest: this is not AWS's file
    message = str(failure.value)
    assert actual in message and ca.RDS_GLOBAL_BUNDLE_SHA256 in message
    assert f"{ca.SHA256_ENV}={actual}" in message and "ca_bundle" in message
    assert not list(tmp_path.glob("*.pem"))  # nothing unverified is cached


def test_environment_overrides_url_and_digest(
    tmp_path: Path, pem_server: PemServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ca.URL_ENV, pem_server.url)
    monkeypatch.setenv(ca.SHA256_ENV, hashlib.sha256(pem_server.body).hexdigest().upper())
    assert ca.fetch_rds_global_bundle(tmp_path) == pem_server.body
    monkeypatch.setenv(ca.SHA256_ENV, "abc123")
    with pytest.raises(PackagingError, match="not 64 hex digits"):
        ca.expected_rds_sha256()


def test_defaults_point_at_aws_and_the_pin() -> None:
    assert ca.rds_bundle_url() == "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
    assert ca.expected_rds_sha256() == ca.RDS_GLOBAL_BUNDLE_SHA256


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_or_missing_bundle_is_a_clear_error(tmp_path: Path, pem_server: PemServer) -> None:
    digest = hashlib.sha256(pem_server.body).hexdigest()
    for url in (f"http://127.0.0.1:{_closed_port()}/bundle.pem", pem_server.url.replace("bundle", "nothing")):
        with pytest.raises(PackagingError, match="could not download the RDS global CA bundle") as failure:
            ca.fetch_rds_global_bundle(tmp_path, url=url, sha256=digest)
        assert "LayerSpec(ca_bundle=<path>)" in str(failure.value)
    with pytest.raises(PackagingError, match="must be http"):
        ca.fetch_rds_global_bundle(tmp_path, url="file:///etc/passwd", sha256=digest)


def test_a_body_without_certificates_is_refused_even_with_the_right_digest(tmp_path: Path) -> None:
    with serve_pem(b"<html>maintenance</html>") as server:
        digest = hashlib.sha256(server.body).hexdigest()
        with pytest.raises(PackagingError, match="holds no PEM certificate"):
            ca.fetch_rds_global_bundle(tmp_path, url=server.url, sha256=digest)


def test_downloaded_bundle_is_rds_part_then_amazon_roots(tmp_path: Path, pem_server: PemServer) -> None:
    digest = hashlib.sha256(pem_server.body).hexdigest()
    bundle = ca.layer_ca_bundle(tmp_path, url=pem_server.url, sha256=digest)
    assert bundle.startswith(pem_server.body)
    subjects = [c.subject.rfc4514_string() for c in certs_in(bundle)]
    assert subjects[1:] == EXPECTED_SUBJECTS and len(subjects) == 6
    # OpenSSL (what psycopg2 and PyMySQL verify with) accepts the whole file as a trust store.
    path = tmp_path / "bundle.pem"
    path.write_bytes(bundle)
    context = ssl.create_default_context(cafile=str(path))
    assert context.cert_store_stats()["x509_ca"] == 6


def test_user_bundle_replaces_the_download_and_duplicates_are_not_repeated(
    tmp_path: Path, test_ca_pem: Path
) -> None:
    root1 = ca.der_to_pem(ca.amazon_roots()[0])
    user = tmp_path / "mine.pem"
    user.write_bytes(test_ca_pem.read_bytes() + root1)
    bundle = ca.layer_ca_bundle(tmp_path, user_bundle=user, url="http://127.0.0.1:9/never-fetched")
    assert bundle.startswith(user.read_bytes())
    assert bundle.count(root1) == 1
    assert len(certs_in(bundle)) == 1 + 5


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_bad_user_bundle_is_refused(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bundle.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PackagingError, match=r"LayerSpec\.ca_bundle"):
        ca.layer_ca_bundle(tmp_path, user_bundle=path)


def test_corrupt_base64_names_the_certificate() -> None:
    bad = b"-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n"
    with pytest.raises(PackagingError, match="certificate #1 is not valid base64"):
        ca.pem_certificates(bad, source="x.pem")
