"""Monitoring wiring: the alarms' SNS topic (or the user's), the alarms, and the dashboard.

The specs are pure (`rules/alarms.py`, `rules/dashboard.py`); this module resolves the dimension values
the account decides (function names, the proxy's name, NAT gateway ids) and registers the resources.
Alarms are auto-named from `<component>-<signal>[-<target>]` (Pulumi adds 8 characters): AlarmName is
unique per account and Region and forces a new alarm when it changes (sources.TF_METRIC_ALARM), so a
fixed name would make two stacks with the same component name overwrite each other's alarm.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.functions import DeployedFunction
from lambda_rds.resources.network import Network
from lambda_rds.resources.proxy import Proxy
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import alarms as alarm_rules
from lambda_rds.rules import dashboard as dashboard_rules
from lambda_rds.rules.alarms import AlarmSpec, Ref
from lambda_rds.rules.regions import partition_of
from lambda_rds.settings import Settings


@dataclass
class Monitoring:
    topic_arn: pulumi.Output[str] | None
    """Where the alarms notify (the component's topic or `monitoring.topic_arn`); None without alarms."""
    dashboard_url: pulumi.Output[str] | None = None


def _refs(
    net: Network, proxy: Proxy | None, functions: Mapping[str, DeployedFunction]
) -> dict[str, pulumi.Output[str]]:
    """Each `Ref` the specs may name (as `str(ref)`), resolved to the output holding its value."""
    refs = {str(Ref("function", k)): f.name for k, f in functions.items()}
    if proxy is not None and proxy.name is not None:
        refs[str(Ref("proxy"))] = proxy.name
    for i, nat_id in enumerate(net.nat_gateway_ids):
        refs[str(Ref("nat", str(i)))] = nat_id
    return refs


def _topic(scope: Scope, s: Settings) -> pulumi.Output[str]:
    """`monitoring.topic_arn`, or a topic of the component's encrypted with its own customer managed key
    (CloudWatch cannot use `alias/aws/sns`: rules.alarms.topic_key_policy), with the e-mail subscribed."""
    if s.monitoring.topic_arn is not None:
        return pulumi.Output.from_input(s.monitoring.topic_arn)
    name, opts, tags = scope.name, scope.opts, scope.tags
    key = aws.kms.Key(
        f"{name}-alarms-key",
        description=f"lambda-rds {name}: encrypts the alarms topic (CloudWatch may use it to publish)",
        enable_key_rotation=True,
        deletion_window_in_days=7,
        policy=json.dumps(alarm_rules.topic_key_policy(scope.account_id, partition_of(scope.region))),
        tags=tags,
        opts=opts,
    )
    topic = aws.sns.Topic(f"{name}-alarms", kms_master_key_id=key.arn, tags=tags, opts=opts)
    if s.monitoring.email is not None:
        aws.sns.TopicSubscription(
            f"{name}-alarms-email", topic=topic.arn, protocol="email", endpoint=s.monitoring.email, opts=opts
        )
    return topic.arn


def _alarm(
    scope: Scope, spec: AlarmSpec, topic_arn: pulumi.Output[str], refs: Mapping[str, pulumi.Output[str]]
) -> aws.cloudwatch.MetricAlarm:
    dims: dict[str, pulumi.Input[str]] = {
        k: refs[str(v)] if isinstance(v, Ref) else v for k, v in spec.dimensions
    }
    if spec.queries:
        # Metric math: PutMetricAlarm takes Metrics instead of MetricName/Namespace/Dimensions/Period/
        # Statistic, never both (the provider's metric_query ConflictsWith them, sources.TF_METRIC_ALARM).
        math: dict[str, pulumi.Input[object]] = {
            "metric_queries": [
                *(
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id=qid,
                        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            namespace=m.namespace,
                            metric_name=m.name,
                            dimensions=dims,
                            period=spec.period_s,
                            stat=spec.statistic,
                        ),
                        return_data=False,
                    )
                    for qid, m in spec.queries
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="ratio", expression=spec.expression, label=spec.signal, return_data=True
                ),
            ]
        }
    else:
        math = {
            "namespace": spec.metric.namespace,
            "metric_name": spec.metric.name,
            "dimensions": dims,
            "statistic": None if spec.extended else spec.statistic,
            "extended_statistic": spec.statistic if spec.extended else None,
            "period": spec.period_s,
        }
    return aws.cloudwatch.MetricAlarm(
        spec.name,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        treat_missing_data=spec.treat_missing_data,
        alarm_description=spec.why[:1024],  # AlarmDescription: at most 1024 characters
        # Both transitions: an alarm that only ever says "broken" leaves on-call guessing when it is over.
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags=scope.tags,
        opts=scope.opts,
        **math,  # type: ignore[arg-type]  # the keyword set differs between math and a plain metric
    )


def build_monitoring(
    scope: Scope,
    s: Settings,
    net: Network,
    proxy: Proxy | None,
    functions: Mapping[str, DeployedFunction],
) -> Monitoring:
    """The alarms (with their topic) and the dashboard `monitoring` asks for; an empty handle for neither."""
    m = s.monitoring
    refs = _refs(net, proxy, functions)
    specs = alarm_rules.alarm_specs(scope.name, s)
    topic_arn = _topic(scope, s) if specs else None
    if topic_arn is not None:
        for spec in specs:
            _alarm(scope, spec, topic_arn, refs)
    url = None
    if m.dashboard:
        dash_name = dashboard_rules.dashboard_name(pulumi.get_project(), pulumi.get_stack(), scope.name)
        keys = sorted(refs)
        body = pulumi.Output.all(*[refs[k] for k in keys]).apply(
            lambda resolved: dashboard_rules.dashboard_body(
                s, scope.region, scope.name, dict(zip(keys, resolved, strict=True))
            )
        )
        dash = aws.cloudwatch.Dashboard(
            f"{scope.name}-dashboard", dashboard_name=dash_name, dashboard_body=body, opts=scope.opts
        )
        url = dash.dashboard_name.apply(lambda n: dashboard_rules.dashboard_url(scope.region, n))
    return Monitoring(topic_arn=topic_arn, dashboard_url=url)
