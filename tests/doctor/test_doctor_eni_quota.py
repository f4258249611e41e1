"""Issue 21, defect 10 leftover: the account's network interface quota and its use, in doctor only.

Service Quotas answers and every page of DescribeNetworkInterfaces come from botocore ``Stubber`` (checked
against the service models); the deadline mid-count from a paginator that hits the guard; one run against
the moto server end to end (moto serves Service Quotas' VPC defaults).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from lambda_rds.doctor.aws import Aws, DeadlineExceeded
from lambda_rds.doctor.quota_reads import DEFAULT_ENI_QUOTA, ENI_QUOTA_CODE, EniHeadroom, QuotaReads

from tests.doctor.moto_server import MotoServer, run_doctor
from tests.doctor.topology import Scenario

REGION = "us-east-1"


def _client(service: str) -> Any:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    # A closed loopback port: anything that got past a stub would fail to connect, visibly.
    return session.client(service, region_name=REGION, endpoint_url="http://127.0.0.1:9")


@pytest.fixture
def stubbed() -> Iterator[tuple[Aws, dict[str, Stubber]]]:
    clients = {s: _client(s) for s in ("ec2", "service-quotas")}
    aws = Aws(boto3.Session(region_name=REGION), REGION, clients=clients)
    stubs = {s: Stubber(c) for s, c in clients.items()}
    for stub in stubs.values():
        stub.activate()
    yield aws, stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def _enis(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"NetworkInterfaceId": f"eni-{i:08x}", "InterfaceType": "lambda"} for i in range(start, start + n)
    ]


def _pages(ec2: Stubber, *sizes: int) -> None:
    """DescribeNetworkInterfaces answering ``sizes`` interfaces over as many pages, linked by NextToken."""
    seen = 0
    for i, size in enumerate(sizes):
        expected: dict[str, Any] = {"IncludeManagedResources": True, "MaxResults": 1000}
        if i:
            expected["NextToken"] = f"page-{i}"
        answer: dict[str, Any] = {"NetworkInterfaces": _enis(size, seen)}
        if i + 1 < len(sizes):
            answer["NextToken"] = f"page-{i + 1}"
        ec2.add_response("describe_network_interfaces", answer, expected)
        seen += size


def _quota(stub: Stubber, value: float) -> None:
    stub.add_response(
        "get_service_quota",
        {"Quota": {"ServiceCode": "vpc", "QuotaCode": ENI_QUOTA_CODE, "Value": value}},
        {"ServiceCode": "vpc", "QuotaCode": ENI_QUOTA_CODE},
    )


def test_every_page_is_counted_against_the_applied_quota(stubbed: tuple[Aws, dict[str, Stubber]]) -> None:
    aws, stubs = stubbed
    _pages(stubs["ec2"], 3, 2)
    _quota(stubs["service-quotas"], 100.0)
    reader = QuotaReads(aws)
    headroom = reader.eni_headroom()
    assert headroom == EniHeadroom(REGION, 5, True, 100, True)
    note = headroom.note()
    assert note == (
        f"network interfaces in {REGION}: 5 of quota 100 (Service Quotas vpc/{ENI_QUOTA_CODE}), 5% used, "
        "95 to spare"
    )
    assert not note.startswith("warning") and reader.notes == []
    assert aws.calls["ec2:DescribeNetworkInterfaces"] == 2
    assert aws.calls["service-quotas:GetServiceQuota"] == 1


def test_usage_at_90_percent_of_the_quota_is_a_warning_saying_the_threshold_is_ours(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    _pages(stubs["ec2"], 9)
    _quota(stubs["service-quotas"], 10.0)
    headroom = QuotaReads(aws).eni_headroom()
    assert headroom is not None and headroom.warn
    note = headroom.note()
    assert note.startswith(f"warning: network interfaces in {REGION}: 9 of quota 10")
    assert "90%" in note and "lambda-rds's threshold, not an AWS limit" in note
    assert f"--service-code vpc --quota-code {ENI_QUOTA_CODE}" in note


def test_the_threshold_boundary() -> None:
    assert not EniHeadroom(REGION, 4499, True, 5000, True).warn
    assert EniHeadroom(REGION, 4500, True, 5000, True).warn
    assert EniHeadroom(REGION, 5000, True, 5000, True).warn


def test_quota_not_readable_falls_back_to_the_documented_default(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    _pages(stubs["ec2"], 7)
    stubs["service-quotas"].add_client_error(
        "get_service_quota", service_error_code="AccessDeniedException", http_status_code=400
    )
    reader = QuotaReads(aws)
    headroom = reader.eni_headroom()
    assert headroom == EniHeadroom(REGION, 7, True, DEFAULT_ENI_QUOTA, False)
    assert DEFAULT_ENI_QUOTA == 5000  # the VPC quotas page's default (sources.VPC_QUOTAS)
    assert "quota 5000 (AWS's documented default; Service Quotas could not be read)" in headroom.note()
    assert any(n.startswith("not allowed to service-quotas:GetServiceQuota") for n in reader.notes)


def test_interfaces_not_readable_give_no_headroom_only_the_note(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    stubs["ec2"].add_client_error(
        "describe_network_interfaces", service_error_code="UnauthorizedOperation", http_status_code=403
    )
    _quota(stubs["service-quotas"], 5000.0)
    reader = QuotaReads(aws)
    assert reader.eni_headroom() is None
    # The quota is read first (before a count the deadline could stop): one call, its answer unused here.
    assert aws.calls.get("service-quotas:GetServiceQuota", 0) == 1
    assert any("ec2:DescribeNetworkInterfaces (the region's count)" in n for n in reader.notes)


class _Paginator:
    """Pages as the SDK yields them, then the deadline guard's refusal to send the next request."""

    def __init__(self, pages: list[int], seconds: float) -> None:
        self.pages = pages
        self.seconds = seconds

    def paginate(self, **_: Any) -> Iterator[dict[str, Any]]:
        for n in self.pages:
            yield {"NetworkInterfaces": _enis(n)}
        raise DeadlineExceeded(seconds=self.seconds)


class _Ec2:
    def __init__(self, paginator: _Paginator) -> None:
        self.paginator = paginator

    def get_paginator(self, name: str) -> _Paginator:
        assert name == "describe_network_interfaces"
        return self.paginator


def test_the_deadline_mid_count_leaves_a_lower_bound_that_still_warns(
    stubbed: tuple[Aws, dict[str, Stubber]], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws, stubs = stubbed
    _quota(stubs["service-quotas"], 1000.0)
    ec2 = _Ec2(_Paginator([1000], 45))
    real = aws.client
    monkeypatch.setattr(aws, "client", lambda service, **kw: ec2 if service == "ec2" else real(service, **kw))
    headroom = QuotaReads(aws).eni_headroom()
    assert headroom == EniHeadroom(REGION, 1000, False, 1000, True)
    assert headroom.warn
    assert "at least 1000 (counting stopped at the deadline)" in headroom.note()


def test_the_deadline_before_any_page_is_a_note_not_a_guess(
    stubbed: tuple[Aws, dict[str, Stubber]], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws, stubs = stubbed
    _quota(stubs["service-quotas"], 5000.0)
    ec2 = _Ec2(_Paginator([], 45))
    real = aws.client
    monkeypatch.setattr(aws, "client", lambda service, **kw: ec2 if service == "ec2" else real(service, **kw))
    reader = QuotaReads(aws)
    assert reader.eni_headroom() is None
    assert any(
        n.startswith("could not read ec2:DescribeNetworkInterfaces (the region's count) in time")
        for n in reader.notes
    )


def test_doctor_reports_the_headroom_against_moto(moto: MotoServer, scenario: Any) -> None:
    s: Scenario = scenario("enis")
    result = run_doctor(moto.url, "--function", s.function, "--format", "json")
    assert result.code in (0, 1), result.stderr
    report = result.json
    (note,) = [n for n in report["notes"] if n.startswith(("network interfaces in", "warning: network"))]
    assert f"of quota 5000 (Service Quotas vpc/{ENI_QUOTA_CODE})" in note, note
    assert report["api_calls"]["service-quotas:GetServiceQuota"] == 1


# ---- review: a large account is not warned about a quota it has already raised ---------------------------
def test_the_quota_is_read_before_the_count_so_the_deadline_does_not_lose_it(
    stubbed: tuple[Aws, dict[str, Stubber]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 50,000 raised, 30,000 counted before the deadline: 60% at least, not "600% of the default 5,000".
    aws, stubs = stubbed
    _quota(stubs["service-quotas"], 50000.0)

    class _Expiring(_Paginator):
        """The deadline really passes during the count: no request is sent after it."""

        def paginate(self, **kw: Any) -> Iterator[dict[str, Any]]:
            aws._deadline_at = time.monotonic() - 1
            yield from super().paginate(**kw)

    ec2 = _Ec2(_Expiring([1000] * 30, 45))
    real, real_call = aws.client, aws.call
    monkeypatch.setattr(aws, "client", lambda service, **kw: ec2 if service == "ec2" else real(service, **kw))

    def call(service: str, operation: str, **params: Any) -> dict[str, Any]:
        # A stubbed answer is never sent, so the guard's before-send never sees it: refuse here as it would.
        left = aws.remaining()
        if left is not None and left <= 0:
            raise DeadlineExceeded(seconds=45)
        return real_call(service, operation, **params)

    monkeypatch.setattr(aws, "call", call)
    aws._deadline_at = time.monotonic() + 60
    headroom = QuotaReads(aws).eni_headroom()
    assert headroom == EniHeadroom(REGION, 30000, False, 50000, True)
    assert not headroom.warn


def test_more_interfaces_than_the_default_with_the_quota_unread_is_no_warning() -> None:
    # AWS refuses an interface past the quota: 6,000 of them prove it was raised above 6,000.
    headroom = EniHeadroom(REGION, 6000, True, DEFAULT_ENI_QUOTA, False)
    assert not headroom.warn
    note = headroom.note()
    assert not note.startswith("warning") and "raised" in note and "%" not in note, note
    # Near the default, unread, it still warns: the default may be what applies.
    assert EniHeadroom(REGION, 4600, True, DEFAULT_ENI_QUOTA, False).warn
