"""What a Lambda runtime and architecture mean to pip: Python version, ABI and manylinux platform tags."""

from __future__ import annotations

from dataclasses import dataclass

from lambda_rds.packaging.model import PackagingError

# glibc of each runtime's OS (AWS Lambda runtimes table): python3.10/3.11 run on Amazon Linux 2
# (glibc 2.26), python3.12/3.13 on Amazon Linux 2023 (glibc 2.34). A wheel built for a newer glibc
# imports fine on the laptop and fails in Lambda, so the newest manylinux tag offered is capped here.
_RUNTIME_GLIBC_MINOR: dict[str, int] = {
    "python3.10": 26,
    "python3.11": 26,
    "python3.12": 34,
    "python3.13": 34,
}

# Lambda's architecture name -> the machine name in wheel tags.
_ARCH_MACHINE: dict[str, str] = {"arm64": "aarch64", "x86_64": "x86_64"}

# The first glibc each architecture had manylinux wheels for (manylinux1 = 2.5; aarch64 began at 2014 = 2.17).
_OLDEST_GLIBC_MINOR: dict[str, int] = {"aarch64": 17, "x86_64": 5}
_LEGACY_ALIASES: dict[str, tuple[str, ...]] = {
    "aarch64": ("manylinux2014",),
    "x86_64": ("manylinux2014", "manylinux2010", "manylinux1"),
}

SUPPORTED_RUNTIMES: tuple[str, ...] = tuple(_RUNTIME_GLIBC_MINOR)
SUPPORTED_ARCHITECTURES: tuple[str, ...] = tuple(_ARCH_MACHINE)


@dataclass(frozen=True)
class Target:
    """A resolved Lambda platform: ``Target.of("python3.12", "arm64").abi == "cp312"``."""

    runtime: str
    architecture: str
    python_version: str  # "3.12"
    abi: str  # "cp312"
    machine: str  # "aarch64": what ELF objects in the layer must be built for
    glibc_minor: int

    @classmethod
    def of(cls, runtime: str, architecture: str) -> Target:
        if runtime not in _RUNTIME_GLIBC_MINOR:
            raise PackagingError(
                f"runtime={runtime!r} is not supported for layers; use one of {list(SUPPORTED_RUNTIMES)}"
            )
        if architecture not in _ARCH_MACHINE:
            raise PackagingError(
                f"architecture={architecture!r} is not a Lambda architecture; use one of "
                f"{list(SUPPORTED_ARCHITECTURES)}"
            )
        version = runtime.removeprefix("python")
        return cls(
            runtime=runtime,
            architecture=architecture,
            python_version=version,
            abi="cp" + version.replace(".", ""),
            machine=_ARCH_MACHINE[architecture],
            glibc_minor=_RUNTIME_GLIBC_MINOR[runtime],
        )

    def pip_platforms(self) -> list[str]:
        """Every manylinux tag this runtime can load, newest first (pip prefers earlier tags).

        pip does not expand ``manylinux_2_28_x`` to older glibc tags by itself, and current aarch64 wheels
        (psycopg2-binary among them) are tagged ``manylinux_2_28``: offering only ``manylinux2014`` makes
        pip fall back silently to an old release (REFERENCE.md, Lambda).
        """
        oldest = _OLDEST_GLIBC_MINOR[self.machine]
        tags = [f"manylinux_2_{minor}_{self.machine}" for minor in range(self.glibc_minor, oldest - 1, -1)]
        tags += [f"{alias}_{self.machine}" for alias in _LEGACY_ALIASES[self.machine]]
        return tags

    def pip_arguments(self) -> list[str]:
        """The pip flags that select wheels for this target from any host OS or architecture."""
        args: list[str] = []
        for tag in self.pip_platforms():
            args += ["--platform", tag]
        args += [
            "--implementation",
            "cp",
            "--python-version",
            self.python_version,
            "--abi",
            self.abi,
            "--only-binary=:all:",
        ]
        return args
