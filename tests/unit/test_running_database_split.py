"""The pure decisions moved out of the running-database lookup into rules/facts_rds.py."""

from __future__ import annotations

import pytest
from lambda_rds.rules import facts_rds

AURORA_MYSQL = "8.0.mysql_aurora.3.10.0"


@pytest.mark.parametrize(
    ("engine", "version", "explicit", "is_aurora", "auto_minor", "reads"),
    [
        ("postgres", "16", False, False, True, True),  # unset: a new default must not upgrade it
        ("postgres", "16.4", True, False, False, False),  # an explicit RDS version is sent as is
        ("aurora-mysql", AURORA_MYSQL, True, True, True, True),  # pinned below AWS's minor upgrades
        ("aurora-mysql", AURORA_MYSQL, True, True, False, False),  # no automatic upgrades: nothing moves
    ],
)
def test_the_running_version_is_read_only_when_it_matters(
    engine: str, version: str, explicit: bool, is_aurora: bool, auto_minor: bool, reads: bool
) -> None:
    assert facts_rds.reads_running_version(engine, version, explicit, is_aurora, auto_minor) is reads


def test_keeping_another_major_is_said_with_its_downtime() -> None:
    notice = facts_rds.keep_running_notice("postgres", "16", "15.7")
    assert notice == (
        "engine_version unset: keeping the running major 15 (15.7); the default is now 16. "
        "Set engine_version to upgrade (a major upgrade means downtime: docs/safety.md)"
    )


def test_keeping_an_older_minor_is_said_and_a_newer_one_kept_quietly() -> None:
    older = facts_rds.keep_running_notice(
        "aurora-mysql", "8.0.mysql_aurora.3.12.0", "8.0.mysql_aurora.3.10.4"
    )
    assert older is not None and "keeping the running version 8.0.mysql_aurora.3.10.4" in older
    assert facts_rds.keep_running_notice("aurora-mysql", AURORA_MYSQL, "8.0.mysql_aurora.3.10.4") is None
