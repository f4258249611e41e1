"""Unit tests run programs under the recording mocks. Layers are not built here (tests/packaging builds
real ones): the offline packager produces a placeholder, exactly what `lambda-rds plan` does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

os.environ["LAMBDA_RDS_PACKAGING"] = "offline"

from lambda_rds.component import LambdaRds
from lambda_rds.testing.mocks import RecordedResource, RecordingMocks, run_with_mocks

OUTPUT_NAMES = (
    "vpc_id",
    "private_subnet_ids",
    "function_security_group_id",
    "database_endpoint",
    "database_port",
    "database_resource_id",
    "proxy_endpoint",
    "connect_host",
    "reader_endpoint",
    "app_secret_arn",
    "master_secret_arn",
    "function_names",
    "function_arns",
    "function_role_arns",
    "function_urls",
    "layer_arn",
    "function_environment",
)


@dataclass
class Built:
    mocks: RecordingMocks
    component: LambdaRds
    outputs: dict[str, Any]

    def one(self, type_token: str) -> RecordedResource:
        found = self.mocks.by_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {[r.name for r in found]}"
        return found[0]

    def all(self, type_token: str) -> list[RecordedResource]:
        return self.mocks.by_type(type_token)

    def named(self, name: str) -> RecordedResource:
        return self.mocks.by_name(name)

    def by_id(self, rid: str) -> RecordedResource:
        matches = [r for r in self.mocks.resources if r.id == rid]
        assert len(matches) == 1, f"no single resource with id {rid}"
        return matches[0]

    def descendants(self) -> Iterator[pulumi.Resource]:
        stack: list[pulumi.Resource] = [self.component]
        while stack:
            res = stack.pop()
            children = list(getattr(res, "_childResources", ()))
            stack.extend(children)
            if res is not self.component:
                yield res


def build_component(
    args: dict[str, Any],
    *,
    name: str = "t",
    mocks: RecordingMocks | None = None,
    opts_factory: Callable[[], pulumi.ResourceOptions | None] | None = None,
    stack: str = "dev",
) -> Built:
    holder: dict[str, Any] = {}

    async def program() -> None:
        component = LambdaRds(name, args, opts_factory() if opts_factory else None)
        holder["c"] = component
        # Resolve every output inside the run, so tests see what a consumer would.
        holder["outputs"] = await pulumi.Output.all(
            **{k: getattr(component, k) for k in OUTPUT_NAMES}
        ).future()

    recorded = run_with_mocks(program, mocks, stack=stack)
    return Built(recorded, holder["c"], holder["outputs"])


@pytest.fixture
def build() -> Callable[..., Built]:
    return build_component
