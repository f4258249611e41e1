"""Real layers: pip installs psycopg2-binary and PyMySQL for Lambda (one build per architecture per session).

What must hold: the native code is built for the Lambda CPU and Python (not the host's), the layout is what
Lambda mounts, the zip is canonical, and a second build is a cache hit that runs no pip.
"""

from __future__ import annotations

import os
import random
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lambda_rds.packaging import build_function_zip, build_layer
from lambda_rds.packaging import ca as ca_module
from lambda_rds.packaging import layer as layer_module
from pkg_helpers import PINNED, REAL_REQUIREMENTS, RUNTIME_PACKAGE, RealLayer, both_architectures

pytestmark = pytest.mark.slow

EM_X86_64, EM_AARCH64 = 62, 183
ELF_MACHINE = {"arm64": EM_AARCH64, "x86_64": EM_X86_64}
GNU_TRIPLET_CPU = {"arm64": "aarch64", "x86_64": "x86_64"}


def elf_machine(data: bytes) -> int:
    """e_machine from an ELF header, after checking it is a 64-bit little-endian ELF object."""
    assert data[:4] == b"\x7fELF", "not an ELF file"
    assert data[4] == 2, "not ELFCLASS64"
    assert data[5] == 1, "not little-endian"
    (machine,) = struct.unpack_from("<H", data, 18)
    return int(machine)


@both_architectures
def test_psycopg2_native_code_is_built_for_the_lambda_cpu(real_layer: RealLayer) -> None:
    arch = real_layer.spec.architecture
    with zipfile.ZipFile(real_layer.artifact.path) as archive:
        names = archive.namelist()
        extension = [n for n in names if re.fullmatch(r"python/psycopg2/_psycopg\..*\.so", n)]
        assert extension == [f"python/psycopg2/_psycopg.cpython-312-{GNU_TRIPLET_CPU[arch]}-linux-gnu.so"]
        assert elf_machine(archive.read(extension[0])) == ELF_MACHINE[arch]
        # The bundled libpq, libssl... of the wheel too: every shared object in the layer.
        shared = [n for n in names if re.search(r"\.so(\.[\d.]+)?$", n)]
        assert len(shared) > 3
        for name in shared:
            assert elf_machine(archive.read(name)) == ELF_MACHINE[arch], name


@both_architectures
def test_the_wheels_chosen_are_for_cp312_manylinux(real_layer: RealLayer) -> None:
    arch_cpu = GNU_TRIPLET_CPU[real_layer.spec.architecture]
    with zipfile.ZipFile(real_layer.artifact.path) as archive:
        wheel = [
            n for n in archive.namelist() if re.fullmatch(r"python/psycopg2_binary-[^/]+\.dist-info/WHEEL", n)
        ]
        assert wheel == [f"python/psycopg2_binary-{PINNED['psycopg2-binary']}.dist-info/WHEEL"]
        tags = re.findall(r"^Tag: (\S+)$", archive.read(wheel[0]).decode(), re.MULTILINE)
        assert tags, "WHEEL file without tags"
        for tag in tags:
            assert re.fullmatch(rf"cp312-cp312-manylinux\w*_{arch_cpu}", tag), tag
        glibc = [int(m) for tag in tags for m in re.findall(r"manylinux_2_(\d+)", tag)]
        assert all(minor <= 34 for minor in glibc)  # loads on Amazon Linux 2023
        pymysql = [
            n
            for n in archive.namelist()
            if n.lower() == f"python/pymysql-{PINNED['PyMySQL']}.dist-info/wheel"
        ]
        assert pymysql and b"Tag: py3-none-any" in archive.read(pymysql[0])


@both_architectures
def test_layout_is_what_lambda_mounts_at_opt(real_layer: RealLayer) -> None:
    with zipfile.ZipFile(real_layer.artifact.path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        tops = {n.split("/")[0] for n in names}
        assert tops == {"python", "lambda_rds"}
        for required in (
            "python/psycopg2/__init__.py",
            "python/pymysql/__init__.py",
            f"python/{RUNTIME_PACKAGE}/__init__.py",
            f"python/{RUNTIME_PACKAGE}/connect.py",
            "lambda_rds/ca-bundle.pem",
        ):
            assert required in names
        assert not [
            n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("python/bin/")
        ]
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) & 0o777 in (0o644, 0o755)
        bundle = archive.read("lambda_rds/ca-bundle.pem")
    assert bundle.startswith(real_layer.rds_part)
    for der in ca_module.amazon_roots():
        assert ca_module.der_to_pem(der) in bundle


@both_architectures
def test_layer_python_folder_is_importable(real_layer: RealLayer, tmp_path: Path) -> None:
    """Unpacked like Lambda does, /opt/python on sys.path imports the pure-Python driver and our package."""
    with zipfile.ZipFile(real_layer.artifact.path) as archive:
        archive.extractall(tmp_path / "opt")
    code = f"import pymysql, {RUNTIME_PACKAGE} as rt; print(pymysql.__file__, rt.VERSION)"
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path / 'opt' / 'python')!r}); {code}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.startswith(str(tmp_path / "opt" / "python" / "pymysql")) and out.strip().endswith(" 1")


@both_architectures
def test_layer_zip_is_the_canonical_zip_of_its_contents(real_layer: RealLayer, tmp_path: Path) -> None:
    """Extract with scrambled mtimes and a strict umask, re-zip with the function zipper: same bytes."""
    root = tmp_path / "unpacked"
    old = os.umask(0o077)
    try:
        with zipfile.ZipFile(real_layer.artifact.path) as archive:
            for info in archive.infolist():
                target = root / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(info))
                if (info.external_attr >> 16) & 0o111:
                    target.chmod(0o700)
                stamp = random.Random(info.filename).randint(10**9, 2 * 10**9)
                os.utime(target, (stamp, stamp))
    finally:
        os.umask(old)
    rebuilt = build_function_zip(root, out_dir=tmp_path / "out")
    assert rebuilt.sha256 == real_layer.artifact.sha256


@both_architectures
def test_second_build_is_a_cache_hit_without_pip_or_download(
    real_layer: RealLayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("cache miss: pip or the CA download ran again")

    monkeypatch.setattr(layer_module, "install_requirements", refuse)
    monkeypatch.setattr(ca_module, "_download", refuse)
    start = time.perf_counter()
    again = build_layer(real_layer.spec, offline=False, cache_dir=real_layer.cache_dir)
    elapsed = time.perf_counter() - start
    assert again == real_layer.artifact
    assert elapsed < 1.0, f"cached build took {elapsed:.3f} s"
    # Offline returns the real cached layer, not a placeholder.
    offline = build_layer(real_layer.spec, offline=True, cache_dir=real_layer.cache_dir)
    assert offline == real_layer.artifact and offline.built


@both_architectures
def test_real_build_facts(real_layer: RealLayer) -> None:
    """Sizes and times land in the report (-rA shows them); bounds catch a runaway build."""
    size = real_layer.artifact.path.stat().st_size
    how = "cold build" if real_layer.built_here else "cache hit (another worker built it)"
    print(f"layer {real_layer.spec.architecture}: {size} bytes, {how} {real_layer.seconds:.2f} s")
    assert 2_000_000 < size < 50_000_000  # 50 MB: Lambda's direct-upload limit for a zipped layer
    assert real_layer.spec.requirements == REAL_REQUIREMENTS
