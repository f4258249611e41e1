"""Through PgBouncer (the local stand-in for RDS Proxy): TLS to the pooler, reconnect after it restarts,
and many concurrent execution environments sharing a small server-side pool."""

from __future__ import annotations

import threading
import time

import pytest
from lambda_rds_runtime import Database
from rt_helpers import LogCapture, PgTarget
from rt_servers import PgBouncerServer

pytestmark = pytest.mark.xdist_group("postgres")


def via_bouncer(target: PgTarget, bouncer: PgBouncerServer) -> Database:
    bouncer.add_user(target.user, target.password)
    return target.database_for(port=bouncer.port)


def test_tls_verified_connection_through_the_pooler(pg_target: PgTarget, pgbouncer: PgBouncerServer) -> None:
    db = via_bouncer(pg_target, pgbouncer)
    assert db.query("SELECT current_user, current_database()") == [(pg_target.user, pg_target.database)]
    # PgBouncer -> PostgreSQL is TLS too (server_tls_sslmode = verify-full)
    assert pg_target.server.sql(
        "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = %s",
        (pg_target.user,),
    ) == [(True,)]


def test_reconnect_after_the_pooler_restarts(
    pg_target: PgTarget, pgbouncer: PgBouncerServer, runtime_logs: LogCapture
) -> None:
    db = via_bouncer(pg_target, pgbouncer)
    db.execute("CREATE TABLE t (id int)")
    pgbouncer.restart()
    db.execute("INSERT INTO t VALUES (1)")  # a write: the dead client socket is noticed before sending
    assert db.query("SELECT count(*) FROM t") == [(1,)]
    assert db.connects == 2
    assert len(runtime_logs.named("reconnect")) == 1


@pytest.mark.slow
def test_fifty_concurrent_callers_share_the_pool(pg_target: PgTarget, pgbouncer: PgBouncerServer) -> None:
    callers, calls_each = 50, 20
    pgbouncer.add_user(pg_target.user, pg_target.password)
    databases = [pg_target.database_for(port=pgbouncer.port) for _ in range(callers)]
    errors: list[BaseException] = []
    observed: list[int] = []
    done = threading.Event()

    def caller(db: Database) -> None:
        try:
            for _ in range(calls_each):
                assert db.query("SELECT 1 FROM pg_sleep(0.002)") == [(1,)]
        except BaseException as exc:
            errors.append(exc)

    def monitor() -> None:
        admin = pg_target.server.admin()
        try:
            with admin.cursor() as cur:
                while not done.is_set():
                    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (pg_target.user,))
                    observed.append(cur.fetchone()[0])
                    time.sleep(0.005)
        finally:
            admin.close()

    watcher = threading.Thread(target=monitor, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=caller, args=(db,), daemon=True) for db in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done.set()
    watcher.join(10)

    assert errors == []
    assert all(db.connects == 1 for db in databases)  # every environment kept its one client connection
    assert observed and max(observed) <= pgbouncer.pool_size
    assert max(observed) >= 2  # the pool was actually used concurrently
