"""Deploy-time database setup: the application user, its grants and statement timeout, SQL migrations.

Entry point: `run_bootstrap(event)` (functions/bootstrap/handler.py is a one-line wrapper). Idempotent;
never logs, returns or raises a credential.
"""

from __future__ import annotations

from .errors import BootstrapError
from .runner import run_bootstrap

__all__ = ["BootstrapError", "run_bootstrap"]
