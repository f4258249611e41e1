"""The same kind of test with the mocks Pulumi's testing guide shows (inputs echoed as outputs, invokes
answered with nothing): lambda-rds still builds, offline, without pip or the network."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from lambda_rds import LambdaRds


class MyMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.fixture(autouse=True)
def textbook_mocks() -> None:
    pulumi.runtime.set_mocks(MyMocks(), preview=False)


@pulumi.runtime.test
def test_our_function_gets_the_connection_contract() -> pulumi.Output[Any]:
    orders = LambdaRds(
        "orders",
        {"engine": "postgres", "proxy": True, "functions": {"api": {"code": "extra"}}},
    )

    def check(env: dict[str, str]) -> None:
        assert env["DB_ENGINE"] == "postgres"
        assert env["DB_AUTH"] == "iam"
        assert env["DB_USER"] == "app"

    return orders.function_environment.apply(check)
