"""Every example builds under mocks; the seed-article topologies also pass the plan's reachability checks;
the YAML program's properties are valid against the package schema."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.commands.capture import capture

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED_STACKS = sorted(
    p.name[len("Pulumi.") : -len(".yaml")] for p in (EXAMPLES / "seeds").glob("Pulumi.seed*.yaml")
)


def _types(resources: list[Any]) -> list[str]:
    return [r.type for r in resources]


@pytest.mark.parametrize("stack", SEED_STACKS)
def test_seed_topology_builds(stack: str) -> None:
    cap = capture(EXAMPLES / "seeds", stack)
    types = _types(cap.resources)
    cfg = yaml.safe_load((EXAMPLES / "seeds" / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert types.count("aws:rds/proxy:Proxy") == (1 if cfg.get("lambda-rds:proxy") else 0)
    expected_nat = {"single": 1, "per_az": 2}.get(cfg.get("lambda-rds:nat_gateways", ""), 0)
    assert types.count("aws:ec2/natGateway:NatGateway") == expected_nat
    # Reachability, API paths and costs of these stacks: tests/analysis/test_seeds.py.


def test_python_consumer_composes_two_components_and_attaches_a_function() -> None:
    cap = capture(EXAMPLES / "python-consumer", "dev")
    components = [r for r in cap.resources if r.type == "lambda-rds:index:LambdaRds"]
    assert sorted(r.name for r in components) == ["orders", "reports"]
    assert _types(cap.resources).count("aws:rds/instance:Instance") == 1
    assert _types(cap.resources).count("aws:rds/cluster:Cluster") == 1
    exporter = cap.by_name("orders-exporter")
    orders_sg = cap.by_name("orders-function-sg").id
    assert exporter.inputs["vpcConfig"]["securityGroupIds"] == [orders_sg]
    orders_private = sorted(
        r.id
        for r in cap.resources
        if r.name.startswith("orders-private-") and r.type == "aws:ec2/subnet:Subnet"
    )
    assert sorted(exporter.inputs["vpcConfig"]["subnetIds"]) == orders_private
    env = exporter.inputs["environment"]["variables"]
    assert env["DB_HOST"] == cap.by_name("orders-proxy").outputs["endpoint"] and env["DB_AUTH"] == "iam"
    # The two VPCs do not overlap (the second one was given its own CIDR).
    cidrs = {r.name: r.inputs["cidrBlock"] for r in cap.resources if r.type == "aws:ec2/vpc:Vpc"}
    assert cidrs == {"orders-vpc": "10.0.0.0/16", "reports-vpc": "10.20.0.0/16"}


def _check_against_schema(value: Any, prop: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    errors: list[str] = []
    if "$ref" in prop:
        typ = schema["types"][prop["$ref"].split("/types/", 1)[1]]
        if "enum" in typ:
            if value not in [e["value"] for e in typ["enum"]]:
                errors.append(f"{path}: {value!r} not in enum")
            return errors
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        for k, v in value.items():
            if k not in typ.get("properties", {}):
                errors.append(f"{path}.{k}: unknown property")
            else:
                errors += _check_against_schema(v, typ["properties"][k], schema, f"{path}.{k}")
        return errors
    kind = prop.get("type")
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }
    if not ok.get(str(kind), True):
        return [f"{path}: expected {kind}, got {value!r}"]
    if kind == "object" and "additionalProperties" in prop:
        for k, v in value.items():
            errors += _check_against_schema(v, prop["additionalProperties"], schema, f"{path}.{k}")
    if kind == "array":
        for i, v in enumerate(value):
            errors += _check_against_schema(v, prop.get("items", {}), schema, f"{path}[{i}]")
    return errors


def test_yaml_program_is_valid_against_the_schema() -> None:
    schema = json.loads((ROOT / "components" / "schema.json").read_text())
    program = yaml.safe_load((EXAMPLES / "yaml-package" / "Pulumi.yaml").read_text())
    assert program["packages"]["lambda-rds"] == "../../components"
    assert (EXAMPLES / "yaml-package" / program["packages"]["lambda-rds"] / "PulumiPlugin.yaml").is_file()
    (resource,) = program["resources"].values()
    assert resource["type"] == "lambda-rds:index:LambdaRds"
    inputs = schema["resources"]["lambda-rds:index:LambdaRds"]["inputProperties"]
    errors = []
    for key, value in resource["properties"].items():
        errors += (
            [f"{key}: unknown input"]
            if key not in inputs
            else _check_against_schema(value, inputs[key], schema, key)
        )
    assert errors == []
    outputs = schema["resources"]["lambda-rds:index:LambdaRds"]["properties"]
    for ref in program["outputs"].values():
        assert ref.split(".", 1)[1].rstrip("}") in outputs


def test_schema_check_catches_a_bad_yaml_value() -> None:
    schema = json.loads((ROOT / "components" / "schema.json").read_text())
    inputs = schema["resources"]["lambda-rds:index:LambdaRds"]["inputProperties"]
    assert _check_against_schema("oracle", inputs["engine"], schema, "engine") == [
        "engine: 'oracle' not in enum"
    ]
    assert _check_against_schema({"instanceType": "x"}, inputs["database"], schema, "database") == [
        "database.instanceType: unknown property"
    ]
