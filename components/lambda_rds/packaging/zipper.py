"""Deterministic zips: the same files give the same bytes on every machine, whatever their mtimes or umask.

Why each rule exists (perpetual diffs: pulumi#21008, terraform-aws-lambda#515, REFERENCE.md item 5):
- entries sorted by their UTF-8 name, names NFC-normalised (macOS file systems may hand back NFD);
- every timestamp 1980-01-01 00:00 (the earliest a zip can hold), no extra fields, Unix "made by";
- modes reduced to 0o644, or 0o755 when any execute bit is set (git tracks only that bit);
- caches and test folders left out (``DEFAULT_EXCLUDES``);
- entries STORED by default: deflate output depends on the zlib implementation (zlib-ng on Fedora 40+,
  Apple's and Chromium's forks differ from madler zlib), so only stored entries are byte-identical
  everywhere. ``compression="deflate"`` is smaller and stable across machines that share a zlib.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import threading
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from lambda_rds.packaging.cache import cache_root
from lambda_rds.packaging.model import Artifact, PackagingError

Compression = Literal["stored", "deflate"]

# Matched against every path component (a pattern with "/" is matched against the relative path instead).
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".DS_Store",
    "._*",  # AppleDouble metadata files macOS writes on non-APFS volumes
    "tests",
    "conftest.py",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".git",
    ".hg",
    ".svn",
    ".venv",
)

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644
_EXEC_MODE = 0o755
_UNIX = 3  # zip "version made by" host system: Unix, so readers honour the mode bits
_STEM_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ZipEntry:
    """One file to put in a zip: its name inside the archive and where its bytes come from."""

    name: str
    source: Path | bytes
    executable: bool = False

    def read(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.read_bytes()


def is_excluded(rel_path: str, patterns: Sequence[str]) -> bool:
    """True when a POSIX relative path matches a pattern: a pattern without "/" names any path component
    (file or folder, anywhere); a pattern with "/" must match the path or one of its parent folders."""
    parts = rel_path.split("/")
    for pattern in patterns:
        if "/" in pattern:
            pattern = pattern.strip("/")
            prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
            if any(fnmatchcase(prefix, pattern) for prefix in prefixes):
                return True
        elif any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def collect_files(root: Path, exclude: Sequence[str] = (), prefix: str = "") -> list[ZipEntry]:
    """The regular files under ``root`` (symlinks followed, loops refused) minus ``DEFAULT_EXCLUDES`` and
    ``exclude``, as entries named ``prefix + relative path``, sorted."""
    if not root.is_dir():
        raise PackagingError(f"cannot package {root}: not a directory")
    patterns = (*DEFAULT_EXCLUDES, *exclude)
    entries: list[ZipEntry] = []
    seen_dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            raise PackagingError(f"cannot package {root}: symlink loop at {dirpath}")
        seen_dirs.add(real)
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        # Prune excluded folders here so their contents are never even listed.
        dirnames[:] = sorted(d for d in dirnames if not is_excluded(rel_dir + d, patterns))
        for filename in sorted(filenames):
            rel = rel_dir + filename
            if is_excluded(rel, patterns):
                continue
            path = Path(dirpath, filename)
            try:
                st = path.stat()
            except FileNotFoundError as exc:
                raise PackagingError(f"cannot package {path}: broken symlink") from exc
            if not stat.S_ISREG(st.st_mode):
                continue  # sockets, fifos, devices: nothing a zip can carry
            name = unicodedata.normalize("NFC", prefix + rel)
            entries.append(ZipEntry(name, path, bool(st.st_mode & 0o111)))
    return sorted(entries, key=lambda e: e.name)


def tree_digest(entries: Iterable[ZipEntry]) -> str:
    """sha256 over names, mode classes and contents: what a zip of these entries depends on, cheaply."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.name):
        digest.update(entry.name.encode() + b"\0" + (b"x" if entry.executable else b"-"))
        digest.update(hashlib.sha256(entry.read()).digest())
    return digest.hexdigest()


def _zip_info(entry: ZipEntry, compression: Compression) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(entry.name, date_time=FIXED_DATE_TIME)
    info.create_system = _UNIX
    mode = _EXEC_MODE if entry.executable else _FILE_MODE
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED if compression == "deflate" else zipfile.ZIP_STORED
    return info


def write_zip(
    entries: Iterable[ZipEntry], out_dir: Path, stem: str, *, compression: Compression = "stored"
) -> Artifact:
    """Write ``entries`` as a deterministic zip named ``<out_dir>/<stem>-<sha12>.zip`` (atomically, so
    concurrent builders of the same content never see a half-written file) and return it."""
    ordered = sorted(entries, key=lambda e: e.name)
    duplicates = sorted(name for name, count in Counter(e.name for e in ordered).items() if count > 1)
    if duplicates:
        raise PackagingError(f"duplicate zip entries: {duplicates[:5]}")
    if not ordered:
        raise PackagingError(f"nothing to package for {stem!r}: no files left after exclusions")
    safe_stem = _STEM_UNSAFE.sub("-", stem).strip("-") or "package"
    # One entry in memory at a time (a layer may hold hundreds of MB): hashed here, read again on a miss.
    key = (
        str(Path(out_dir).absolute()),
        safe_stem,
        compression,
        tuple((e.name, e.executable, hashlib.sha256(e.read()).digest()) for e in ordered),
    )
    cached = _recent_zip(key)
    if cached is not None:
        return cached
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{safe_stem}-", suffix=".zip.tmp", dir=out_dir)
    tmp = Path(tmp_name)
    unchanged = True
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for entry, (_, _, expected) in zip(ordered, key[3], strict=True):
                data = entry.read()
                # A file changed since it was hashed: the zip holds the new bytes, the key the old.
                unchanged = unchanged and hashlib.sha256(data).digest() == expected
                archive.writestr(_zip_info(entry, compression), data)
        sha = _file_sha256(tmp)
        final = out_dir / f"{safe_stem}-{sha[:12]}.zip"
        os.chmod(tmp, _FILE_MODE)  # mkstemp creates 0o600; a build dir others read wants 0o644
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    artifact = Artifact(path=final, sha256=sha, built=True)
    if unchanged:
        _remember_zip(key, artifact)
    return artifact


# The zips this process wrote, by what their bytes depend on (folder, stem, compression, each entry's name,
# mode class and content digest): a program of many components packages the same folders once per
# component, and writing, re-reading and hashing the same zip again each time was a good part of a plan
# (issue 19). Reused only while the file is still the one written (same inode, size and mtime), so a zip
# deleted or replaced since is written again.
_ZipKey = tuple[str, str, str, tuple[tuple[str, bool, bytes], ...]]
_ZIPS: dict[_ZipKey, tuple[Artifact, tuple[int, int, int]]] = {}
_ZIPS_LOCK = threading.Lock()
_ZIPS_SIZE = 256


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _recent_zip(key: _ZipKey) -> Artifact | None:
    with _ZIPS_LOCK:
        hit = _ZIPS.get(key)
    if hit is None:
        return None
    artifact, stamp = hit
    if _stamp(artifact.path) != stamp:
        with _ZIPS_LOCK:
            _ZIPS.pop(key, None)
        return None
    return artifact


def _remember_zip(key: _ZipKey, artifact: Artifact) -> None:
    stamp = _stamp(artifact.path)
    if stamp is None:
        return
    with _ZIPS_LOCK:
        if len(_ZIPS) >= _ZIPS_SIZE:
            _ZIPS.pop(next(iter(_ZIPS)))
        _ZIPS[key] = (artifact, stamp)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_function_zip(
    source_dir: Path,
    *,
    out_dir: Path | None = None,
    exclude: Sequence[str] = (),
    compression: Compression = "stored",
) -> Artifact:
    """Zip a Lambda function's source folder deterministically.

    The archive holds the folder's files at its root (``handler.py``, not ``app/handler.py``), minus
    ``DEFAULT_EXCLUDES`` and ``exclude`` (fnmatch patterns, see ``is_excluded``). It is written to
    ``<out_dir>/<folder name>-<sha12>.zip``, ``out_dir`` defaulting to ``cache_root()/build``.
    Example: ``build_function_zip(Path("functions/app")).path`` -> ``.lambda-rds/build/app-3f2a9c0d1b7e.zip``.
    """
    source_dir = Path(source_dir)
    entries = collect_files(source_dir, exclude)
    target = Path(out_dir) if out_dir is not None else cache_root() / "build"
    return write_zip(entries, target, source_dir.resolve().name, compression=compression)
