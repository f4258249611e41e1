"""Where the Lambda code lives: inside the wheel when installed, or the repository's functions/ folder."""

from __future__ import annotations

from pathlib import Path

# This file is lambda_rds/packaging/paths.py: the package root is two levels up.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def functions_dir() -> Path:
    """The folder holding `app/`, `bootstrap/` and the runtime package (docs/architecture.md)."""
    installed = _PACKAGE_DIR / "_functions"
    if installed.is_dir():
        return installed
    repo = _PACKAGE_DIR.parent.parent / "functions"
    if repo.is_dir():
        return repo
    raise FileNotFoundError(
        "lambda-rds cannot find its Lambda code: neither "
        f"{installed} (installed wheel) nor {repo} (source checkout) exists"
    )


def repo_root() -> Path | None:
    """The source checkout's root, or None when running from an installed wheel."""
    root = _PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() else None
