from __future__ import annotations

from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_FUNCTION,
    T_LOG_GROUP,
    T_PROXY,
    T_ROLE,
)

from tests.analysis.aws_cases import RuleCase, res

LAYER = "aws:lambda/layerVersion:LayerVersion"

CASES = [
    RuleCase(
        "aws.names.pattern",
        passing=[
            res(
                T_DB_INSTANCE,
                "db",
                identifier="orders-db-1a2b3c4",
                finalSnapshotIdentifier="orders-final-0a1b2c3d",
            ),
            res(T_CLUSTER, "c", clusterIdentifier="orders-db-cluster-1a2b3c4"),
            res(T_PROXY, "p", name="orders-proxy"),
            res(T_ROLE, "r", name="orders-fn-api-role-1a2b3c4"),
            res(T_FUNCTION, "f", name="orders-fn-api-1a2b3c4"),
            res(LAYER, "l", layerName="orders-dev-deps-python312-arm64"),
            res(T_LOG_GROUP, "g", name="/lambda-rds/orders/fn-api"),
            res(T_ROLE, "auto"),  # no name given: nothing to check
        ],
        failing=[
            res(T_DB_INSTANCE, "db", finalSnapshotIdentifier="Orders--final-0a1b2c3d"),
            res(T_CLUSTER, "c", clusterIdentifier="Orders_DB"),
            res(T_PROXY, "p", name="orders-proxy-"),
            res(T_ROLE, "r", name="r" * 65),
            res(T_FUNCTION, "f", name="orders.api"),
            res(LAYER, "l", layerName="orders-team.dev-deps"),
            res(T_LOG_GROUP, "g", name="/lambda-rds/orders app"),
        ],
        expect="is not a valid",
    ),
]
