"""One moto server per pytest session (per xdist worker), shared by every doctor test.

Scenarios never interfere: each builds its own VPC, names and function (see topology.py). A server that
cannot start fails the tests that need it, loudly; nothing is skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.doctor.moto_server import MotoServer, start_moto
from tests.doctor.topology import Account, Scenario, build

_names = itertools.count(1)


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    server = start_moto()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def account(moto: MotoServer) -> Account:
    return Account(moto.url)


@pytest.fixture
def scenario(account: Account) -> Callable[..., Scenario]:
    """``scenario(label, **knobs)``: a fresh topology with unique, RDS-valid names."""

    def make(label: str, **knobs: Any) -> Scenario:
        return build(account, f"{label}{next(_names):03d}", **knobs)

    return make
