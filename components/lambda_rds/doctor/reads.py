"""The reading core of doctor: what one diagnosis has read so far, and what a failed read becomes.

A read the checks survive without (``Reads.optional``) is noted and skipped: an access denial or a missing
resource becomes a note, and the checks that needed it answer "unknown" instead of guessing. A read doctor
cannot do without (``Reads.required``) raises ``AwsError`` naming the call and the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.doctor.aws import (
    Aws,
    AwsError,
    DeadlineExceeded,
    error_code,
    is_access_denied,
    is_timeout,
)
from lambda_rds.doctor.status import StatusNote

T = TypeVar("T")

NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "DBInstanceNotFound",
        "DBInstanceNotFoundFault",
        "DBClusterNotFoundFault",
        "DBProxyNotFoundFault",
        "DBProxyEndpointNotFoundFault",
        "DBSubnetGroupNotFoundFault",
        "DBParameterGroupNotFound",
        "DBParameterGroupNotFoundFault",
        "InvalidSubnetID.NotFound",
    }
)


def no_items() -> list[Any]:
    """A fresh, typed empty answer for a listing that could not be read."""
    return []


def error_message(exc: BaseException) -> str:
    """The AWS error message of a botocore ``ClientError`` (else the exception's text)."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Message", "")) or str(exc)
    return str(exc)


class Reads:
    """One diagnosis' worth of reads; ``notes`` collects what could not be read and why."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.notes: list[str] = []
        self.resources: list[Resource] = []
        self._seen: set[str] = set()
        self.status: list[StatusNote] = []
        # DB_READ_HOST's hosts: with readers, a proxy's read-only endpoints are read too.
        self.read_hosts: list[str] = []
        # DNS attributes of the VPCs with an interface endpoint with private DNS (vpc id -> attribute -> on).
        self.vpc_dns: dict[str, dict[str, bool]] = {}
        # Private hosted zones associated with the function's VPCs (vpc id -> zone name -> zone id), read
        # only when a service it calls has no interface endpoint with private DNS there (a central one?).
        self.vpc_zones: dict[str, dict[str, str]] = {}

    def add(self, *items: Resource | None) -> None:
        for r in items:
            if r is not None and r.urn not in self._seen:
                self._seen.add(r.urn)
                self.resources.append(r)

    def optional(self, what: str, call: Callable[[], T], default: T) -> T:
        """Run a read whose absence the checks survive; note access denials and missing resources."""
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.parsers import ResponseParserError

        try:
            return call()
        except (BotoCoreError, ResponseParserError, DeadlineExceeded) as exc:  # e.g. an unknown API
            if is_timeout(exc):
                self.notes.append(
                    f"could not read {what} in time ({exc}): the checks that need it say unknown"
                )
            else:
                self.notes.append(f"{what} failed: {exc}")
            return default
        except ClientError as exc:
            if is_access_denied(exc):
                self.notes.append(
                    f"not allowed to {what} ({error_code(exc)}): the checks that need it say unknown"
                )
            elif error_code(exc) in NOT_FOUND_CODES:
                self.notes.append(f"{what}: not found ({error_code(exc)})")
            else:
                self.notes.append(f"{what} failed: {error_code(exc) or exc}")
            return default

    def required(self, what: str, call: Callable[[], T]) -> T:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except (BotoCoreError, DeadlineExceeded) as exc:
            if is_timeout(exc):
                raise AwsError(f"could not read {what} in time ({exc})") from None
            raise
        except ClientError as exc:
            code = error_code(exc)
            if code in NOT_FOUND_CODES:
                raise AwsError(f"{what}: not found in {self.aws.region} ({code})") from None
            raise AwsError(f"{what} failed: {code}: {error_message(exc)}") from None
