"""The per-process caches a many-component plan leans on (issue 19) give what a fresh computation gives.

A program of N components packages the same function folders and checks the same handler file N times;
`write_zip` reuses a zip it wrote for the same entries, and `check_handler` a parse of the same bytes.
Each test changes what the cache is keyed on and checks that the answer follows.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lambda_rds.packaging import zipper
from lambda_rds.packaging.zipper import ZipEntry, build_function_zip, write_zip
from lambda_rds.settings import handler_source
from lambda_rds.settings.handler_source import HandlerProblem, check_handler


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The zips actually written (one temporary file each)."""
    made: list[str] = []
    real = zipper.tempfile.mkstemp

    def counting(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)  # type: ignore[call-overload]
        made.append(name)
        return fd, name

    monkeypatch.setattr(zipper.tempfile, "mkstemp", counting)
    return made


def _app(folder: Path, body: str = "def handler(event, context):\n    return 1\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handler.py").write_text(body, encoding="utf-8")
    (folder / "util.py").write_text("X = 1\n", encoding="utf-8")
    return folder


def test_same_folder_zipped_twice_is_written_once(tmp_path: Path, writes: list[str]) -> None:
    app = _app(tmp_path / "app")
    first = build_function_zip(app, out_dir=tmp_path / "out")
    again = build_function_zip(app, out_dir=tmp_path / "out")
    assert again == first
    assert len(writes) == 1
    assert zipper._file_sha256(first.path) == first.sha256


def test_changed_file_gives_a_new_zip_at_the_same_size_and_mtime(tmp_path: Path, writes: list[str]) -> None:
    app = _app(tmp_path / "app")
    first = build_function_zip(app, out_dir=tmp_path / "out")
    stat = (app / "util.py").stat()
    (app / "util.py").write_text("X = 2\n", encoding="utf-8")  # same size
    os.utime(app / "util.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    second = build_function_zip(app, out_dir=tmp_path / "out")
    assert second.sha256 != first.sha256 and second.path != first.path
    assert len(writes) == 2
    assert zipper._file_sha256(second.path) == second.sha256
    # Back to the first content: the first zip, still on disk untouched, is reused.
    (app / "util.py").write_text("X = 1\n", encoding="utf-8")
    assert build_function_zip(app, out_dir=tmp_path / "out") == first
    assert len(writes) == 2


def test_deleted_or_replaced_zip_is_written_again(tmp_path: Path, writes: list[str]) -> None:
    entries = [ZipEntry("a.txt", b"alpha")]
    first = write_zip(entries, tmp_path, "pkg")
    first.path.unlink()
    second = write_zip(entries, tmp_path, "pkg")
    assert second == first and second.path.is_file() and len(writes) == 2
    second.path.write_bytes(b"not a zip")  # tampered with: no longer the file written
    third = write_zip(entries, tmp_path, "pkg")
    assert len(writes) == 3
    assert zipper._file_sha256(third.path) == third.sha256


def test_zip_cache_tells_folders_stems_modes_and_compression_apart(tmp_path: Path, writes: list[str]) -> None:
    entries = [ZipEntry("run.sh", b"#!/bin/sh\n")]
    base = write_zip(entries, tmp_path / "a", "pkg")
    assert write_zip(entries, tmp_path / "b", "pkg").path.parent == tmp_path / "b"
    assert write_zip(entries, tmp_path / "a", "other").path.name.startswith("other-")
    assert write_zip([ZipEntry("run.sh", b"#!/bin/sh\n", executable=True)], tmp_path / "a", "pkg") != base
    assert write_zip(entries, tmp_path / "a", "pkg", compression="deflate") != base
    assert len(writes) == 5


def test_file_changed_while_zipping_is_not_remembered(
    tmp_path: Path, writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "f.txt"
    source.write_bytes(b"one")
    reads = {"n": 0}
    real = ZipEntry.read

    def read_then_change(self: ZipEntry) -> bytes:
        data = real(self)
        reads["n"] += 1
        if reads["n"] == 1:  # after the key's read, before the write's
            source.write_bytes(b"two")
        return data

    monkeypatch.setattr(ZipEntry, "read", read_then_change)
    written = write_zip([ZipEntry("f.txt", source)], tmp_path / "out", "pkg")
    monkeypatch.setattr(ZipEntry, "read", real)
    source.write_bytes(b"one")
    again = write_zip([ZipEntry("f.txt", source)], tmp_path / "out", "pkg")
    assert again.sha256 != written.sha256  # the first zip holds "two": never handed out for "one"
    assert len(writes) == 2


# ---- check_handler ----------------------------------------------------------------------------------
@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = handler_source._parse

    def counting(source: bytes, path: Path, feature_version: tuple[int, int] | None) -> object:
        seen.append(path)
        return real(source, path, feature_version)

    monkeypatch.setattr(handler_source, "_parse", counting)
    return seen


def test_same_handler_file_is_parsed_once(tmp_path: Path, parses: list[Path]) -> None:
    app = _app(tmp_path / "app")
    for _ in range(3):
        assert check_handler(app, "handler.handler", "python3.12", explicit=False) is None
    assert len(parses) == 1
    # Another grammar is another parse.
    assert check_handler(app, "handler.handler", "python3.9", explicit=False) is None
    assert len(parses) == 2


def test_edited_handler_is_parsed_again_at_same_size_and_mtime(tmp_path: Path, parses: list[Path]) -> None:
    app = _app(tmp_path / "app", "def handler(event, context):\n    return 1\n")
    assert check_handler(app, "handler.handler", "python3.12", explicit=False) is None
    path = app / "handler.py"
    stat = path.stat()
    path.write_text("def handlex(event, context):\n    return 1\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(HandlerProblem, match="defines no 'handler'"):
        check_handler(app, "handler.handler", "python3.12", explicit=False)
    assert len(parses) == 2


def test_syntax_errors_are_reported_every_time(tmp_path: Path, parses: list[Path]) -> None:
    app = _app(tmp_path / "app", "def handler(event, context:\n    return 1\n")
    for _ in range(2):
        with pytest.raises(HandlerProblem, match="syntax error"):  # a grammar this Python knows: a refusal
            check_handler(app, "handler.handler", "python3.10", explicit=False)
    assert len(parses) == 2  # a failed parse is not cached
