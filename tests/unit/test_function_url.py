"""`functions.<name>.url`: an AWS_IAM function URL, off by default, exported; never public."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lambda_rds.settings import ConfigError, resolve

from .conftest import Built

T_URL = "aws:lambda/functionUrl:FunctionUrl"


def test_no_url_by_default(build: Callable[..., Built]) -> None:
    b = build({"database": {"protect": False}})
    assert b.all(T_URL) == []
    assert b.outputs["function_urls"] == {}


def test_url_is_iam_only_and_exported(build: Callable[..., Built]) -> None:
    b = build({"functions": {"app": {"url": True}}, "database": {"protect": False}})
    url = b.one(T_URL)
    assert url.inputs["authorizationType"] == "AWS_IAM"
    app = b.named("t-fn-app")
    assert url.inputs["functionName"] == app.outputs["name"]
    assert b.outputs["function_urls"] == {"app": url.outputs["functionUrl"]}
    assert b.outputs["function_urls"]["app"].startswith("https://")


def test_url_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError, match=r"functions\.app\.url"):
        resolve({"functions": {"app": {"url": "yes"}}})
