"""Stack config -> args: the CLI hands structured values over as JSON text; unknown keys are typos."""

import json

import pytest
from lambda_rds.commands.stack_config import args_from_config
from lambda_rds.settings import ConfigError


def test_structured_values_are_decoded_and_strings_kept() -> None:
    name, args = args_from_config(
        {
            "lambda-rds:name": "orders",
            "lambda-rds:engine": "postgres",
            "lambda-rds:engine_version": "16",  # stays a string although it parses as JSON
            "lambda-rds:az_count": "3",
            "lambda-rds:proxy": "true",
            "lambda-rds:database": json.dumps({"instance_class": "db.t4g.small", "multi_az": True}),
            "lambda-rds:waivers": json.dumps([{"policy": "RDS.5", "resource": "*", "reason": "dev"}]),
            "aws:region": "eu-west-1",
        }
    )
    assert name == "orders"
    assert args == {
        "engine": "postgres",
        "engine_version": "16",
        "az_count": 3,
        "proxy": True,
        "database": {"instance_class": "db.t4g.small", "multi_az": True},
    }


def test_unknown_key_in_the_project_namespace_is_rejected_with_the_allowed_list() -> None:
    with pytest.raises(ConfigError) as err:
        args_from_config({"lambda-rds:az_count": "2", "lambda-rds:azcount": "3"})
    assert err.value.key == "lambda-rds:azcount"
    assert "az_count" in str(err.value) and "waivers" in str(err.value)


def test_non_json_structured_value_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"lambda-rds:database: expected a structured value"):
        args_from_config({"lambda-rds:database": "db.t4g.small"})


def test_other_namespaces_are_ignored_and_name_defaults_to_app() -> None:
    assert args_from_config({"aws:region": "us-east-1", "other:thing": "x"}) == ("app", {})
