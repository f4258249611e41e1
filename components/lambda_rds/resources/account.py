"""The account facts the component looks up before it registers a child.

Region, account id, and the Availability Zones (of the region, or of the subnets you brought). Wiring
only: the decisions are in `settings.zones`.

Under Pulumi mocks these come from whoever wrote the mocks. Pulumi's testing guide shows mocks whose
``call`` answers ``{}``: every field is then None. The component must still build there (consumers test
their own programs with such mocks), so under mocks a missing answer becomes a labelled placeholder, said
once in the log; against a real engine a missing answer is an error, never papered over.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds import settings as settings_mod
from lambda_rds.packaging.layer import under_pulumi_mocks
from lambda_rds.settings import Settings
from lambda_rds.settings.zones import REAL_ZONES_FILTER_NAME, REAL_ZONES_FILTER_VALUES

PLACEHOLDER_REGION = "us-east-1"
PLACEHOLDER_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class AccountFacts:
    region: str
    account_id: str
    zones: list[str]


def _placeholder(what: str, value: str) -> str:
    if not under_pulumi_mocks():
        raise pulumi.RunError(f"lambda-rds: the AWS provider answered no {what}")
    pulumi.log.info(f"lambda-rds: the mocks answered no {what}; using the placeholder {value!r}")
    return value


def _mock_zones(region: str) -> tuple[list[str], list[str]]:
    """Placeholder AZs for mocks that answer nothing: ``<region>a``.., with ids shaped like real ones."""
    names = [f"{region}{letter}" for letter in "abcdef"]
    prefix = "mock1"
    return names, [f"{prefix}-az{i + 1}" for i in range(len(names))]


def lookup(s: Settings, invoke: pulumi.InvokeOptions) -> AccountFacts:
    region = aws.get_region(opts=invoke).region or _placeholder("region", PLACEHOLDER_REGION)
    account_id = aws.get_caller_identity(opts=invoke).account_id or _placeholder(
        "account id", PLACEHOLDER_ACCOUNT
    )
    if s.network.bring_your_own:
        zone_of: dict[str, str] = {}
        for i, sid in enumerate(s.network.private_subnet_ids):
            az = aws.ec2.get_subnet(id=sid, opts=invoke).availability_zone
            zone_of[sid] = az or _placeholder(f"AZ for subnet {sid}", f"{region}{'abcdef'[i % 6]}")
        settings_mod.check_subnet_zones(zone_of)
        return AccountFacts(region, account_id, sorted(set(zone_of.values())))
    # Real AZs only: opted-in Local Zones come back too and sort first (`us-east-1-bos-1a`).
    available = aws.get_availability_zones(
        state="available",
        filters=[{"name": REAL_ZONES_FILTER_NAME, "values": list(REAL_ZONES_FILTER_VALUES)}],
        opts=invoke,
    )
    names: Sequence[str] | None = available.names
    ids: Sequence[str] | None = available.zone_ids
    if not names or not ids:
        _placeholder("Availability Zones", f"{region}a..{region}f")
        names, ids = _mock_zones(region)
    return AccountFacts(region, account_id, settings_mod.choose_zones(s, names, ids, region))
