"""Values AWS computes (ids, ARNs, endpoints), read defensively: under Pulumi mocks they may be missing.

Pulumi's testing guide echoes inputs as outputs, so an instance's ``resource_id`` or a proxy's ``arn``
arrive as None. Where the component computes with such a value (an ``rds-db:connect`` ARN, the
bootstrap's payload), a missing one becomes a recognisable placeholder under mocks, so a consumer's test
builds and can assert on everything else. With a real engine these values always exist once the resource
does; a missing one there is a provider bug and is raised, not hidden.
"""

from typing import TypeVar

import pulumi

from lambda_rds.packaging.layer import under_pulumi_mocks

T = TypeVar("T")


def known(value: pulumi.Output[T], placeholder: T, what: str) -> pulumi.Output[T]:
    """``value``, or ``placeholder`` when the (mock) provider computed nothing for it."""

    def check(v: T | None) -> T:
        if v is not None and v != "":
            return v
        if under_pulumi_mocks():
            return placeholder
        raise pulumi.RunError(f"lambda-rds: the AWS provider returned no {what}")

    return value.apply(check)
