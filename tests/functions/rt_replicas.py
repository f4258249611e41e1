"""Read replicas of the test servers, for reader routing (database.readers, issue 13 item 2).

- PostgreSQL: a hot standby made with `pg_basebackup -R` from the running primary (streaming replication
  over the primary's Unix socket), on its own port, with the primary's TLS files and pg_hba.conf.
- MariaDB: a source with a binary log and a read-only replica (`CHANGE MASTER TO ... MASTER_SSL=1`),
  both fresh servers (the shared MariaDB runs with --skip-log-bin).

Every wait is bounded (rt_servers.wait_until).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import rt_servers

REPLICATION_USER = "repl"
REPLICATION_PASSWORD = "repl-Secret-7d1e"  # throwaway servers only


def allow_local_replication(primary: rt_servers.PostgresServer) -> None:
    """Let the superuser stream WAL over the primary's Unix socket (`local replication all trust`)."""
    hba = primary.data / "pg_hba.conf"
    line = "local replication all trust"
    if line not in hba.read_text():
        with hba.open("a") as f:
            f.write(line + "\n")
        primary.reload()


def pg_standby(primary: rt_servers.PostgresServer, directory: Path) -> rt_servers.PostgresServer:
    """A hot standby of `primary` in `directory`, started and accepting TLS logins."""
    uid, gid = rt_servers.service_ids()
    directory.mkdir()
    os.chown(directory, uid, gid)
    allow_local_replication(primary)
    standby = rt_servers.PostgresServer(directory, primary.tls)

    def backup() -> bool:
        done = subprocess.run(
            [str(rt_servers.PG_BIN / "pg_basebackup"), "-D", str(standby.data), "-R", "-X", "stream",
             "-h", str(primary.directory), "-p", str(primary.port), "-U", primary.superuser, "--no-sync",
             "-c", "fast"],
            capture_output=True, user=uid, group=gid, extra_groups=[], timeout=60,
        )  # fmt: skip
        if done.returncode != 0:  # pg_hba.conf reload is asynchronous: retry until it took effect
            subprocess.run(["rm", "-rf", str(standby.data)], check=False)
            raise RuntimeError(done.stderr.decode(errors="replace")[-500:])
        return True

    rt_servers.wait_until(backup, 20, "pg_basebackup")
    with (standby.data / "postgresql.conf").open("a") as conf:
        conf.write(f"\nport = {standby.port}\nunix_socket_directories = '{directory}'\nhot_standby = on\n")
    standby.start()
    return standby


def pg_wait_replayed(primary: rt_servers.PostgresServer, standby: rt_servers.PostgresServer) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    target = primary.sql("SELECT pg_current_wal_lsn()::text")[0][0]

    def caught_up() -> bool:
        rows = standby.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))
        return bool(rows[0][0])

    rt_servers.wait_until(caught_up, 15, "standby replay")


class MariaPair:
    """A MariaDB source (binary log) and a read-only replica of it."""

    def __init__(self, root: Path, tls: rt_servers.TlsFiles) -> None:
        (root / "source").mkdir()
        (root / "replica").mkdir()
        self.source = rt_servers.MariaDbServer(
            root / "source", tls, extra_args=("--log-bin=mysql-bin", "--server-id=1", "--binlog-format=ROW")
        )
        self.replica = rt_servers.MariaDbServer(
            root / "replica", tls, extra_args=("--server-id=2", "--read-only=ON", "--relay-log=relay-bin")
        )

    def start(self) -> None:
        self.source.init()
        self.replica.init()
        self.source.sql(f"CREATE USER '{REPLICATION_USER}'@'%%' IDENTIFIED BY %s", (REPLICATION_PASSWORD,))
        self.source.sql(f"GRANT REPLICATION SLAVE ON *.* TO '{REPLICATION_USER}'@'%'")
        log_file, position = self.source.sql("SHOW MASTER STATUS")[0][:2]
        self.replica.sql(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER=%s, MASTER_PASSWORD=%s, "
            "MASTER_LOG_FILE=%s, MASTER_LOG_POS=%s, MASTER_SSL=1, MASTER_CONNECT_RETRY=1",
            (self.source.port, REPLICATION_USER, REPLICATION_PASSWORD, log_file, position),
        )
        self.replica.sql("START SLAVE")

    def wait_replayed(self) -> None:
        """Until the replica has applied everything the source has logged so far."""
        log_file, position = self.source.sql("SHOW MASTER STATUS")[0][:2]

        def caught_up() -> bool:
            rows = self.replica.sql("SELECT MASTER_POS_WAIT(%s, %s, 1)", (log_file, position))
            if rows[0][0] is None:  # replication threads not running
                status = self.replica.sql("SHOW SLAVE STATUS")
                raise RuntimeError(f"replica not replicating: {status!r}"[:1000])
            return rows[0][0] >= 0

        rt_servers.wait_until(caught_up, 15, "MariaDB replica")

    def close(self) -> None:
        for server in (self.replica, self.source):
            with contextlib.suppress(Exception):
                server.close()
