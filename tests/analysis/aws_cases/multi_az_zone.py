"""aws.rds.multi-az-zone (issue 17, items 1-2, second review): a Multi-AZ RDS instance names no AZ."""

from __future__ import annotations

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_DB_INSTANCE

from tests.analysis.aws_cases import RuleCase, res

CASES = [
    RuleCase(
        "aws.rds.multi-az-zone",
        passing=[
            res(T_DB_INSTANCE, "primary", engine="postgres", multiAz=True),
            res(T_DB_INSTANCE, "replica-multi", replicateSourceDb="primary", multiAz=True),
            res(
                T_DB_INSTANCE,
                "replica-single",
                replicateSourceDb="primary",
                multiAz=False,
                availabilityZone="us-east-1b",
            ),
            # Read from a preview or the state: the outputs name the AZ every instance runs in, Multi-AZ
            # or not; only the inputs are what is sent.
            Resource(
                T_DB_INSTANCE,
                "running",
                "running-id",
                inputs={"engine": "postgres", "multiAz": True},
                outputs={"multiAz": True, "availabilityZone": "us-east-1a"},
            ),
        ],
        failing=[
            res(T_DB_INSTANCE, "primary", engine="postgres", multiAz=True, availabilityZone="us-east-1a"),
            res(
                T_DB_INSTANCE,
                "replica",
                replicateSourceDb="primary",
                multiAz=True,
                availabilityZone="us-east-1b",
            ),
        ],
        expect="availabilityZone is us-east-1",
        each=True,
    ),
]
