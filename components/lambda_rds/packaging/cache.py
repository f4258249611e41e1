"""Where built zips, layers and the downloaded RDS CA bundle are kept between runs."""

from __future__ import annotations

import os
from pathlib import Path

from lambda_rds.packaging.paths import repo_root

CACHE_ENV = "LAMBDA_RDS_CACHE"


def cache_root() -> Path:
    """The cache directory: ``$LAMBDA_RDS_CACHE``, else ``<checkout>/.lambda-rds`` (gitignored) when running
    from a source checkout, else ``$XDG_CACHE_HOME/lambda-rds`` (default ``~/.cache/lambda-rds``)."""
    override = os.environ.get(CACHE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    root = repo_root()
    if root is not None:
        return root / ".lambda-rds"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "lambda-rds"
