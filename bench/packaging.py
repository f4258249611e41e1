"""Packaging benchmark: deterministic zip and layer build times, layer sizes per architecture. Prints JSON.

Layer builds run real pip against PyPI with pip's cache disabled (cold) into a throwaway cache directory;
the CA bundle comes from certifi's file (the RDS download needs internet access this bench must not assume).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import certifi

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "components"))

from lambda_rds.packaging import LayerSpec, build_function_zip, build_layer, read_requirements  # noqa: E402

REQUIREMENTS = read_requirements(REPO / "functions" / "requirements.txt")
RUNTIME_PACKAGE = REPO / "functions" / "lambda_rds_runtime"


def median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples), 4)


def synthetic_tree(root: Path, files: int, size: int) -> Path:
    for index in range(files):
        path = root / f"pkg{index % 20}" / f"module{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((f"# module {index}\n".encode() * size)[:size])
    return root


def main() -> None:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        out = tmp / "out"
        library = REPO / "components" / "lambda_rds"
        results["zip_library_seconds"] = median_seconds(lambda: build_function_zip(library, out_dir=out), 5)
        with zipfile.ZipFile(build_function_zip(library, out_dir=out).path) as archive:
            results["zip_library_entries"] = len(archive.infolist())
        tree = synthetic_tree(tmp / "synthetic", files=1000, size=4096)
        results["zip_1000x4KiB_seconds"] = median_seconds(lambda: build_function_zip(tree, out_dir=out), 5)

        os.environ["PIP_NO_CACHE_DIR"] = "1"  # cold: every wheel downloaded again
        common = {"extra_packages": (RUNTIME_PACKAGE,), "ca_bundle": Path(certifi.where())}
        for architecture in ("arm64", "x86_64"):
            spec = LayerSpec(REQUIREMENTS, architecture=architecture, **common)  # type: ignore[arg-type]
            cache = tmp / "layers"
            start = time.perf_counter()
            artifact = build_layer(spec, offline=False, cache_dir=cache)
            results[f"layer_{architecture}_cold_seconds"] = round(time.perf_counter() - start, 3)
            results[f"layer_{architecture}_cached_seconds"] = median_seconds(
                lambda: build_layer(spec, offline=False, cache_dir=cache),  # noqa: B023 - called right here
                5,
            )
            results[f"layer_{architecture}_bytes"] = artifact.path.stat().st_size
            deflate = LayerSpec(REQUIREMENTS, architecture=architecture, compression="deflate", **common)  # type: ignore[arg-type]
            results[f"layer_{architecture}_deflate_bytes"] = (
                build_layer(deflate, offline=False, cache_dir=cache).path.stat().st_size
            )
        offline_spec = LayerSpec(REQUIREMENTS, runtime="python3.13")
        results["offline_placeholder_seconds"] = median_seconds(
            lambda: build_layer(offline_spec, offline=True, cache_dir=tmp / "offline"), 5
        )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
