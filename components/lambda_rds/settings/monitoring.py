"""The `monitoring` section: alarms, a dashboard, and where the alarms notify."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lambda_rds.args import MonitoringArgs
from lambda_rds.settings.coerce import ConfigError, as_bool, as_str, check_keys
from lambda_rds.settings.model import MonitoringSettings

# arn:<partition>:sns:<region>:<account>:<topic>. A topic name is 1 to 256 letters, digits, hyphens and
# underscores, a FIFO topic's ending in `.fifo` (CreateTopic, sources.SNS_CREATE_TOPIC).
TOPIC_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
# Loose on purpose: SNS itself sends the confirmation mail, which is the real check; this only catches a
# value that cannot be an address at all (a name, a list, a missing domain).
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")

ALARMS_DEFAULT = True
# Off for the component (on in the shipped staging and prod stacks): each dashboard is billed beyond the
# account's three free ones, and one account often holds many stacks (args.MonitoringArgs.dashboard).
DASHBOARD_DEFAULT = False


def resolve_monitoring(value: Any) -> MonitoringSettings:
    """The `monitoring` section, all defaults when unset."""
    raw: Mapping[str, Any] = check_keys("monitoring", value, MonitoringArgs)
    alarms = as_bool("monitoring.alarms", raw.get("alarms"), ALARMS_DEFAULT)
    dashboard = as_bool("monitoring.dashboard", raw.get("dashboard"), DASHBOARD_DEFAULT)
    topic_arn = raw.get("topic_arn")
    email = raw.get("email")
    if topic_arn is not None:
        topic_arn = as_str(
            "monitoring.topic_arn",
            topic_arn,
            "",
            TOPIC_ARN_RE,
            "an SNS topic ARN, arn:aws:sns:<region>:<12-digit account>:<topic name> (e.g. "
            "arn:aws:sns:us-east-1:123456789012:ops-alerts)",
        )
    if email is not None:
        email = as_str("monitoring.email", email, "", EMAIL_RE, "one e-mail address, e.g. ops@example.com")
    if not alarms:
        # Refused rather than ignored: whoever set them expects to be notified, and nothing would be.
        for key, given in (("topic_arn", topic_arn), ("email", email)):
            if given is not None:
                raise ConfigError(
                    f"monitoring.{key}",
                    "only applies with monitoring.alarms: true (no alarm would notify it); remove it or "
                    "turn the alarms on",
                )
    if topic_arn is not None and email is not None:
        raise ConfigError(
            "monitoring.email",
            "only applies when the component creates the topic (no monitoring.topic_arn): subscribe the "
            "address to your own topic yourself, or drop monitoring.topic_arn",
        )
    return MonitoringSettings(alarms=alarms, dashboard=dashboard, topic_arn=topic_arn, email=email)
