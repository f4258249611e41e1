"""Installs that exist (issue 19): lambda-rds is not on PyPI, so no doc or hint may tell users to install it
by name from an index; the license and the changelog the releases ship are there and agree with pyproject."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from lambda_rds.commands.cli import main
from lambda_rds.doctor import command

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# `pip install lambda-rds`, `pip install 'lambda-rds[doctor]'`, `pip install -U "lambda-rds>=0.1"`: the name
# as a requirement with no `@ <url or path>` after it, which pip can only look up on an index.
_FROM_INDEX = re.compile(
    r"""pip3? install\b(?:\s+-{1,2}[\w-]+)*\s+['"]?lambda[-_]rds(?:\[[\w,]+\])?(?![\w/.@\[\], -]*@)"""
)
# The same in a requirements file or a dependency list: `lambda-rds==0.1.0`, `lambda-rds>=0.1`.
_PINNED = re.compile(r"""(?<![\w/.-])lambda[-_]rds(?:\[[\w,]+\])?\s*(?:==|>=|~=|<=)""")


def _user_facing_files() -> list[Path]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    code = sorted((ROOT / "components" / "lambda_rds").rglob("*.py"))
    examples = [
        p for p in sorted((ROOT / "examples").rglob("*")) if p.suffix in {".md", ".txt", ".py", ".toml"}
    ]
    return [*docs, *code, *examples]


@pytest.mark.parametrize(
    ("text", "from_index"),
    [
        ("pip install lambda-rds", True),
        ("$ pip install 'lambda-rds[doctor]'  # doctor", True),
        ('pip install -U "lambda_rds>=0.1"', True),
        ("lambda-rds==0.1.0", True),
        ("pip install ./lambda-rds", False),
        ('pip install "./lambda-rds[doctor]"', False),
        ('pip install "lambda-rds @ git+https://example.invalid/o/lambda-rds@v0.1.0"', False),
        ('pip install "lambda-rds[doctor] @ file:///src/lambda-rds"', False),
        ("pip install dist/lambda_rds-*.whl", False),
    ],
)
def test_the_index_install_pattern(text: str, from_index: bool) -> None:
    assert bool(_FROM_INDEX.search(text) or _PINNED.search(text)) is from_index


def test_no_doc_example_or_hint_installs_lambda_rds_from_an_index() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _user_facing_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _FROM_INDEX.search(line) or _PINNED.search(line)
    ]
    assert offenders == [], "lambda-rds is not on PyPI:\n" + "\n".join(offenders)


def test_doctor_hint_installs_the_doctor_extra_into_its_own_interpreter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PYPROJECT["project"]["optional-dependencies"]["doctor"] == [command.DOCTOR_REQUIREMENT]
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` now raises ModuleNotFoundError
    assert main(["doctor", "--function", "orders-fn"]) == 2
    err = capsys.readouterr().err
    assert f"{shlex.quote(sys.executable)} -m pip install 'boto3>=1.34'" in err, err
    assert not _FROM_INDEX.search(err), err


def test_license_file_is_the_full_text_of_the_license_pyproject_declares() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    # The full text, not a summary: its last section and the appendix are there.
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]


def test_changelog_follows_keep_a_changelog_with_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and "https://keepachangelog.com/" in text
    unreleased = text.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^### (Added|Changed|Fixed|Removed|Security|Deprecated)$", unreleased, re.M)
    assert re.search(r"^- \S", unreleased, re.M)


def test_the_wheel_and_the_sdist_carry_the_license(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (whl,) = tmp_path.glob("lambda_rds-*.whl")
    (sdist,) = tmp_path.glob("lambda_rds-*.tar.gz")
    wheel_names = zipfile.ZipFile(whl).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel_names), wheel_names
    metadata = next(n for n in wheel_names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: Apache-2.0" in zipfile.ZipFile(whl).read(metadata).decode()
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("/LICENSE") for n in tar.getnames())


def test_release_workflow_publishes_by_trusted_publishing_on_version_tags() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert 'tags: ["v*"]' in text
    assert "id-token: write" in text and "pypa/gh-action-pypi-publish@release/v1" in text
    assert "environment:" in text and "password:" not in text and "secrets." not in text
