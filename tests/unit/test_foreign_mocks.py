"""The component under anyone's mocks: the textbook ones from Pulumi's testing guide (inputs echoed as
outputs, every invoke answered with nothing) build every topology, with labelled placeholders where AWS
would have computed a value; config errors reach Pulumi as RunError (no traceback), still ConfigError."""

from __future__ import annotations

import itertools
from typing import Any

import pulumi
import pytest
from lambda_rds.component import LambdaRds
from lambda_rds.resources import computed
from lambda_rds.settings import ConfigError
from lambda_rds.testing.mocks import run_program


class TextbookMocks(pulumi.runtime.Mocks):
    """Exactly what Pulumi's unit-testing guide shows, plus a record of what was registered."""

    def __init__(self) -> None:
        self.resources: list[tuple[str, str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append((args.typ, args.name, dict(args.inputs)))
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


OUTPUTS = (
    "vpc_id",
    "connect_host",
    "database_resource_id",
    "function_arns",
    "function_environment",
    "layer_arn",
)
CASES = [
    {"engine": e, "proxy": p, "auth": a, "egress": "endpoints" if a == "secret" else "none"}
    for e, p, a in itertools.product(["postgres", "aurora-mysql"], [False, True], ["iam", "secret"])
] + [{"network": {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1", "subnet-2"]}}]


def _build(args: dict[str, Any]) -> tuple[TextbookMocks, dict[str, Any]]:
    mocks = TextbookMocks()
    holder: dict[str, Any] = {}

    async def program() -> None:
        component = LambdaRds("shop", args)
        holder["out"] = await pulumi.Output.all(**{k: getattr(component, k) for k in OUTPUTS}).future()

    run_program(program, mocks)  # type: ignore[arg-type]
    return mocks, holder["out"]


@pytest.mark.parametrize("args", CASES, ids=lambda a: "-".join(f"{k}={v}" for k, v in a.items())[:60])
def test_textbook_mocks_build_every_topology(args: dict[str, Any]) -> None:
    mocks, out = _build({**args, "database": {"protect": False}})
    types = [t for t, _, _ in mocks.resources]
    assert types.count("aws:lambda/function:Function") >= 2  # the app and the bootstrap (+ launcher)
    assert out["connect_host"]  # a placeholder host, never None
    assert out["function_environment"]["DB_HOST"] == out["connect_host"]


def test_placeholders_are_labelled_and_region_based() -> None:
    mocks, out = _build({"proxy": True, "database": {"protect": False}})
    subnets = [i for t, n, i in mocks.resources if t == "aws:ec2/subnet:Subnet" and "-private-" in n]
    zones = sorted(i["availabilityZone"] for i in subnets)
    assert zones == ["us-east-1a", "us-east-1b"]
    assert "placeholder" in out["connect_host"]
    policies = [
        i["policy"]
        for t, n, i in mocks.resources
        if t == "aws:iam/rolePolicy:RolePolicy" and n.endswith("-db")
    ]
    assert policies and all(":dbuser:prx-PLACEHOLDER/app" in p for p in policies)


def test_outside_mocks_a_missing_computed_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(computed, "under_pulumi_mocks", lambda: True)
    seen: list[Any] = []

    async def program() -> None:
        seen.append(await computed.known(pulumi.Output.from_input(None), "db-PLACEHOLDER", "x").future())

    run_program(program, TextbookMocks())  # type: ignore[arg-type]
    assert seen == ["db-PLACEHOLDER"]
    monkeypatch.setattr(computed, "under_pulumi_mocks", lambda: False)
    with pytest.raises(pulumi.RunError, match="returned no resource id"):
        run_program(
            lambda: computed.known(pulumi.Output.from_input(None), "p", "resource id").apply(lambda v: v),
            TextbookMocks(),  # type: ignore[arg-type]
        )


def test_config_error_reaches_pulumi_as_run_error_with_its_key() -> None:
    with pytest.raises(ConfigError) as info:
        _build({"engine": "oracle"})
    assert isinstance(info.value, pulumi.RunError)
    assert info.value.key == "engine"
    assert str(info.value).startswith("lambda-rds: engine: 'oracle' is not allowed")
