"""``LR.DATA-AT-RISK``: no change replaces or deletes a resource that holds data.

Registered here so waivers, the catalogue and the CrossGuard pack know the id in every process; its
findings come from ``analysis.changes.at_risk.data_at_risk``, judged against a base plan or a preview,
never from one plan alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.views import Model

POLICY_ID = "LR.DATA-AT-RISK"
TITLE = "A change does not replace or delete a resource that holds data"

REGISTRY = Registry()


@REGISTRY.policy(POLICY_ID, TITLE, "critical", mandatory=True)
def _no_model_check(_: Model) -> Iterator[Violation]:
    """Judged against a base plan or a preview (``data_at_risk``), never from one plan alone."""
    return iter(())
