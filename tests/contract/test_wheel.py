"""The distribution: a wheel built from this checkout installs into a clean virtualenv and works there,
with the library, its price data, the Lambda code and the console script, without the repository."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (whl,) = out.glob("lambda_rds-*.whl")
    return whl


def test_wheel_contains_library_data_and_lambda_code(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "lambda_rds/component.py",
        "lambda_rds/analysis/cost/prices/us-east-1.json",
        "lambda_rds/analysis/checks/aws/api_fields.json",
        "lambda_rds/py.typed",
        "lambda_rds/testing/__init__.py",
        "lambda_rds/_functions/app/handler.py",
        "lambda_rds/_functions/bootstrap/handler.py",
        "lambda_rds/_functions/lambda_rds_runtime/__init__.py",
        "lambda_rds/_functions/requirements.txt",
    ):
        assert required in names, required
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("tests/")]


def test_wheel_installs_and_imports_in_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    py = env_dir / "bin" / "python"
    site = subprocess.run(
        [sys.executable, "-c", "import pulumi, sys; print(pulumi.__file__.rsplit('/pulumi/', 1)[0])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies come from this interpreter's site-packages via a .pth (no second download of
    # pulumi-aws's ~100 MB); lambda_rds itself must come from the wheel only.
    (next((env_dir / "lib").glob("python3*/site-packages")) / "deps.pth").write_text(site + "\n")
    subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], check=True
    )
    probe = (
        "import lambda_rds, lambda_rds.packaging.paths as p, lambda_rds.settings as s;"
        "print(lambda_rds.__file__); print(p.functions_dir()); print(s.resolve({}).functions[0].code)"
    )
    result = subprocess.run([str(py), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path)
    module_file, functions_dir, app_code = result.stdout.split()
    assert str(env_dir) in module_file and str(ROOT) not in module_file
    assert functions_dir.endswith("lambda_rds/_functions") and app_code.endswith("_functions/app")
    cli = subprocess.run(
        [str(env_dir / "bin" / "lambda-rds"), "--version"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert cli.stdout.startswith("lambda-rds ")
