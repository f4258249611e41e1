"""Lambda and CloudWatch Logs facts the API models do not carry (or carry only as prose), with sources.

Pure data. The settings (``settings/functions.py``), the wiring (``resources/lambda_function.py``,
``resources/layers.py``), the checks (``analysis/checks/capacity.py``, ``analysis/checks/aws/lambda_.py``)
and the doctor read these, so a config is refused with the same numbers the plan checks.
"""

from __future__ import annotations

import re

from lambda_rds.rules import aws_sources as sources

# ---- Account concurrency ------------------------------------------------------------------------------
# "You can reserve concurrency for as many functions as you like, as long as you leave at least 100
# simultaneous executions unreserved for functions that aren't configured with a per-function limit."
# AWS rejects a PutFunctionConcurrency that would go lower ("...decreases account's
# UnreservedConcurrentExecution below its minimum value of [100]").
RESERVED_CONCURRENCY_SOURCE = sources.PUT_FUNCTION_CONCURRENCY
MIN_UNRESERVED_CONCURRENCY = 100
# The default ConcurrentExecutions quota per account and region (new accounts may start far lower;
# `lambda-rds doctor` reads the real one with GetAccountSettings: AccountLimit.ConcurrentExecutions).
ACCOUNT_CONCURRENCY_SOURCE = sources.LAMBDA_SCALING
DEFAULT_ACCOUNT_CONCURRENCY = 1000


def max_total_reserved(account_limit: int = DEFAULT_ACCOUNT_CONCURRENCY) -> int:
    """The most concurrency all functions of an account/region may reserve together (900 by default)."""
    return max(0, account_limit - MIN_UNRESERVED_CONCURRENCY)


# ---- Names ----------------------------------------------------------------------------------------------
# PublishLayerVersion LayerName: 1..140 characters, [a-zA-Z0-9-_]+ (or a layer ARN).
LAYER_NAME_SOURCE = sources.PUBLISH_LAYER_VERSION
LAYER_NAME_MAX = 140
LAYER_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
# CreateLogGroup logGroupName: 1..512 characters of [\.\-_/#A-Za-z0-9]+ (the same pattern Lambda's
# LoggingConfig.LogGroup takes: sources.LOGGING_CONFIG).
LOG_GROUP_NAME_SOURCE = sources.CREATE_LOG_GROUP
LOG_GROUP_NAME_MAX = 512
LOG_GROUP_NAME_RE = re.compile(r"^[.\-_/#A-Za-z0-9]+$")

# ---- Logging ---------------------------------------------------------------------------------------------
# LoggingConfig: ApplicationLogLevel TRACE|DEBUG|INFO|WARN|ERROR|FATAL and SystemLogLevel DEBUG|INFO|WARN
# apply to LogFormat JSON only. With JSON and no levels, Lambda reports INFO back and the provider plans
# to remove it on every `up`: a perpetual diff (terraform-provider-aws #42181). Set both explicitly.
JSON_LOG_LEVELS_SOURCE = sources.TF_42181
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
DEFAULT_APPLICATION_LOG_LEVEL = "INFO"
DEFAULT_SYSTEM_LOG_LEVEL = "WARN"

# ---- Aurora Serverless v2 auto-pause, as seen from a function -------------------------------------------
# A paused Aurora Serverless v2 instance takes about 15 seconds to resume on the first connection
# (AWS Aurora User Guide, "Scaling to Zero ACUs with automatic pause and resume"): the client's connect
# timeout must outlast it, or the first request after a pause fails.
AUTO_PAUSE_RESUME_SOURCE = sources.AURORA_AUTO_PAUSE
AUTO_PAUSE_RESUME_S = 15
AUTO_PAUSE_MIN_CONNECT_TIMEOUT_S = 20
"""Resume (~15 s) plus TLS and authentication with margin."""
