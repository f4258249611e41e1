"""LayerSpec, the content hash, the offline placeholder and layer assembly (pip replaced by a fake here; the
real pip builds are in test_pkg_real_layer.py)."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
import zipfile
from pathlib import Path

import pytest
from lambda_rds.packaging import LayerSpec, PackagingError, build_layer, read_requirements
from lambda_rds.packaging import layer as layer_module
from lambda_rds.packaging.targets import Target
from pkg_helpers import RUNTIME_PACKAGE, PemServer, make_runtime_package

REQS = ("psycopg2-binary==2.9.10", "PyMySQL==1.1.1")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any attempt to run pip or open a URL."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(layer_module, "install_requirements", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def fake_pip(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[str, ...], Target]]:
    """Replace pip with a writer of a plausible --target tree (a package, dist-info, bin/ script, caches)."""
    calls: list[tuple[tuple[str, ...], Target]] = []

    def install(requirements: tuple[str, ...], target: Target, dest: Path) -> None:
        calls.append((tuple(requirements), target))
        (dest / "fakedb" / "__pycache__").mkdir(parents=True)
        (dest / "fakedb" / "__init__.py").write_text("X = 1\n")
        native = dest / "fakedb" / f"_native.cpython-{target.abi[2:]}-{target.machine}-linux-gnu.so"
        native.write_bytes(b"\x7fELF")
        native.chmod(0o755)
        (dest / "fakedb" / "__pycache__" / "x.pyc").write_bytes(b"\0")
        (dest / "fakedb-1.0.dist-info").mkdir()
        (dest / "fakedb-1.0.dist-info" / "WHEEL").write_text(f"Tag: {target.abi}-{target.abi}-linux\n")
        (dest / "bin").mkdir()
        (dest / "bin" / "fakedb-cli").write_text("#!/usr/bin/python3.11\n")

    monkeypatch.setattr(layer_module, "install_requirements", install)
    return calls


def test_read_requirements_drops_comments_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("# drivers\npsycopg2-binary==2.9.10  # postgres\n\nPyMySQL==1.1.1\n")
    assert read_requirements(path) == REQS
    spec = LayerSpec.from_requirements_file(path, architecture="x86_64")
    assert spec.requirements == REQS and spec.architecture == "x86_64"


def test_read_requirements_expands_includes_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "drivers.txt").write_text("psycopg2-binary==2.9.10\n")
    (tmp_path / "requirements.txt").write_text("-r sub/drivers.txt\nPyMySQL==1.1.1\n")
    assert read_requirements(tmp_path / "requirements.txt") == REQS
    (tmp_path / "loop.txt").write_text("--requirement=loop.txt\n")
    with pytest.raises(PackagingError, match="nest deeper"):
        read_requirements(tmp_path / "loop.txt")


def test_spec_coerces_lists_and_validates(tmp_path: Path) -> None:
    package = make_runtime_package(tmp_path)
    spec = LayerSpec(list(REQS), extra_packages=[str(package)], ca_bundle=str(tmp_path / "x.pem"))  # type: ignore[arg-type]
    assert spec.requirements == REQS and spec.extra_packages == (package,)
    assert spec.ca_bundle == tmp_path / "x.pem"
    with pytest.raises(PackagingError, match=r"python3\.9"):
        LayerSpec(REQS, runtime="python3.9")
    with pytest.raises(PackagingError, match="not a directory"):
        LayerSpec(REQS, extra_packages=(tmp_path / "missing",))
    other = tmp_path / "elsewhere" / RUNTIME_PACKAGE
    other.mkdir(parents=True)
    with pytest.raises(PackagingError, match="clashing folder names"):
        LayerSpec(REQS, extra_packages=(package, other))
    with pytest.raises(PackagingError, match="compression"):
        LayerSpec(REQS, compression="zstd")  # type: ignore[arg-type]


def test_content_hash_covers_everything_that_shapes_the_bytes(tmp_path: Path, test_ca_pem: Path) -> None:
    package = make_runtime_package(tmp_path)
    base = LayerSpec(REQS, extra_packages=(package,), ca_bundle=test_ca_pem)
    key = base.content_hash()
    assert (
        len(key) == 64
        and LayerSpec(REQS, extra_packages=(package,), ca_bundle=test_ca_pem).content_hash() == key
    )
    variants = {
        "requirements": LayerSpec(("PyMySQL==1.1.1",), extra_packages=(package,), ca_bundle=test_ca_pem),
        "architecture": LayerSpec(
            REQS, architecture="x86_64", extra_packages=(package,), ca_bundle=test_ca_pem
        ),
        "runtime": LayerSpec(REQS, runtime="python3.13", extra_packages=(package,), ca_bundle=test_ca_pem),
        "no extra": LayerSpec(REQS, ca_bundle=test_ca_pem),
        "downloaded CA": LayerSpec(REQS, extra_packages=(package,)),
        "compression": LayerSpec(
            REQS, extra_packages=(package,), ca_bundle=test_ca_pem, compression="deflate"
        ),
    }
    hashes = {name: spec.content_hash() for name, spec in variants.items()}
    assert key not in hashes.values() and len(set(hashes.values())) == len(hashes)

    # Touching files (mtime only) or adding caches keeps the hash; editing a source file changes it.
    for path in package.rglob("*"):
        os.utime(path, (1, 1))
    (package / "__pycache__" / "more.pyc").write_bytes(b"\1")
    assert base.content_hash() == key
    (package / "connect.py").write_text("def connect():\n    return 'changed'\n")
    assert base.content_hash() != key


def test_content_hash_follows_the_ca_inputs(
    tmp_path: Path, test_ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user.pem"
    user.write_bytes(test_ca_pem.read_bytes())
    with_user = LayerSpec(REQS, ca_bundle=user).content_hash()
    user.write_bytes(test_ca_pem.read_bytes() * 2)
    assert LayerSpec(REQS, ca_bundle=user).content_hash() != with_user

    pinned = LayerSpec(REQS).content_hash()
    assert (
        LayerSpec(REQS, rds_ca_url="https://mirror.example/b.pem").content_hash() == pinned
    )  # where, not what
    assert LayerSpec(REQS, rds_ca_sha256="a" * 64).content_hash() != pinned
    monkeypatch.setenv("LAMBDA_RDS_RDS_CA_SHA256", "b" * 64)
    assert LayerSpec(REQS).content_hash() != pinned


def test_offline_gives_a_small_deterministic_placeholder_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.setenv("LAMBDA_RDS_PACKAGING", "offline")
    spec = LayerSpec(REQS)  # would need the RDS bundle download and pip: neither may happen
    first = build_layer(spec, cache_dir=tmp_path / "layers")
    second = build_layer(spec, cache_dir=tmp_path / "layers")
    assert first == second and first.built is False
    assert "layer not built offline" in first.note and "pulumi preview" in first.note
    assert first.path.stat().st_size < 2048
    with zipfile.ZipFile(first.path) as archive:
        assert archive.namelist() == ["lambda_rds/LAYER_NOT_BUILT.txt"]
        assert spec.content_hash() in archive.read("lambda_rds/LAYER_NOT_BUILT.txt").decode()
    # The explicit argument wins over the environment.
    monkeypatch.setenv("LAMBDA_RDS_PACKAGING", "online")
    assert build_layer(spec, offline=True, cache_dir=tmp_path / "layers") == first


def test_no_rds_ca_means_no_layer_and_pip_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_pip(monkeypatch)
    spec = LayerSpec(REQS, rds_ca_url="http://127.0.0.1:9/global-bundle.pem", rds_ca_sha256="c" * 64)
    with pytest.raises(PackagingError, match="never built without the RDS CA"):
        build_layer(spec, offline=False, cache_dir=tmp_path / "layers")
    assert calls == [] and not list((tmp_path / "layers").rglob("*.zip"))


def test_assembly_layout_with_a_fake_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pem_server: PemServer
) -> None:
    calls = fake_pip(monkeypatch)
    package = make_runtime_package(tmp_path / "src")
    spec = LayerSpec(
        REQS,
        architecture="x86_64",
        extra_packages=(package,),
        rds_ca_url=pem_server.url,
        rds_ca_sha256=hashlib.sha256(pem_server.body).hexdigest(),
    )
    artifact = build_layer(spec, offline=False, cache_dir=tmp_path / "layers")
    assert artifact.built and calls == [(REQS, Target.of("python3.12", "x86_64"))]
    with zipfile.ZipFile(artifact.path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert names == [
            "lambda_rds/ca-bundle.pem",
            "python/fakedb-1.0.dist-info/WHEEL",
            "python/fakedb/__init__.py",
            "python/fakedb/_native.cpython-312-x86_64-linux-gnu.so",
            f"python/{RUNTIME_PACKAGE}/__init__.py",
            f"python/{RUNTIME_PACKAGE}/connect.py",
        ]
        so = archive.getinfo("python/fakedb/_native.cpython-312-x86_64-linux-gnu.so")
        assert (so.external_attr >> 16) & 0o777 == 0o755
        assert archive.read("lambda_rds/ca-bundle.pem").startswith(pem_server.body)
    assert artifact.path.parent.name.startswith(f"python3.12-x86_64-{spec.content_hash()[:16]}")

    # Cached: no pip, no download, same artifact; and offline now returns the real layer.
    again = build_layer(spec, offline=False, cache_dir=tmp_path / "layers")
    assert again == artifact and len(calls) == 1 and pem_server.requests == ["/bundle.pem"]
    assert build_layer(spec, offline=True, cache_dir=tmp_path / "layers") == artifact


def test_an_extra_package_may_not_shadow_a_dependency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_ca_pem: Path
) -> None:
    fake_pip(monkeypatch)
    shadow = tmp_path / "fakedb"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    spec = LayerSpec(REQS, extra_packages=(shadow,), ca_bundle=test_ca_pem)
    with pytest.raises(PackagingError, match=r"\['fakedb'\] clash"):
        build_layer(spec, offline=False, cache_dir=tmp_path / "layers")


def test_pip_failure_is_reported_with_the_platform(
    tmp_path: Path, test_ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A requirement that cannot exist: pip's own error comes back, with what the platform needed. Runs pip,
    but against a local file index (--no-index), so it needs no network. pip settings in the environment
    that contradict --target are not passed on (pip would otherwise stop at "--user and --target")."""
    monkeypatch.setenv("PIP_USER", "1")
    monkeypatch.setenv("PIP_PLATFORM", "win_amd64")
    (tmp_path / "index").mkdir()
    spec = LayerSpec(
        ("--no-index", f"--find-links={tmp_path / 'index'}", "no-such-package-xyz==1.0"),
        ca_bundle=test_ca_pem,
    )
    with pytest.raises(PackagingError) as failure:
        build_layer(spec, offline=False, cache_dir=tmp_path / "layers")
    message = str(failure.value)
    assert "aarch64 manylinux (glibc <= 2.34) and cp312" in message
    assert "no-such-package-xyz" in message and "--platform manylinux_2_28_aarch64" in message
    assert "No matching distribution found for no-such-package-xyz" in message


def test_a_layer_without_requirements_runs_no_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_ca_pem: Path
) -> None:
    monkeypatch.setenv("LAMBDA_RDS_PIP", "false")  # any pip run would now fail the build
    spec = LayerSpec((), extra_packages=(make_runtime_package(tmp_path),), ca_bundle=test_ca_pem)
    artifact = build_layer(spec, offline=False, cache_dir=tmp_path / "layers")
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.namelist() == [
            "lambda_rds/ca-bundle.pem",
            f"python/{RUNTIME_PACKAGE}/__init__.py",
            f"python/{RUNTIME_PACKAGE}/connect.py",
        ]


def test_module_entry_point_prints_artifacts_as_json(
    tmp_path: Path, test_ca_pem: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambda_rds.packaging.__main__ import main

    source = make_runtime_package(tmp_path)
    assert main(["zip", str(source), "--out-dir", str(tmp_path / "out")]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["built"] is True and Path(record["path"]).parent == tmp_path / "out"
    assert record["sha256"] == hashlib.sha256(Path(record["path"]).read_bytes()).hexdigest()

    (tmp_path / "requirements.txt").write_text("PyMySQL==1.1.1\n")
    argv = ["layer", "--requirements", str(tmp_path / "requirements.txt"), "--cache-dir", str(tmp_path / "c")]
    assert main([*argv, "--offline", "--architecture", "arm64", "--architecture", "x86_64"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["built"] for r in records] == [False, False] and "arm64" in records[0]["path"]
    assert main([*argv, "--runtime", "python3.12", "--ca-bundle", str(tmp_path / "missing.pem")]) == 1
    assert "cannot be read" in capsys.readouterr().err
