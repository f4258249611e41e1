"""Review of issue 21: an interface endpoint shared from a central VPC through a Route 53 private hosted
zone (the hub-and-spoke pattern: the zone ``secretsmanager.<region>.amazonaws.com`` associated with the
function's VPC, aliased to the hub's endpoint) is not "neither endpoint nor NAT".

Without this, doctor failed ``reach.aws-api`` on a working brought VPC and offered CreateVpcEndpoint with
private DNS, which AWS refuses while a zone of that name is associated with the VPC (the conflict
``doctor --vpc`` names, brought_vpc.py). The path through the hub (peering or transit gateway, the hub
endpoint's security group) is in another VPC, often another account: doctor says it cannot judge it.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3

from tests.doctor.moto_server import REGION, MotoServer
from tests.doctor.test_doctor_moto import doctor
from tests.doctor.topology import Scenario

Make = Callable[..., Scenario]


def _route53(moto: MotoServer) -> object:
    return boto3.client(
        "route53",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_a_central_endpoints_private_zone_is_not_judged_as_missing(moto: MotoServer, scenario: Make) -> None:
    s = scenario("hub", auth="secret", egress="none")
    zone = _route53(moto).create_hosted_zone(  # type: ignore[attr-defined]
        Name=f"secretsmanager.{REGION}.amazonaws.com",
        CallerReference=s.name,
        HostedZoneConfig={"PrivateZone": True, "Comment": "hub endpoint"},
        VPC={"VPCRegion": REGION, "VPCId": s.vpc},
    )["HostedZone"]["Id"]
    report = doctor(moto, s)
    (api,) = [v for v in report["verdicts"] if v["id"] == "reach.aws-api"]
    assert api["status"] == "unknown", api
    assert zone.rsplit("/", 1)[-1] in api["summary"] and "private hosted zone" in api["summary"]
    assert report["result"] == "pass" and report["fix_order"] == []
    assert report["api_calls"]["route53:ListHostedZonesByVPC"] == 1


def test_without_the_zone_it_still_fails_and_the_zone_is_read_only_then(
    moto: MotoServer, scenario: Make
) -> None:
    s = scenario("nohub", auth="secret", egress="none")
    report = doctor(moto, s)
    (api,) = [v for v in report["verdicts"] if v["id"] == "reach.aws-api"]
    assert api["status"] == "fail"
    assert report["api_calls"]["route53:ListHostedZonesByVPC"] == 1
    # A function with an endpoint of its own (private DNS) never pays for the zone listing.
    healthy = doctor(moto, scenario("ephub", auth="secret", egress="endpoint"))
    assert "route53:ListHostedZonesByVPC" not in healthy["api_calls"]


def test_with_a_nat_too_the_zone_decides_and_doctor_says_it_cannot_judge(
    moto: MotoServer, scenario: Make
) -> None:
    # The service's name resolves to the hub's endpoint: the NAT is never used for it (as with a local
    # endpoint with private DNS, issue 21 defect 2), so "reaches secretsmanager via NAT" would be a guess.
    s = scenario("nzhub", auth="secret")
    _route53(moto).create_hosted_zone(  # type: ignore[attr-defined]
        Name=f"secretsmanager.{REGION}.amazonaws.com.",
        CallerReference=s.name,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": s.vpc},
    )
    report = doctor(moto, s)
    (api,) = [v for v in report["verdicts"] if v["id"] == "reach.aws-api"]
    assert api["status"] == "unknown" and "NAT" not in api["summary"], api
