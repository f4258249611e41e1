"""Issue 17, item 5: a brought VPC must have enableDnsSupport and enableDnsHostnames on when the component
creates interface endpoints in it (they use private DNS: CreateVpcEndpoint PrivateDnsEnabled); CreateVpc
leaves hostnames off. Refused before any child exists, naming `network.vpc_id` and the attribute, as a
message without a traceback (a RunError). The VPC the component creates keeps both on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from lambda_rds.component import LambdaRds
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.network import (
    PRIVATE_DNS_VPC_ATTRIBUTES,
    check_brought_vpc_dns,
    check_brought_vpc_owner,
)
from lambda_rds.testing.mocks import RecordingMocks, run_with_mocks

from .conftest import Built

VPC = "vpc-0abc"
SUBNETS = {
    "subnet-a1": {"availabilityZone": "us-east-1a", "vpcId": VPC},
    "subnet-b2": {"availabilityZone": "us-east-1b", "vpcId": VPC},
}
BROUGHT = {"network": {"vpc_id": VPC, "private_subnet_ids": list(SUBNETS)}}
SECRET_ENDPOINTS = {**BROUGHT, "auth": "secret", "egress": "endpoints"}
GET_VPC = "aws:ec2/getVpc:getVpc"
VPCE = "aws:ec2/vpcEndpoint:VpcEndpoint"


def _mocks(**attributes: bool) -> RecordingMocks:
    return RecordingMocks(subnets=SUBNETS, vpcs={VPC: attributes} if attributes else {})


@pytest.mark.parametrize(
    ("attributes", "off"),
    [
        ({"enableDnsHostnames": False}, ["enableDnsHostnames"]),
        ({"enableDnsSupport": False}, ["enableDnsSupport"]),
        (
            {"enableDnsSupport": False, "enableDnsHostnames": False},
            ["enableDnsSupport", "enableDnsHostnames"],
        ),
    ],
)
def test_brought_vpc_without_dns_attributes_is_refused(
    build: Callable[..., Built], attributes: dict[str, bool], off: list[str]
) -> None:
    mocks = _mocks(**attributes)
    with pytest.raises(ConfigError) as err:
        build(SECRET_ENDPOINTS, mocks=mocks)
    message = str(err.value)
    assert err.value.key == "network.vpc_id", message
    assert message.startswith(f"lambda-rds: network.vpc_id: {VPC} has {' and '.join(off)} off")
    assert "secretsmanager" in message and "PrivateDnsEnabled" in message
    for attribute in off:
        flag = "--enable-dns-support" if attribute == "enableDnsSupport" else "--enable-dns-hostnames"
        assert f"aws ec2 modify-vpc-attribute --vpc-id {VPC} {flag}" in message
    # Pulumi prints a RunError as its message alone, without a Python traceback.
    assert isinstance(err.value, pulumi.RunError)
    # Refused before any child resource: only the component itself was registered.
    assert [r.type for r in mocks.resources] == ["lambda-rds:index:LambdaRds"]


def test_extra_endpoint_services_are_checked_with_iam_auth(build: Callable[..., Built]) -> None:
    cfg = {**BROUGHT, "egress": "endpoints", "network": {**BROUGHT["network"], "endpoint_services": ["sts"]}}
    with pytest.raises(ConfigError, match=r"network\.vpc_id: vpc-0abc has enableDnsHostnames off.*\(sts\)"):
        build(cfg, mocks=_mocks(enableDnsHostnames=False))


def test_brought_vpc_with_dns_attributes_on_builds_its_endpoints(build: Callable[..., Built]) -> None:
    b = build(SECRET_ENDPOINTS, mocks=_mocks())
    (vpce,) = b.all("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert vpce.inputs["vpcId"] == VPC and vpce.inputs["privateDnsEnabled"] is True
    (call,) = [c for c in b.mocks.calls if c.token == GET_VPC]
    assert call.args["id"] == VPC


@pytest.mark.parametrize(
    "cfg",
    [
        {**BROUGHT, "auth": "secret", "egress": "nat"},  # no interface endpoint of ours
        {**BROUGHT, "egress": "endpoints"},  # iam auth, no endpoint service asked for
        BROUGHT,  # iam auth, egress none
    ],
    ids=["secret-nat", "iam-endpoints-none", "iam-none"],
)
def test_no_interface_endpoint_no_lookup(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    b = build(cfg, mocks=_mocks(enableDnsSupport=False, enableDnsHostnames=False))
    assert b.all("aws:ec2/vpcEndpoint:VpcEndpoint") == []
    assert [c for c in b.mocks.calls if c.token == GET_VPC] == []


class _SilentVpcMocks(RecordingMocks):
    """Mocks that answer getVpc with nothing, as Pulumi's textbook mocks answer every invoke."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        if args.token == GET_VPC:
            return {}, []
        return super().call(args)


def test_unknown_attributes_under_mocks_are_not_judged(build: Callable[..., Built]) -> None:
    b = build(SECRET_ENDPOINTS, mocks=_SilentVpcMocks(subnets=SUBNETS))
    assert len(b.all("aws:ec2/vpcEndpoint:VpcEndpoint")) == 1


def test_the_created_vpc_keeps_both_dns_attributes_on(build: Callable[..., Built]) -> None:
    b = build({"auth": "secret", "egress": "endpoints"})
    vpc = b.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    # Nothing to look up in a VPC the component made itself.
    assert [c for c in b.mocks.calls if c.token == GET_VPC] == []


def test_the_decision_is_pure_and_names_what_is_off() -> None:
    s = resolve(SECRET_ENDPOINTS)
    assert PRIVATE_DNS_VPC_ATTRIBUTES == ("enableDnsSupport", "enableDnsHostnames")
    check_brought_vpc_dns(s.network, s.egress, {"enableDnsSupport": True, "enableDnsHostnames": True})
    check_brought_vpc_dns(s.network, s.egress, {"enableDnsSupport": None, "enableDnsHostnames": None})
    with pytest.raises(ConfigError, match="has enableDnsHostnames off"):
        check_brought_vpc_dns(s.network, s.egress, {"enableDnsSupport": True, "enableDnsHostnames": False})


# ---- a VPC shared from another account (AWS RAM) ------------------------------------------------------
OWNER = "210987654321"  # not the simulated account (123456789012)


def test_a_vpc_shared_from_another_account_is_refused_when_endpoints_go_into_it(
    build: Callable[..., Built],
) -> None:
    """A participant cannot create VPC endpoints in a shared VPC ("This operation does not support shared
    VPCs", sources.VPC_SHARED_ENDPOINTS): refused before any child, naming network.vpc_id, both accounts
    and what to do instead."""
    mocks = RecordingMocks(subnets=SUBNETS, vpcs={VPC: {"ownerId": OWNER}})
    with pytest.raises(ConfigError) as err:
        build(SECRET_ENDPOINTS, mocks=mocks)
    message = str(err.value)
    assert err.value.key == "network.vpc_id", message
    assert message.startswith(
        f"lambda-rds: network.vpc_id: {VPC} belongs to account {OWNER} and is shared with this account "
        f"{mocks.account_id}"
    )
    assert "does not support shared VPCs" in message and "egress 'nat'" in message
    assert "owner account create the interface endpoints" in message and "auth 'iam'" in message
    assert [r.type for r in mocks.resources] == ["lambda-rds:index:LambdaRds"]
    # By default the simulated account owns any VPC it is asked about: the same program then builds.
    assert len(build(SECRET_ENDPOINTS, mocks=_mocks()).all("aws:ec2/vpcEndpoint:VpcEndpoint")) == 1
    # Without endpoints of ours (egress 'nat'), a shared VPC is fine: nothing is judged.
    shared = RecordingMocks(subnets=SUBNETS, vpcs={VPC: {"ownerId": OWNER}})
    assert build({**BROUGHT, "auth": "secret", "egress": "nat"}, mocks=shared).all(VPCE) == []


def test_the_owner_decision_is_pure() -> None:
    s = resolve(SECRET_ENDPOINTS)
    check_brought_vpc_owner(s.network, s.egress, "123456789012", "123456789012")
    check_brought_vpc_owner(s.network, s.egress, None, "123456789012")  # unknown: not judged
    check_brought_vpc_owner(s.network, s.egress, OWNER, None)
    with pytest.raises(ConfigError, match=r"belongs to account 210987654321 .*\(secretsmanager\)"):
        check_brought_vpc_owner(s.network, s.egress, OWNER, "123456789012")
    iam = resolve(
        {**BROUGHT, "egress": "endpoints", "network": {**BROUGHT["network"], "endpoint_services": ["sts"]}}
    )
    with pytest.raises(ConfigError) as err:
        check_brought_vpc_owner(iam.network, iam.egress, OWNER, "123456789012")
    assert "auth 'iam'" not in str(err.value)  # no Secrets Manager endpoint to avoid


# ---- a VPC id that is a Pulumi Output ---------------------------------------------------------------
@pytest.mark.parametrize("where", ["vpc_id", "private_subnet_ids[1]", "private_subnet_ids"])
def test_an_output_valued_vpc_or_subnet_is_refused_with_what_is_required(where: str) -> None:
    """Another resource's `.id` or a stack reference's output has no value when settings read it: the
    message says a plain, known id is required, not "got <pulumi.output.Output object at 0x...>"."""

    async def program() -> None:  # Outputs exist only inside a Pulumi run
        network: dict[str, Any] = dict(BROUGHT["network"])
        if where == "vpc_id":
            network["vpc_id"] = pulumi.Output.from_input(VPC)
        elif where == "private_subnet_ids":
            network["private_subnet_ids"] = pulumi.Output.from_input(list(SUBNETS))
        else:
            network["private_subnet_ids"] = ["subnet-a1", pulumi.Output.from_input("subnet-b2")]
        LambdaRds("t", {"network": network})

    with pytest.raises(ConfigError) as err:
        run_with_mocks(program, _mocks())
    message = str(err.value)
    assert err.value.key == f"network.{where}", message
    assert "got a Pulumi Output" in message and "<pulumi.output.Output" not in message
    if where == "vpc_id":
        assert "a plain, known VPC id (vpc-...) is required" in message
    else:
        assert "plain, known subnet ids (subnet-...) are required" in message
    assert "aws.ec2.get_vpc(" in message


# ---- the deployer's permissions for the lookup ---------------------------------------------------------
def test_the_deployer_policy_asks_for_what_get_vpc_reads_and_no_more() -> None:
    """`aws.ec2.get_vpc` calls DescribeVpcs, DescribeVpcAttribute and DescribeRouteTables (the main table)
    and nothing else (terraform-provider-aws vpc_data_source.go, sources.TF_VPC_DATA_SOURCE): the program
    never lists the VPC's endpoints, so the invoke grants no DescribeVpcEndpoints. The endpoint resource
    itself still reads its own endpoints (its resource-type entry)."""
    from lambda_rds.commands.deployer.actions import INVOKE_ACTIONS, RESOURCE_ACTIONS

    assert INVOKE_ACTIONS[GET_VPC] == (
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeRouteTables",
    )
    assert "ec2:DescribeVpcEndpoints" in RESOURCE_ACTIONS["aws:ec2/vpcEndpoint:VpcEndpoint"]
