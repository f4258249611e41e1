"""Rotation function of the application secret (handler "handler.handler"; the runtime comes from the layer).

Secrets Manager invokes it with {"SecretId", "ClientRequestToken", "Step"}; see
lambda_rds_runtime/rotation.py for the four steps. It runs in the VPC (it logs in to the database as the
application user) and reaches Secrets Manager through the interface endpoint or the NAT gateway. It never
logs the event's secret values (the event holds none) nor any password.
"""

from __future__ import annotations

from lambda_rds_runtime.rotation import rotator_from_env

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def handler(event: Any, context: Any = None) -> dict[str, str]:
    """Lambda entry point: one rotation step."""
    result = rotator_from_env().handle(event)
    print(f'{{"event":"rotation","step":"{result["step"]}","outcome":"{result["outcome"]}"}}')
    return result
