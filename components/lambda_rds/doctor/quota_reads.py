"""The account's network interface quota in the region, and how much of it is used (issue 21, defect 10).

A function attached to a VPC connects through network interfaces Lambda creates in the account's VPC
(sources.LAMBDA_VPC_NETWORKING), and they count toward "Network interfaces per Region" (Service Quotas
``vpc`` / ``L-DF5E4CA3``, default 5,000: sources.VPC_QUOTAS). With none to spare, Lambda cannot create the
ones a new subnet or security group needs. Doctor reads the applied quota (``GetServiceQuota``,
sources.SERVICE_QUOTAS_GET), falling back to the documented default when it cannot, and counts the
region's interfaces (``DescribeNetworkInterfaces``, every page, within the run's deadline). A note gives the
headroom; at ``WARN_SHARE`` of the quota or more it is a warning. That threshold is lambda-rds's own
choice, not an AWS limit: AWS refuses only the interface past the quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_rds.doctor.aws import DeadlineExceeded
from lambda_rds.doctor.reads import Reads

# Service Quotas "Network interfaces per Region" (sources.VPC_QUOTAS).
ENI_QUOTA_SERVICE = "vpc"
ENI_QUOTA_CODE = "L-DF5E4CA3"
# Its documented default, used when Service Quotas cannot be read (sources.VPC_QUOTAS).
DEFAULT_ENI_QUOTA = 5000
# Ours, not AWS's: warn from 90% of the quota, early enough to request an increase before a deploy that
# adds subnets or security groups fails.
WARN_SHARE = 0.9
# The largest page DescribeNetworkInterfaces returns (MaxResults 5-1000, botocore's EC2 model): fewest calls.
PAGE_SIZE = 1000


@dataclass(frozen=True)
class EniHeadroom:
    """Network interfaces in the region against the account's quota."""

    region: str
    count: int
    complete: bool
    """False: the deadline stopped the count, ``count`` is a lower bound."""
    quota: int
    quota_read: bool
    """True: the applied value from Service Quotas; False: AWS's documented default."""

    @property
    def raised_unread(self) -> bool:
        """More interfaces than the documented default, the applied quota unread: AWS refuses an interface
        past the quota, so it was raised above the count, and the headroom is unknown."""
        return not self.quota_read and self.count > self.quota

    @property
    def warn(self) -> bool:
        """At or past ``WARN_SHARE`` of the quota (a lower bound already there is enough)."""
        return not self.raised_unread and self.count >= WARN_SHARE * self.quota

    def note(self) -> str:
        """The headroom, as the report's note (a warning from ``WARN_SHARE``)."""
        counted = (
            f"{self.count}" if self.complete else f"at least {self.count} (counting stopped at the deadline)"
        )
        quota = (
            f"quota {self.quota} (Service Quotas {ENI_QUOTA_SERVICE}/{ENI_QUOTA_CODE})"
            if self.quota_read
            else f"quota {self.quota} (AWS's documented default; Service Quotas could not be read)"
        )
        if self.raised_unread:
            return (
                f"network interfaces in {self.region}: {counted}, more than AWS's documented default quota "
                f"{self.quota}, so the account's quota was raised; Service Quotas could not be read "
                f"({ENI_QUOTA_SERVICE}/{ENI_QUOTA_CODE}): headroom unknown"
            )
        share = round(100 * self.count / self.quota) if self.quota else 100
        text = f"network interfaces in {self.region}: {counted} of {quota}, {share}% used"
        if not self.warn:
            if self.complete:
                text += f", {self.quota - self.count} to spare"
            return text
        return (
            f"warning: {text}, at or above {round(100 * WARN_SHARE)}% (lambda-rds's threshold, not an AWS "
            "limit): past the quota Lambda cannot create the network interfaces its VPC functions need. "
            "Delete unused network interfaces, or request an increase: "
            f"aws service-quotas request-service-quota-increase --service-code {ENI_QUOTA_SERVICE} "
            f"--quota-code {ENI_QUOTA_CODE} --desired-value '<new quota>'"
        )


class QuotaReads(Reads):
    """The network interface quota and its use (read last: no check depends on it)."""

    def eni_headroom(self) -> EniHeadroom | None:
        """The region's network interfaces against the quota; None when they could not be counted (noted).

        The quota first (one call): a count the deadline stops would otherwise leave no time to read it, and
        a large account's raised quota would be judged against the default."""
        empty: dict[str, Any] = {}
        answer = self.optional(
            f"service-quotas:GetServiceQuota {ENI_QUOTA_SERVICE}/{ENI_QUOTA_CODE}",
            lambda: self.aws.call(
                "service-quotas", "get_service_quota", ServiceCode=ENI_QUOTA_SERVICE, QuotaCode=ENI_QUOTA_CODE
            ),
            empty,
        )
        counted = self.optional(
            "ec2:DescribeNetworkInterfaces (the region's count)", self._count_interfaces, None
        )
        if counted is None:
            return None
        count, complete = counted
        value = (answer.get("Quota") or {}).get("Value")
        if isinstance(value, (int, float)) and value > 0:
            return EniHeadroom(self.aws.region, count, complete, int(value), True)
        return EniHeadroom(self.aws.region, count, complete, DEFAULT_ENI_QUOTA, False)

    def _count_interfaces(self) -> tuple[int, bool]:
        """(interfaces counted, whether every page was read). AWS-managed ones are counted too (conservative:
        an over-count warns early, an under-count would not warn). The deadline mid-way leaves a lower
        bound; before the first page it is the read's failure."""
        client = self.aws.client("ec2")
        count = 0
        try:
            pages = client.get_paginator("describe_network_interfaces").paginate(
                IncludeManagedResources=True, PaginationConfig={"PageSize": PAGE_SIZE}
            )
            for page in pages:
                count += len(page.get("NetworkInterfaces") or [])
        except DeadlineExceeded:
            if count == 0:
                raise
            return count, False
        return count, True
