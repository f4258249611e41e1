"""What another language sends (camelCase, JSON numbers, enum strings, nested dicts) builds the same
resources as the Python API, through the provider's real `construct` path."""

import os
from typing import Any

import pulumi
import pytest
from pulumi.errors import InputPropertyError
from pulumi.provider.experimental.component import ComponentInitError, ComponentProvider

os.environ["LAMBDA_RDS_PACKAGING"] = "offline"

from lambda_rds.component import LambdaRds
from lambda_rds.testing.mocks import RecordingMocks, run_with_mocks

TOKEN = "lambda-rds:index:LambdaRds"
CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"engine": "postgres", "egress": "none"}, {"engine": "postgres", "egress": "none"}),
    (
        {"engine": "mysql", "egress": "nat", "natGateways": "single", "azCount": 3.0},
        {"engine": "mysql", "egress": "nat", "nat_gateways": "single", "az_count": 3},
    ),
    (
        {
            "engine": "aurora-postgresql",
            "proxy": True,
            "auth": "secret",
            "egress": "endpoints",
            "network": {"endpointServices": ["sts"], "s3GatewayEndpoint": True},
            "database": {"instances": 2.0, "backupRetentionDays": 14.0},
        },
        {
            "engine": "aurora-postgresql",
            "proxy": True,
            "auth": "secret",
            "egress": "endpoints",
            "network": {"endpoint_services": ["sts"], "s3_gateway_endpoint": True},
            "database": {"instances": 2, "backup_retention_days": 14},
        },
    ),
    (
        {
            "engine": "aurora-mysql",
            "database": {"serverlessV2": {"minCapacity": 0.5, "maxCapacity": 8.0}},
            "functions": {
                "app": {"memoryMb": 512.0, "architecture": "x86_64", "environment": {"MODE": "fast"}}
            },
        },
        {
            "engine": "aurora-mysql",
            "database": {"serverless_v2": {"min_capacity": 0.5, "max_capacity": 8}},
            "functions": {
                "app": {"memory_mb": 512, "architecture": "x86_64", "environment": {"MODE": "fast"}}
            },
        },
    ),
]


def _provider() -> ComponentProvider:
    return ComponentProvider([LambdaRds], "lambda-rds", version="0.0.0")


def _plain(value: Any) -> Any:
    """Assets compare by path (the objects differ between runs); everything else as is."""
    if isinstance(value, pulumi.asset.FileArchive):
        return ("FileArchive", value.path)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fingerprint(mocks: RecordingMocks) -> list[tuple[str, str, str]]:
    return sorted(
        (r.type, r.name, repr(_plain(r.inputs)))
        for r in mocks.resources
        if r.type != "lambda-rds:index:LambdaRds"
    )


def _construct(inputs: dict[str, Any]) -> RecordingMocks:
    provider = _provider()
    return run_with_mocks(lambda: provider.construct("t", TOKEN, inputs, pulumi.ResourceOptions()))


def _python(args: dict[str, Any]) -> RecordingMocks:
    return run_with_mocks(lambda: LambdaRds("t", args))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "wire,python", CASES, ids=lambda c: str(c.get("engine", "")) if isinstance(c, dict) else ""
)
def test_construct_matches_python(wire: dict[str, Any], python: dict[str, Any]) -> None:
    from_wire = _construct(wire)
    from_python = _python(python)
    assert len(from_wire.resources) > 20
    assert _fingerprint(from_wire) == _fingerprint(from_python)


def test_unknown_enum_value_is_refused_naming_key_and_value() -> None:
    # The SDK checks enums against the schema before the component runs (typed SDKs catch it at compile
    # time); its error names the property and the value.
    with pytest.raises(InputPropertyError) as err:
        _construct({"engine": "oracle"})
    assert err.value.args == ("engine", "Invalid value oracle of type <class 'str'> for enum 'Engine'")


def test_mistyped_value_reaches_the_validation_layer() -> None:
    with pytest.raises(ComponentInitError) as err:
        _construct({"azCount": 2.5})
    # The provider wraps the component's error; its message is the validation layer's, key first.
    assert "lambda-rds: az_count: expected an integer 2..6, got 2.5" in str(err.value)


def test_invalid_combination_is_refused_before_resources() -> None:
    mocks = RecordingMocks()
    provider = _provider()
    with pytest.raises(ComponentInitError, match="egress"):
        run_with_mocks(
            lambda: provider.construct(
                "t", TOKEN, {"auth": "secret", "egress": "none"}, pulumi.ResourceOptions()
            ),
            mocks,
        )
    assert mocks.resources == []
