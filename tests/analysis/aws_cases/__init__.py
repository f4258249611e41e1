"""One passing and one failing fixture per AWS rule, collected by ``test_aws_rules.py``.

One module per rule module (``rds.py`` here for ``analysis/aws/rds.py``); each exports ``CASES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_rds.analysis.checks.policies import Context
from lambda_rds.analysis.model.resources import Resource


@dataclass(frozen=True)
class RuleCase:
    rule: str
    """The rule id the failing fixture must trip (and the passing one must not)."""
    passing: Sequence[Resource]
    failing: Sequence[Resource]
    context: Context = field(default_factory=Context)
    expect: str = ""
    """A substring the failing finding's message must contain (names the bad value)."""
    each: bool = False
    """Every failing resource must trip the rule on its own (independent bad examples in one list)."""


def res(type_token: str, name: str, /, **inputs: Any) -> Resource:
    """A resource as the capture records it: camelCase inputs, no outputs."""
    return Resource(type=type_token, name=name, id=f"{name}-id", inputs=inputs)
