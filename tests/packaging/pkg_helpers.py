"""Helpers shared by the packaging tests (a module with a unique name: `conftest` is not importable safely
when several test folders each have one)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lambda_rds.packaging import Artifact, LayerSpec, build_layer, read_requirements

REPO = Path(__file__).resolve().parents[2]
# What the real builds install: exactly what the runtime ships with (a missing file fails the tests loudly).
REAL_REQUIREMENTS = read_requirements(REPO / "functions" / "requirements.txt")
PINNED = dict(line.split("==", 1) for line in REAL_REQUIREMENTS)  # {"psycopg2-binary": "2.9.13", ...}
RUNTIME_PACKAGE = "lambda_rds_runtime_fake"


@dataclass
class PemServer:
    """A 127.0.0.1 HTTP server answering ``/bundle.pem`` with ``body`` (404 elsewhere), counting requests."""

    body: bytes
    port: int = 0
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bundle.pem"


@contextlib.contextmanager
def serve_pem(body: bytes) -> Iterator[PemServer]:
    state = PemServer(body)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if self.path != "/bundle.pem":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-pem-file")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_runtime_package(root: Path) -> Path:
    package = root / RUNTIME_PACKAGE
    (package / "__pycache__").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Stand-in for the runtime package."""\nVERSION = "1"\n')
    (package / "connect.py").write_text("def connect():\n    return 'ok'\n")
    (package / "__pycache__" / "connect.cpython-312.pyc").write_bytes(b"\0junk")
    return package


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across processes (xdist workers), released when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class RealLayer:
    spec: LayerSpec
    cache_dir: Path
    artifact: Artifact
    seconds: float
    built_here: bool  # False: another worker built it first and this call was a cache hit
    rds_part: bytes  # the bytes the layer's CA bundle must start with


def build_real_layer(architecture: str, shared: Path, test_ca_pem: Path) -> RealLayer:
    """Build the real layer into ``shared/cache`` (the caller holds a lock, so concurrent workers wait and
    then hit the cache instead of running pip a second time)."""
    package = make_runtime_package(shared / "src")
    cache_dir = shared / "cache"
    rds_part = test_ca_pem.read_bytes()
    built_here = not list(cache_dir.glob(f"python3.12-{architecture}-*/*.zip"))
    if architecture == "arm64":
        # The user-supplied bundle path.
        spec = LayerSpec(REAL_REQUIREMENTS, "python3.12", architecture, (package,), ca_bundle=test_ca_pem)
        start = time.perf_counter()
        artifact = build_layer(spec, offline=False, cache_dir=cache_dir)
        seconds = time.perf_counter() - start
    else:
        # The download path, against the local stand-in for AWS's truststore, with the digest overridden.
        with serve_pem(rds_part) as server:
            spec = LayerSpec(
                REAL_REQUIREMENTS,
                "python3.12",
                architecture,
                (package,),
                rds_ca_url=server.url,
                rds_ca_sha256=hashlib.sha256(rds_part).hexdigest(),
            )
            start = time.perf_counter()
            artifact = build_layer(spec, offline=False, cache_dir=cache_dir)
            seconds = time.perf_counter() - start
            assert server.requests == (["/bundle.pem"] if built_here else [])
    return RealLayer(spec, cache_dir, artifact, seconds, built_here, rds_part)


# Parametrize a test over both architectures (indirect: the value goes to the `real_layer` fixture). Groups
# would keep each architecture on one worker, but pytest-xdist 3.8 cannot apply them under pytest 9 (it sets
# `item._nodeid`, which pytest 9 no longer reads), so the shared, locked cache above is what prevents a second
# pip run; the marks stay for when xdist is fixed.
both_architectures = pytest.mark.parametrize(
    "real_layer",
    [
        pytest.param("arm64", marks=pytest.mark.xdist_group("packaging-layer-arm64")),
        pytest.param("x86_64", marks=pytest.mark.xdist_group("packaging-layer-x86_64")),
    ],
    indirect=True,
)
