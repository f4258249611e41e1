"""A database client that can never run: reserved concurrency 0.

Verdict ``capacity.connections`` about the function. Reserved concurrency is the most instances the
function may run at once (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), so
0 lets none run and Lambda throttles every invocation. The capacity check alone would count it as
"concurrency 0 fits the usable connections": a throttle, not headroom.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Database, Function, Proxy


def throttled(fn: Function) -> bool:
    """Reserved concurrency 0: every invocation of ``fn`` is throttled."""
    return fn.reserved_concurrency == 0


def check_throttled(fn: Function, target: Proxy | Database | None) -> Verdict:
    """The failing verdict for a function with reserved concurrency 0 (``throttled``)."""
    return Verdict(
        "capacity.connections",
        fn.name,
        target.name if target is not None else None,
        "fail",
        "reserved concurrency 0: every invocation is throttled",
        (),
        (
            f"function {fn.name} has reserved concurrency 0: every call is throttled (it never runs, so "
            "it never connects)",
        ),
        (
            f"remove the reserved concurrency of {fn.name} (it then runs unreserved), or reserve a "
            "positive value that fits the database's connections",
        ),
    )
