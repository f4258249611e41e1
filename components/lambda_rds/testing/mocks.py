"""Recording Pulumi mocks: run any Pulumi Python program offline and keep what it registered.

Used by the unit tests, by `lambda-rds plan` (resource capture) and by the cross-language contract tests.
This module gathers the two halves under their historical import path: the simulated AWS account the
mocks answer as (`lambda_rds.testing.account`) and the harness that runs a program under them
(`lambda_rds.testing.harness`).
"""

from __future__ import annotations

from lambda_rds.testing.account import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_ZONES,
    RecordedCall,
    RecordedResource,
    RecordingMocks,
)
from lambda_rds.testing.harness import T, encode_config, run_program, run_with_mocks, set_mocks

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DEFAULT_ZONES",
    "RecordedCall",
    "RecordedResource",
    "RecordingMocks",
    "T",
    "encode_config",
    "run_program",
    "run_with_mocks",
    "set_mocks",
]
