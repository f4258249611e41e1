"""Mocks and helpers for your own unit tests of programs that use `LambdaRds`.

    import pulumi
    import pytest
    from lambda_rds import LambdaRds
    from lambda_rds.testing import LambdaRdsMocks, find, inputs_of

    mocks = LambdaRdsMocks()

    @pytest.fixture(autouse=True)
    def fresh_mocks():
        # Installed per test, not at import: another test module installing its own mocks would
        # otherwise replace these for every test collected after it.
        pulumi.runtime.set_mocks(mocks, preview=False)   # preview=False, or applies never run
        mocks.reset()

    @pulumi.runtime.test
    def test_database_is_private():
        LambdaRds("orders", {"engine": "postgres"})
        def check(_):
            db = find(mocks, "aws:rds/instance:Instance")
            assert inputs_of(db)["publiclyAccessible"] is False
        return pulumi.Output.from_input(None).apply(check)

`LambdaRdsMocks` answers every invoke the component makes (region, account, Availability Zones, the
master secret, subnets you describe) and fills the outputs AWS computes (ids, ARNs, endpoints, resource
ids) with realistic values, so what your test reads looks like what `pulumi up` would give. Under any
Pulumi mocks the component packages nothing: the dependency layer is a placeholder and pip never runs.
Nothing here talks to AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_rds.testing.account import UnknownRegionError
from lambda_rds.testing.mocks import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    RecordedCall,
    RecordedResource,
    RecordingMocks,
)

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "LambdaRdsMocks",
    "RecordedCall",
    "RecordedResource",
    "UnknownRegionError",
    "find",
    "find_all",
    "inputs_of",
    "outputs_of",
]


class LambdaRdsMocks(RecordingMocks):
    """Pulumi mocks that answer like a plausible AWS account and record every registration and invoke.

    Keyword arguments (all optional): ``region`` (default ``us-east-1``; any Region of the ``aws``
    partition, e.g. ``LambdaRdsMocks(region="eu-west-1")``: the mocks then answer that Region's AZs, and an
    unknown Region is an error naming it), ``account_id`` (``123456789012``), ``zones`` (the AZs the account
    offers as (name, AZ ID) pairs, ``(("us-east-1a", "use1-az6"), ...)``; default: the Region's, from
    ``lambda_rds/rules/regions.json``. AZ names map to AZ IDs per account in AWS's oldest Regions, so the
    default pairing is one stated, deterministic choice: key anything you assert about a zone by AZ ID),
    ``local_zones`` (opted-in Local
    Zones, which the component must never choose), ``subnets`` (pre-existing subnets for a brought VPC:
    ``{"subnet-aaa": {"availabilityZone": "us-east-1a", "vpcId": "vpc-123", "cidrBlock": "10.0.1.0/24"}}``).
    ``resources`` and ``calls`` hold what was recorded, in registration order; every test that builds
    its own program should start with ``reset()`` (a pytest autouse fixture is the easy way), or it also
    sees the resources of the tests before it.
    """

    def reset(self) -> None:
        """Forget what earlier programs registered and called."""
        self.resources.clear()
        self.calls.clear()


def find_all(
    mocks: RecordingMocks, type_token: str | None = None, name_contains: str | None = None
) -> list[RecordedResource]:
    """Recorded resources of ``type_token`` (e.g. ``aws:lambda/function:Function``) whose logical name
    contains ``name_contains``; either filter may be left out. Registration order is not deterministic:
    sort or key by name when you compare lists."""
    return [
        r
        for r in mocks.resources
        if (type_token is None or r.type == type_token) and (name_contains is None or name_contains in r.name)
    ]


def find(
    mocks: RecordingMocks, type_token: str | None = None, name_contains: str | None = None
) -> RecordedResource:
    """The one recorded resource matching the filters; a clear error naming what was found otherwise."""
    found = find_all(mocks, type_token, name_contains)
    if len(found) != 1:
        what = " ".join(
            x for x in (type_token or "", f"named *{name_contains}*" if name_contains else "") if x
        )
        raise LookupError(
            f"expected one resource {what or '(any)'}, found {len(found)}: {sorted(r.name for r in found)}"
        )
    return found[0]


def inputs_of(resource: RecordedResource) -> Mapping[str, Any]:
    """The inputs the program sent, keyed camelCase as the engine sees them (``publiclyAccessible``)."""
    return resource.inputs


def outputs_of(resource: RecordedResource) -> Mapping[str, Any]:
    """The outputs the mocks answered: the inputs plus what AWS would compute (``arn``, ``endpoint``)."""
    return resource.outputs
