"""The alarm and dashboard specs, pure: thresholds against the sizing, names, dimensions, missing data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lambda_rds import settings
from lambda_rds.rules import alarms, dashboard, metrics, sizing
from lambda_rds.rules.alarms import AlarmSpec, Ref, alarm_specs
from lambda_rds.rules.regions import partition_of
from lambda_rds.settings.model import Settings


def resolved(args: dict[str, Any], name: str = "app") -> Settings:
    return settings.for_component(settings.resolve(args), project="lambda-rds", stack="dev", name=name)


def by_name(specs: list[AlarmSpec]) -> dict[str, AlarmSpec]:
    return {s.name: s for s in specs}


MATRIX = [
    {},
    {"proxy": True, "egress": "nat", "nat_gateways": "per_az", "az_count": 3},
    {"engine": "aurora-postgresql", "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 8}}},
    {"engine": "aurora-mysql", "proxy": True, "database": {"readers": 2}},
    {"engine": "mysql", "database": {"readers": 2}},
    {
        "functions": {
            "orders": {"code": "functions/app", "reserved_concurrency": 10},
            "report": {"code": "functions/app"},
        }
    },
]


@pytest.mark.parametrize("args", MATRIX)
def test_every_spec_is_one_aws_accepts(args: dict[str, Any]) -> None:
    specs = alarm_specs("app", resolved(args))
    assert specs
    for spec in specs:
        assert spec.problems() == [], spec.name
        assert spec.name.startswith("app-")
        assert spec.treat_missing_data in metrics.TREAT_MISSING_DATA
        assert spec.why
    assert len({s.name for s in specs}) == len(specs)  # names are unique within a component


def test_micro_connection_alarm_is_below_its_max_connections() -> None:
    s = resolved({"database": {"instance_class": "db.t4g.micro"}})
    spec = by_name(alarm_specs("app", s))["app-db-connections"]
    max_conn = sizing.max_connections("postgres", "db.t4g.micro")
    assert s.database.max_connections == max_conn
    assert spec.threshold < max_conn
    assert spec.threshold == int(alarms.CONNECTIONS_OF_MAX * max_conn)
    assert dict(spec.dimensions) == {"DBInstanceIdentifier": "lambda-rds-dev-app"}
    assert spec.statistic == "Maximum"


def test_function_alarms_follow_timeout_and_reserved_concurrency() -> None:
    s = resolved(
        {"functions": {"api": {"code": "functions/app", "timeout_s": 20, "reserved_concurrency": 20}}}
    )
    specs = by_name(alarm_specs("app", s))
    duration = specs["app-fn-duration-api"]
    assert duration.statistic == "p99" and duration.extended
    assert duration.threshold == 16000  # 80% of 20 s, in the metric's milliseconds
    assert specs["app-fn-concurrency-api"].threshold == 16
    assert specs["app-fn-errors-api"].dimensions == (("FunctionName", Ref("function", "api")),)
    for key in ("errors", "throttles", "duration", "concurrency"):
        assert specs[f"app-fn-{key}-api"].treat_missing_data == "notBreaching"


def test_unreserved_function_has_no_concurrency_alarm() -> None:
    s = resolved({"proxy": True})  # with a proxy, functions are unreserved by default
    assert all(fn.reserved_concurrency is None for fn in s.functions)
    assert not [x for x in alarm_specs("app", s) if x.signal == "fn-concurrency"]


def test_rds_instance_alarms_use_instance_dimension_and_storage() -> None:
    s = resolved({"database": {"allocated_storage_gb": 50}})
    specs = by_name(alarm_specs("app", s))
    storage = specs["app-db-storage"]
    assert storage.threshold == 5 * 1024**3  # 10% of 50 GB
    assert storage.comparison == "LessThanOrEqualToThreshold"
    memory = specs["app-db-memory"]
    assert memory.threshold == round(0.1 * sizing.nominal_memory_bytes("db.t4g.micro"))
    assert {x.treat_missing_data for x in specs.values() if x.signal.startswith("db-")} == {"missing"}


def test_aurora_uses_the_writer_role_and_has_no_storage_alarm() -> None:
    s = resolved({"engine": "aurora-postgresql", "database": {"instances": 2}})
    specs = by_name(alarm_specs("app", s))
    assert "app-db-storage" not in specs
    assert dict(specs["app-db-cpu"].dimensions) == {
        "DBClusterIdentifier": "lambda-rds-dev-app",
        "Role": "WRITER",
    }
    lag = specs["app-db-replica-lag"]
    assert lag.metric.name == "AuroraReplicaLag" and dict(lag.dimensions)["Role"] == "READER"
    assert lag.threshold == alarms.AURORA_REPLICA_LAG_MS


def test_serverless_capacity_alarm_and_auto_pause_missing_data() -> None:
    s = resolved(
        {"engine": "aurora-mysql", "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 4}}}
    )
    specs = by_name(alarm_specs("app", s))
    cap = specs["app-db-capacity"]
    assert cap.metric.name == "ACUUtilization" and cap.threshold == alarms.ACU_UTILIZATION_PERCENT
    assert "app-db-memory" not in specs  # capacity scales memory: the ACU alarm covers it
    # A paused database publishes nothing and is healthy.
    assert {x.treat_missing_data for x in specs.values() if x.signal.startswith("db-")} == {"notBreaching"}
    always_on = by_name(
        alarm_specs(
            "app", resolved({"engine": "aurora-mysql", "database": {"serverless_v2": {"min_capacity": 1}}})
        )
    )
    assert always_on["app-db-capacity"].treat_missing_data == "missing"


def test_rds_read_replicas_get_one_lag_alarm_each() -> None:
    s = resolved({"engine": "mysql", "database": {"readers": 2}})
    lags = [x for x in alarm_specs("app", s) if x.signal == "db-replica-lag"]
    assert [x.target for x in lags] == ["replica-1", "replica-2"]
    assert [dict(x.dimensions)["DBInstanceIdentifier"] for x in lags] == [
        "lambda-rds-dev-app-replica-1",
        "lambda-rds-dev-app-replica-2",
    ]
    assert all(x.metric.name == "ReplicaLag" and x.metric.unit == "Seconds" for x in lags)


def test_proxy_alarms_from_pool_and_connect_timeout() -> None:
    s = resolved(
        {
            "proxy": True,
            "proxy_settings": {"max_connections_percent": 50},
            "functions": {"app": {"connect_timeout_s": 4}},
        }
    )
    specs = by_name(alarm_specs("app", s))
    borrow = specs["app-proxy-borrow-latency"]
    assert borrow.threshold == 2_000_000  # half of 4 s, in microseconds
    assert borrow.dimensions == (("ProxyName", Ref("proxy")),)
    pool = s.database.max_connections * 50 // 100
    assert specs["app-proxy-connections"].threshold == int(0.9 * pool)
    assert specs["app-proxy-connections"].metric is metrics.PROXY_DATABASE_CONNECTIONS


def test_nat_alarms_per_gateway_and_none_for_instances_or_no_nat() -> None:
    per_az = alarm_specs("app", resolved({"egress": "nat", "az_count": 3}))
    assert sorted(x.target for x in per_az if x.signal == "nat-port-allocation") == [
        "nat-0",
        "nat-1",
        "nat-2",
    ]
    single = alarm_specs("app", resolved({"egress": "nat", "nat_gateways": "single"}))
    assert len([x for x in single if x.signal.startswith("nat-")]) == 2
    assert not [x for x in alarm_specs("app", resolved({})) if x.signal.startswith("nat-")]


def test_alarms_off_means_no_specs() -> None:
    assert alarm_specs("app", resolved({"monitoring": {"alarms": False}})) == []


def test_a_long_name_is_caught() -> None:
    s = resolved({})
    spec = alarm_specs("app", s)[0]
    long = AlarmSpec(**{**spec.__dict__, "component": "x" * 250})
    assert any("too long" in p for p in long.problems())
    wrong = AlarmSpec(**{**spec.__dict__, "dimensions": (("DBInstanceIdentifier", "x"),)})
    assert any("dimensions" in p for p in wrong.problems())


def test_topic_key_policy_lets_cloudwatch_use_the_key() -> None:
    policy = alarms.topic_key_policy("123456789012", partition_of("cn-north-1"))
    stmts = policy["Statement"]
    assert isinstance(stmts, list)
    cw = [st for st in stmts if st["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cw and set(cw[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert any(st["Principal"] == {"AWS": "arn:aws-cn:iam::123456789012:root"} for st in stmts)


def test_dashboard_body_is_the_documented_structure() -> None:
    s = resolved({"proxy": True, "egress": "nat"})
    values = {"function:app": "app-fn-app-1", "proxy": "app-proxy-1", "nat:0": "nat-0a", "nat:1": "nat-0b"}
    body = json.loads(dashboard.dashboard_body(s, "eu-west-1", "app", values))
    widgets = body["widgets"]
    assert 0 < len(widgets) <= 500
    seen: set[tuple[str, str]] = set()
    for w in widgets:
        assert w["type"] in ("metric", "text")
        assert w["x"] >= 0 and w["x"] + w["width"] <= 24 and w["height"] >= 1
        if w["type"] == "metric":
            p = w["properties"]
            assert p["region"] == "eu-west-1"
            for row in p["metrics"]:
                namespace, name, *rest = row
                assert isinstance(rest[-1], dict) and "stat" in rest[-1]
                dims = dict(zip(rest[:-1:2], rest[1:-1:2], strict=True))
                m = metrics.lookup(namespace, name, set(dims))
                assert m is not None and m.allows_dimensions(set(dims)), (name, dims)
                assert m.allows_statistic(rest[-1]["stat"]), (name, rest[-1])
                seen.add((name, next(iter(dims.values()))))
    assert ("Invocations", "app-fn-app-1") in seen and ("ClientConnections", "app-proxy-1") in seen
    assert ("ErrorPortAllocation", "nat-0b") in seen
    # Widgets never overlap.
    cells = [
        (x, y)
        for w in widgets
        for x in range(w["x"], w["x"] + w["width"])
        for y in range(w["y"], w["y"] + w["height"])
    ]
    assert len(cells) == len(set(cells))


def test_dashboard_name_and_url() -> None:
    name = dashboard.dashboard_name("my proj", "prod", "app")
    assert name == "my-proj-prod-app"
    assert dashboard.dashboard_url("eu-west-1", name) == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=my-proj-prod-app"
    )


# ---- review of issue 23 ------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_replica_lag_alarm_stays_quiet_on_an_idle_source(engine: str) -> None:
    # An RDS for PostgreSQL replica of a source with no user transactions reports up to five minutes of
    # ReplicaLag (the WAL segment switches every 5 minutes; sources.RDS_POSTGRES_IDLE_REPLICA_LAG): a
    # threshold at or under 300 s would alarm every quiet night. MySQL's lag is not time-since-last-commit.
    s = resolved({"engine": engine, "database": {"readers": 1}})
    lag = by_name(alarm_specs("app", s))["app-db-replica-lag-replica-1"]
    idle_lag_s = 300
    if engine == "postgres":
        assert lag.threshold > idle_lag_s
        assert "five minutes" in lag.why
    else:
        assert lag.threshold == alarms.REPLICA_LAG_S


def test_proxy_pool_alarm_only_when_the_proxy_pools_for_the_writer_alone() -> None:
    # ProxyName-level DatabaseConnections is all the proxy's traffic (sources.RDS_PROXY_METRICS): with a
    # read-only endpoint it adds the readers' connections, each reader with its own pool, so 90% of one
    # instance's pool would alarm while no pool is full. Borrow latency still tells exhaustion.
    alone = by_name(alarm_specs("app", resolved({"engine": "aurora-postgresql", "proxy": True})))
    assert "app-proxy-connections" in alone
    with_readers = by_name(
        alarm_specs(
            "app", resolved({"engine": "aurora-postgresql", "proxy": True, "database": {"readers": 2}})
        )
    )
    assert "app-proxy-connections" not in with_readers
    assert "app-proxy-borrow-latency" in with_readers


def test_nat_drop_alarm_is_a_share_of_the_traffic_not_one_packet() -> None:
    # AWS's guidance alarms when drops exceed 0.01% of the gateway's traffic (sources.NAT_DROP_ALARM): a
    # fixed "1 packet" fires on any busy gateway that drops the odd packet, and stays red.
    nat = by_name(alarm_specs("app", resolved({"egress": "nat", "nat_gateways": "single"})))
    drops = nat["app-nat-packets-dropped-nat-0"]
    assert drops.threshold == alarms.NAT_DROPPED_PERCENT == 0.01
    assert drops.comparison == "GreaterThanThreshold"
    names = {m.name for _, m in drops.queries}
    assert names == {"PacketsDropCount", "PacketsInFromSource", "PacketsInFromDestination"}
    assert all(q in drops.expression for q, _ in drops.queries)
    assert drops.problems() == []
    # The port-allocation alarm stays a plain metric: any error at all is the signal.
    assert nat["app-nat-port-allocation-nat-0"].queries == ()
