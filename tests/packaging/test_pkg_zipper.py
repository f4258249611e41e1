"""Deterministic function zips: same sources -> same bytes, whatever the mtimes, umask or creation order."""

from __future__ import annotations

import hashlib
import os
import random
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from lambda_rds.packaging import Artifact, PackagingError, build_function_zip, cache_root
from lambda_rds.packaging.zipper import is_excluded

SOURCES: dict[str, bytes] = {
    "handler.py": b"def handler(event, context):\n    return {'statusCode': 200}\n",
    "pkg/__init__.py": b"",
    "pkg/util.py": b"VALUE = 42\n",
    "data/config.json": b'{"a": 1}\n',
    "run.sh": b"#!/bin/sh\necho hi\n",
}
EXECUTABLES = {"run.sh"}
JUNK = {
    "__pycache__/handler.cpython-312.pyc": b"\0pyc",
    "pkg/__pycache__/util.cpython-311.pyc": b"\0pyc",
    "pkg/stale.pyc": b"\0pyc",
    ".DS_Store": b"\0\0\0\1Bud1",
    "pkg/._util.py": b"AppleDouble",
    "tests/test_handler.py": b"def test(): pass\n",
    "pkg/tests/test_util.py": b"def test(): pass\n",
    "conftest.py": b"",
    ".pytest_cache/v/cache/nodeids": b"[]",
    ".git/HEAD": b"ref: refs/heads/main\n",
}


def make_tree(
    root: Path, *, order: list[str] | None = None, umask: int = 0o022, mtime: float | None = None
) -> Path:
    files = {**SOURCES, **JUNK}
    names = order or sorted(files)
    old = os.umask(umask)
    try:
        for name in names:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[name])
            if name in EXECUTABLES:
                path.chmod(0o777 & ~umask)
            if mtime is not None:
                os.utime(path, (mtime, mtime))
    finally:
        os.umask(old)
    return root


def entry_names(artifact: Artifact) -> list[str]:
    with zipfile.ZipFile(artifact.path) as archive:
        return archive.namelist()


def test_two_builds_are_byte_identical_and_content_addressed(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app")
    first = build_function_zip(src, out_dir=tmp_path / "out")
    data = first.path.read_bytes()
    second = build_function_zip(src, out_dir=tmp_path / "out")
    assert first == second
    assert second.path.read_bytes() == data
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.path.name == f"app-{first.sha256[:12]}.zip"
    assert first.built is True and first.note == ""


def test_mtimes_umask_and_creation_order_do_not_change_the_bytes(tmp_path: Path) -> None:
    names = sorted({**SOURCES, **JUNK})
    reference = build_function_zip(make_tree(tmp_path / "a" / "app"), out_dir=tmp_path / "out")
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    variants = [
        make_tree(tmp_path / "b" / "app", order=list(reversed(names)), umask=0o077, mtime=1_700_000_000),
        make_tree(tmp_path / "c" / "app", order=shuffled, umask=0o002, mtime=86_400 * 365 * 45),
    ]
    for variant in variants:
        assert build_function_zip(variant, out_dir=tmp_path / "out").sha256 == reference.sha256
    # Touching every file of the reference tree and rebuilding gives the same zip too.
    for path in (tmp_path / "a" / "app").rglob("*"):
        if path.is_file():
            os.utime(path, (1_234_567_890, 1_234_567_890))
    assert build_function_zip(tmp_path / "a" / "app", out_dir=tmp_path / "out").sha256 == reference.sha256


@pytest.mark.parametrize(
    "change",
    ["content", "new file", "rename", "executable bit"],
)
def test_real_changes_do_change_the_bytes(tmp_path: Path, change: str) -> None:
    src = make_tree(tmp_path / "app")
    before = build_function_zip(src, out_dir=tmp_path / "out").sha256
    if change == "content":
        (src / "pkg/util.py").write_bytes(b"VALUE = 43\n")
    elif change == "new file":
        (src / "pkg/extra.py").write_bytes(b"")
    elif change == "rename":
        (src / "pkg/util.py").rename(src / "pkg/utils.py")
    else:
        (src / "handler.py").chmod(0o755)
    assert build_function_zip(src, out_dir=tmp_path / "out").sha256 != before


def test_caches_tests_and_os_litter_are_left_out(tmp_path: Path) -> None:
    artifact = build_function_zip(make_tree(tmp_path / "app"), out_dir=tmp_path / "out")
    assert entry_names(artifact) == sorted(SOURCES)


def test_user_exclude_patterns(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app")
    (src / "README.md").write_text("docs")
    (src / "docs").mkdir()
    (src / "docs" / "guide.txt").write_text("guide")
    names = entry_names(
        build_function_zip(src, out_dir=tmp_path / "out", exclude=("*.md", "docs", "pkg/util.py"))
    )
    assert names == sorted(set(SOURCES) - {"pkg/util.py"})


@pytest.mark.parametrize(
    ("path", "patterns", "excluded"),
    [
        ("a/b/__pycache__/x.pyc", ("__pycache__",), True),
        ("a/tests/x.py", ("tests",), True),
        ("a/testsuite/x.py", ("tests",), False),
        ("data/big/file.bin", ("data/big",), True),
        ("data/bigger/file.bin", ("data/big",), False),
        ("data/big/file.bin", ("data/*.bin",), True),  # fnmatch's * crosses "/" in path patterns
        ("pkg/mod.py", ("*.md",), False),
        ("Docs/x", ("docs",), False),  # case-sensitive on every OS, so results never depend on the host
    ],
)
def test_is_excluded(path: str, patterns: tuple[str, ...], excluded: bool) -> None:
    assert is_excluded(path, patterns) is excluded


def test_modes_timestamps_and_method_are_normalised(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app", umask=0o077)
    (src / "pkg/util.py").chmod(0o600)
    (src / "run.sh").chmod(0o700)
    with zipfile.ZipFile(build_function_zip(src, out_dir=tmp_path / "out").path) as archive:
        assert archive.testzip() is None
        for info in archive.infolist():
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode), info.filename
            expected = 0o755 if info.filename in EXECUTABLES else 0o644
            assert stat.S_IMODE(mode) == expected, info.filename
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.extra == b""
            assert archive.read(info) == SOURCES[info.filename]


def _reference_zip(files: list[tuple[str, bytes, int]]) -> bytes:
    """An independent writer of the zip format (APPNOTE 6.3) for stored entries, field by field: what our
    zips must be byte for byte, whichever Python version or OS writes them."""
    dos_time, dos_date = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
    body, central = b"", b""
    for name, data, mode in files:
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        crc = zlib.crc32(data)
        offset = len(body)
        body += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            flags,
            0,
            dos_time,
            dos_date,
            crc,
            len(data),
            len(data),
            len(encoded),
            0,
        )
        body += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            (3 << 8) | 20,  # made by: Unix, spec 2.0
            20,
            flags,
            0,
            dos_time,
            dos_date,
            crc,
            len(data),
            len(data),
            len(encoded),
            0,
            0,
            0,
            0,
            (stat.S_IFREG | mode) << 16,
            offset,
        )
        central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(central), len(body), 0)
    return body + central + end


def test_bytes_match_an_independent_writer_of_the_format(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app")
    nfd_name = unicodedata.normalize("NFD", "café.txt")  # what HFS+ hands back on macOS
    (src / nfd_name).write_bytes(b"accent\n")
    artifact = build_function_zip(src, out_dir=tmp_path / "out")
    files = {**SOURCES, "café.txt": b"accent\n"}
    expected = _reference_zip(
        [(name, files[name], 0o755 if name in EXECUTABLES else 0o644) for name in sorted(files)]
    )
    assert artifact.path.read_bytes() == expected


def test_symlinks_are_followed_and_loops_refused(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app")
    shared = tmp_path / "shared.py"
    shared.write_bytes(b"SHARED = 1\n")
    (src / "shared.py").symlink_to(shared)
    with zipfile.ZipFile(build_function_zip(src, out_dir=tmp_path / "out").path) as archive:
        assert archive.read("shared.py") == b"SHARED = 1\n"
    (src / "pkg" / "loop").symlink_to(src, target_is_directory=True)
    with pytest.raises(PackagingError, match="symlink loop"):
        build_function_zip(src, out_dir=tmp_path / "out")


def test_empty_or_missing_source_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "__pycache__").mkdir(parents=True)
    with pytest.raises(PackagingError, match="no files left"):
        build_function_zip(empty, out_dir=tmp_path / "out")
    with pytest.raises(PackagingError, match="not a directory"):
        build_function_zip(tmp_path / "missing", out_dir=tmp_path / "out")


def test_deflate_option_is_deterministic_and_smaller(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "app")
    (src / "big.txt").write_bytes(b"lambda rds " * 10_000)
    stored = build_function_zip(src, out_dir=tmp_path / "out")
    first = build_function_zip(src, out_dir=tmp_path / "deflate", compression="deflate")
    second = build_function_zip(src, out_dir=tmp_path / "deflate", compression="deflate")
    assert first.sha256 == second.sha256 != stored.sha256
    assert first.path.stat().st_size < stored.path.stat().st_size / 5
    with zipfile.ZipFile(first.path) as archive:
        assert archive.read("big.txt") == b"lambda rds " * 10_000


def test_default_out_dir_is_the_cache_and_cache_root_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_RDS_CACHE", str(tmp_path / "cache"))
    artifact = build_function_zip(make_tree(tmp_path / "app"))
    assert artifact.path.parent == tmp_path / "cache" / "build"
    assert artifact.path.stat().st_mode & 0o777 == 0o644
    # Without the variable, a source checkout caches in its own gitignored .lambda-rds folder.
    monkeypatch.delenv("LAMBDA_RDS_CACHE")
    root = cache_root()
    assert root.name == ".lambda-rds" and (root.parent / "pyproject.toml").is_file()
    assert ".lambda-rds/" in (root.parent / ".gitignore").read_text().splitlines()
