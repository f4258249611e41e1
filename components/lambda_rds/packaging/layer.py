"""The dependency layer: wheels for the Lambda platform, the runtime package and the CA bundle, cached.

Layout (Lambda mounts a layer at /opt): ``python/<dependencies and extra packages>`` (on ``sys.path``) and
``lambda_rds/ca-bundle.pem`` (the runtime's ``DB_CA_BUNDLE=/opt/lambda_rds/ca-bundle.pem``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_rds.packaging import ca
from lambda_rds.packaging.cache import cache_root
from lambda_rds.packaging.model import Artifact, PackagingError
from lambda_rds.packaging.pip_install import install_requirements
from lambda_rds.packaging.targets import Target
from lambda_rds.packaging.zipper import Compression, ZipEntry, collect_files, tree_digest, write_zip

# Bump when the layer's layout or the way it is assembled changes: old cache entries stop matching.
LAYER_FORMAT = 1
CA_PATH_IN_LAYER = "lambda_rds/ca-bundle.pem"
PLACEHOLDER_PATH_IN_LAYER = "lambda_rds/LAYER_NOT_BUILT.txt"
PACKAGING_ENV = "LAMBDA_RDS_PACKAGING"  # "offline": never touch the network, use the cache or a placeholder
# pip --target puts console scripts in bin/ with the build host's interpreter as shebang: no use in Lambda.
_SITE_EXCLUDES = ("bin/*",)


_MAX_INCLUDE_DEPTH = 8


def read_requirements(path: Path, _depth: int = 0) -> tuple[str, ...]:
    """The requirement lines of a requirements file, without blank lines and comments; ``-r other.txt``
    includes are expanded here (pip would resolve them against a temporary copy, not against ``path``)."""
    if _depth > _MAX_INCLUDE_DEPTH:
        raise PackagingError(f"requirements includes nest deeper than {_MAX_INCLUDE_DEPTH} at {path}")
    lines: list[str] = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option, _, value = line.partition(" ")
        if option in ("-r", "--requirement") or line.startswith("--requirement="):
            include = value.strip() or line.split("=", 1)[1]
            lines += read_requirements(Path(path).parent / include, _depth + 1)
        else:
            lines.append(line)
    return tuple(lines)


@dataclass(frozen=True)
class LayerSpec:
    """Everything that decides a layer's bytes.

    ``requirements``: pinned requirement lines (``LayerSpec.from_requirements_file`` reads a file).
    ``runtime``: python3.10..python3.13. ``architecture``: arm64 (20% cheaper per GB-s) or x86_64.
    ``extra_packages``: local package folders copied to ``python/<folder name>/`` (the runtime package).
    ``ca_bundle``: a PEM file to use instead of downloading the RDS global bundle (Amazon roots are added).
    ``rds_ca_url`` / ``rds_ca_sha256``: override where the RDS bundle comes from and the digest it must have
    (defaults: ``$LAMBDA_RDS_RDS_CA_URL`` / ``$LAMBDA_RDS_RDS_CA_SHA256``, else AWS's URL and the pin).
    ``compression``: "stored" (default, identical bytes on every machine) or "deflate" (~3x smaller for
    psycopg2's shared objects, identical only across machines sharing a zlib: see ``zipper``).
    """

    requirements: tuple[str, ...]
    runtime: str = "python3.12"
    architecture: str = "arm64"
    extra_packages: tuple[Path, ...] = ()
    ca_bundle: Path | None = None
    rds_ca_url: str | None = field(default=None, compare=False)  # where, not what: not part of the hash
    rds_ca_sha256: str | None = None
    compression: Compression = "stored"

    def __post_init__(self) -> None:
        # Callers from config or other languages hand lists and strings: store tuples and Paths.
        object.__setattr__(self, "requirements", tuple(str(r).strip() for r in self.requirements))
        object.__setattr__(self, "extra_packages", tuple(Path(p) for p in self.extra_packages))
        if self.ca_bundle is not None:
            object.__setattr__(self, "ca_bundle", Path(self.ca_bundle))
        Target.of(self.runtime, self.architecture)  # validates both
        if self.compression not in ("stored", "deflate"):
            raise PackagingError(f"compression={self.compression!r}: use 'stored' or 'deflate'")
        names = [p.name for p in self.extra_packages]
        if len(set(names)) != len(names):
            raise PackagingError(f"extra_packages have clashing folder names: {names}")
        for package in self.extra_packages:
            if not package.is_dir():
                raise PackagingError(f"extra package {str(package)!r} is not a directory")

    @classmethod
    def from_requirements_file(cls, path: Path, **kwargs: Any) -> LayerSpec:
        """``LayerSpec.from_requirements_file(Path("functions/requirements.txt"), architecture="x86_64")``."""
        return cls(requirements=read_requirements(path), **kwargs)

    @property
    def target(self) -> Target:
        return Target.of(self.runtime, self.architecture)

    def extra_entries(self) -> list[ZipEntry]:
        entries: list[ZipEntry] = []
        for package in self.extra_packages:
            entries += collect_files(package, prefix=f"python/{package.name}/")
        return entries

    def content_hash(self) -> str:
        """sha256 (hex) of everything the layer's bytes depend on: layout format, requirements, platform
        tags and Python version, the extra packages' files, and the CA bundle's identity. Computable
        offline (the RDS bundle counts by its expected digest, which the download is checked against)."""
        target = self.target
        payload = {
            "format": LAYER_FORMAT,
            "compression": self.compression,
            "requirements": list(self.requirements),
            "target": [target.runtime, target.architecture, target.abi, target.pip_platforms()],
            "extra_packages": [
                [p.name, tree_digest(collect_files(p, prefix=f"python/{p.name}/"))]
                for p in self.extra_packages
            ],
            "ca": ca.ca_identity(user_bundle=self.ca_bundle, sha256=self.rds_ca_sha256),
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(canonical).hexdigest()


def under_pulumi_mocks() -> bool:
    """True while a Pulumi program runs under ``pulumi.runtime.set_mocks`` (a consumer's unit test, or
    `lambda-rds plan`): nothing will be deployed, so packaging must not reach for pip or the network.

    Read from the already-imported SDK (never imported here): the mocks install a ``MockMonitor``.
    """
    settings = sys.modules.get("pulumi.runtime.settings")
    mocks = sys.modules.get("pulumi.runtime.mocks")
    if settings is None or mocks is None:
        return False
    monitor = getattr(getattr(settings, "SETTINGS", None), "monitor", None)
    return isinstance(monitor, mocks.MockMonitor)


def offline_by_default() -> bool:
    """Offline when asked (``LAMBDA_RDS_PACKAGING=offline``) or when running under Pulumi mocks."""
    return os.environ.get(PACKAGING_ENV, "").strip().lower() == "offline" or under_pulumi_mocks()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(entry_dir: Path) -> Path | None:
    zips = sorted(entry_dir.glob("*.zip")) if entry_dir.is_dir() else []
    return zips[0] if zips else None


def _placeholder(spec: LayerSpec, key: str, cache_dir: Path) -> Artifact:
    # No absolute path in the note: it lands in plan reports and PR comments.
    note = (
        "layer not built offline (under Pulumi mocks or LAMBDA_RDS_PACKAGING=offline): its dependencies "
        "were not installed and it must not be deployed. `pulumi preview` / `pulumi up` package for real "
        "and fill the cache (.lambda-rds/layers), as does `python -m lambda_rds.packaging layer ...`."
    )
    text = f"{note}\ncontent hash: {key}\nruntime: {spec.runtime}\narchitecture: {spec.architecture}\n"
    entry = ZipEntry(PLACEHOLDER_PATH_IN_LAYER, text.encode())
    stem = f"placeholder-{spec.runtime}-{spec.architecture}-{key[:16]}"
    built = write_zip([entry], cache_dir / "placeholders", stem)
    return Artifact(path=built.path, sha256=built.sha256, built=False, note=note)


def _check_no_clash(site: Iterable[ZipEntry], extras: Iterable[ZipEntry]) -> None:
    installed = {e.name.split("/")[1] for e in site}
    clashes = sorted({e.name.split("/")[1] for e in extras} & installed)
    if clashes:
        raise PackagingError(f"extra package(s) {clashes} clash with installed dependencies of the same name")


def build_layer(spec: LayerSpec, *, offline: bool | None = None, cache_dir: Path | None = None) -> Artifact:
    """Build (or reuse) the layer zip for ``spec``.

    Cached under ``cache_dir`` (default ``cache_root()/layers``) by ``spec.content_hash()``: a second call
    runs neither pip nor a download. ``offline`` (default: ``$LAMBDA_RDS_PACKAGING == "offline"``) never
    touches the network: a cached layer is returned as usual, otherwise a small deterministic placeholder
    with ``built=False`` and a ``note`` saying how to build the real one.
    """
    offline = offline_by_default() if offline is None else offline
    layers = Path(cache_dir) if cache_dir is not None else cache_root() / "layers"
    key = spec.content_hash()
    entry_dir = layers / f"{spec.runtime}-{spec.architecture}-{key[:16]}"
    hit = _cached(entry_dir)
    if hit is not None:
        return Artifact(path=hit, sha256=_sha256_file(hit), built=True)
    if offline:
        return _placeholder(spec, key, layers)

    target = spec.target
    # The CA first: it is cheap and fails fast (no RDS CA, no layer), before minutes of pip.
    bundle = ca.layer_ca_bundle(
        layers / "ca", user_bundle=spec.ca_bundle, url=spec.rds_ca_url, sha256=spec.rds_ca_sha256
    )
    layers.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".staging-", dir=layers) as staging:
        site = Path(staging) / "python"
        install_requirements(spec.requirements, target, site)
        installed = collect_files(site, _SITE_EXCLUDES, prefix="python/") if site.is_dir() else []
        extras = spec.extra_entries()
        _check_no_clash(installed, extras)
        entries = [*installed, *extras, ZipEntry(CA_PATH_IN_LAYER, bundle)]
        stem = f"layer-{spec.runtime}-{spec.architecture}"
        return write_zip(entries, entry_dir, stem, compression=spec.compression)
