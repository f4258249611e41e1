"""What users install actually installs: the consumer example's requirements in a fresh venv (then its own
mock tests pass there, against the installed library), and the provider host's requirements list every
runtime dependency the distribution declares."""

from __future__ import annotations

import re
import subprocess
import venv
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = ROOT / "examples" / "python-consumer"


def _names(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith(("-", ".", "/")):
            out.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return out


def test_provider_host_requirements_cover_the_distribution() -> None:
    declared = _names(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    host = _names((ROOT / "components" / "requirements.txt").read_text().splitlines())
    assert declared - host == set(), f"components/requirements.txt lacks {sorted(declared - host)}"


def test_consumer_requirements_install_in_a_fresh_venv_and_its_tests_pass(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = str(env_dir / "bin" / "python")
    quiet = ["--quiet", "--disable-pip-version-check"]
    # As `pulumi install` does it: pip in the project folder, with the project's requirements file.
    subprocess.run([py, "-m", "pip", "install", *quiet, "-r", "requirements.txt"], cwd=CONSUMER, check=True)
    subprocess.run([py, "-m", "pip", "install", *quiet, "pytest>=8.3,<9"], check=True)
    where = subprocess.run(
        [py, "-c", "import lambda_rds; print(lambda_rds.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where  # the installed library, not this checkout
    tests = subprocess.run(
        [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=CONSUMER,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
