"""Issue 17, item 5: `lambda-rds doctor --vpc` before the first `up` into a brought VPC, against moto
(in process). It finds what would make CreateVpcEndpoint fail: a DNS attribute off, or an interface
endpoint with private DNS already serving a service the component would make an endpoint for; it names
the service and the setting that leaves that endpoint out of ours. Read-only, like every doctor run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from lambda_rds.commands.cli import main
from lambda_rds.doctor import brought_vpc
from lambda_rds.doctor.aws import Aws
from moto import mock_aws

REGION = "us-east-1"


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def _vpc(ec2: Any, *, hostnames: bool) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    return vpc, subnet


def _endpoint(
    ec2: Any, vpc: str, subnet: str, service: str, *, private_dns: bool, tags: dict[str, str]
) -> str:
    spec = [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return str(
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{REGION}.{service}",
            VpcEndpointType="Interface",
            SubnetIds=[subnet],
            PrivateDnsEnabled=private_dns,
            **({"TagSpecifications": spec} if tags else {}),
        )["VpcEndpoint"]["VpcEndpointId"]
    )


def _check(vpc: str, services: list[str]) -> brought_vpc.VpcPreflight:
    return brought_vpc.check(Aws(boto3.Session(), REGION), vpc, services)


def test_existing_private_dns_endpoint_for_secretsmanager_conflicts(ec2: Any) -> None:
    vpc, subnet = _vpc(ec2, hostnames=True)
    theirs = _endpoint(ec2, vpc, subnet, "secretsmanager", private_dns=True, tags={})
    result = _check(vpc, ["secretsmanager"])
    assert result.attributes == {"enableDnsSupport": True, "enableDnsHostnames": True}
    assert [(h.service, h.endpoint_id) for h in result.conflicts] == [("secretsmanager", theirs)]
    (finding,) = result.findings()
    assert finding.startswith(
        f"secretsmanager: {theirs} already serves com.amazonaws.{REGION}.secretsmanager"
    )
    assert "conflicting DNS domain" in finding
    # The settings that drop it from ours, and the fix on their side with the real id.
    assert "egress 'nat'" in finding and "auth 'iam'" in finding
    assert f"--vpc-endpoint-id {theirs} --no-private-dns-enabled" in finding
    assert result.exit_code == 1
    # Read only: Describe/Get/List, each counted.
    assert result.api_calls == {
        "ec2:DescribeVpcAttribute": 2,
        "ec2:DescribeVpcs": 1,
        "sts:GetCallerIdentity": 1,
        "ec2:DescribeVpcEndpoints": 1,
        "ec2:DescribeVpcEndpointServices": 1,
        "route53:ListHostedZonesByVPC": 1,
    }


def test_an_extra_service_names_the_endpoint_services_setting(ec2: Any) -> None:
    vpc, subnet = _vpc(ec2, hostnames=True)
    _endpoint(ec2, vpc, subnet, "sts", private_dns=True, tags={})
    (finding,) = _check(vpc, ["secretsmanager", "sts"]).findings()
    assert finding.startswith("sts: ") and "Remove 'sts' from network.endpoint_services" in finding


def test_endpoints_that_do_not_conflict(ec2: Any) -> None:
    vpc, subnet = _vpc(ec2, hostnames=True)
    _endpoint(ec2, vpc, subnet, "secretsmanager", private_dns=False, tags={})  # no private DNS
    _endpoint(ec2, vpc, subnet, "kms", private_dns=True, tags={})  # a service we do not make
    result = _check(vpc, ["secretsmanager", "sts"])
    assert result.conflicts == [] and result.findings() == [] and result.exit_code == 0


def test_an_endpoint_another_lambda_rds_stack_made_conflicts_too(ec2: Any) -> None:
    """Review finding 1: the `lambda-rds:component` tag holds the component name only (`app` in dev and
    staging alike), so staging into dev's VPC used to pass doctor and then fail "conflicting DNS domain".
    Every private-DNS holder counts; a tagged one gets a note saying whose it probably is."""
    vpc, subnet = _vpc(ec2, hostnames=True)
    dev = _endpoint(
        ec2,
        vpc,
        subnet,
        "secretsmanager",
        private_dns=True,
        tags={"lambda-rds:component": "app", "environment": "dev", "Name": "app-secretsmanager"},
    )
    bare = _endpoint(ec2, vpc, subnet, "sts", private_dns=True, tags={"lambda-rds:component": "app"})
    result = _check(vpc, ["secretsmanager", "sts"])
    assert [h.endpoint_id for h in result.conflicts] == [dev, bare] and result.exit_code == 1
    assert [f.split(":", 1)[0] for f in result.findings()] == ["secretsmanager", "sts"]
    dev_note, bare_note = result.notes()[:2]
    assert dev_note.startswith(f"secretsmanager: {dev} carries lambda-rds:component='app': probably the ")
    assert "lambda-rds stack tagged environment=dev" in dev_note
    assert "this stack's own, from an earlier `up`" in dev_note
    assert bare_note.startswith(
        f"sts: {bare} carries lambda-rds:component='app': probably another lambda-rds"
    )


@pytest.mark.parametrize(
    ("state", "holds"),
    [
        ("PendingAcceptance", True),
        ("Pending", True),
        ("Available", True),
        ("Deleting", True),  # still holds its zone until it is gone (review finding 6)
        ("Partial", True),
        ("Deleted", False),
        ("Rejected", False),
        ("Failed", False),
        ("Expired", False),
    ],
)
def test_which_endpoint_states_hold_the_private_dns_name(state: str, holds: bool) -> None:
    item = {
        "VpcEndpointId": "vpce-1",
        "VpcEndpointType": "Interface",
        "ServiceName": f"com.amazonaws.{REGION}.secretsmanager",
        "PrivateDnsEnabled": True,
        "State": state,
    }
    found = brought_vpc.holders([item], {f"com.amazonaws.{REGION}.secretsmanager": "secretsmanager"})
    assert bool(found) is holds


# ---- a private hosted zone named like the service (the shared-endpoints pattern) -------------------------
def _zone(vpc: str, name: str) -> str:
    r53 = boto3.client("route53", region_name=REGION)
    zone = r53.create_hosted_zone(
        Name=name,
        CallerReference=name,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": vpc},
    )
    return str(zone["HostedZone"]["Id"]).rsplit("/", 1)[-1]


def test_a_private_hosted_zone_named_like_the_service_conflicts(ec2: Any) -> None:
    """Review finding 2: a zone `secretsmanager.<region>.amazonaws.com` associated with the VPC (central
    endpoints shared through zones) makes the endpoint fail too, and DescribeVpcEndpoints lists nothing."""
    vpc, _ = _vpc(ec2, hostnames=True)
    zone_id = _zone(vpc, f"secretsmanager.{REGION}.amazonaws.com")
    _zone(vpc, "corp.internal")  # another name: not ours to judge
    result = _check(vpc, ["secretsmanager", "sts"])
    assert result.holders == [] and result.exit_code == 1
    (zone,) = result.zone_conflicts
    assert (zone.service, zone.zone_id, zone.owner) == ("secretsmanager", zone_id, "123456789012")
    (finding,) = result.findings()
    assert finding.startswith(f"secretsmanager: private hosted zone secretsmanager.{REGION}.amazonaws.com.")
    assert "conflicting DNS domain" in finding and "egress 'nat'" in finding
    assert (
        f"aws route53 disassociate-vpc-from-hosted-zone --hosted-zone-id {zone_id} "
        f"--vpc VPCRegion={REGION},VPCId={vpc}"
    ) in finding


def test_zone_names_match_with_or_without_the_trailing_dot_and_a_managed_zone_is_folded() -> None:
    names = {
        "secretsmanager": "secretsmanager.us-east-1.amazonaws.com",
        "ecr.dkr": "dkr.ecr.us-east-1.amazonaws.com",
    }
    summaries = [
        {
            "HostedZoneId": "Z1",
            "Name": "secretsmanager.us-east-1.amazonaws.com",
            "Owner": {"OwningAccount": "1"},
        },
        {"HostedZoneId": "Z2", "Name": "dkr.ecr.us-east-1.amazonaws.com.", "Owner": {"OwningAccount": "1"}},
        {"HostedZoneId": "Z3", "Name": "sts.us-east-1.amazonaws.com.", "Owner": {"OwningAccount": "1"}},
    ]
    assert [(z.service, z.zone_id) for z in brought_vpc.zones(summaries, names)] == [
        ("ecr.dkr", "Z2"),
        ("secretsmanager", "Z1"),
    ]
    # A zone an AWS service manages for an endpoint already found is that endpoint's DNS: one finding.
    result = brought_vpc.VpcPreflight("vpc-1", "us-east-1", ("secretsmanager",))
    result.holders = [brought_vpc.Holder("secretsmanager", "vpce-1", None)]
    result.zones = [
        brought_vpc.Zone(
            "secretsmanager", "Z9", "secretsmanager.us-east-1.amazonaws.com.", "vpce.amazonaws.com", True
        )
    ]
    assert result.zone_conflicts == [] and len(result.findings()) == 1
    assert any("managed by vpce.amazonaws.com" in n for n in result.notes())


# ---- a VPC shared from another account ----------------------------------------------------------------
def _sts_as(account: str) -> Any:
    """An STS client that answers GetCallerIdentity as ``account`` (a participant the VPC is shared with)."""
    sts = boto3.client("sts", region_name=REGION)
    stub = Stubber(sts)
    stub.add_response(
        "get_caller_identity",
        {"Account": account, "Arn": f"arn:aws:iam::{account}:user/p", "UserId": "AIDAP"},
    )
    stub.activate()
    return sts


def test_a_vpc_owned_by_another_account_cannot_take_our_endpoints(ec2: Any) -> None:
    """Review finding 3: a participant cannot create VPC endpoints in a shared VPC."""
    vpc, _ = _vpc(ec2, hostnames=True)  # owned by moto's account, 123456789012
    aws = Aws(boto3.Session(), REGION, clients={"sts": _sts_as("210987654321")})
    result = brought_vpc.check(aws, vpc, ["secretsmanager"])
    assert (result.owner_id, result.account_id, result.shared) == ("123456789012", "210987654321", True)
    (finding,) = result.findings()
    assert finding.startswith(
        f"network.vpc_id {vpc}: owned by account 123456789012 and shared with this account 210987654321"
    )
    assert "does not support shared VPCs" in finding and "egress 'nat'" in finding
    assert "owner account create the endpoints" in finding and "auth 'iam'" in finding
    assert result.exit_code == 1
    # The same VPC, read by its owner: nothing to say.
    assert _check(vpc, ["secretsmanager"]).shared is False


# ---- Availability Zones the endpoint service is offered in ---------------------------------------------
class _OfferedIn(Aws):
    """moto offers every service in every zone: this narrows DescribeVpcEndpointServices' answer."""

    def __init__(self, zones: list[str]) -> None:
        super().__init__(boto3.Session(), REGION)
        self.zones = zones

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        items = super().pages(service, operation, key, **params)
        if operation == "describe_vpc_endpoint_services":
            items = [{**d, "AvailabilityZones": self.zones} for d in items]
        return items


def test_a_subnet_in_a_zone_the_service_is_not_offered_in_fails(ec2: Any) -> None:
    vpc, _ = _vpc(ec2, hostnames=True)
    subnet_a, subnet_c = (
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in ((2, "a"), (3, "c"))
    )
    result = brought_vpc.check(
        _OfferedIn(["us-east-1a", "us-east-1b"]), vpc, ["secretsmanager"], [subnet_a, subnet_c]
    )
    (gap,) = result.zone_gaps
    assert (gap.service, gap.subnet_id, gap.zone) == ("secretsmanager", subnet_c, "us-east-1c")
    (finding,) = result.findings()
    assert finding.startswith(
        f"secretsmanager: subnet {subnet_c} is in us-east-1c, where com.amazonaws.{REGION}"
    )
    assert "only us-east-1a, us-east-1b" in finding and "does not support the Availability Zone" in finding
    # Offered everywhere (moto's own answer): no finding; without --subnet-ids, a note: not checked.
    assert _check(vpc, ["secretsmanager"]).zone_gaps == []
    assert (
        brought_vpc.check(
            Aws(boto3.Session(), REGION), vpc, ["secretsmanager"], [subnet_a, subnet_c]
        ).findings()
        == []
    )
    assert any("Availability Zones not checked" in n for n in _check(vpc, ["secretsmanager"]).notes())


def test_a_service_the_region_does_not_offer_is_named(ec2: Any) -> None:
    vpc, _ = _vpc(ec2, hostnames=True)
    result = _check(vpc, ["secretsmanager", "nosuchservice"])
    assert result.missing_services == ["nosuchservice"]
    (finding,) = result.findings()
    assert finding.startswith(
        "nosuchservice: com.amazonaws.us-east-1.nosuchservice is not an endpoint service"
    )


class _NoRoute53(Aws):
    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        if service == "route53":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListHostedZonesByVPC")
        return super().call(service, operation, **params)


def test_a_denied_zone_listing_is_a_note_not_a_guess(ec2: Any) -> None:
    vpc, _ = _vpc(ec2, hostnames=True)
    result = brought_vpc.check(_NoRoute53(boto3.Session(), REGION), vpc, ["secretsmanager"])
    assert result.exit_code == 0
    assert (
        "route53:ListHostedZonesByVPC: access denied (AccessDenied); what it reads was not checked"
        in result.notes()
    )


def test_dns_hostnames_off_is_found(ec2: Any) -> None:
    vpc, _ = _vpc(ec2, hostnames=False)  # CreateVpc leaves enableDnsHostnames off
    result = _check(vpc, ["secretsmanager"])
    assert result.attributes_off == ["enableDnsHostnames"]
    (finding,) = result.findings()
    assert f"aws ec2 modify-vpc-attribute --vpc-id {vpc} --enable-dns-hostnames" in finding
    assert result.exit_code == 1


def test_the_command_line(ec2: Any, capsys: pytest.CaptureFixture[str]) -> None:
    vpc, subnet = _vpc(ec2, hostnames=True)
    theirs = _endpoint(ec2, vpc, subnet, "secretsmanager", private_dns=True, tags={})
    assert main(["doctor", "--vpc", vpc, "--region", REGION, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["result"] == "fail" and report["services"] == ["secretsmanager"]
    assert [e["endpoint_id"] for e in report["private_dns_endpoints"]] == [theirs]
    assert main(["doctor", "--vpc", vpc, "--region", REGION, "--endpoint-services", "sts,ssm"]) == 0
    out = capsys.readouterr().out
    assert "result: pass" in out and "owner: 123456789012 (this account: 123456789012)" in out
    args = ["doctor", "--vpc", vpc, "--region", REGION, "--endpoint-services", "sts", "--subnet-ids", subnet]
    assert main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["subnets"] == [subnet] and report["zone_gaps"] == []
    # --function and --vpc are one or the other.
    with pytest.raises(SystemExit):
        main(["doctor", "--vpc", vpc, "--function", "f"])


def test_the_guide_lists_every_cause_doctor_checks() -> None:
    """docs/deploying.md §6 names each thing that fails `up` in a brought VPC; docs/doctor.md the calls."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    guide = (root / "docs" / "deploying.md").read_text().split("## 6. Bringing your own VPC", 1)[1]
    for cause in (
        "does not support shared VPCs",
        "enableDnsHostnames",
        "conflicting DNS",
        "private hosted zone named like the service",
        "another lambda-rds stack's",
        "being deleted",
        "does not support the Availability Zone",
        "--subnet-ids",
    ):
        assert cause in guide, cause
    doctor = (root / "docs" / "doctor.md").read_text()
    assert "route53:ListHostedZonesByVPC" in doctor and "--subnet-ids" in doctor
