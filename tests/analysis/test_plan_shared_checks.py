"""Issue 21 defects 3, 5 and 6 judged by `plan` itself, offline, on raw pulumi_aws programs.

The doctor relies on the same checks (analysis/checks/reachability, analysis/model/paths), so a plan and a
doctor run give the same verdict for the same topology: these are the plan's side of that promise.
"""

from __future__ import annotations

from tests.analysis.conftest import PROGRAMS, PlanRun, RunPlan


def _plan(run_plan: RunPlan, name: str) -> PlanRun:
    return run_plan("--program", str(PROGRAMS / name), "--stack", "test")


# ---- 5. reserved concurrency 0 ---------------------------------------------------------------------------
def test_reserved_concurrency_zero_fails_every_call_throttled(run_plan: RunPlan) -> None:
    result = _plan(run_plan, "reserved_zero")
    assert result.code == 1
    assert {vid for vid, _ in result.failed()} == {"capacity.connections"}
    (v,) = result.verdicts("capacity.connections", "fail")
    assert v["subject"] == "fn" and "throttled" in v["summary"]
    assert any("reserved concurrency 0" in m for m in v["missing"])
    assert any(f.startswith("remove the reserved concurrency of fn") for f in v["fixes"])
    # "concurrency 0 <= 70 usable" is not a pass: the throttled function is not headroom.
    assert not [p for p in result.verdicts("capacity.connections", "pass") if "concurrency 0" in p["summary"]]


# ---- 6. NACL return traffic over the whole 1024-65535 Lambda uses ----------------------------------------
def test_nacl_admitting_replies_only_on_32768_65535_fails_naming_1024_32767(run_plan: RunPlan) -> None:
    result = _plan(run_plan, "nacl_partial_reply")
    assert result.code == 1
    (v,) = result.verdicts("reach.db-port", "fail")
    gap = [m for m in v["missing"] if "1024-32767" in m]
    assert gap and all("private-nacl" in m and "32768" not in m.split("ports", 1)[1] for m in gap), v
    assert any("from_port=1024, to_port=65535" in f and "egress=False" in f for f in v["fixes"]), v["fixes"]


# ---- 3. peering: a route in each direction ---------------------------------------------------------------
def test_peered_database_vpc_without_the_return_route_fails_naming_it(run_plan: RunPlan) -> None:
    result = _plan(run_plan, "peering_one_way")
    assert result.code == 1
    assert {vid for vid, _ in result.failed()} == {"reach.db-port"}
    (v,) = result.verdicts("reach.db-port", "fail")
    back = [m for m in v["missing"] if "no route back" in m]
    assert back and all("db-rt" in m for m in back), v["missing"]
    # One return route per function subnet, through the same peering connection.
    routes = [f for f in v["fixes"] if f.startswith("add route ") and "(the return route)" in f]
    assert {f.split()[2] for f in routes} == {"10.20.1.0/24", "10.20.2.0/24"}, v["fixes"]


def test_peered_database_vpc_with_routes_both_ways_passes(run_plan: RunPlan) -> None:
    result = _plan(run_plan, "peering_both_ways")
    assert result.failed() == [], result.failed()
    (v,) = result.verdicts("reach.db-port", "pass")
    assert any("route back" in e for e in v["evidence"]), v["evidence"]
