"""Running pip to install a layer's dependencies for the Lambda platform, from any host."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from lambda_rds.packaging.model import PackagingError
from lambda_rds.packaging.targets import Target

PIP_ENV = "LAMBDA_RDS_PIP"  # a pip command line, e.g. "python3.12 -m pip" (must accept pip's flags)
PIP_TIMEOUT_S = 900.0  # a cold install of large wheels over a slow link; never wait forever
_STDERR_TAIL = 3000
# pip settings from the environment that contradict --target/--platform or refuse to run outside a virtualenv;
# index, proxy and certificate settings are kept (private mirrors must keep working).
_CONFLICTING_ENV = (
    "PIP_USER",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
    "PIP_PLATFORM",
    "PIP_PYTHON_VERSION",
    "PIP_IMPLEMENTATION",
    "PIP_ABI",
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "PIP_REQUIRE_VIRTUALENV",
)


def pip_command() -> list[str]:
    """``$LAMBDA_RDS_PIP`` split like a shell would, else this interpreter's ``-m pip``."""
    override = os.environ.get(PIP_ENV, "").strip()
    return shlex.split(override) if override else [sys.executable, "-m", "pip"]


def install_requirements(requirements: Sequence[str], target: Target, dest: Path) -> None:
    """``pip install --target dest`` of binary wheels for ``target``; raises PackagingError with pip's
    own explanation when a requirement has no wheel for that platform."""
    if not requirements:
        return
    dest.mkdir(parents=True, exist_ok=True)
    # A requirements file rather than arguments: lines may carry options (--index-url) or markers.
    req_file = dest.parent / "requirements.lambda.txt"
    req_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    command = [
        *pip_command(),
        "install",
        "--target",
        str(dest),
        *target.pip_arguments(),
        "--no-compile",  # .pyc files are rebuilt by Lambda's own Python and would break determinism
        "--no-input",
        "--disable-pip-version-check",
        "--no-warn-script-location",
        "--quiet",
        "-r",
        str(req_file),
    ]
    try:
        env = {k: v for k, v in os.environ.items() if k not in _CONFLICTING_ENV}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False, env=env
        )
    except FileNotFoundError as exc:
        raise PackagingError(f"cannot run pip ({command[0]}): {exc}; set {PIP_ENV}") from exc
    except subprocess.TimeoutExpired as exc:
        raise PackagingError(f"pip ran over {PIP_TIMEOUT_S:.0f} s: {shlex.join(command)}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-_STDERR_TAIL:]
        raise PackagingError(
            f"pip could not install {list(requirements)} for {target.runtime}/{target.architecture} "
            f"(exit {result.returncode}). Every dependency needs a binary wheel for "
            f"{target.machine} manylinux (glibc <= 2.{target.glibc_minor}) and {target.abi}.\n"
            f"command: {shlex.join(command)}\n{detail}"
        )
    req_file.unlink(missing_ok=True)
