"""Read-scaling benchmark of reader routing (database.readers) against a local PostgreSQL 15 primary and
its hot standby (pg_basebackup -R), both with TLS; prints JSON. Baselines are measured in the same run.

Each caller is one execution environment: a thread with its own runtime `Database` (DB_AUTH=secret with an
in-process secret, TLS verify-full). The statement is a CPU-bound read (`SELECT count(*) FROM
generate_series(1, ROWS)`) so the servers, not the Python callers, are the bottleneck.

- writer_only: DB_READ_HOST unset, every read on the primary.
- writer_plus_reader: DB_READ_HOST = the standby, reads declared `read_only=True` go there.

Two workloads per number of read callers N:
- reads: only the N read callers (reads move from the primary to the standby: one server either way, so
  no gain is expected from one reader on its own; this is the honest baseline);
- reads_with_writer_load: plus 2 callers keeping the primary busy with statements not declared read-only
  (they always run on the writer): reads compete with them on the primary in writer_only mode.

CPU: on a machine with 2+ CPUs the primary is pinned to CPU 0 and the standby to CPU 1 (sched_setaffinity,
inherited by the backends they fork), standing in for two instances with their own capacity; the callers
are not pinned. Other load on the machine shows up as noise: compare ratios, not absolute numbers.

Usage: .venv/bin/python bench/readers.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions"), str(REPO / "tests" / "functions")]

import rt_replicas  # noqa: E402
import rt_servers  # noqa: E402  (the throwaway servers the runtime tests use)
from lambda_rds_runtime import Database, DbConfig  # noqa: E402
from lambda_rds_runtime.credentials import SecretSource  # noqa: E402

USER = "bench_reader"
PASSWORD = "bench-Reader-71"
DATABASE = "bench"
ROWS = 20000
QUERY = f"SELECT count(*) FROM generate_series(1, {ROWS})"
WRITE_LOAD_CALLERS = 2


def _database(pg: rt_servers.PostgresServer, tls: rt_servers.TlsFiles, read_host: str | None) -> Database:
    config = DbConfig(
        engine="postgres", host="localhost", port=pg.port, database=DATABASE, user=USER, auth="secret",
        secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:bench", ca_bundle=str(tls.ca),
        connect_timeout=5.0, region="us-east-1", read_host=read_host,
    )  # fmt: skip
    source = SecretSource(config, fetch=lambda: {"username": USER, "password": PASSWORD})
    return Database(config, source=source)


def _run(
    pg: rt_servers.PostgresServer,
    tls: rt_servers.TlsFiles,
    read_host: str | None,
    readers: int,
    writers: int,
    seconds: float,
) -> dict[str, Any]:
    """`readers` read callers (+ `writers` writer-load callers) for `seconds`; their throughput."""
    dbs = [_database(pg, tls, read_host) for _ in range(readers + writers)]
    for i, db in enumerate(dbs):  # connect before the clock starts (warm environments)
        db.query("SELECT 1", read_only=i < readers)
    counts = [0] * len(dbs)
    errors = [0]
    start = threading.Barrier(len(dbs) + 1)
    stop_at = [0.0]

    def caller(i: int) -> None:
        db = dbs[i]
        read_only = i < readers
        start.wait()
        n = 0
        while time.perf_counter() < stop_at[0]:
            try:
                db.query(QUERY, read_only=read_only)
                n += 1
            except Exception:
                errors[0] += 1
        counts[i] = n

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(len(dbs))]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    on_reader = sum(db._reads.reads_on_reader for db in dbs if db._reads is not None)
    for db in dbs:
        db.close()
    return {
        "read_qps": round(sum(counts[:readers]) / elapsed, 1),
        "write_load_qps": round(sum(counts[readers:]) / elapsed, 1) if writers else None,
        "reads_on_reader": on_reader,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke run)")
    args = parser.parse_args()
    seconds = 0.6 if args.quick else 2.0
    callers = (2, 4) if args.quick else (2, 4, 8)

    root = rt_servers.make_private_dir("lrds-bench-readers-")
    try:
        tls = rt_servers.TlsFiles(root)
        pg_dir = root / "pg"
        pg_dir.mkdir()
        os.chown(pg_dir, *rt_servers.service_ids())
        pg = rt_servers.PostgresServer(pg_dir, tls)
        pg.init()
        pg.start()
        standby = None
        try:
            pg.sql(f"CREATE ROLE {USER} LOGIN PASSWORD %s", (PASSWORD,))
            pg.sql(f"CREATE DATABASE {DATABASE} OWNER {USER}")
            standby = rt_replicas.pg_standby(pg, root / "standby")
            rt_replicas.pg_wait_replayed(pg, standby)
            pinned = (os.cpu_count() or 1) >= 2
            if pinned:
                assert pg.proc is not None and standby.proc is not None
                os.sched_setaffinity(pg.proc.pid, {0})
                os.sched_setaffinity(standby.proc.pid, {1})
            read_host = f"localhost:{standby.port}"
            results = []
            for n in callers:
                for workload, writers in (("reads", 0), ("reads_with_writer_load", WRITE_LOAD_CALLERS)):
                    base = _run(pg, tls, None, n, writers, seconds)
                    routed = _run(pg, tls, read_host, n, writers, seconds)
                    results.append(
                        {
                            "read_callers": n,
                            "workload": workload,
                            "writer_only": base,
                            "writer_plus_reader": routed,
                            "read_throughput_ratio": round(routed["read_qps"] / base["read_qps"], 2)
                            if base["read_qps"]
                            else None,
                        }
                    )
            report: dict[str, Any] = {
                "server": pg.sql("SELECT version()")[0][0].split(" on ")[0],
                "query": QUERY,
                "seconds_per_run": seconds,
                "cpu_pinning": "primary CPU 0, standby CPU 1" if pinned else "none (1 CPU)",
                "results": results,
                "errors": sum(r[m]["errors"] for r in results for m in ("writer_only", "writer_plus_reader")),
            }
        finally:
            if standby is not None:
                standby.close()
            pg.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
