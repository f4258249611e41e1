"""The README's unit-test snippet works as written, beside another test module that installs its own mocks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A second module of the same run with mocks of its own (the echo mocks of Pulumi's testing guide), installed
# per test as examples/python-consumer/tests does. It runs first (its name sorts first): a snippet that set
# its mocks once, at import, would then run under these and find nothing recorded.
OTHER_MODULE = """
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest


class EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.fixture(autouse=True)
def echo_mocks() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)


@pulumi.runtime.test
def test_a_bucket_of_our_own() -> pulumi.Output[Any]:
    def check(bucket_id: str) -> None:
        assert bucket_id == "ours_id"

    return aws.s3.BucketV2("ours").id.apply(check)
"""


def readme_snippet() -> str:
    """The Python block of the README's "Your own unit tests" item (the one that builds `LambdaRdsMocks`)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", readme, flags=re.S | re.M)
    found = [textwrap.dedent(body) for _, body in blocks if "LambdaRdsMocks()" in body]
    assert len(found) == 1, f"expected one README python block with LambdaRdsMocks(), found {len(found)}"
    return found[0]


def test_readme_snippet_passes_next_to_a_module_with_its_own_mocks(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nfilterwarnings = ignore::DeprecationWarning\n", encoding="utf-8"
    )
    (tmp_path / "test_readme.py").write_text(readme_snippet(), encoding="utf-8")
    (tmp_path / "test_a_other_mocks.py").write_text(OTHER_MODULE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b2 passed\b", result.stdout), result.stdout
