from __future__ import annotations

import json

from lambda_rds.analysis.model.tokens import T_POLICY, T_ROLE, T_ROLE_POLICY
from lambda_rds.rules import iam

from tests.analysis.aws_cases import RuleCase, res

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"


def _wildcard_doc() -> str:
    doc = iam.read_secret_policy(SECRET, KEY, "us-east-1")
    doc["Statement"][1]["Condition"] = {"StringEquals": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}
    return json.dumps(doc)


CASES = [
    RuleCase(
        "aws.iam.condition-wildcard",
        passing=[
            res(T_ROLE_POLICY, "p", policy=json.dumps(iam.read_secret_policy(SECRET, KEY, "us-east-1"))),
            res(
                T_POLICY,
                "like",
                policy={
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "kms:Decrypt",
                            "Resource": KEY,
                            "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
                        }
                    ]
                },
            ),
            res(T_ROLE, "r", assumeRolePolicy=json.dumps(iam.LAMBDA_ASSUME_ROLE)),
        ],
        failing=[
            res(T_ROLE_POLICY, "p", policy=_wildcard_doc()),
            res(T_ROLE, "r", inlinePolicies=[{"name": "read", "policy": _wildcard_doc()}]),
        ],
        expect="secretsmanager.*.amazonaws.com",
    ),
]
