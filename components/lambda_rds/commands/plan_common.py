"""What `lambda-rds plan` and its `--base-ref` runner share: where the project is, and how a plan fails."""

from __future__ import annotations

import sys
from pathlib import Path


def default_program() -> Path:
    """The project the Pulumi CLI would use here: the nearest folder, from the current one upwards, that
    holds a Pulumi.yaml. None found: the current folder, which then fails naming what is missing (never
    silently another project, such as the one lambda-rds itself ships)."""
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return cwd


def fail(message: str, details: str = "") -> int:
    if details:
        sys.stderr.write(details if details.endswith("\n") else details + "\n")
    sys.stderr.write(f"lambda-rds plan: {message}\n")
    return 2
