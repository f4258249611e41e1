"""Runtime and architecture -> the pip flags that select wheels Lambda can load."""

from __future__ import annotations

import re

import pytest
from lambda_rds.packaging import PackagingError
from lambda_rds.packaging.targets import Target


def glibc_minors(tags: list[str]) -> list[int]:
    return [int(m.group(1)) for tag in tags if (m := re.fullmatch(r"manylinux_2_(\d+)_\w+", tag))]


def test_python312_arm64_offers_manylinux_2_28_and_2014_newest_first() -> None:
    target = Target.of("python3.12", "arm64")
    tags = target.pip_platforms()
    assert "manylinux_2_28_aarch64" in tags and "manylinux2014_aarch64" in tags
    assert all(tag.endswith("_aarch64") for tag in tags)
    minors = glibc_minors(tags)
    # Amazon Linux 2023 has glibc 2.34: nothing newer may be offered; aarch64 wheels start at 2.17.
    assert minors == list(range(34, 16, -1))
    assert (target.python_version, target.abi, target.machine) == ("3.12", "cp312", "aarch64")


def test_amazon_linux_2_runtimes_are_capped_at_glibc_2_26() -> None:
    for runtime in ("python3.10", "python3.11"):
        tags = Target.of(runtime, "arm64").pip_platforms()
        assert max(glibc_minors(tags)) == 26
        assert "manylinux_2_28_aarch64" not in tags  # would import on a laptop and fail in Lambda


def test_x86_64_includes_the_legacy_manylinux_tags() -> None:
    tags = Target.of("python3.13", "x86_64").pip_platforms()
    assert tags[0] == "manylinux_2_34_x86_64"
    assert {
        "manylinux2014_x86_64",
        "manylinux2010_x86_64",
        "manylinux1_x86_64",
        "manylinux_2_5_x86_64",
    } <= set(tags)


def test_pip_arguments_pin_interpreter_abi_and_binary_only() -> None:
    args = Target.of("python3.12", "x86_64").pip_arguments()
    joined = " ".join(args)
    assert "--implementation cp" in joined
    assert "--python-version 3.12" in joined
    assert "--abi cp312" in joined
    assert "--only-binary=:all:" in args
    assert args.count("--platform") == len(Target.of("python3.12", "x86_64").pip_platforms())


@pytest.mark.parametrize(
    ("runtime", "architecture", "message"),
    [
        ("python3.9", "arm64", "runtime='python3.9'"),
        ("nodejs20.x", "arm64", "runtime='nodejs20.x'"),
        ("python3.12", "aarch64", "architecture='aarch64'"),
    ],
)
def test_unknown_runtime_or_architecture_is_refused(runtime: str, architecture: str, message: str) -> None:
    with pytest.raises(PackagingError, match=re.escape(message)):
        Target.of(runtime, architecture)
