"""`make bench` keeps working: the data-path benchmark runs (quick mode) and reports every number."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]
BENCH = Path(__file__).resolve().parents[2] / "bench" / "datapath.py"


def test_datapath_benchmark_quick_run() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=85, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    for key in ("warm_ratio", "cold_ratio", "reconnect_ratio_vs_per_invocation_connect"):
        assert isinstance(report[key], float) and report[key] > 0
    # Properties that hold however noisy the machine is (the ratio targets are for `make bench`):
    assert report["server_connections_after_1000_invocations"] == 1
    assert report["runtime_connects"] == 1
    assert report["reconnect_ratio_vs_per_invocation_connect"] > 5
    bouncer = report["pgbouncer_50_concurrent"]
    assert bouncer["errors"] == 0 and bouncer["within_pool"] is True
    assert bouncer["max_server_connections"] <= bouncer["pool_size"]
    assert bouncer["client_connections_per_caller"] == [1]
