"""Issue 17, item 3: an exported MySQL log is empty unless its parameter switches it on. The plan checks
the parameter, not only the export: the AWS rule aws.rds.log-switched-on (mandatory) and the FSBP
policies RDS.9, RDS.34 and RDS.45."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from lambda_rds.analysis.checks.policies import POLICIES, Context, evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.databases import group_parameters
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_CLUSTER, T_CLUSTER_PARAM_GROUP, T_DB_INSTANCE, T_PARAM_GROUP
from lambda_rds.analysis.plan import analyze

from tests.analysis.builders import Topo, network
from tests.unit.conftest import build_component
from tests.unit.test_aws_rules_matrix import analysis_resources

RULE = "aws.rds.log-switched-on"
DEV = Context("dev", production=False)
GROUP_TYPES = (T_PARAM_GROUP, T_CLUSTER_PARAM_GROUP)


def _findings(resources: list[Resource], policy: str) -> list[str]:
    return [f.message for f in evaluate(build_model(resources), DEV) if f.policy == policy]


def _without(resources: list[Resource], *names: str) -> list[Resource]:
    """The component's resources with parameters ``names`` dropped from its parameter group: the group
    as today's main built it (TLS and timeouts only)."""

    def drop(props: Mapping[str, Any]) -> dict[str, Any]:
        if "parameters" not in props:
            return dict(props)
        return {**props, "parameters": [p for p in props["parameters"] if p["name"] not in names]}

    return [
        replace(r, inputs=drop(r.inputs), outputs=drop(r.outputs)) if r.type in GROUP_TYPES else r
        for r in resources
    ]


# ---- plan level: what the component builds -----------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "group_type", "switched"),
    [
        ("mysql", T_PARAM_GROUP, {"slow_query_log": "1", "log_output": "FILE"}),
        (
            "aurora-mysql",
            T_CLUSTER_PARAM_GROUP,
            {
                "slow_query_log": "1",
                "server_audit_logging": "1",
                "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
            },
        ),
    ],
)
def test_the_component_switches_its_exported_logs_on(
    engine: str, group_type: str, switched: dict[str, str]
) -> None:
    built = build_component({"engine": engine, "database": {"readers": 1}})
    (group,) = built.all(group_type)
    params = {p["name"]: (p["value"], p["applyMethod"]) for p in group.inputs["parameters"]}
    # Aurora: in the DB cluster parameter group, which every instance inherits; all dynamic: immediate.
    assert {k: params[k] for k in switched} == {k: (v, "immediate") for k, v in switched.items()}
    resources = analysis_resources(built)
    for policy in (RULE, "RDS.9", "RDS.34", "RDS.45"):
        assert _findings(resources, policy) == [], policy


@pytest.mark.parametrize(
    ("engine", "dropped", "needle"),
    [
        ("mysql", ("slow_query_log",), "slowquery is exported but slow_query_log is not set"),
        ("mysql", ("log_output",), "log_output is not set"),
        ("aurora-mysql", ("server_audit_logging", "server_audit_events"), "audit is exported"),
        ("aurora-mysql", ("slow_query_log",), "slowquery is exported but slow_query_log"),
    ],
)
def test_the_plan_blocks_an_exported_log_left_off(engine: str, dropped: tuple[str, ...], needle: str) -> None:
    resources = _without(analysis_resources(build_component({"engine": engine})), *dropped)
    report = analyze(resources, stack="dev")
    found = [f for f in report.findings if f.policy == RULE]
    assert found and all(f.blocking for f in found), [f.message for f in report.findings]
    assert any(needle in f.message for f in found), [f.message for f in found]
    assert report.exit_code == 1


def test_a_mysql_replica_is_judged_by_its_own_group() -> None:
    resources = _without(
        analysis_resources(build_component({"engine": "mysql", "database": {"readers": 1}})), "slow_query_log"
    )
    (rule,) = [p for p in POLICIES if p.id == RULE]
    tripped = {r.name for r, _ in rule.run(build_model(resources), DEV)}
    assert tripped == {"t-db", "t-db-replica-0"}


# ---- check level: hand-built databases --------------------------------------------------------------
def _mysql(exports: list[str], params: dict[str, str] | None) -> list[Resource]:
    t = Topo()
    n = network(t)
    extra: dict[str, Any] = {}
    if params is not None:
        t.add(
            T_PARAM_GROUP,
            "pg",
            "pg",
            name="pg",
            parameters=[{"name": k, "value": v} for k, v in params.items()],
        )
        extra["parameterGroupName"] = "pg"
    t.instance(
        "db",
        n.private,
        [n.db_sg],
        engine="mysql",
        version="8.4.3",
        enabledCloudwatchLogsExports=exports,
        **extra,
    )
    return t.resources


def _aurora_mysql(exports: list[str], params: dict[str, str]) -> list[Resource]:
    t = Topo()
    t.add(
        T_CLUSTER_PARAM_GROUP,
        "cpg",
        "cpg",
        name="cpg",
        parameters=[{"name": k, "value": v} for k, v in params.items()],
    )
    t.add(
        T_CLUSTER,
        "c1",
        "c1",
        engine="aurora-mysql",
        clusterIdentifier="c1",
        dbClusterParameterGroupName="cpg",
        enabledCloudwatchLogsExports=exports,
    )
    return t.resources


TLS = {"require_secure_transport": "1"}
SLOW_ON = {**TLS, "slow_query_log": "1", "log_output": "FILE"}
AUDIT_ON = {"require_secure_transport": "ON", "server_audit_logging": "1", "server_audit_events": "CONNECT"}


def test_rds9_checks_the_parameter_not_only_the_export() -> None:
    assert _findings(_mysql(["error", "slowquery"], SLOW_ON), "RDS.9") == []
    (default,) = _findings(_mysql(["error", "slowquery"], None), "RDS.9")[:1]
    assert "slow_query_log is not set" in default
    off = _findings(_mysql(["slowquery"], {**SLOW_ON, "slow_query_log": "0"}), "RDS.9")
    assert off and "slow_query_log is '0'" in off[0]
    assert _findings(_mysql(["error"], TLS), "RDS.9") == []  # the error log needs no parameter
    assert _findings(_mysql([], SLOW_ON), "RDS.9") == ["enabledCloudwatchLogsExports is empty"]


def test_rds34_needs_advanced_auditing_on_as_well_as_the_export() -> None:
    assert _findings(_aurora_mysql(["audit"], AUDIT_ON), "RDS.34") == []
    off = _findings(_aurora_mysql(["audit"], {"require_secure_transport": "ON"}), "RDS.34")
    assert len(off) == 2 and "server_audit_logging" in off[0] and "server_audit_events" in off[1]
    assert _findings(_aurora_mysql(["error"], AUDIT_ON), "RDS.34") == [
        "enabledCloudwatchLogsExports lacks 'audit'"
    ]


def test_rds45_reads_server_audit_logging_whatever_is_exported() -> None:
    assert _findings(_aurora_mysql(["error"], AUDIT_ON), "RDS.45") == []
    off = _findings(_aurora_mysql(["audit"], {**AUDIT_ON, "server_audit_logging": "0"}), "RDS.45")
    assert off == ["server_audit_logging is '0': Advanced Auditing writes no audit log"]


def test_postgres_exports_pass_with_the_default_group() -> None:
    t = Topo()
    n = network(t)
    t.instance("db", n.private, [n.db_sg], enabledCloudwatchLogsExports=["postgresql", "upgrade"])
    assert _findings(t.resources, RULE) == [] and _findings(t.resources, "RDS.9") == []


def test_a_group_outside_the_plan_is_not_judged() -> None:
    inputs = {"engine": "mysql", "enabledCloudwatchLogsExports": ["slowquery"]}
    elsewhere = Resource(T_DB_INSTANCE, "db", "db", inputs={**inputs, "parameterGroupName": "made-elsewhere"})
    assert group_parameters([elsewhere], elsewhere) is None
    assert _findings([elsewhere], RULE) == []
    default = Resource(T_DB_INSTANCE, "db", "db", inputs=inputs)  # RDS's default group: slow_query_log 0
    assert group_parameters([default], default) == {}
    assert _findings([default], RULE)


# ---- review of item 3: Aurora's log_output, parameter-name case, documented forms -------------------
def test_aurora_mysql_leaves_log_output_unset_and_the_plan_passes() -> None:
    # Review 1: FILE is Aurora MySQL's default; sending it is a known endless diff on cluster groups.
    every = ["audit", "error", "general", "instance", "slowquery"]
    built = build_component({"engine": "aurora-mysql", "database": {"log_exports": every}})
    (group,) = built.all(T_CLUSTER_PARAM_GROUP)
    names = {p["name"] for p in group.inputs["parameters"]}
    assert "log_output" not in names and {"general_log", "slow_query_log"} <= names
    resources = analysis_resources(built)
    for policy in (RULE, "RDS.34", "RDS.45"):
        assert _findings(resources, policy) == [], policy


def test_group_parameter_names_are_read_without_case() -> None:
    # Review 2: the provider lowercases names on send and read (terraform-provider-aws flex.go).
    upper = {"REQUIRE_SECURE_TRANSPORT": "1", "SLOW_QUERY_LOG": "1", "Log_Output": "FILE"}
    resources = _mysql(["slowquery"], upper)
    instance = next(r for r in resources if r.type == T_DB_INSTANCE)
    assert group_parameters(resources, instance) == {
        "require_secure_transport": "1",
        "slow_query_log": "1",
        "log_output": "FILE",
    }
    assert _findings(resources, RULE) == []
    # Two spellings with different values: what RDS keeps is not documented, so the log is not vouched for.
    both = _findings(_mysql(["slowquery"], {**SLOW_ON, "SLOW_QUERY_LOG": "0"}), RULE)
    assert both and "slow_query_log" in both[0]


@pytest.mark.parametrize(
    ("events", "policy"),
    [
        ("BOGUS", "RDS.45"),
        ("connect,query_ddl", "RDS.45"),
        ("CONNECT, QUERY_DDL", RULE),
        ("QUERY_DML_NO_SELECT", "RDS.34"),
    ],
)
def test_the_plan_reads_server_audit_events_as_aws_documents_them(events: str, policy: str) -> None:
    # Review 3: "Events must be specified in all caps, and there should be no white space between the
    # list elements" (Aurora's auditing page): anything else is not an audit log the plan vouches for.
    found = _findings(_aurora_mysql(["audit"], {**AUDIT_ON, "server_audit_events": events}), policy)
    assert found and "server_audit_events" in found[0], found


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("slow_query_log", "ON"),
        ("slow_query_log", "true"),
        ("log_output", "FILE,TABLE"),
        ("log_output", "file"),
    ],
)
def test_the_plan_reads_only_the_documented_log_values(parameter: str, value: str) -> None:
    # Review 4: AWS documents 1 for the flags and FILE for log_output.
    found = _findings(_mysql(["slowquery"], {**SLOW_ON, parameter: value}), RULE)
    assert found and f"{parameter} is {value!r}" in found[0], found
