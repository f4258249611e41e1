"""Deploy-time bootstrap function (handler "handler.handler"; the runtime package comes from the layer).

Invoked once per change by the lambda-rds component (aws.lambda_.Invocation) with the master credentials
in the event. See lambda_rds_runtime/bootstrap for what it does; it never logs the event.
"""

from __future__ import annotations

from lambda_rds_runtime.bootstrap import run_bootstrap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """Lambda entry point."""
    return run_bootstrap(event)
