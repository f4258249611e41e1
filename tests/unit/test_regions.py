"""AZ data per Region (rules/regions.json): every Region botocore lists is covered; the mocks answer it."""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pulumi
import pytest
from lambda_rds.rules import facts_rds, regions
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.zones import choose_zones, is_real_zone
from lambda_rds.testing import LambdaRdsMocks
from lambda_rds.testing.account import DEFAULT_ZONES, UnknownRegionError

# The commercial partition's Regions as botocore's endpoint data lists them (EC2 is in every Region).
BOTOCORE_REGIONS = sorted(botocore.session.get_session().get_available_regions("ec2", partition_name="aws"))
ALL = sorted(regions.all_regions())


def _zones_answer(mocks: LambdaRdsMocks, filters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    args = pulumi.runtime.MockCallArgs(
        "aws:index/getAvailabilityZones:getAvailabilityZones", {"filters": filters or []}, ""
    )
    answer, _ = mocks.call(args)
    return answer


def test_botocore_lists_the_commercial_regions() -> None:
    # Guards the test below against an empty list (a botocore without endpoint data would pass it vacuously).
    assert len(BOTOCORE_REGIONS) >= 30
    assert {"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"} <= set(BOTOCORE_REGIONS)


@pytest.mark.parametrize("region", BOTOCORE_REGIONS)
def test_every_botocore_region_has_zones_or_is_named_unknown(region: str) -> None:
    if region in regions.unknown_regions():
        with pytest.raises(regions.UnknownRegionError, match=re.escape(repr(region))):
            regions.region_zones(region)
        with pytest.raises(UnknownRegionError, match=re.escape(repr(region))):
            LambdaRdsMocks(region=region)
        return
    zones = regions.region_zones(region)
    assert zones.region == region
    assert len(zones.mock_zones) >= 2  # az_count's minimum, RDS subnet groups need 2 AZs


@pytest.mark.parametrize("region", ALL)
def test_region_data_is_consistent(region: str) -> None:
    z = regions.region_zones(region)
    prefix = z.zone_ids[0].split("-az")[0]
    # AZ IDs: one Region prefix (`euw1`), `-az<n>`, each once.
    assert all(re.fullmatch(re.escape(prefix) + r"-az[0-9]+", i) for i in z.zone_ids), z.zone_ids
    assert len(set(z.zone_ids)) == len(z.zone_ids)
    names = [n for n, _ in z.mock_zones]
    ids = [i for _, i in z.mock_zones]
    assert names == sorted(names) and len(set(names)) == len(names) and len(set(ids)) == len(ids)
    # The mocks offer what AWS lists, less what new accounts are not offered, never another Region's.
    assert set(ids) == set(z.zone_ids) - set(z.not_offered_to_new_accounts)
    assert set(z.not_offered_to_new_accounts) <= set(z.zone_ids)
    assert z.rds_proxy_unsupported_zone_ids <= set(z.zone_ids)
    # Every mocked zone is a real AZ of the Region by the rule that keeps Local Zones out.
    assert all(is_real_zone(n, i, region) for n, i in z.mock_zones), z.mock_zones
    assert z.mock_names_from in {"project", "account-snapshot", "assumed", "account-snapshot+assumed"}


def test_zone_ids_are_unique_across_regions() -> None:
    # Facts keyed by AZ ID (RDS Proxy's unsupported zones) are merged over Regions: ids must not collide.
    seen: dict[str, str] = {}
    for region, z in regions.all_regions().items():
        for zid in z.zone_ids:
            assert zid not in seen, f"{zid} in {seen.get(zid)} and {region}"
            seen[zid] = region


def test_sources_and_date_are_recorded() -> None:
    src = regions.sources()
    assert re.fullmatch(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}", src["retrieved"])
    assert src["zone_ids"].startswith("https://docs.aws.amazon.com/global-infrastructure/")
    assert "rds-proxy.limitations" in src["rds_proxy_unsupported_zone_ids"]
    assert "independently" in src["independently_mapped"] or "az-ids" in src["independently_mapped"]


def test_independently_mapped_regions_are_the_documented_ones() -> None:
    mapped = {r for r, z in regions.all_regions().items() if z.independently_mapped}
    assert mapped == {
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "eu-west-1",
        "sa-east-1",
    }


def test_proxy_unsupported_zones_are_keyed_by_zone_id() -> None:
    assert "use1-az3" in facts_rds.PROXY_UNSUPPORTED_ZONE_IDS
    assert regions.region_zones("us-east-1").rds_proxy_unsupported_zone_ids == {"use1-az3"}
    assert regions.region_zones("us-west-1").rds_proxy_unsupported_zone_ids == {"usw1-az2"}
    assert regions.rds_proxy_unsupported_zone_ids() == facts_rds.PROXY_UNSUPPORTED_ZONE_IDS
    assert regions.region_zones("eu-west-1").rds_proxy_unsupported_zone_ids == frozenset()


def test_an_older_us_west_1_account_never_gets_a_subnet_in_usw1_az2() -> None:
    # RDS Proxy cannot run in usw1-az2 (the rds-proxy limitations, see regions.json's sources). New accounts
    # are not offered it, but an account from before has it as one of its three AZs: the choice skips it
    # (with or without a proxy, so turning the proxy on never moves a subnet), and pinning it with a proxy
    # is refused.
    names, ids = ["us-west-1a", "us-west-1b", "us-west-1c"], ["usw1-az1", "usw1-az2", "usw1-az3"]
    assert choose_zones(resolve({}), names, ids, "us-west-1") == ["us-west-1a", "us-west-1c"]
    assert choose_zones(resolve({"proxy": True}), names, ids, "us-west-1") == ["us-west-1a", "us-west-1c"]
    pinned = {"proxy": True, "network": {"availability_zones": ["us-west-1a", "us-west-1b"]}}
    with pytest.raises(ConfigError, match="usw1-az2, where RDS Proxy cannot run"):
        choose_zones(resolve(pinned), names, ids, "us-west-1")


def test_us_east_1_keeps_the_mapping_the_mocks_always_had() -> None:
    # Recorded plans and tests name us-east-1a..f with these ids; use1-az3 stays us-east-1e.
    assert dict(DEFAULT_ZONES) == {
        "us-east-1a": "use1-az1",
        "us-east-1b": "use1-az2",
        "us-east-1c": "use1-az4",
        "us-east-1d": "use1-az6",
        "us-east-1e": "use1-az3",
        "us-east-1f": "use1-az5",
    }


@pytest.mark.parametrize("region", ALL)
def test_mocks_answer_the_regions_zones(region: str) -> None:
    mocks = LambdaRdsMocks(region=region)
    answer = _zones_answer(mocks, [{"name": "opt-in-status", "values": ["opt-in-not-required"]}])
    expected = regions.region_zones(region).mock_zones
    assert list(zip(answer["names"], answer["zoneIds"], strict=True)) == list(expected)
    assert all(n.startswith(region) for n in answer["names"])
    assert answer["id"] == region


def test_mocks_keep_out_local_zones_of_any_region() -> None:
    mocks = LambdaRdsMocks(region="eu-central-1", local_zones=(("eu-central-1-ham-1a", "euc1-ham1-az1"),))
    everything = _zones_answer(mocks)
    assert "eu-central-1-ham-1a" in everything["names"]
    real = _zones_answer(mocks, [{"name": "opt-in-status", "values": ["opt-in-not-required"]}])
    assert "eu-central-1-ham-1a" not in real["names"]
    assert not is_real_zone("eu-central-1-ham-1a", "euc1-ham1-az1", "eu-central-1")


def test_unknown_region_is_a_clear_error_naming_it() -> None:
    with pytest.raises(UnknownRegionError) as caught:
        LambdaRdsMocks(region="eu-west-9")
    message = str(caught.value)
    assert "'eu-west-9'" in message and "aws:region" in message
    assert "eu-west-1" in message  # the known ones are listed
    assert "zones=" in message  # and how to simulate another


def test_explicit_zones_simulate_a_region_without_data() -> None:
    mocks = LambdaRdsMocks(region="xx-test-1", zones=(("xx-test-1a", "xxt1-az1"), ("xx-test-1b", "xxt1-az2")))
    assert _zones_answer(mocks)["names"] == ["xx-test-1a", "xx-test-1b"]
