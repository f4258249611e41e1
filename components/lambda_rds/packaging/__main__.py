"""``python -m lambda_rds.packaging zip|layer ...``: build an artifact and print it as JSON.

Fills the layer cache ahead of an offline ``lambda-rds plan`` (needs PyPI and the RDS CA trust store).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from lambda_rds.packaging.layer import LayerSpec, build_layer
from lambda_rds.packaging.model import PackagingError
from lambda_rds.packaging.targets import SUPPORTED_ARCHITECTURES, SUPPORTED_RUNTIMES
from lambda_rds.packaging.zipper import build_function_zip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lambda_rds.packaging", description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    zip_cmd = sub.add_parser("zip", help="deterministic zip of a function folder")
    zip_cmd.add_argument("source", type=Path)
    zip_cmd.add_argument("--out-dir", type=Path)
    zip_cmd.add_argument("--exclude", action="append", default=[])
    layer_cmd = sub.add_parser("layer", help="dependency layer for the Lambda platform (cached)")
    layer_cmd.add_argument("--requirements", type=Path, required=True, help="requirements file")
    layer_cmd.add_argument("--runtime", default="python3.12", choices=SUPPORTED_RUNTIMES)
    layer_cmd.add_argument(
        "--architecture", action="append", choices=SUPPORTED_ARCHITECTURES, help="repeatable (default arm64)"
    )
    layer_cmd.add_argument("--extra-package", action="append", type=Path, default=[])
    layer_cmd.add_argument("--ca-bundle", type=Path)
    layer_cmd.add_argument("--cache-dir", type=Path)
    layer_cmd.add_argument("--offline", action="store_true", default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    results = []
    try:
        if args.what == "zip":
            start = time.perf_counter()
            artifact = build_function_zip(args.source, out_dir=args.out_dir, exclude=args.exclude)
            results.append((artifact, time.perf_counter() - start))
        else:
            for architecture in args.architecture or ["arm64"]:
                spec = LayerSpec.from_requirements_file(
                    args.requirements,
                    runtime=args.runtime,
                    architecture=architecture,
                    extra_packages=tuple(args.extra_package),
                    ca_bundle=args.ca_bundle,
                )
                start = time.perf_counter()
                artifact = build_layer(spec, offline=args.offline, cache_dir=args.cache_dir)
                results.append((artifact, time.perf_counter() - start))
    except PackagingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for artifact, seconds in results:
        record = {
            "path": str(artifact.path),
            "sha256": artifact.sha256,
            "built": artifact.built,
            "bytes": artifact.path.stat().st_size,
            "seconds": round(seconds, 3),
            "note": artifact.note,
        }
        print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
