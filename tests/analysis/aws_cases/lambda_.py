from __future__ import annotations

from lambda_rds.analysis.checks.policies import Context
from lambda_rds.analysis.model.tokens import T_FUNCTION, T_LOG_GROUP

from tests.analysis.aws_cases import RuleCase, res

JSON_LEVELS = {"logFormat": "JSON", "applicationLogLevel": "INFO", "systemLogLevel": "WARN"}

CASES = [
    RuleCase(
        "aws.lambda.reserved-concurrency",
        # 899 + the bootstrap's 1 = 900: exactly what a default account (1000) can reserve.
        passing=[
            res(T_FUNCTION, "app", reservedConcurrentExecutions=899),
            res(T_FUNCTION, "bootstrap", reservedConcurrentExecutions=1),
            res(T_FUNCTION, "other"),
        ],
        # db.r6g.large without a proxy used to default to 1439: AWS rejects it.
        failing=[
            res(T_FUNCTION, "app", reservedConcurrentExecutions=1439),
            res(T_FUNCTION, "bootstrap", reservedConcurrentExecutions=1),
        ],
        expect="at most 900",
    ),
    RuleCase(
        "aws.lambda.reserved-concurrency",
        # A new account with a quota of 400: 300 may be reserved.
        passing=[res(T_FUNCTION, "app", reservedConcurrentExecutions=300)],
        failing=[res(T_FUNCTION, "app", reservedConcurrentExecutions=301)],
        context=Context(lambda_concurrency_limit=400),
        expect="leaving 99 of the account's 400",
    ),
    RuleCase(
        "aws.lambda.json-log-levels",
        passing=[
            res(T_FUNCTION, "json", loggingConfig=JSON_LEVELS),
            res(T_FUNCTION, "text", loggingConfig={"logFormat": "Text"}),
        ],
        failing=[res(T_FUNCTION, "json", loggingConfig={"logFormat": "JSON", "logGroup": "/x"})],
        expect="applicationLogLevel and systemLogLevel",
    ),
    RuleCase(
        "aws.logs.log-group-name-per-stack",
        passing=[
            res(T_LOG_GROUP, "lg", name="/lambda-rds/lambda-rds/dev/t/fn-app"),
            res(T_LOG_GROUP, "fn", name="/aws/lambda/t-fn-app-1234567"),
            res(T_LOG_GROUP, "auto"),
        ],
        failing=[res(T_LOG_GROUP, "lg", name="/lambda-rds/t/fn-app")],
        context=Context(stack="dev"),
        expect="does not carry the stack 'dev'",
    ),
]
