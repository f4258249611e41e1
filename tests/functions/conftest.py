"""Fixtures for the Lambda runtime tests: real servers (session-scoped, one set per xdist worker) and
per-test databases/users so tests never share state.

Tests that use a server carry an `xdist_group` mark so that, under `pytest -n 2 --dist loadgroup`, a
single worker owns each server (and only the workers that need a server start it).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FUNCTIONS = HERE.parents[1] / "functions"
for path in (str(FUNCTIONS), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import lambda_rds_runtime  # noqa: E402
import rt_servers  # noqa: E402
from rt_helpers import IAM_EMULATED_USER, LogCapture, MariaTarget, PgTarget  # noqa: E402

# -- servers --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server_root() -> Iterator[Path]:
    """A directory owned by the unprivileged service user, removed at the end of the session."""
    root = rt_servers.make_private_dir("lrds-rt-")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def tls(server_root: Path) -> rt_servers.TlsFiles:
    """Test CA, server certificate for "localhost", and an unrelated CA."""
    return rt_servers.TlsFiles(server_root)


@pytest.fixture(scope="session")
def pg(server_root: Path, tls: rt_servers.TlsFiles) -> Iterator[rt_servers.PostgresServer]:
    """PostgreSQL 15 with TLS, started once per worker.

    IAM emulation: a local server cannot verify IAM tokens, so the role IAM_EMULATED_USER is let in over
    TLS without a password check (`hostssl ... trust`): the runtime still signs and sends a real token.
    """
    directory = server_root / "pg"
    directory.mkdir()
    uid, gid = rt_servers.service_ids()
    os.chown(directory, uid, gid)
    server = rt_servers.PostgresServer(
        directory, tls, extra_hba=(f"hostssl all {IAM_EMULATED_USER} 127.0.0.1/32 trust",)
    )
    server.init()
    server.start()
    server.sql(f"CREATE ROLE {IAM_EMULATED_USER} LOGIN")
    yield server
    server.close()


@pytest.fixture(scope="session")
def mariadb(server_root: Path, tls: rt_servers.TlsFiles) -> Iterator[rt_servers.MariaDbServer]:
    """MariaDB with TLS required, started once per worker."""
    directory = server_root / "mariadb"
    directory.mkdir()
    server = rt_servers.MariaDbServer(directory, tls)
    server.init()
    yield server
    server.close()


@pytest.fixture(scope="session")
def pgbouncer(
    server_root: Path, tls: rt_servers.TlsFiles, pg: rt_servers.PostgresServer
) -> Iterator[rt_servers.PgBouncerServer]:
    """PgBouncer (transaction pooling, pool size 4) in front of `pg`."""
    directory = server_root / "pgbouncer"
    directory.mkdir()
    os.chown(directory, *rt_servers.service_ids())
    server = rt_servers.PgBouncerServer(directory, tls, pg, pool_size=4)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def moto(server_root: Path) -> Iterator[rt_servers.MotoServer]:
    """moto_server for Secrets Manager."""
    server = rt_servers.MotoServer(server_root)
    server.start()
    yield server
    server.close()


# -- per-test databases -----------------------------------------------------------------------------------


@pytest.fixture
def pg_target(pg: rt_servers.PostgresServer, tls: rt_servers.TlsFiles) -> PgTarget:
    """Fresh database + user on the worker's PostgreSQL."""
    return PgTarget(pg, tls)


@pytest.fixture
def maria_target(mariadb: rt_servers.MariaDbServer, tls: rt_servers.TlsFiles) -> MariaTarget:
    """Fresh database + user on the worker's MariaDB."""
    return MariaTarget(mariadb, tls)


# -- runtime state and logs -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Iterator[None]:
    """Each test starts without the shared Database of a previous test."""
    lambda_rds_runtime.reset_database()
    yield
    lambda_rds_runtime.reset_database()


@pytest.fixture
def runtime_logs() -> Iterator[LogCapture]:
    """Capture what lambda_rds_runtime logs during the test."""
    capture = LogCapture()
    logger = logging.getLogger("lambda_rds_runtime")
    logger.addHandler(capture)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    yield capture
    logger.removeHandler(capture)
    logger.setLevel(previous)
