"""The orders database as this project configures it: what our team promises about it, checked offline."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from lambda_rds import LambdaRds, LambdaRdsArgs
from lambda_rds.testing import LambdaRdsMocks, find, find_all, inputs_of, outputs_of

mocks = LambdaRdsMocks()


@pytest.fixture(autouse=True)
def fresh_mocks() -> None:
    # Per test rather than at import: another test module may install mocks of its own.
    pulumi.runtime.set_mocks(mocks, preview=False)  # preview=False, or applies never run
    mocks.reset()  # each test sees only what it registered


ORDERS: LambdaRdsArgs = {
    "engine": "postgres",
    "proxy": True,
    "database": {"instance_class": "db.t4g.small"},
    "functions": {"api": {"code": "extra", "memory_mb": 512}},
    "tags": {"team": "orders"},
}


def _after(component: LambdaRds, check: Any) -> pulumi.Output[Any]:
    """Run ``check`` once every output of the component has resolved (all registrations are recorded)."""
    return pulumi.Output.all(component.connect_host, component.function_arns).apply(lambda _: check())


@pulumi.runtime.test
def test_database_is_private_encrypted_and_iam_only() -> pulumi.Output[Any]:
    orders = LambdaRds("orders", ORDERS)

    def check() -> None:
        db = inputs_of(find(mocks, "aws:rds/instance:Instance", "orders-db"))
        assert db["publiclyAccessible"] is False
        assert db["storageEncrypted"] is True
        assert db["iamDatabaseAuthenticationEnabled"] is True
        assert db["manageMasterUserPassword"] is True

    return _after(orders, check)


@pulumi.runtime.test
def test_our_function_goes_through_the_proxy_with_tls() -> pulumi.Output[Any]:
    orders = LambdaRds("orders", ORDERS)

    def check() -> None:
        proxy = find(mocks, "aws:rds/proxy:Proxy", "orders-proxy")
        assert inputs_of(proxy)["requireTls"] is True
        api = find(mocks, "aws:lambda/function:Function", "orders-fn-api")
        env = inputs_of(api)["environment"]["variables"]
        assert env["DB_HOST"] == outputs_of(proxy)["endpoint"]
        assert env["DB_AUTH"] == "iam"
        assert inputs_of(api)["memorySize"] == 512

    return _after(orders, check)


@pulumi.runtime.test
def test_the_function_may_connect_only_as_the_app_user_on_the_proxy() -> pulumi.Output[Any]:
    orders = LambdaRds("orders", ORDERS)

    def check() -> None:
        grants = [
            json.loads(inputs_of(p)["policy"])
            for p in find_all(mocks, "aws:iam/rolePolicy:RolePolicy", "orders-fn-api-db")
        ]
        statements = [st for doc in grants for st in doc["Statement"]]
        assert [st["Action"] for st in statements] == ["rds-db:connect"]
        assert ":dbuser:prx-" in statements[0]["Resource"] and statements[0]["Resource"].endswith("/app")

    return _after(orders, check)


@pulumi.runtime.test
def test_team_tag_reaches_every_taggable_resource() -> pulumi.Output[Any]:
    orders = LambdaRds("orders", ORDERS)

    def check() -> None:
        tagged = [
            r for r in mocks.resources if r.custom and r.name.startswith("orders") and "tags" in r.inputs
        ]
        assert tagged, "nothing tagged"
        assert all(inputs_of(r)["tags"].get("team") == "orders" for r in tagged)

    return _after(orders, check)
