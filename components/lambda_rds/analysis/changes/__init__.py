"""The change list: what a change does to a stack, per resource and for its data.

The package's public names are importable from ``lambda_rds.analysis.changes``. Two sources, one shape
(``Change``, ``ChangeSet``: ``change_set``):

- ``diff_plans`` (``plan_diff``): an earlier plan against this run, matched by URN and aliases; a changed key
  that forces a new resource (``forcenew``, from ``forcenew.json``) makes a replacement, carried over to the
  resources that hold the replaced one's id, ARN or name.
- ``from_preview_steps`` (``preview_steps``): ``pulumi preview --json``, the engine's own step ops.

``data_at_risk`` (``at_risk``) turns a replacement or deletion of something that holds data into a mandatory
finding, ``LR.DATA-AT-RISK``, waivable with a written reason like any other. A database whose engine
version crosses a major (``upgrades``) is flagged ``major-version-upgrade`` with a downtime note;
``upgrade_findings`` makes what AWS would refuse a mandatory ``LR.MAJOR-UPGRADE`` finding.

Pure: no Pulumi import (see tests/analysis/test_resources.py).
"""

from __future__ import annotations

from lambda_rds.analysis.changes.at_risk import DATA_TYPES, POLICY_ID, data_at_risk
from lambda_rds.analysis.changes.change_set import ACTIONS, RESOURCE_OPTIONS, Action, Change, ChangeSet
from lambda_rds.analysis.changes.forcenew import forcenew_table, forcing_keys, table_version
from lambda_rds.analysis.changes.plan_diff import base_resources, changed_keys, diff_plans
from lambda_rds.analysis.changes.preview_steps import from_preview_steps
from lambda_rds.analysis.changes.secrets import secret_digests
from lambda_rds.analysis.changes.upgrades import MajorUpgrade, upgrade_findings

__all__ = [
    "ACTIONS",
    "DATA_TYPES",
    "POLICY_ID",
    "RESOURCE_OPTIONS",
    "Action",
    "Change",
    "ChangeSet",
    "MajorUpgrade",
    "base_resources",
    "changed_keys",
    "data_at_risk",
    "diff_plans",
    "forcenew_table",
    "forcing_keys",
    "from_preview_steps",
    "secret_digests",
    "table_version",
    "upgrade_findings",
]
