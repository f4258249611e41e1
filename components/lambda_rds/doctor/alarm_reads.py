"""The component's CloudWatch alarms, read live: those in ALARM are reported next to the checks.

Which alarms are the component's. The component tags everything it makes, its functions and its alarms
alike, with ``lambda-rds:component`` (its name), ``lambda-rds:project`` and ``lambda-rds:stack``
(component.py), and names each alarm ``<component>-<signal>[-<target>]`` plus Pulumi's suffix
(resources/monitoring.py). So doctor reads the function's tags (lambda:ListTags), lists the alarms whose
name starts with ``<component>-`` (cloudwatch:DescribeAlarms AlarmNamePrefix, metric alarms only), and for
each one that is not OK confirms with its tags (cloudwatch:ListTagsForResource) that it carries the same
three tags: the component's name alone is ``app`` in every stack of an account, and the prefix ``app-``
also matches a component named ``app-v2``. Tags are read only for alarms in ALARM or INSUFFICIENT_DATA: a
healthy stack costs one DescribeAlarms page (up to 100 alarms).

API facts (botocore's CloudWatch model, the DescribeAlarms and ListTagsForResource API references:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListTagsForResource.html):
StateValue is OK | ALARM | INSUFFICIENT_DATA; MaxRecords 1-100 per page, NextToken for the next; without
AlarmTypes only metric alarms are returned. Not filtered by StateValue: one listing answers both ALARM and
INSUFFICIENT_DATA (a StateValue filter would take one listing per state).

A function without ``lambda-rds:component`` (a raw pulumi_aws program's) has no alarms to read: a note.
Every read is optional, under the diagnosis' deadline: a denial or a timeout is a note, never a failure.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lambda_rds.doctor.aws import Aws
from lambda_rds.doctor.reads import Reads, no_items

COMPONENT_TAG = "lambda-rds:component"
IDENTITY_TAGS: tuple[str, ...] = (COMPONENT_TAG, "lambda-rds:project", "lambda-rds:stack")
PAGE_SIZE = 100  # DescribeAlarms MaxRecords: at most 100


@dataclass(frozen=True)
class AlarmFinding:
    """An alarm of the component in ALARM: a warning next to the checks (it does not fail the run: the
    alarm already notified its topic; the checks judge the path, the alarm what happened on it)."""

    name: str
    metric: str
    """``Namespace/MetricName`` with its dimensions, e.g. ``AWS/Lambda/Errors FunctionName=app-api``."""
    reason: str
    """StateReason, as CloudWatch wrote it."""
    since: str | None
    """StateUpdatedTimestamp, ISO 8601."""
    severity: str = "warn"

    def line(self) -> str:
        when = f" since {self.since}" if self.since else ""
        return f"{self.name} ({self.metric}) in ALARM{when}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": "ALARM",
            "severity": self.severity,
            "metric": self.metric,
            "reason": self.reason,
            "since": self.since,
        }


def metric_of(alarm: Mapping[str, Any]) -> str:
    """What the alarm watches: ``Namespace/MetricName dims`` (a metric-math alarm: each metric it reads)."""

    def one(namespace: Any, name: Any, dims: Any) -> str:
        where = " ".join(f"{d.get('Name')}={d.get('Value')}" for d in dims or [])
        return f"{namespace}/{name}" + (f" {where}" if where else "")

    if alarm.get("MetricName"):
        return one(alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions"))
    stats = [
        ((q.get("MetricStat") or {}).get("Metric") or {})
        for q in alarm.get("Metrics") or []
        if q.get("MetricStat")
    ]
    return ", ".join(one(m.get("Namespace"), m.get("MetricName"), m.get("Dimensions")) for m in stats) or "?"


def _since(alarm: Mapping[str, Any]) -> str | None:
    when = alarm.get("StateUpdatedTimestamp")
    if isinstance(when, datetime):
        return when.isoformat()
    return str(when) if when else None


class AlarmReads(Reads):
    """The function's tags and its component's alarms (``Reader`` brings them together with the others)."""

    def __init__(self, aws: Aws) -> None:
        super().__init__(aws)
        self.alarms: list[AlarmFinding] = []

    def function_tags(self, function_arn: str) -> dict[str, str]:
        """The function's tags. Asked of the unqualified ARN: ``--function app:live`` gives a FunctionArn
        ending in ``:live``, and tags belong to the function, never to an alias or version ("Lambda does not
        support adding tags to aliases or versions": https://docs.aws.amazon.com/lambda/latest/api/
        API_ListTags.html)."""
        unqualified = ":".join(function_arn.split(":")[:7])  # arn:aws:lambda:region:account:function:name
        empty: dict[str, Any] = {}
        answer = self.optional(
            f"lambda:ListTags {unqualified}",
            functools.partial(self.aws.call, "lambda", "list_tags", Resource=unqualified),
            empty,
        )
        return {str(k): str(v) for k, v in (answer.get("Tags") or {}).items()}

    def component_alarms(self, function: str, tags: Mapping[str, str]) -> None:
        """Fill ``alarms`` (in ALARM) and note those with INSUFFICIENT_DATA, for the function's component."""
        component = tags.get(COMPONENT_TAG)
        if not component:
            self.notes.append(
                f"function {function} has no {COMPONENT_TAG} tag (not made by a lambda-rds component, or its "
                "tags could not be read): no component alarms looked for"
            )
            return
        listed = self.optional(
            f"cloudwatch:DescribeAlarms {component}-*",
            lambda: self.aws.pages(
                "cloudwatch",
                "describe_alarms",
                "MetricAlarms",
                AlarmNamePrefix=f"{component}-",
                PaginationConfig={"PageSize": PAGE_SIZE},
            ),
            no_items(),
        )
        want = {k: tags[k] for k in IDENTITY_TAGS if k in tags}
        firing: list[AlarmFinding] = []
        waiting: list[str] = []
        for alarm in listed:
            state = str(alarm.get("StateValue") or "")
            if state not in ("ALARM", "INSUFFICIENT_DATA") or not self._ours(alarm, want):
                continue
            if state == "ALARM":
                firing.append(
                    AlarmFinding(
                        str(alarm.get("AlarmName")),
                        metric_of(alarm),
                        str(alarm.get("StateReason") or ""),
                        _since(alarm),
                    )
                )
            else:
                waiting.append(str(alarm.get("AlarmName")))
        self.alarms.extend(sorted(firing, key=lambda a: a.name))
        if waiting:
            self.notes.append(
                f"{len(waiting)} alarm(s) of component {component} have INSUFFICIENT_DATA (no data yet, or "
                f"what they watch publishes nothing: a stopped database, an idle function): "
                f"{', '.join(sorted(waiting))}"
            )

    def _ours(self, alarm: Mapping[str, Any], want: Mapping[str, str]) -> bool:
        """The alarm carries the function's identity tags (else it is another stack's, or another
        component's whose name starts the same). Unreadable tags: kept on the name alone, with a note."""
        arn = alarm.get("AlarmArn")
        if not arn:
            return True
        unread: dict[str, Any] = {"unreadable": True}
        answer = self.optional(
            f"cloudwatch:ListTagsForResource {alarm.get('AlarmName')}",
            functools.partial(self.aws.call, "cloudwatch", "list_tags_for_resource", ResourceARN=arn),
            unread,
        )
        if answer.get("unreadable"):
            return True
        have = {str(t.get("Key")): str(t.get("Value")) for t in answer.get("Tags") or []}
        return all(have.get(k) == v for k, v in want.items())
