"""Monitoring under the mocks: the three stacks' alarms and dashboard, the encrypted topic, refused input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from lambda_rds import settings
from lambda_rds.analysis.checks.aws.alarms import alarm_problems
from lambda_rds.commands.stack_config import args_from_config
from lambda_rds.component import LambdaRds
from lambda_rds.rules import alarms, metrics, sizing
from lambda_rds.settings import ConfigError
from lambda_rds.testing.mocks import run_with_mocks

from tests.unit.conftest import Built

REPO = Path(__file__).resolve().parents[2]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def stack_args(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
    return args_from_config(config)[1]


def alarms_by_name(b: Built) -> dict[str, dict[str, Any]]:
    # Logical names are `<component>-<signal>[-<target>]`.
    return {r.name: r.inputs for r in b.all(ALARM)}


def test_dev_stack_turns_monitoring_off_visibly(build: Callable[..., Built]) -> None:
    args = stack_args("dev")
    assert args["monitoring"] == {"alarms": False, "dashboard": False}
    b = build(args, name="app", stack="dev")
    assert b.all(ALARM) == [] and b.all(TOPIC) == [] and b.all(DASHBOARD) == []
    assert b.all("aws:kms/key:Key") == []


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_alarm_on_their_sizing(build: Callable[..., Built], stack: str) -> None:
    args = stack_args(stack)
    b = build(args, name="app", stack=stack)
    found = alarms_by_name(b)
    s = b.component.settings
    # Every alarm the specs list exists, notifies the topic both ways and says how to treat missing data.
    expected = {spec.name: spec for spec in alarms.alarm_specs("app", s)}
    assert set(found) == set(expected)
    topic = b.one(TOPIC)
    topic_arn = topic.outputs["arn"]
    for name, inputs in found.items():
        assert inputs["alarmActions"] == [topic_arn] and inputs["okActions"] == [topic_arn], name
        assert inputs["treatMissingData"] == expected[name].treat_missing_data
        m = metrics.lookup(inputs["namespace"], inputs["metricName"], set(inputs["dimensions"]))
        assert m is not None and m.allows_dimensions(set(inputs["dimensions"])), name
        assert alarm_problems(inputs.get) == [], name  # the plan's aws.cloudwatch.alarm-metric agrees
    # The database's connection alarm sits below its class's max_connections.
    cls = args["database"]["instance_class"]
    conn = found["app-db-connections"]
    assert conn["dimensions"] == {"DBInstanceIdentifier": f"lambda-rds-{stack}-app"}
    assert conn["threshold"] == int(0.8 * sizing.max_connections("postgres", cls))
    assert conn["threshold"] < sizing.max_connections("postgres", cls)
    # Both stacks run a proxy: its alarms name the proxy the component created.
    proxy_name = b.one("aws:rds/proxy:Proxy").outputs["name"]
    assert found["app-proxy-borrow-latency"]["dimensions"] == {"ProxyName": proxy_name}
    fn_name = b.named("app-fn-app").outputs["name"]
    assert found["app-fn-errors-app"]["dimensions"] == {"FunctionName": fn_name}
    assert found["app-fn-duration-app"]["extendedStatistic"] == "p99"
    assert "statistic" not in found["app-fn-duration-app"]
    # The dashboard: one, with the same signals, its URL an output.
    dash = b.one(DASHBOARD)
    assert dash.inputs["dashboardName"] == f"lambda-rds-{stack}-app"
    body = json.loads(dash.inputs["dashboardBody"])
    names = {row[1] for w in body["widgets"] if w["type"] == "metric" for row in w["properties"]["metrics"]}
    assert {
        "Errors",
        "Throttles",
        "Duration",
        "DatabaseConnections",
        "CPUUtilization",
        "DatabaseConnectionsBorrowLatency",
        "ClientConnections",
    } <= names


def test_topic_is_encrypted_with_a_key_cloudwatch_may_use(build: Callable[..., Built]) -> None:
    b = build({"monitoring": {"email": "ops@example.com"}})
    topic = b.one(TOPIC)
    key = b.one("aws:kms/key:Key")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert "alias/aws/sns" not in json.dumps(topic.inputs)
    policy = json.loads(key.inputs["policy"])
    assert any(st["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for st in policy["Statement"])
    assert key.inputs["enableKeyRotation"] is True
    sub = b.one("aws:sns/topicSubscription:TopicSubscription")
    assert sub.inputs["protocol"] == "email" and sub.inputs["endpoint"] == "ops@example.com"
    assert b.outputs  # the run resolved
    assert b.all(DASHBOARD) == []  # the component's default: no dashboard


def test_users_topic_is_notified_and_none_created(build: Callable[..., Built]) -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:ops-alerts"
    b = build({"monitoring": {"topic_arn": arn, "dashboard": True}})
    assert b.all(TOPIC) == [] and b.all("aws:kms/key:Key") == []
    for inputs in alarms_by_name(b).values():
        assert inputs["alarmActions"] == [arn] and inputs["okActions"] == [arn]
    assert len(b.all(DASHBOARD)) == 1


@pytest.mark.parametrize(
    ("monitoring", "key", "says"),
    [
        ({"topic_arn": "arn:aws:sqs:us-east-1:123456789012:q"}, "monitoring.topic_arn", "SNS topic ARN"),
        ({"topic_arn": "ops-alerts"}, "monitoring.topic_arn", "arn:aws:sns:"),
        ({"topic_arn": "arn:aws:sns:us-east-1:1234:ops"}, "monitoring.topic_arn", "12-digit"),
        ({"email": "ops at example.com"}, "monitoring.email", "e-mail"),
        ({"email": "a@b.com, c@d.com"}, "monitoring.email", "e-mail"),
        ({"alarms": False, "email": "ops@example.com"}, "monitoring.email", "alarms: true"),
        (
            {"topic_arn": "arn:aws:sns:us-east-1:123456789012:t", "email": "o@example.com"},
            "monitoring.email",
            "your own topic",
        ),
        ({"alarms": "yes"}, "monitoring.alarms", "true or false"),
        ({"dashbord": True}, "monitoring.dashbord", "allowed keys"),
    ],
)
def test_bad_input_is_refused_naming_the_key(monitoring: dict[str, Any], key: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        settings.resolve({"monitoring": monitoring})
    assert err.value.key == key
    assert says in str(err.value)


def test_dashboard_url_and_topic_are_outputs() -> None:
    holder: dict[str, Any] = {}

    async def program() -> None:
        c = LambdaRds("app", {"monitoring": {"dashboard": True}})  # type: ignore[typeddict-item]
        holder["out"] = await pulumi.Output.all(c.dashboard_url, c.alarm_topic_arn).future()

    mocks = run_with_mocks(program, stack="staging")
    url, topic_arn = holder["out"]
    assert url == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#dashboards:name=lambda-rds-staging-app"
    )
    assert topic_arn == mocks.by_type(TOPIC)[0].outputs["arn"]


def test_defaults_are_alarms_on_dashboard_off() -> None:
    m = settings.resolve({}).monitoring
    assert (m.alarms, m.dashboard, m.topic_arn, m.email) == (True, False, None, None)
    assert m.creates_topic


def test_nat_drop_alarm_is_metric_math_on_the_gateway(build: Callable[..., Built]) -> None:
    b = build({"egress": "nat", "nat_gateways": "single"}, name="app")
    nat_id = b.one("aws:ec2/natGateway:NatGateway").id
    drops = alarms_by_name(b)["app-nat-packets-dropped-nat-0"]
    # PutMetricAlarm takes either a metric or Metrics (math), never both (the provider's ConflictsWith).
    assert "metricName" not in drops and "namespace" not in drops and "dimensions" not in drops
    queries = {q["id"]: q for q in drops["metricQueries"]}
    returned = [q for q in queries.values() if q.get("returnData")]
    assert len(returned) == 1 and "expression" in returned[0]
    fetched = [q["metric"] for q in queries.values() if "metric" in q]
    assert {m["metricName"] for m in fetched} == {
        "PacketsDropCount",
        "PacketsInFromSource",
        "PacketsInFromDestination",
    }
    assert all(m["dimensions"] == {"NatGatewayId": nat_id} and m["stat"] == "Sum" for m in fetched)
    assert alarm_problems(drops.get) == []
