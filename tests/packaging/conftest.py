"""Fixtures for the packaging tests: a test CA, a local HTTP server standing in for AWS's truststore, and
one real pip layer build per architecture per run, shared by the xdist workers through a locked cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from pkg_helpers import PemServer, RealLayer, build_real_layer, file_lock, serve_pem


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may read the developer's overrides or write into the checkout's .lambda-rds cache."""
    for name in (
        "LAMBDA_RDS_PACKAGING",
        "LAMBDA_RDS_RDS_CA_URL",
        "LAMBDA_RDS_RDS_CA_SHA256",
        "LAMBDA_RDS_PIP",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAMBDA_RDS_CACHE", str(tmp_path / "default-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the local PEM server must never go via a proxy
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the parent of the per-worker base temp), or this
    session's base temp without xdist."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / "lambda-rds-packaging"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def test_ca_pem(shared_dir: Path) -> Path:
    """A PEM file holding one generated CA certificate (stands in for the RDS global bundle); shared by
    the workers so their layer specs, and so their cache keys, are identical."""
    path = shared_dir / "test-rds-bundle.pem"
    with file_lock(shared_dir / "ca.lock"):
        if not path.is_file():
            path.write_bytes(trustme.CA().cert_pem.bytes())
    return path


@pytest.fixture
def pem_server(test_ca_pem: Path) -> Iterator[PemServer]:
    with serve_pem(test_ca_pem.read_bytes()) as server:
        yield server


@pytest.fixture(scope="session")
def _real_layers() -> dict[str, RealLayer]:
    """Built layers by architecture, kept for the whole session."""
    return {}


@pytest.fixture
def real_layer(
    request: pytest.FixtureRequest,
    shared_dir: Path,
    test_ca_pem: Path,
    _real_layers: dict[str, RealLayer],
) -> RealLayer:
    """The one real pip build per architecture per run (network to PyPI, or a local wheel cache).
    Tests choose the architecture with ``@both_architectures`` (pkg_helpers)."""
    architecture: str = request.param
    if architecture not in _real_layers:
        with pytest.MonkeyPatch.context() as env, file_lock(shared_dir / f"layer-{architecture}.lock"):
            for name in ("LAMBDA_RDS_RDS_CA_URL", "LAMBDA_RDS_RDS_CA_SHA256", "LAMBDA_RDS_PIP"):
                env.delenv(name, raising=False)
            env.setenv("NO_PROXY", "127.0.0.1,localhost")
            env.setenv("no_proxy", "127.0.0.1,localhost")
            _real_layers[architecture] = build_real_layer(architecture, shared_dir, test_ca_pem)
    return _real_layers[architecture]
