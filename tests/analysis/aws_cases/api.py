from __future__ import annotations

from lambda_rds.analysis.model.tokens import (
    T_FLOW_LOG,
    T_FUNCTION,
    T_LOG_GROUP,
    T_PROXY,
    T_ROLE,
    T_SECRET_ROTATION,
)

from tests.analysis.aws_cases import RuleCase, res

GOOD_FN = {
    "runtime": "python3.12",
    "handler": "handler.handler",
    "memorySize": 256,
    "timeout": 30,
    "architectures": ["arm64"],
    "reservedConcurrentExecutions": -1,  # Terraform's "unreserved": not an API value, never flagged
    "loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "INFO", "systemLogLevel": "WARN"},
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
}

CASES = [
    RuleCase(
        "aws.api.lambda",
        passing=[res(T_FUNCTION, "f", **GOOD_FN)],
        failing=[
            res(T_FUNCTION, "f", **{**GOOD_FN, "runtime": "python3.99"}),
            res(T_FUNCTION, "g", **{**GOOD_FN, "architectures": ["arm64", "x86_64"]}),
            res(
                T_FUNCTION,
                "h",
                **{**GOOD_FN, "loggingConfig": {"logFormat": "JSON", "systemLogLevel": "info"}},
            ),
            res(T_FUNCTION, "i", **{**GOOD_FN, "memorySize": 64}),
        ],
        each=True,
    ),
    RuleCase(
        "aws.api.rds",
        passing=[
            res(
                T_PROXY,
                "p",
                name="app-proxy-1a2b3c4",
                engineFamily="POSTGRESQL",
                defaultAuthScheme="IAM_AUTH",
            )
        ],
        failing=[
            res(T_PROXY, "p", name="app_proxy", engineFamily="POSTGRESQL"),
            res(T_PROXY, "q", name="app-proxy", engineFamily="postgres"),
            res(T_PROXY, "r", name="a" * 64, engineFamily="MYSQL"),
        ],
        each=True,
    ),
    RuleCase(
        "aws.api.logs",
        passing=[res(T_LOG_GROUP, "l", name="/lambda-rds/proj/dev/app/fn-app")],
        failing=[res(T_LOG_GROUP, "l", name="/lambda-rds/app:fn"), res(T_LOG_GROUP, "m", name="x" * 513)],
        each=True,
    ),
    RuleCase(
        "aws.api.iam",
        passing=[res(T_ROLE, "r", name="app-fn-app-role-1234567", maxSessionDuration=3600)],
        failing=[
            res(T_ROLE, "r", name="app/fn", maxSessionDuration=3600),
            res(T_ROLE, "s", maxSessionDuration=60),
        ],
        each=True,
    ),
    RuleCase(
        "aws.api.secretsmanager",
        passing=[res(T_SECRET_ROTATION, "s", rotationRules={"automaticallyAfterDays": 30})],
        failing=[res(T_SECRET_ROTATION, "s", rotationRules={"automaticallyAfterDays": 0})],
        expect="automaticallyAfterDays",
    ),
    RuleCase(
        "aws.api.ec2",
        passing=[res(T_FLOW_LOG, "f", trafficType="ALL", logDestinationType="cloud-watch-logs")],
        failing=[res(T_FLOW_LOG, "f", trafficType="all")],
        expect="trafficType",
    ),
]
