"""Rotation steps against a database that misbehaves after the login (issue 18, items 9 and 10).

A TCP relay sits between the rotation function and the real server (TLS passes through it end to end). It
can freeze (connections stay open and acknowledged, nothing is forwarded any more: a hung server or
proxy) or cut a connection right after forwarding a request, dropping the server's answer (the server
applied the statement; the client never learns it). A Rotator subclass arms the relay at the precise
moment (after the login, before the statement): the database, Secrets Manager (moto) and the rotation
code are all real.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lambda_rds_runtime.rotation import CUT_MARGIN_S, RotationError, Rotator, Target
from rt_helpers import LogCapture, bounded
from rt_relay import Relay
from rt_servers import PostgresServer
from test_rt_rotation import STEPS, Deployed, _check_rotated
from test_rt_rotation import maria_app as maria_app  # the fixtures, re-exported for pytest
from test_rt_rotation import pg_app as pg_app

BOUND_S = 2.0  # the rotation's bound is its connect timeout (DB_CONNECT_TIMEOUT) ...
CUT_S = BOUND_S + CUT_MARGIN_S  # ... on the server; a silent one is cut 0.5 s later


class FaultyRotator(Rotator):
    """The rotation code unchanged; the relay is armed after the login (`freeze_after_login`) or right
    before the password change (`cut_after_change`)."""

    def __init__(self, app_: Deployed, relay: Relay) -> None:
        target = Target(app_.engine, "localhost", relay.port, app_.database, str(app_.tls.ca), BOUND_S)
        super().__init__(app_.rotator.client, target, expected_secret=app_.arn)
        self.relay = relay
        self.freeze_after_login = False
        self.cut_after_change = False

    def _login(self, user: str, password: str) -> Any:
        conn = super()._login(user, password)
        if conn is not None and self.freeze_after_login:
            self.relay.frozen.set()
        return conn

    def _change_password(self, conn: Any, user: str, password: str) -> None:
        if self.cut_after_change:
            self.relay.cut_armed.set()
        super()._change_password(conn, user, password)


@pytest.fixture
def pg_relay(pg_app: Deployed) -> Iterator[Relay]:
    relay = Relay(pg_app.port)
    yield relay
    relay.close()


@pytest.fixture
def maria_relay(maria_app: Deployed) -> Iterator[Relay]:
    relay = Relay(maria_app.port)
    yield relay
    relay.close()


def _event(app_: Deployed, token: str, step: str) -> dict[str, str]:
    return {"SecretId": app_.arn, "ClientRequestToken": token, "Step": step}


# -- item 9: a database that freezes after accepting the login --------------------------------------------


def _frozen_after_login(app_: Deployed, relay: Relay, logs: LogCapture, engine: str) -> None:
    token = app_.begin()
    assert app_.step(token, "createSecret") == "created"
    faulty = FaultyRotator(app_, relay)
    faulty.freeze_after_login = True

    # setSecret: the login with AWSCURRENT succeeds, then the password change gets no answer.
    error, set_elapsed = bounded(lambda: faulty.handle(_event(app_, token, "setSecret")), 20)
    assert isinstance(error, RotationError), error
    assert "did not answer the password change within 2.5s" in str(error) and "outcome is unknown" in str(
        error
    )

    # testSecret: the direct path sets the password; then the frozen login path is tested.
    relay.frozen.clear()
    assert app_.step(token, "setSecret") == "set"  # the retry converges (the frozen relay dropped it)
    error, test_elapsed = bounded(lambda: faulty.handle(_event(app_, token, "testSecret")), 20)
    assert isinstance(error, RotationError), error
    assert "did not answer SELECT 1 with the AWSPENDING password within 2.5s" in str(error)

    print(
        f"\nfrozen {engine}: setSecret gave up after {set_elapsed:.2f}s, testSecret after {test_elapsed:.2f}s"
    )
    for elapsed in (set_elapsed, test_elapsed):
        assert CUT_S - 0.1 < elapsed < CUT_S + 1.5  # the cut, plus the (quick) logins before it
    timeouts = logs.named("rotation_timeout")
    assert [(e["step"], e["statement"]) for e in timeouts] == [
        ("setSecret", "the password change"),
        ("testSecret", "SELECT 1 with the AWSPENDING password"),
    ]
    assert all(e["level"] == "ERROR" and e["bound_s"] == CUT_S for e in timeouts)
    relay.frozen.clear()
    for step in STEPS[2:]:
        app_.step(token, step)
    _check_rotated(app_, app_.password)


@pytest.mark.xdist_group("postgres")
def test_rotation_steps_are_bounded_when_postgres_freezes_after_the_login(
    pg_app: Deployed, pg_relay: Relay, runtime_logs: LogCapture
) -> None:
    _frozen_after_login(pg_app, pg_relay, runtime_logs, "postgres")


@pytest.mark.xdist_group("mariadb")
def test_rotation_steps_are_bounded_when_mariadb_freezes_after_the_login(
    maria_app: Deployed, maria_relay: Relay, runtime_logs: LogCapture
) -> None:
    _frozen_after_login(maria_app, maria_relay, runtime_logs, "mariadb")


# -- item 10: the answer to the password change is lost ----------------------------------------------------


def _answer_lost(app_: Deployed, relay: Relay) -> None:
    token = app_.begin()
    assert app_.step(token, "createSecret") == "created"
    pending = str(app_.stage("AWSPENDING")["password"])
    faulty = FaultyRotator(app_, relay)
    faulty.cut_after_change = True
    with pytest.raises(RotationError) as info:
        faulty.handle(_event(app_, token, "setSecret"))
    message = str(info.value)
    assert relay.cut_done.is_set(), message  # the cut happened where intended: after the server's answer
    assert "outcome is unknown" in message and "a retry converges" in message
    assert "refused" not in message and "still works" not in message
    assert pending not in message and app_.password not in message
    # What really happened: the server applied it (only the new password works) ...
    assert app_.logs_in(pending) and not app_.logs_in(app_.password)
    # ... and Secrets Manager's retry converges.
    assert app_.step(token, "setSecret") == "already-set"
    for step in STEPS[2:]:
        app_.step(token, step)
    _check_rotated(app_, app_.password)


@pytest.mark.xdist_group("postgres")
def test_lost_answer_to_set_secret_is_reported_as_unknown_on_postgres(
    pg_app: Deployed, pg_relay: Relay
) -> None:
    _answer_lost(pg_app, pg_relay)


@pytest.mark.xdist_group("mariadb")
def test_lost_answer_to_set_secret_is_reported_as_unknown_on_mariadb(
    maria_app: Deployed, maria_relay: Relay
) -> None:
    _answer_lost(maria_app, maria_relay)


# -- item 9, server side: a live database that waits on a lock ---------------------------------------------


@pytest.mark.xdist_group("postgres")
def test_set_secret_waiting_on_a_lock_ends_in_a_clean_refusal(pg_app: Deployed, pg: PostgresServer) -> None:
    """Another session holds the role's row (an uncommitted ALTER ROLE): the server's own statement
    timeout ends the wait before the client cut, so nothing changed and the step says so."""
    token = pg_app.begin()
    pg_app.step(token, "createSecret")
    rotator = Rotator(
        pg_app.rotator.client,
        Target("postgres", "localhost", pg_app.port, pg_app.database, str(pg_app.tls.ca), BOUND_S),
        expected_secret=pg_app.arn,
    )
    holder = pg.admin()
    holder.autocommit = False
    try:
        with holder.cursor() as cur:
            cur.execute(f'ALTER ROLE "{pg_app.user}" CONNECTION LIMIT 50')  # locks the role's row
        error, elapsed = bounded(lambda: rotator.handle(_event(pg_app, token, "setSecret")), 15)
    finally:
        holder.rollback()  # (also frees a step that was never bounded)
        holder.close()
    print(f"\nlock wait on postgres: setSecret refused after {elapsed:.2f}s")
    assert isinstance(error, RotationError), error
    assert "refused the new password" in str(error) and "statement timeout" in str(error)
    assert "the old one still works" in str(error)
    assert BOUND_S - 0.1 < elapsed < CUT_S  # the server's timeout, before the client would cut
    assert pg_app.logs_in(pg_app.password)
    for step in STEPS[1:]:
        pg_app.step(token, step)
    _check_rotated(pg_app, pg_app.password)
